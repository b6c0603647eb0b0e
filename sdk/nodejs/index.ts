/**
 * `pulumi-smartag`: read how many clients are online through an Alibaba Cloud Smart Access
 * Gateway (SAG) APP instance, per client account.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * const stats = smartag.getUserOnlineClientStatisticsOutput({
 *     regionId: "cn-shanghai",
 *     smartAgId: "sag-demo0001",
 *     userNames: ["doctest"],
 * });
 * export const totalOnline = stats.totalOnlineCount;
 * ```
 *
 * @packageDocumentation
 */

import * as pulumi from "@pulumi/pulumi";
import * as config from "./config";
import * as dynamic from "./dynamic";
import { Provider } from "./provider";
import * as types from "./types";
import {
  UserOnlineClientStatistics,
  type UserOnlineClientStatisticsArgs,
} from "./userOnlineClientStatistics";
import * as utilities from "./utilities";

export {
  checkLimits,
  distinctTotal,
  findLimitViolations,
  formatLimitViolations,
  instanceLabel,
  type LimitViolation,
  type OnlineLimits,
  type StatisticsLike,
} from "@pulumi-smartag/limits";
export {
  assertOnlineLimits,
  OnlineLimitsError,
  type RecordedStatistics,
  requireNobodyOnline,
  type StatisticsOutputs,
} from "./assertions";
export { InvokeError } from "./errors";
export {
  type GetUserOnlineClientStatisticsArgs,
  type GetUserOnlineClientStatisticsOutputArgs,
  type GetUserOnlineClientStatisticsResult,
  getUserOnlineClientStatistics,
  getUserOnlineClientStatisticsOutput,
} from "./getUserOnlineClientStatistics";
export { Provider, type ProviderArgs } from "./provider";
export {
  UserOnlineClientStatistics,
  type UserOnlineClientStatisticsArgs,
  type UserOnlineClientStatisticsState,
} from "./userOnlineClientStatistics";
export { config, dynamic, types };

// Lets the runtime turn a provider reference it receives (e.g. from a component built in another
// process) back into a live Provider of this SDK.
pulumi.runtime.registerResourcePackage("smartag", {
  version: utilities.getVersion(),
  constructProvider: (name: string, type: string, urn: string): pulumi.ProviderResource => {
    if (type !== "pulumi:providers:smartag") {
      throw new Error(`unknown provider type ${type}`);
    }
    return new Provider(name, undefined, { urn });
  },
});

// Lets the runtime turn a resource reference it receives (e.g. a component's output built in another
// process) back into a live resource of this SDK.
pulumi.runtime.registerResourceModule("smartag", "index", {
  version: utilities.getVersion(),
  construct: (name: string, type: string, urn: string): pulumi.Resource => {
    if (type !== UserOnlineClientStatistics.__pulumiType) {
      throw new Error(`unknown resource type ${type}`);
    }
    // With a URN the runtime reads the inputs from the state; none are passed.
    return new UserOnlineClientStatistics(
      name,
      undefined as unknown as UserOnlineClientStatisticsArgs,
      {
        urn,
      },
    );
  },
});
