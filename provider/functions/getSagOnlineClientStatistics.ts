/**
 * `smartag:index:getSagOnlineClientStatistics`: the invoke behind the SDK's
 * `getSagOnlineClientStatistics` and `getSagOnlineClientStatisticsOutput`.
 */
import type { SagStatisticsRequest } from "@pulumi-smartag/client";
import { viaClient } from "./invoke";

export const token = "smartag:index:getSagOnlineClientStatistics";

export const invoke = viaClient<SagStatisticsRequest>((client, args, options) =>
  client.describeSagOnlineClientStatistics(args, options),
);
