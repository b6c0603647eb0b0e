/** Invoke tokens served by the plugin, each in its own module. */
import type { CallOptions, SmartagClient, ValidationIssue } from "@pulumi-smartag/client";
import * as getSagOnlineClientStatistics from "./getSagOnlineClientStatistics";
import * as getUserOnlineClientStatistics from "./getUserOnlineClientStatistics";

export type FunctionHandler = (
  client: SmartagClient,
  args: Record<string, unknown>,
  options: CallOptions,
) => Promise<{ failures: ValidationIssue[] } | { result: object }>;

export const functions: ReadonlyMap<string, FunctionHandler> = new Map<string, FunctionHandler>([
  [getUserOnlineClientStatistics.token, getUserOnlineClientStatistics.invoke],
  [getSagOnlineClientStatistics.token, getSagOnlineClientStatistics.invoke],
]);
