import { errors } from "./errors";
import type { Fixture } from "./fixture";

export const API_VERSION = "2018-03-13";
export const MAX_USER_NAMES = 50;
export const USER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_@.-]{6,32}$/;

/**
 * The fixture as Maps: plain-object lookups would find inherited keys such as
 * "constructor" and answer for an instance that does not exist.
 */
export interface Directory {
  regions: Map<string, Map<string, Map<string, number>>>;
  onlineCountAsNumber: boolean;
}

export function buildDirectory(fixture: Fixture): Directory {
  const regions = new Map<string, Map<string, Map<string, number>>>();
  for (const [region, instances] of Object.entries(fixture.regions)) {
    const byId = new Map<string, Map<string, number>>();
    for (const [id, instance] of Object.entries(instances)) {
      byId.set(id, new Map(Object.entries(instance.users)));
    }
    regions.set(region, byId);
  }
  return { regions, onlineCountAsNumber: fixture.onlineCountAsNumber === true };
}

type Params = Readonly<Record<string, string>>;

/**
 * Collects UserNames.1..N in index order. Gaps and odd indexes are refused: they mean
 * the caller's flattening is broken, and the real API would silently drop names.
 */
export function userNamesOf(params: Params): string[] {
  const byIndex = new Map<number, string>();
  for (const [key, value] of Object.entries(params)) {
    const m = /^UserNames\.(.*)$/.exec(key);
    if (!m) continue;
    const index = m[1] ?? "";
    if (!/^[1-9]\d{0,5}$/.test(index)) {
      throw errors.invalidParameter(`The parameter ${key} is not valid: use UserNames.1..N.`);
    }
    byIndex.set(Number(index), value);
  }
  for (let i = 1; i <= byIndex.size; i++) {
    if (!byIndex.has(i)) {
      throw errors.invalidParameter(
        `UserNames.N must be numbered from 1 without gaps; UserNames.${i} is missing.`,
      );
    }
  }
  return [...byIndex.keys()].sort((a, b) => a - b).map((i) => byIndex.get(i) ?? "");
}

export interface UserStatistic {
  UserName: string;
  OnlineCount: string | number;
}

export interface DescribeUserOnlineClientStatisticsBody {
  RequestId: string;
  UserStatistics: { Statistics: UserStatistic[] };
}

export function describeUserOnlineClientStatistics(
  params: Params,
  directory: Directory,
  requestId: string,
): DescribeUserOnlineClientStatisticsBody {
  const region = params.RegionId;
  if (region === undefined || region === "") throw errors.missingParameter("RegionId");
  const instanceId = params.SmartAGId;
  if (instanceId === undefined || instanceId === "") throw errors.instanceIdEmpty();
  const names = userNamesOf(params);
  if (names.length === 0 || names.some((n) => n === "")) throw errors.userNameEmpty();
  if (names.length > MAX_USER_NAMES) {
    throw errors.invalidParameter(
      `UserNames accepts at most ${MAX_USER_NAMES} names per call; got ${names.length}.`,
    );
  }
  const bad = names.find((n) => !USER_NAME_PATTERN.test(n));
  if (bad !== undefined) throw errors.userNameInvalid(bad);
  const users = directory.regions.get(region)?.get(instanceId);
  if (users === undefined) throw errors.instanceNotFound();
  const asNumber = directory.onlineCountAsNumber;
  return {
    RequestId: requestId,
    UserStatistics: {
      Statistics: names.map((name) => {
        const count = users.get(name) ?? 0;
        return { UserName: name, OnlineCount: asNumber ? count : String(count) };
      }),
    },
  };
}

export type ActionHandler = (params: Params, directory: Directory, requestId: string) => object;

const actions = new Map<string, ActionHandler>([
  ["DescribeUserOnlineClientStatistics", describeUserOnlineClientStatistics],
]);

/** Action before Version: an unknown action is the more useful thing to report. */
export function dispatch(params: Params, directory: Directory, requestId: string): object {
  const action = params.Action;
  if (action === undefined || action === "") throw errors.missingParameter("Action");
  const handler = actions.get(action);
  if (handler === undefined) throw errors.actionNotFound();
  const version = params.Version;
  if (version === undefined || version === "") throw errors.missingParameter("Version");
  if (version !== API_VERSION) throw errors.invalidVersion(version);
  return handler(params, directory, requestId);
}
