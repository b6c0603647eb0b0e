/**
 * `smartag:index:getUserOnlineClientStatistics`: the invoke behind the SDK's
 * `getUserOnlineClientStatistics` and `getUserOnlineClientStatisticsOutput`. Without
 * `userNames`, every client account of the instance is counted.
 */
import type { StatisticsRequest } from "@pulumi-smartag/client";
import { viaClient } from "./invoke";

export const token = "smartag:index:getUserOnlineClientStatistics";

export const invoke = viaClient<StatisticsRequest>((client, args, options) =>
  client.describeUserOnlineClientStatistics(args, options),
);
