/**
 * `smartag:index:getSagOnlineClientStatistics`: the invoke behind the SDK's
 * `getSagOnlineClientStatistics` and `getSagOnlineClientStatisticsOutput`.
 */
import {
  type CallOptions,
  type SagOnlineClientStatistics,
  type SagStatisticsRequest,
  type SmartagClient,
  SmartagValidationError,
  type ValidationIssue,
} from "@pulumi-smartag/client";

export const token = "smartag:index:getSagOnlineClientStatistics";

/** Bad arguments come back as failures; API errors are thrown for the server to report. */
export async function invoke(
  client: SmartagClient,
  args: Record<string, unknown>,
  options: CallOptions,
): Promise<{ failures: ValidationIssue[] } | { result: SagOnlineClientStatistics }> {
  try {
    return {
      result: await client.describeSagOnlineClientStatistics(args as SagStatisticsRequest, options),
    };
  } catch (e) {
    if (e instanceof SmartagValidationError) return { failures: [...e.issues] };
    throw e;
  }
}
