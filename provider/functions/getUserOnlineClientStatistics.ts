/**
 * `smartag:index:getUserOnlineClientStatistics`: the invoke behind the SDK's
 * `getUserOnlineClientStatistics` and `getUserOnlineClientStatisticsOutput`.
 */
import {
  type CallOptions,
  type SmartagClient,
  SmartagValidationError,
  type StatisticsRequest,
  type UserOnlineClientStatistics,
  type ValidationIssue,
} from "@pulumi-smartag/client";

export const token = "smartag:index:getUserOnlineClientStatistics";

export type InvokeOutcome =
  | { failures: ValidationIssue[] }
  | { result: UserOnlineClientStatistics };

/**
 * Asks the API. The client checks the arguments first and sends nothing when they are bad;
 * those problems come back as failures, API errors are thrown for the server to turn into a
 * gRPC error.
 */
export async function invoke(
  client: SmartagClient,
  args: Record<string, unknown>,
  options: CallOptions,
): Promise<InvokeOutcome> {
  try {
    return {
      result: await client.describeUserOnlineClientStatistics(args as StatisticsRequest, options),
    };
  } catch (e) {
    if (e instanceof SmartagValidationError) return { failures: [...e.issues] };
    throw e;
  }
}
