/** Invoke tokens served by the plugin, each in its own module. */
import * as getUserOnlineClientStatistics from "./getUserOnlineClientStatistics";

export type FunctionHandler = typeof getUserOnlineClientStatistics.invoke;

export const functions: ReadonlyMap<string, FunctionHandler> = new Map([
  [getUserOnlineClientStatistics.token, getUserOnlineClientStatistics.invoke],
]);
