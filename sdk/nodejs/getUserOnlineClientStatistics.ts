import * as pulumi from "@pulumi/pulumi";
import { rethrowInvokeFailure } from "./errors";
import type * as outputs from "./types/output";
import * as utilities from "./utilities";

/**
 * The function token; it must equal the key under "functions" in provider/schema.json.
 *
 * @internal
 */
export const getUserOnlineClientStatisticsToken = "smartag:index:getUserOnlineClientStatistics";

/**
 * Reads how many clients are online through a Smart Access Gateway (SAG) APP instance, for each
 * of the given client accounts (API `DescribeUserOnlineClientStatistics`).
 *
 * More than 50 user names are split into batches of 50 and queried in parallel; a name given
 * twice is queried once. A name the API does not know counts as 0 online clients.
 *
 * Takes plain values and returns a Promise; use {@link getUserOnlineClientStatisticsOutput} when
 * an argument is an `Output` (another resource's property, a secret from config).
 *
 * @param args What to query.
 * @param opts `provider` picks an explicit {@link Provider} (another region, account or
 *   endpoint); `parent` lets the call inherit its parent's provider.
 * @returns The online counts, one per requested name, in request order.
 * @throws InvokeError (as the rejection) when an argument is refused or the API answers with an
 *   error; its message names the field, or the API's code and RequestId.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * export const stats = smartag.getUserOnlineClientStatistics({
 *     regionId: "cn-shanghai",
 *     smartAgId: "sag-demo0001",
 *     userNames: ["doctest", "alice@example.com"],
 * }).then((r) => r.totalOnlineCount);
 * ```
 */
export function getUserOnlineClientStatistics(
  args: GetUserOnlineClientStatisticsArgs,
  opts?: pulumi.InvokeOptions,
): Promise<GetUserOnlineClientStatisticsResult> {
  const merged: pulumi.InvokeOptions = pulumi.mergeOptions(
    utilities.resourceOptsDefaults(),
    opts ?? {},
  );
  return pulumi.runtime
    .invoke(
      getUserOnlineClientStatisticsToken,
      {
        regionId: args.regionId,
        smartAgId: args.smartAgId,
        userNames: args.userNames,
      },
      merged,
    )
    .catch((e: unknown) => rethrowInvokeFailure(getUserOnlineClientStatisticsToken, e));
}

/**
 * The arguments of {@link getUserOnlineClientStatistics}.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * const args: smartag.GetUserOnlineClientStatisticsArgs = {
 *     smartAgId: "sag-demo0001",
 *     userNames: ["doctest"],
 * };
 * ```
 */
export interface GetUserOnlineClientStatisticsArgs {
  /**
   * The region where the SAG APP instance is deployed, e.g. `cn-shanghai`. Optional when the
   * provider has a region (`smartag:region` or `ALIBABA_CLOUD_REGION`).
   */
  regionId?: string;
  /**
   * The ID of the SAG APP instance, e.g. `sag-demo0001`.
   */
  smartAgId: string;
  /**
   * The usernames of the client accounts to count, at least one. Each is 7 to 33 characters
   * long, starts with a letter or a digit, and may contain letters, digits, `_`, `@`, `.` and
   * `-`. More than 50 names are split into batches automatically; duplicates are queried once.
   */
  userNames: string[];
}

/**
 * What {@link getUserOnlineClientStatistics} returns.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * const result: Promise<smartag.GetUserOnlineClientStatisticsResult> =
 *     smartag.getUserOnlineClientStatistics({ smartAgId: "sag-demo0001", userNames: ["doctest"] });
 * result.then((r) => console.log(r.requestIds.join(", ")));
 * ```
 */
export interface GetUserOnlineClientStatisticsResult {
  /**
   * The region that was queried: the `regionId` argument, or the provider's region.
   */
  readonly regionId: string;
  /**
   * The ID of the SAG APP instance that was queried.
   */
  readonly smartAgId: string;
  /**
   * One entry per requested user name, in the order of `userNames`.
   */
  readonly userStatistics: outputs.UserStatistic[];
  /**
   * The total of `onlineCount` over the distinct user names: a name listed more than once in
   * `userNames` counts once.
   */
  readonly totalOnlineCount: number;
  /**
   * The `RequestId` of every API call made, one per batch, for Alibaba Cloud support tickets.
   */
  readonly requestIds: string[];
}

/**
 * The `Output` form of {@link getUserOnlineClientStatistics}: takes `Input`s and returns an
 * `Output`. The result is secret when any argument is secret, and it depends on the resources
 * its arguments came from, so it can feed other resources and stack outputs directly.
 *
 * @param args What to query; every field may be an `Output`.
 * @param opts `provider` picks an explicit {@link Provider}; `parent` lets the call inherit its
 *   parent's provider; `dependsOn` waits for other resources first.
 * @returns The online counts, one per requested name, in request order.
 * @throws InvokeError (through the `Output`) when an argument is refused or the API answers
 *   with an error.
 *
 * @example
 * ```typescript
 * import * as pulumi from "@pulumi/pulumi";
 * import * as smartag from "pulumi-smartag";
 *
 * const config = new pulumi.Config();
 * const stats = smartag.getUserOnlineClientStatisticsOutput({
 *     smartAgId: config.require("smartAgId"),
 *     userNames: config.requireObject<string[]>("userNames"),
 * });
 * export const totalOnline = stats.totalOnlineCount;
 * ```
 */
export function getUserOnlineClientStatisticsOutput(
  args: GetUserOnlineClientStatisticsOutputArgs,
  opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<GetUserOnlineClientStatisticsResult> {
  const merged: pulumi.InvokeOutputOptions = pulumi.mergeOptions(
    utilities.resourceOptsDefaults(),
    opts ?? {},
  );
  // invokeOutput, unlike `output(args).apply(invoke)`, carries the arguments' secretness and
  // resource dependencies over to the result; recover keeps both and only rewords a failure.
  const result = pulumi.runtime.invokeOutput<GetUserOnlineClientStatisticsResult>(
    getUserOnlineClientStatisticsToken,
    {
      regionId: args.regionId,
      smartAgId: args.smartAgId,
      userNames: args.userNames,
    },
    merged,
  );
  return pulumi.recover(result, (e: unknown) =>
    rethrowInvokeFailure(getUserOnlineClientStatisticsToken, e),
  );
}

/**
 * The arguments of {@link getUserOnlineClientStatisticsOutput}: those of
 * {@link GetUserOnlineClientStatisticsArgs}, each of which may be an `Output` or a `Promise`.
 *
 * @example
 * ```typescript
 * import * as pulumi from "@pulumi/pulumi";
 * import * as smartag from "pulumi-smartag";
 *
 * const args: smartag.GetUserOnlineClientStatisticsOutputArgs = {
 *     smartAgId: pulumi.secret("sag-demo0001"),
 *     userNames: ["doctest", pulumi.output("alice@example.com")],
 * };
 * ```
 */
export interface GetUserOnlineClientStatisticsOutputArgs {
  /**
   * The region where the SAG APP instance is deployed, e.g. `cn-shanghai`. Optional when the
   * provider has a region (`smartag:region` or `ALIBABA_CLOUD_REGION`).
   */
  regionId?: pulumi.Input<string | undefined>;
  /**
   * The ID of the SAG APP instance, e.g. `sag-demo0001`.
   */
  smartAgId: pulumi.Input<string>;
  /**
   * The usernames of the client accounts to count, at least one. Each is 7 to 33 characters
   * long, starts with a letter or a digit, and may contain letters, digits, `_`, `@`, `.` and
   * `-`. More than 50 names are split into batches automatically; duplicates are queried once.
   */
  userNames: pulumi.Input<pulumi.Input<string>[]>;
}
