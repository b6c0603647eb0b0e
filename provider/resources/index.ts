/** Resource types served by the plugin, each in its own module. */
import type { ResourceHandler } from "./types";
import * as userOnlineClientStatistics from "./userOnlineClientStatistics";

export type { DiffOutcome, ResourceHandler } from "./types";

export const resources: ReadonlyMap<string, ResourceHandler> = new Map([
  [userOnlineClientStatistics.token, userOnlineClientStatistics.handler],
]);
