/** Test-only ways into the client: building it from user-facing settings, and raw requests. */
import {
  ACTION,
  agentFor,
  type ClientDeps,
  credentialsSourceFor,
  endpointFor,
  exchange,
  resolveSettings,
  type SettingsInput,
  SmartagClient,
  SmartagValidationError,
  withEnvFallbacks,
} from "@pulumi-smartag/client";

/**
 * A client from settings as a user gives them, with environment fallbacks from `deps.env`.
 * @throws SmartagValidationError naming every bad setting.
 */
export function clientFromSettings(
  input: SettingsInput,
  deps: ClientDeps & { env?: NodeJS.ProcessEnv } = {},
): SmartagClient {
  const { settings, issues } = resolveSettings(withEnvFallbacks(input, deps.env));
  if (!settings) throw new SmartagValidationError(issues);
  return new SmartagClient(settings, deps);
}

/**
 * Sends one request exactly as given, signed and with errors mapped, but with no input checks,
 * no retry and no response checks: to see how the API answers input the client would refuse.
 */
export async function callRaw(
  client: SmartagClient,
  regionId: string,
  params: Record<string, unknown>,
): Promise<unknown> {
  const s = client.settings;
  const endpoint = endpointFor(s, regionId);
  const agent = agentFor(endpoint);
  try {
    return await exchange({
      endpoint,
      action: ACTION,
      params,
      credentials: await credentialsSourceFor(s).getCredentials(),
      agent,
      connectTimeoutMs: s.connectTimeoutMs,
      readTimeoutMs: s.readTimeoutMs,
      totalMs: s.deadlineMs,
      maxResponseBytes: s.maxResponseBytes,
      redactor: client.redactor,
    });
  } finally {
    agent.destroy();
  }
}
