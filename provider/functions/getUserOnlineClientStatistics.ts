/**
 * `smartag:index:getUserOnlineClientStatistics`: the invoke behind the SDK's
 * `getUserOnlineClientStatistics` and `getUserOnlineClientStatisticsOutput`.
 */
import type { CallOptions, SmartagClient, UserOnlineClientStatistics } from "../smartag/client";
import type { ValidationIssue } from "../smartag/errors";
import type { StatisticsRequest } from "../smartag/schemas";

export const token = "smartag:index:getUserOnlineClientStatistics";

export type InvokeOutcome =
  | { failures: ValidationIssue[] }
  | { result: UserOnlineClientStatistics };

/**
 * Checks the arguments (bad ones come back as failures, with no network call), then asks the
 * API. API errors are thrown for the server to turn into a gRPC error.
 */
export async function invoke(
  client: SmartagClient,
  args: Record<string, unknown>,
  options: CallOptions,
): Promise<InvokeOutcome> {
  const failures = client.check(args);
  if (failures.length > 0) return { failures };
  const result = await client.describeUserOnlineClientStatistics(
    args as StatisticsRequest,
    options,
  );
  return { result };
}
