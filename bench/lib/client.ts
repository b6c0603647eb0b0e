/** Our client and a bare pop-core client, set up the same way against an emulator. */
import RPCClient from "@alicloud/pop-core";
import {
  API_VERSION,
  type ClientEvent,
  resolveSettings,
  SmartagClient,
} from "@pulumi-smartag/client";
import { ACCESS_KEY, REGION, SECRET_KEY } from "./fixture";

/** Our client with the per-process answer cache off unless asked for. */
export function ourClient(
  endpoint: string,
  extra: Record<string, unknown> = {},
  onEvent?: (e: ClientEvent) => void,
): SmartagClient {
  const { settings, issues } = resolveSettings({
    region: REGION,
    endpoint,
    accessKey: ACCESS_KEY,
    secretKey: SECRET_KEY,
    cacheTtlMs: 0,
    ...extra,
  });
  if (!settings) throw new Error(JSON.stringify(issues));
  return new SmartagClient(settings, onEvent ? { onEvent } : {});
}

/** pop-core as a user would call it by hand: same key, POST, arrays flattened by pop-core. */
export function bareClient(endpoint: string): RPCClient {
  return new RPCClient({
    endpoint,
    apiVersion: API_VERSION,
    accessKeyId: ACCESS_KEY,
    accessKeySecret: SECRET_KEY,
  });
}
