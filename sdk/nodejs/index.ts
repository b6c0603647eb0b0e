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
import { Provider } from "./provider";
import * as types from "./types";
import * as utilities from "./utilities";

export {
  type GetUserOnlineClientStatisticsArgs,
  type GetUserOnlineClientStatisticsOutputArgs,
  type GetUserOnlineClientStatisticsResult,
  getUserOnlineClientStatistics,
  getUserOnlineClientStatisticsOutput,
} from "./getUserOnlineClientStatistics";
export { Provider, type ProviderArgs } from "./provider";
export { config, types };

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
