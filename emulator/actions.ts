import { clip, errors } from "./errors";
import type { Fixture } from "./fixture";

export const API_VERSION = "2018-03-13";
export const MAX_USER_NAMES = 50;
/** DescribeSagOnlineClientStatistics takes up to 50 instance ids. */
export const MAX_SAG_IDS = 50;
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
  const region = params.RegionId;
  if (region === undefined || region === "") throw errors.missingParameter("RegionId");
  const instanceId = params.SmartAGId;
  if (instanceId === undefined || instanceId === "") throw errors.instanceIdEmpty();
  const names = listOf(params, "UserNames");
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
        for (const n of users.values()) count += n;
        return { SmartAGId: id, OnlineCount: asNumber ? count : String(count) };
      }),
    },
  };
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
