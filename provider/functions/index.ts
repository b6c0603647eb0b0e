/** Invoke tokens served by the plugin, each in its own module. */
import * as getClientUsers from "./getClientUsers";
import * as getSagOnlineClientStatistics from "./getSagOnlineClientStatistics";
import * as getUserOnlineClientStatistics from "./getUserOnlineClientStatistics";
import * as getUserOnlineClients from "./getUserOnlineClients";
import type { FunctionHandler } from "./invoke";

export type { FunctionHandler } from "./invoke";

export const functions: ReadonlyMap<string, FunctionHandler> = new Map<string, FunctionHandler>([
  [getUserOnlineClientStatistics.token, getUserOnlineClientStatistics.invoke],
  [getSagOnlineClientStatistics.token, getSagOnlineClientStatistics.invoke],
  [getClientUsers.token, getClientUsers.invoke],
  [getUserOnlineClients.token, getUserOnlineClients.invoke],
]);
