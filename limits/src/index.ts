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
  /** The most clients all the listed accounts may have online together. */
  maxTotalOnline?: number;
  /** Require nobody online at all (e.g. before tearing an instance down). */
  requireNoneOnline?: boolean;
}

/** The part of a statistics result the limits look at. */
export interface StatisticsLike {
  regionId?: string;
  smartAgId?: string;
  userStatistics: readonly { userName: string; onlineCount: number }[];
  totalOnlineCount: number;
}

/** One broken limit. */
export type LimitViolation =
  | { kind: "maxOnlinePerUser"; userName: string; onlineCount: number; limit: number }
  | { kind: "maxTotalOnline"; onlineCount: number; limit: number }
  | { kind: "requireNoneOnline"; userName: string; onlineCount: number; limit: 0 };

/**
 * Checks that the limits themselves make sense.
 * @returns one message per bad limit, naming it (empty when all are fine).
 */
export function checkLimits(limits: OnlineLimits): string[] {
  const problems: string[] = [];
  for (const key of ["maxOnlinePerUser", "maxTotalOnline"] as const) {
    const v = limits[key];
    if (v !== undefined && !(Number.isInteger(v) && v >= 0)) {
      problems.push(`${key} must be a whole number of at least 0 (got ${String(v)})`);
    }
  }
  const none = limits.requireNoneOnline;
  if (none !== undefined && typeof none !== "boolean") {
    problems.push(`requireNoneOnline must be true or false (got ${String(none)})`);
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
 * Every limit the statistics break, users in result order (a name listed twice is reported
 * once, with its highest count).
 * @throws Error when a limit is not a whole number >= 0.
 */
export function findLimitViolations(stats: StatisticsLike, limits: OnlineLimits): LimitViolation[] {
  const problems = checkLimits(limits);
  if (problems.length > 0) throw new Error(`invalid limits: ${problems.join("; ")}`);
  const violations: LimitViolation[] = [];
  for (const [userName, onlineCount] of highestCountPerUser(stats.userStatistics)) {
    if (limits.requireNoneOnline && onlineCount > 0) {
      violations.push({ kind: "requireNoneOnline", userName, onlineCount, limit: 0 });
    } else if (limits.maxOnlinePerUser !== undefined && onlineCount > limits.maxOnlinePerUser) {
      violations.push({
        kind: "maxOnlinePerUser",
        userName,
        onlineCount,
        limit: limits.maxOnlinePerUser,
      });
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
 * Statistics and violations fit to show when the statistics were secret: the instance and
 * every user name become `[secret]`, counts and limits stay (they say what broke).
 */
export function maskSecretNames(
  stats: StatisticsLike,
  violations: readonly LimitViolation[],
): { stats: StatisticsLike; violations: LimitViolation[] } {
  const hidden = "[secret]";
  return {
    stats: { smartAgId: hidden, userStatistics: [], totalOnlineCount: stats.totalOnlineCount },
    violations: violations.map((v) => ("userName" in v ? { ...v, userName: hidden } : v)),
  };
}

/** One line per violation, under a heading naming the instance, for a person to act on. */
export function formatLimitViolations(
  stats: StatisticsLike,
  violations: readonly LimitViolation[],
): string {
  const lines = violations.map((v) => {
    if (v.kind === "maxOnlinePerUser") {
      return `  - ${v.userName}: ${v.onlineCount} online, limit ${v.limit} per user`;
    }
    if (v.kind === "requireNoneOnline")
      return `  - ${v.userName}: ${v.onlineCount} online, none allowed`;
    return `  - total: ${v.onlineCount} online, limit ${v.limit}`;
  });
  const count = `${violations.length} limit violation${violations.length === 1 ? "" : "s"}`;
  return `SAG instance ${instanceLabel(stats)}: ${count}:\n${lines.join("\n")}`;
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
export function instanceLabel(where: { smartAgId?: string; regionId?: string }): string {
  const label = [where.smartAgId, where.regionId && `(${where.regionId})`]
    .filter(Boolean)
    .join(" ");
  return label || "(unknown)";
}
