import { clip, errors } from "./errors";
import { type Fixture, type FixtureUser, onlineCountOf } from "./fixture";

export const API_VERSION = "2018-03-13";
export const MAX_USER_NAMES = 50;
/** DescribeSagOnlineClientStatistics takes up to 50 instance ids. */
export const MAX_SAG_IDS = 50;
/** The largest PageSize DescribeSmartAccessGatewayClientUsers accepts (our choice; undocumented). */
export const MAX_PAGE_SIZE = 50;
/** OnlineTime of the clients generated for a user whose fixture lists none (the docs' sample). */
export const GENERATED_ONLINE_TIME = 1559125519;
export const USER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_@.-]{6,32}$/;

/**
 * The fixture as Maps: plain-object lookups would find inherited keys such as
 * "constructor" and answer for an instance that does not exist.
 */
export interface Directory {
  regions: Map<string, Map<string, Map<string, FixtureUser>>>;
  onlineCountAsNumber: boolean;
}

export function buildDirectory(fixture: Fixture): Directory {
  const regions = new Map<string, Map<string, Map<string, FixtureUser>>>();
  for (const [region, instances] of Object.entries(fixture.regions)) {
    const byId = new Map<string, Map<string, FixtureUser>>();
    for (const [id, instance] of Object.entries(instances)) {
      byId.set(id, new Map(Object.entries(instance.users)));
    }
    regions.set(region, byId);
  }
  return { regions, onlineCountAsNumber: fixture.onlineCountAsNumber === true };
}

type Params = Readonly<Record<string, string>>;

/**
 * Collects `<list>.1..N` (UserNames, SmartAGIds) in index order. Gaps and odd indexes are
 * refused: they mean the caller's flattening is broken, and the real API would drop items.
 */
export function listOf(params: Params, list: string): string[] {
  const byIndex = new Map<number, string>();
  for (const [key, value] of Object.entries(params)) {
    if (!key.startsWith(`${list}.`)) continue;
    const index = key.slice(list.length + 1);
    if (!/^[1-9]\d{0,5}$/.test(index)) {
      throw errors.invalidParameter(`The parameter ${key} is not valid: use ${list}.1..N.`);
    }
    byIndex.set(Number(index), value);
  }
  for (let i = 1; i <= byIndex.size; i++) {
    if (!byIndex.has(i)) {
      throw errors.invalidParameter(
        `${list}.N must be numbered from 1 without gaps; ${list}.${i} is missing.`,
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
  const at = instanceParams(params);
  const names = listOf(params, "UserNames");
  if (names.length === 0 || names.some((n) => n === "")) throw errors.userNameEmpty();
  if (names.length > MAX_USER_NAMES) {
    throw errors.invalidParameter(
      `UserNames accepts at most ${MAX_USER_NAMES} names per call; got ${names.length}.`,
    );
  }
  const bad = names.find((n) => !USER_NAME_PATTERN.test(n));
  if (bad !== undefined) throw errors.userNameInvalid(bad);
  const users = instanceUsers(directory, at);
  const asNumber = directory.onlineCountAsNumber;
  return {
    RequestId: requestId,
    UserStatistics: {
      Statistics: names.map((name) => {
        const user = users.get(name);
        const count = user === undefined ? 0 : onlineCountOf(user);
        return { UserName: name, OnlineCount: asNumber ? count : String(count) };
      }),
    },
  };
}

export interface DescribeSagOnlineClientStatisticsBody {
  RequestId: string;
  SagStatistics: { Statistics: Array<{ SmartAGId: string; OnlineCount: string | number }> };
}

/** An instance's count is the sum over its users; an id not in the region is InvalidId.SMARTAG. */
export function describeSagOnlineClientStatistics(
  params: Params,
  directory: Directory,
  requestId: string,
): DescribeSagOnlineClientStatisticsBody {
  const region = params.RegionId;
  if (region === undefined || region === "") throw errors.missingParameter("RegionId");
  const ids = listOf(params, "SmartAGIds");
  if (ids.length === 0) throw errors.missingParameter("SmartAGIds");
  if (ids.length > MAX_SAG_IDS) {
    throw errors.invalidParameter(
      `SmartAGIds accepts at most ${MAX_SAG_IDS} ids per call; got ${ids.length}.`,
    );
  }
  const instances = directory.regions.get(region);
  const asNumber = directory.onlineCountAsNumber;
  return {
    RequestId: requestId,
    SagStatistics: {
      Statistics: ids.map((id) => {
        const users = instances?.get(id);
        if (users === undefined) throw errors.unknownSmartAgId();
        let count = 0;
        for (const user of users.values()) count += onlineCountOf(user);
        return { SmartAGId: id, OnlineCount: asNumber ? count : String(count) };
      }),
    },
  };
}

/** RegionId and SmartAGId, checked as DescribeUserOnlineClientStatistics checks them. */
function instanceParams(params: Params): { region: string; instanceId: string } {
  const region = params.RegionId;
  if (region === undefined || region === "") throw errors.missingParameter("RegionId");
  const instanceId = params.SmartAGId;
  if (instanceId === undefined || instanceId === "") throw errors.instanceIdEmpty();
  return { region, instanceId };
}

/** Looked up after the other parameters are checked, so their errors come first. */
function instanceUsers(
  directory: Directory,
  at: { region: string; instanceId: string },
): Map<string, FixtureUser> {
  const users = directory.regions.get(at.region)?.get(at.instanceId);
  if (users === undefined) throw errors.instanceNotFound();
  return users;
}

/** An optional positive integer parameter; out of range is InvalidParameter naming it. */
function pageParam(params: Params, name: string, fallback: number, max?: number): number {
  const text = params[name];
  if (text === undefined || text === "") return fallback;
  const value = /^\d{1,15}$/.test(text) ? Number(text) : 0;
  if (value < 1 || (max !== undefined && value > max)) {
    const range = max === undefined ? "a positive integer" : `an integer from 1 to ${max}`;
    throw errors.invalidParameter(
      `The specified parameter ${name} is not valid: ${JSON.stringify(clip(text))}; use ${range}.`,
    );
  }
  return value;
}

export interface ClientUser {
  UserName: string;
  UserMail: string;
  ClientIp: string;
  Bandwidth: number;
  AccelerateBandwidth: number;
  State: number;
  IsStaticIp: number;
}

export interface DescribeSmartAccessGatewayClientUsersBody {
  RequestId: string;
  TotalCount: number;
  PageNumber: number;
  PageSize: number;
  Users: { User: ClientUser[] };
}

/** The accounts in fixture order, filtered by exact UserName and UserMail, one page of them. */
export function describeSmartAccessGatewayClientUsers(
  params: Params,
  directory: Directory,
  requestId: string,
): DescribeSmartAccessGatewayClientUsersBody {
  const at = instanceParams(params);
  const name = params.UserName ?? "";
  if (name !== "" && !USER_NAME_PATTERN.test(name)) throw errors.userNameInvalid(name);
  const mail = params.UserMail ?? "";
  const pageNumber = pageParam(params, "PageNumber", 1);
  const pageSize = pageParam(params, "PageSize", 10, MAX_PAGE_SIZE);
  const users = instanceUsers(directory, at);
  const all: ClientUser[] = [];
  for (const [userName, user] of users) {
    const a = typeof user === "number" ? {} : user;
    const account = {
      UserName: userName,
      UserMail: a.userMail ?? "",
      ClientIp: a.clientIp ?? "",
      Bandwidth: a.bandwidth ?? 0,
      AccelerateBandwidth: a.accelerateBandwidth ?? 0,
      State: a.state ?? 0,
      IsStaticIp: a.isStaticIp === true ? 1 : 0,
    };
    if ((name === "" || name === userName) && (mail === "" || mail === account.UserMail)) {
      all.push(account);
    }
  }
  const start = (pageNumber - 1) * pageSize;
  return {
    RequestId: requestId,
    TotalCount: all.length,
    PageNumber: pageNumber,
    PageSize: pageSize,
    Users: { User: all.slice(start, start + pageSize) },
  };
}

export interface DescribeUserOnlineClientsBody {
  RequestId: string;
  Users: { User: Array<{ ClientIp: string; OnlineTime: string }> };
}

/**
 * The fixture's clients of one account; a count without a list gets generated ones (10.x.y.z,
 * numbered through the instance). An unknown account of a known instance has none.
 */
export function describeUserOnlineClients(
  params: Params,
  directory: Directory,
  requestId: string,
): DescribeUserOnlineClientsBody {
  const at = instanceParams(params);
  const name = params.UserName;
  if (name === undefined || name === "") throw errors.userNameEmpty();
  if (!USER_NAME_PATTERN.test(name)) throw errors.userNameInvalid(name);
  const users = instanceUsers(directory, at);
  let offset = 0;
  for (const [userName, user] of users) {
    const count = onlineCountOf(user);
    if (userName !== name) {
      offset += count;
      continue;
    }
    const listed = typeof user === "number" ? undefined : user.clients;
    const clients =
      listed ??
      Array.from({ length: count }, (_, i) => {
        const n = offset + i + 1;
        return {
          clientIp: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
          onlineTime: GENERATED_ONLINE_TIME,
        };
      });
    return {
      RequestId: requestId,
      Users: {
        User: clients.map((c) => ({ ClientIp: c.clientIp, OnlineTime: String(c.onlineTime) })),
      },
    };
  }
  return { RequestId: requestId, Users: { User: [] } };
}

/** Published names of Smartag's regions; a fixture region not listed is named by its id. */
const REGION_NAMES: Readonly<Record<string, { en: string; zh: string }>> = {
  "cn-shanghai": { en: "China (Shanghai)", zh: "华东2（上海）" },
  "cn-hangzhou": { en: "China (Hangzhou)", zh: "华东1（杭州）" },
  "cn-hongkong": { en: "China (Hong Kong)", zh: "中国香港" },
  "cn-shanghai-finance-1": { en: "China East 2 Finance", zh: "华东2 金融云" },
  "ap-southeast-1": { en: "Singapore", zh: "新加坡" },
  "ap-southeast-3": { en: "Malaysia (Kuala Lumpur)", zh: "马来西亚（吉隆坡）" },
  "ap-southeast-5": { en: "Indonesia (Jakarta)", zh: "印度尼西亚（雅加达）" },
  "ap-northeast-1": { en: "Japan (Tokyo)", zh: "日本（东京）" },
  "eu-central-1": { en: "Germany (Frankfurt)", zh: "德国（法兰克福）" },
};

export interface DescribeRegionsBody {
  RequestId: string;
  Regions: { Region: Array<{ RegionId: string; LocalName: string; RegionEndpoint: string }> };
}

/**
 * The fixture's regions with their public endpoints; names in Chinese unless asked otherwise
 * (the emulator knows no Japanese names, so `ja` gets the English ones).
 */
export function describeRegions(
  params: Params,
  directory: Directory,
  requestId: string,
): DescribeRegionsBody {
  const language = params.AcceptLanguage ?? "zh-CN";
  if (!["zh-CN", "en-US", "ja"].includes(language)) {
    throw errors.invalidParameter(
      `The specified parameter AcceptLanguage is not valid: ${JSON.stringify(clip(language))}; use zh-CN, en-US or ja.`,
    );
  }
  return {
    RequestId: requestId,
    Regions: {
      Region: [...directory.regions.keys()].map((id) => {
        const names = REGION_NAMES[id];
        return {
          RegionId: id,
          LocalName: names ? (language === "zh-CN" ? names.zh : names.en) : id,
          RegionEndpoint: `smartag.${id}.aliyuncs.com`,
        };
      }),
    },
  };
}

export type ActionHandler = (params: Params, directory: Directory, requestId: string) => object;

const actions = new Map<string, ActionHandler>([
  ["DescribeUserOnlineClientStatistics", describeUserOnlineClientStatistics],
  ["DescribeSagOnlineClientStatistics", describeSagOnlineClientStatistics],
  ["DescribeRegions", describeRegions],
  ["DescribeSmartAccessGatewayClientUsers", describeSmartAccessGatewayClientUsers],
  ["DescribeUserOnlineClients", describeUserOnlineClients],
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
