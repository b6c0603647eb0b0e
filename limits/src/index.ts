/**
 * Limits on online clients, and the check behind every deployment gate: the SDK's assertions,
 * the statistics resource, the policy pack and the `smartag-stats` CLI all judge with this one
 * function, so a limit means the same thing everywhere.
 *
 * Pure on purpose: no `@pulumi/pulumi` import, so the CLI can load it cheaply.
 */

/** Limits to hold statistics to. Unset limits are not checked. */
export interface OnlineLimits {
  /** The most clients one client account may have online at once. */
  maxOnlinePerUser?: number;
  /**
   * The most clients one SAG instance may have online at once, over all its accounts (judged on
   * instance totals, e.g. `getSagOnlineClientStatistics`).
   */
  maxOnlinePerInstance?: number;
  /** The most clients all the listed accounts (or instances) may have online together. */
  maxTotalOnline?: number;
  /** Require nobody online at all (e.g. before tearing an instance down). */
  requireNoneOnline?: boolean;
}

/** The part of a per-account statistics result the limits look at. */
export interface UserStatisticsLike {
  regionId?: string;
  smartAgId?: string;
  userStatistics: readonly { userName: string; onlineCount: number }[];
  totalOnlineCount: number;
}

/** The part of an instance totals result (`getSagOnlineClientStatistics`) the limits look at. */
export interface InstanceStatisticsLike {
  regionId?: string;
  statistics: readonly { smartAgId: string; onlineCount: number }[];
  totalOnlineCount: number;
}

/** Statistics the limits can judge: per account of one instance, or per instance. */
export type StatisticsLike = UserStatisticsLike | InstanceStatisticsLike;

/** True for instance totals (`statistics`), false for per-account counts (`userStatistics`). */
export function isInstanceStatistics(stats: StatisticsLike): stats is InstanceStatisticsLike {
  return Array.isArray((stats as InstanceStatisticsLike).statistics);
}

/** One broken limit. */
export type LimitViolation =
  | { kind: "maxOnlinePerUser"; userName: string; onlineCount: number; limit: number }
  | { kind: "maxOnlinePerInstance"; smartAgId: string; onlineCount: number; limit: number }
  | { kind: "maxTotalOnline"; onlineCount: number; limit: number }
  | { kind: "requireNoneOnline"; userName: string; onlineCount: number; limit: 0 }
  | { kind: "requireNoneOnline"; smartAgId: string; onlineCount: number; limit: 0 };

const LIMIT_NUMBERS = ["maxOnlinePerUser", "maxOnlinePerInstance", "maxTotalOnline"] as const;

/**
 * Checks that the limits themselves make sense, and, given the statistics, that each limit can
 * be judged on them: per-account limits need per-account counts, per-instance limits totals.
 * @returns one message per bad limit, naming it (empty when all are fine).
 */
export function checkLimits(limits: OnlineLimits, stats?: StatisticsLike): string[] {
  const problems: string[] = [];
  for (const key of LIMIT_NUMBERS) {
    const v = limits[key];
    if (v !== undefined && !(Number.isInteger(v) && v >= 0)) {
      problems.push(`${key} must be a whole number of at least 0 (got ${String(v)})`);
    }
  }
  const none = limits.requireNoneOnline;
  if (none !== undefined && typeof none !== "boolean") {
    problems.push(`requireNoneOnline must be true or false (got ${String(none)})`);
  }
  if (stats && isInstanceStatistics(stats) && limits.maxOnlinePerUser !== undefined) {
    problems.push(
      "maxOnlinePerUser must have per-account counts to judge, and these are instance totals: judge getUserOnlineClientStatistics, which reads every account of the instance when userNames is omitted",
    );
  }
  if (stats && !isInstanceStatistics(stats) && limits.maxOnlinePerInstance !== undefined) {
    problems.push(
      "maxOnlinePerInstance must have instance totals to judge, and these are per-account counts: judge getSagOnlineClientStatistics, or use maxTotalOnline",
    );
  }
  return problems;
}

/**
 * Each name once, in the order it first appears, with the highest count listed for it. The API
 * answers a repeated name with the same count each time; a list put together some other way may
 * not, and judging one name by whichever entry came first (or last) would let an excess pass.
 */
function highestCountPerUser(
  userStatistics: readonly { userName: string; onlineCount: number }[],
): Map<string, number> {
  const byUser = new Map<string, number>();
  for (const { userName, onlineCount } of userStatistics) {
    const seen = byUser.get(userName);
    if (seen === undefined || onlineCount > seen) byUser.set(userName, onlineCount);
  }
  return byUser;
}

/**
 * The total the API would report: each distinct account counted once, by its highest count
 * (as {@link findLimitViolations} judges a name listed twice with different counts).
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * const total = smartag.distinctTotal([
 *     { userName: "doctest", onlineCount: 2 },
 *     { userName: "doctest", onlineCount: 2 },
 *     { userName: "bob.smith", onlineCount: 5 },
 * ]); // 7
 * ```
 */
export function distinctTotal(
  userStatistics: readonly { userName: string; onlineCount: number }[],
): number {
  let total = 0;
  for (const count of highestCountPerUser(userStatistics).values()) total += count;
  return total;
}

/**
 * Every limit the statistics break: accounts (or instances) in result order, a name listed
 * twice reported once with its highest count, then the total.
 * @throws Error when a limit is not a whole number >= 0, or cannot be judged on these statistics.
 */
export function findLimitViolations(stats: StatisticsLike, limits: OnlineLimits): LimitViolation[] {
  const problems = checkLimits(limits, stats);
  if (problems.length > 0) throw new Error(`invalid limits: ${problems.join("; ")}`);
  const violations: LimitViolation[] = [];
  if (isInstanceStatistics(stats)) {
    const rows = stats.statistics.map((s) => ({
      userName: s.smartAgId,
      onlineCount: s.onlineCount,
    }));
    for (const [smartAgId, onlineCount] of highestCountPerUser(rows)) {
      if (limits.requireNoneOnline && onlineCount > 0) {
        violations.push({ kind: "requireNoneOnline", smartAgId, onlineCount, limit: 0 });
      } else if (
        limits.maxOnlinePerInstance !== undefined &&
        onlineCount > limits.maxOnlinePerInstance
      ) {
        const limit = limits.maxOnlinePerInstance;
        violations.push({ kind: "maxOnlinePerInstance", smartAgId, onlineCount, limit });
      }
    }
  } else {
    for (const [userName, onlineCount] of highestCountPerUser(stats.userStatistics)) {
      if (limits.requireNoneOnline && onlineCount > 0) {
        violations.push({ kind: "requireNoneOnline", userName, onlineCount, limit: 0 });
      } else if (limits.maxOnlinePerUser !== undefined && onlineCount > limits.maxOnlinePerUser) {
        const limit = limits.maxOnlinePerUser;
        violations.push({ kind: "maxOnlinePerUser", userName, onlineCount, limit });
      }
    }
  }
  if (limits.maxTotalOnline !== undefined && stats.totalOnlineCount > limits.maxTotalOnline) {
    violations.push({
      kind: "maxTotalOnline",
      onlineCount: stats.totalOnlineCount,
      limit: limits.maxTotalOnline,
    });
  }
  return violations;
}

/**
 * Statistics and violations fit to show when the statistics were secret: instances and every
 * user name become `[secret]`, counts and limits stay (they say what broke).
 */
export function maskSecretNames(
  stats: StatisticsLike,
  violations: readonly LimitViolation[],
): { stats: StatisticsLike; violations: LimitViolation[] } {
  const hidden = "[secret]";
  return {
    stats: { smartAgId: hidden, userStatistics: [], totalOnlineCount: stats.totalOnlineCount },
    violations: violations.map((v) => {
      if ("userName" in v) return { ...v, userName: hidden };
      if ("smartAgId" in v) return { ...v, smartAgId: hidden };
      return v;
    }),
  };
}

/** One line per violation, under a heading naming the instance(s), for a person to act on. */
export function formatLimitViolations(
  stats: StatisticsLike,
  violations: readonly LimitViolation[],
): string {
  const lines = violations.map((v) => {
    const who = "userName" in v ? v.userName : "smartAgId" in v ? v.smartAgId : "total";
    if (v.kind === "maxOnlinePerUser") {
      return `  - ${who}: ${v.onlineCount} online, limit ${v.limit} per user`;
    }
    if (v.kind === "maxOnlinePerInstance") {
      return `  - ${who}: ${v.onlineCount} online, limit ${v.limit} per instance`;
    }
    if (v.kind === "requireNoneOnline") return `  - ${who}: ${v.onlineCount} online, none allowed`;
    return `  - total: ${v.onlineCount} online, limit ${v.limit}`;
  });
  const count = `${violations.length} limit violation${violations.length === 1 ? "" : "s"}`;
  return `${statisticsLabel(stats)}: ${count}:\n${lines.join("\n")}`;
}

/**
 * What the statistics are about, for a heading: `SAG instance sag-demo0001 (cn-shanghai)`, or
 * `3 SAG instances (cn-shanghai)` for the totals of several.
 */
export function statisticsLabel(stats: StatisticsLike): string {
  if (!isInstanceStatistics(stats)) return `SAG instance ${instanceLabel(stats)}`;
  const ids = new Set(stats.statistics.map((s) => s.smartAgId));
  const [only] = ids;
  if (ids.size === 1)
    return `SAG instance ${instanceLabel({ smartAgId: only, regionId: stats.regionId })}`;
  const region = stats.regionId ? ` (${stats.regionId})` : "";
  // None known (e.g. every entry unreadable): the count would say nothing.
  return `${ids.size > 1 ? `${ids.size} ` : ""}SAG instances${region}`;
}

/**
 * How messages name an instance: `sag-demo0001 (cn-shanghai)`, either part when only one is
 * known, `(unknown)` when neither is.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * const label = smartag.instanceLabel({ smartAgId: "sag-demo0001", regionId: "cn-shanghai" });
 * ```
 */
export function instanceLabel(where: {
  smartAgId?: string | undefined;
  regionId?: string | undefined;
}): string {
  const label = [where.smartAgId, where.regionId && `(${where.regionId})`]
    .filter(Boolean)
    .join(" ");
  return label || "(unknown)";
}
