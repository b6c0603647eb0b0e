/**
 * Deployment gates: turn online-client statistics into a pass, or into a failure of
 * `pulumi preview` / `pulumi up` that shows only what is wrong.
 *
 * The limits are judged by `findLimitViolations` (`@pulumi-smartag/limits`), the one judge
 * every gate shares, and the message is `formatLimitViolations`' text. A failure is an {@link OnlineLimitsError}, a
 * `pulumi.RunError`: the Node.js runtime prints a RunError's message alone, without the stack
 * trace and "unhandled exception" banner it adds to other errors, which would bury the one line
 * a person needs (who is online, how many, what the limit is).
 */
import * as pulumi from "@pulumi/pulumi";
import {
  checkLimits,
  findLimitViolations,
  formatLimitViolations,
  isInstanceStatistics,
  type LimitViolation,
  maskSecretNames,
  type OnlineLimits,
  type StatisticsLike,
} from "@pulumi-smartag/limits";
import {
  type GetSagOnlineClientStatisticsResult,
  getSagOnlineClientStatisticsOutput,
} from "./getSagOnlineClientStatistics";
import {
  type GetUserOnlineClientStatisticsResult,
  getUserOnlineClientStatisticsOutput,
} from "./getUserOnlineClientStatistics";
import type * as outputs from "./types/output";

const marker = Symbol.for("pulumi-smartag:OnlineLimitsError");

/**
 * The statistics a resource records, each field an `Output`: what both `UserOnlineClientStatistics`
 * classes (the provider's and the dynamic one) offer.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * const recorded: smartag.StatisticsOutputs = new smartag.UserOnlineClientStatistics("demo", {
 *     smartAgId: "sag-demo0001",
 *     userNames: ["doctest"],
 * });
 * ```
 */
export interface StatisticsOutputs {
  /** The region that was queried. */
  readonly regionId: pulumi.Output<string>;
  /** The SAG APP instance that was queried. */
  readonly smartAgId: pulumi.Output<string>;
  /** One entry per requested user name. */
  readonly userStatistics: pulumi.Output<outputs.UserStatistic[]>;
  /** The sum of `onlineCount` over the distinct users. */
  readonly totalOnlineCount: pulumi.Output<number>;
}

/**
 * The statistics of a {@link StatisticsOutputs}, resolved: what the gates return for a resource.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * const stats = new smartag.UserOnlineClientStatistics("demo", {
 *     smartAgId: "sag-demo0001",
 *     userNames: ["doctest"],
 * });
 * export const checked = smartag
 *     .requireNobodyOnline(stats)
 *     .apply((s: smartag.RecordedStatistics) => s.totalOnlineCount);
 * ```
 */
export interface RecordedStatistics {
  /** The region that was queried. */
  readonly regionId: string;
  /** The SAG APP instance that was queried. */
  readonly smartAgId: string;
  /** One entry per requested user name. */
  readonly userStatistics: outputs.UserStatistic[];
  /** The sum of `onlineCount` over the distinct users. */
  readonly totalOnlineCount: number;
}

/**
 * A whole SAG APP instance, for a gate that reads its counts itself: no list of accounts, so
 * nobody is missed because their account was not listed.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * const instance: smartag.InstanceToGate = { smartAgId: "sag-demo0001", regionId: "cn-shanghai" };
 * smartag.requireNobodyOnline(instance);
 * ```
 */
export interface InstanceToGate {
  /** The SAG APP instance. */
  readonly smartAgId: pulumi.Input<string>;
  /** Its region; optional when the provider has one. */
  readonly regionId?: pulumi.Input<string>;
}

/**
 * The statistics break the limits. A `pulumi.RunError`, so a deployment that it ends shows its
 * message and nothing else: one line per offending user with count and limit, and the total.
 *
 * When the statistics were secret (an `Output` marked secret, e.g. from secret user names), user
 * names and the instance are shown as `[secret]`, here and in `violations`: an error message is
 * printed and logged in clear.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * export const verdict = smartag
 *     .getUserOnlineClientStatistics({ smartAgId: "sag-demo0001", userNames: ["doctest"] })
 *     .then((stats) => {
 *         try {
 *             smartag.assertOnlineLimits(stats, { maxOnlinePerUser: 1 });
 *             return "ok";
 *         } catch (e) {
 *             if (smartag.OnlineLimitsError.isInstance(e)) {
 *                 return `${e.violations.length} violation(s)`;
 *             }
 *             throw e;
 *         }
 *     });
 * ```
 */
export class OnlineLimitsError extends pulumi.RunError {
  override readonly name = "OnlineLimitsError";
  /** Every broken limit, users in result order. */
  readonly violations: readonly LimitViolation[];
  /** The instance the statistics are about, when known (`[secret]` when they were secret). */
  readonly smartAgId: string | undefined;
  /** The region the statistics are about, when known and not secret. */
  readonly regionId: string | undefined;

  /**
   * @param stats the statistics that were judged.
   * @param violations what `findLimitViolations` found; at least one.
   * @param options `secret`: mask user names and the instance.
   */
  constructor(
    stats: StatisticsLike,
    violations: readonly LimitViolation[],
    options: { secret?: boolean } = {},
  ) {
    const { stats: shown, violations: listed } = options.secret
      ? maskSecretNames(stats, violations)
      : { stats, violations };
    super(formatLimitViolations(shown, listed));
    this.violations = listed;
    this.smartAgId = instanceOf(shown);
    this.regionId = shown.regionId;
    Object.defineProperty(this, marker, { value: true });
    // A RunError is shown without its stack anyway. Keeping no frames also sidesteps a Node 20
    // bug (nodejs/node#64011): @pulumi/pulumi's run script formats uncaught errors with
    // util.inspect and colours, which loops for a minute or more on the source-mapped frames of
    // an error thrown inside an apply, delaying the failed deployment by as much.
    this.stack = `${this.name}: ${this.message}`;
  }

  /**
   * True for errors of this class, even from another copy of this package.
   *
   * @example
   * ```typescript
   * import * as smartag from "pulumi-smartag";
   *
   * function isGateFailure(e: unknown): boolean {
   *     return smartag.OnlineLimitsError.isInstance(e);
   * }
   * ```
   */
  static override isInstance(obj: unknown): obj is OnlineLimitsError {
    return (
      typeof obj === "object" && obj !== null && (obj as Record<symbol, unknown>)[marker] === true
    );
  }
}

/**
 * Fails the deployment when statistics resolved from an `Output` (e.g. from
 * {@link getUserOnlineClientStatisticsOutput}) break the limits; returns them otherwise.
 *
 * Unknown values (a preview whose arguments depend on resources not yet created) are not judged,
 * so a preview never fails falsely; the returned `Output` is unknown then, and the gate runs in
 * the update. Known values are judged in the preview too, so a violation shows before anything
 * changes. The failure does not depend on using the returned `Output`: an unused one still fails
 * the deployment.
 *
 * @param stats the statistics; their secretness and dependencies carry over to the result.
 * @param limits the limits; unset ones are not checked.
 * @returns the same statistics, once they pass.
 * @throws OnlineLimitsError (through the `Output`) naming every offending user.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * const stats = smartag.assertOnlineLimits(
 *     smartag.getUserOnlineClientStatisticsOutput({
 *         smartAgId: "sag-demo0001",
 *         userNames: ["doctest", "alice@example.com"],
 *     }),
 *     { maxOnlinePerUser: 3, maxTotalOnline: 10 },
 * );
 * export const totalOnline = stats.totalOnlineCount;
 * ```
 */
export function assertOnlineLimits<T extends StatisticsLike>(
  stats: pulumi.Output<T>,
  limits: pulumi.Input<OnlineLimits>,
): pulumi.Output<T>;
/**
 * Rejects when statistics from a `Promise` (e.g. from {@link getUserOnlineClientStatistics})
 * break the limits; resolves to them otherwise.
 *
 * @param stats the statistics.
 * @param limits the limits; unset ones are not checked. Bad limits throw at once.
 * @returns the same statistics, once they pass.
 * @throws OnlineLimitsError (as the rejection) naming every offending user.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * export const totalOnline = smartag
 *     .assertOnlineLimits(
 *         smartag.getUserOnlineClientStatistics({ smartAgId: "sag-demo0001", userNames: ["doctest"] }),
 *         { maxOnlinePerUser: 3 },
 *     )
 *     .then((stats) => stats.totalOnlineCount);
 * ```
 */
export function assertOnlineLimits<T extends StatisticsLike>(
  stats: Promise<T>,
  limits: OnlineLimits,
): Promise<T>;
/**
 * Fails the deployment when the counts a `UserOnlineClientStatistics` resource recorded break
 * the limits. The resource enforces its own limits when it is created or updated; this judges
 * the recorded counts on every deployment, e.g. after `pulumi up --refresh`.
 *
 * @param stats the resource (or any object with its `Output` fields).
 * @param limits the limits; unset ones are not checked.
 * @returns the recorded statistics, once they pass.
 * @throws OnlineLimitsError (through the `Output`) naming every offending user.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * const recorded = new smartag.UserOnlineClientStatistics("demo", {
 *     smartAgId: "sag-demo0001",
 *     userNames: ["doctest", "bob.smith"],
 * });
 * smartag.assertOnlineLimits(recorded, { maxOnlinePerUser: 5 });
 * ```
 */
export function assertOnlineLimits(
  stats: StatisticsOutputs,
  limits: pulumi.Input<OnlineLimits>,
): pulumi.Output<RecordedStatistics>;
/**
 * Fails the deployment when a whole SAG APP instance breaks the limits, with no list of
 * accounts. Without `maxOnlinePerUser`, the gate reads the instance's total with
 * {@link getSagOnlineClientStatisticsOutput} (one request, every account counted) and judges
 * `requireNoneOnline`, `maxTotalOnline` and `maxOnlinePerInstance` on it. Unknown values in a
 * preview are not judged.
 *
 * @param instance the instance and, optionally, its region.
 * @param limits the limits; unset ones are not checked.
 * @param opts options of the read, e.g. an explicit `provider`.
 * @returns the instance's statistics, once they pass.
 * @throws OnlineLimitsError (through the `Output`) naming the instance, its count and the limit.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * const online = smartag.assertOnlineLimits({ smartAgId: "sag-demo0001" }, { maxTotalOnline: 50 });
 * export const totalOnline = online.totalOnlineCount;
 * ```
 */
export function assertOnlineLimits(
  instance: InstanceToGate,
  limits: OnlineLimits & { maxOnlinePerUser?: undefined },
  opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<GetSagOnlineClientStatisticsResult>;
/**
 * Fails the deployment when any account of a whole SAG APP instance has more clients online
 * than `maxOnlinePerUser`, with no list of accounts: the gate reads every account with
 * {@link getUserOnlineClientStatisticsOutput} (`userNames` omitted: the accounts are listed
 * first, then counted) and judges them all, naming every offender.
 *
 * @param instance the instance and, optionally, its region.
 * @param limits the limits, `maxOnlinePerUser` among them.
 * @param opts options of the reads, e.g. an explicit `provider`.
 * @returns the statistics of every account, once they pass.
 * @throws OnlineLimitsError (through the `Output`) naming every offending account.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * const everyone = smartag.assertOnlineLimits({ smartAgId: "sag-demo0001" }, { maxOnlinePerUser: 5 });
 * export const accounts = everyone.userStatistics;
 * ```
 */
export function assertOnlineLimits(
  instance: InstanceToGate,
  limits: OnlineLimits & { maxOnlinePerUser: number },
  opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<GetUserOnlineClientStatisticsResult>;
/**
 * Fails the deployment when a whole SAG APP instance breaks limits known only as an `Input`:
 * with `maxOnlinePerUser` every account is read and judged, without it the instance's total.
 *
 * @param instance the instance and, optionally, its region.
 * @param limits the limits; unset ones are not checked.
 * @param opts options of the read, e.g. an explicit `provider`.
 * @returns the statistics that were judged, once they pass.
 * @throws OnlineLimitsError (through the `Output`) naming every offender.
 *
 * @example
 * ```typescript
 * import * as pulumi from "@pulumi/pulumi";
 * import * as smartag from "pulumi-smartag";
 *
 * const config = new pulumi.Config();
 * smartag.assertOnlineLimits(
 *     { smartAgId: "sag-demo0001" },
 *     pulumi.output({ maxTotalOnline: config.getNumber("maxTotalOnline") ?? 50 }),
 * );
 * ```
 */
export function assertOnlineLimits(
  instance: InstanceToGate,
  limits: pulumi.Input<OnlineLimits>,
  opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<GetSagOnlineClientStatisticsResult | GetUserOnlineClientStatisticsResult>;
/**
 * Throws when plain statistics break the limits; returns them otherwise.
 *
 * @param stats the statistics, e.g. a resolved {@link GetUserOnlineClientStatisticsResult} or
 *   {@link GetSagOnlineClientStatisticsResult}.
 * @param limits the limits; unset ones are not checked.
 * @returns the same statistics.
 * @throws OnlineLimitsError naming every offending user with count and limit.
 * @throws pulumi.RunError when a limit is not a whole number of at least 0.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * export const checked = smartag
 *     .getUserOnlineClientStatistics({ smartAgId: "sag-demo0001", userNames: ["doctest"] })
 *     .then((stats) => smartag.assertOnlineLimits(stats, { maxOnlinePerUser: 3 }));
 * ```
 */
export function assertOnlineLimits<T extends StatisticsLike>(stats: T, limits: OnlineLimits): T;
export function assertOnlineLimits(
  stats: unknown,
  limits: pulumi.Input<OnlineLimits>,
  opts?: pulumi.InvokeOutputOptions,
): unknown {
  // Limits known now are checked now, so a typo fails at the call, in preview too.
  if (!pulumi.Output.isInstance(limits) && !isPromiseLike(limits)) validLimits(limits);
  if (isInstanceToGate(stats)) return gateInstance(stats, limits, opts);
  if (pulumi.Output.isInstance(stats)) {
    return gateOutput(stats as pulumi.Output<StatisticsLike>, limits);
  }
  if (isPromiseLike(stats)) {
    return Promise.resolve(stats).then((s) => judge(s as StatisticsLike, limits as OnlineLimits));
  }
  if (isStatisticsOutputs(stats)) {
    const recorded: pulumi.Output<RecordedStatistics> = pulumi.output({
      regionId: stats.regionId,
      smartAgId: stats.smartAgId,
      userStatistics: stats.userStatistics,
      totalOnlineCount: stats.totalOnlineCount,
    });
    return gateOutput(recorded, limits);
  }
  return judge(stats as StatisticsLike, limits as OnlineLimits);
}

/**
 * Fails the deployment while any listed user (or instance) has a client online: the gate to put before
 * tearing a SAG instance down. The same as {@link assertOnlineLimits} with
 * `{ requireNoneOnline: true }`; unknown values in a preview are not judged.
 *
 * `pulumi destroy` does not run the program, so it runs no gate: remove the instance from the
 * program and run `pulumi up` instead, with the gate still in it.
 *
 * @param stats statistics from {@link getUserOnlineClientStatisticsOutput}.
 * @returns the same statistics, once nobody is online.
 * @throws OnlineLimitsError (through the `Output`) naming everyone online.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * smartag.requireNobodyOnline(
 *     smartag.getUserOnlineClientStatisticsOutput({
 *         smartAgId: "sag-demo0001",
 *         userNames: ["doctest", "alice@example.com"],
 *     }),
 * );
 * ```
 */
export function requireNobodyOnline<T extends StatisticsLike>(
  stats: pulumi.Output<T>,
): pulumi.Output<T>;
/**
 * Rejects while any listed user has a client online.
 *
 * @param stats statistics from {@link getUserOnlineClientStatistics}.
 * @returns the same statistics, once nobody is online.
 * @throws OnlineLimitsError (as the rejection) naming everyone online.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * export const nobodyOnline = smartag
 *     .requireNobodyOnline(
 *         smartag.getUserOnlineClientStatistics({ smartAgId: "sag-demo0001", userNames: ["doctest"] }),
 *     )
 *     .then(() => true);
 * ```
 */
export function requireNobodyOnline<T extends StatisticsLike>(stats: Promise<T>): Promise<T>;
/**
 * Fails the deployment while the counts a `UserOnlineClientStatistics` resource recorded show
 * anyone online.
 *
 * @param stats the resource (or any object with its `Output` fields).
 * @returns the recorded statistics, once nobody is online.
 * @throws OnlineLimitsError (through the `Output`) naming everyone online.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * smartag.requireNobodyOnline(
 *     new smartag.UserOnlineClientStatistics("before-teardown", {
 *         smartAgId: "sag-demo0001",
 *         userNames: ["doctest"],
 *     }),
 * );
 * ```
 */
export function requireNobodyOnline(stats: StatisticsOutputs): pulumi.Output<RecordedStatistics>;
/**
 * Fails the deployment while anybody at all is online through a SAG APP instance, with no list
 * of accounts: the gate reads the instance's total with
 * {@link getSagOnlineClientStatisticsOutput} (one request, every account counted).
 *
 * @param instance the instance and, optionally, its region.
 * @param opts options of the read, e.g. an explicit `provider`.
 * @returns the instance's statistics, once nobody is online.
 * @throws OnlineLimitsError (through the `Output`) naming the instance and its count.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * smartag.requireNobodyOnline({ smartAgId: "sag-demo0001", regionId: "cn-shanghai" });
 * ```
 */
export function requireNobodyOnline(
  instance: InstanceToGate,
  opts?: pulumi.InvokeOutputOptions,
): pulumi.Output<GetSagOnlineClientStatisticsResult>;
/**
 * Throws while any listed user (or instance) has a client online.
 *
 * @param stats plain statistics.
 * @returns the same statistics.
 * @throws OnlineLimitsError naming everyone online.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * const stats = { userStatistics: [{ userName: "doctest", onlineCount: 0 }], totalOnlineCount: 0 };
 * smartag.requireNobodyOnline(stats);
 * ```
 */
export function requireNobodyOnline<T extends StatisticsLike>(stats: T): T;
export function requireNobodyOnline(stats: unknown, opts?: pulumi.InvokeOutputOptions): unknown {
  return assertOnlineLimits(stats as InstanceToGate, { requireNoneOnline: true }, opts);
}

/**
 * Reads what the limits need and judges it: every account for `maxOnlinePerUser`, else the
 * instance's total (every account, one request).
 */
function gateInstance(
  instance: InstanceToGate,
  limits: pulumi.Input<OnlineLimits>,
  opts: pulumi.InvokeOutputOptions | undefined,
): pulumi.Output<StatisticsLike> {
  const { smartAgId, regionId } = instance;
  const perUser = (l: OnlineLimits) => l?.maxOnlinePerUser !== undefined;
  const read = (l: OnlineLimits): pulumi.Output<StatisticsLike> =>
    perUser(l)
      ? getUserOnlineClientStatisticsOutput({ smartAgId, regionId }, opts)
      : getSagOnlineClientStatisticsOutput({ smartAgIds: [smartAgId], regionId }, opts);
  if (pulumi.Output.isInstance(limits) || isPromiseLike(limits)) {
    return pulumi.output(limits).apply((l) => gateOutput(read(l), l));
  }
  // Limits known now are checked now against what the read can judge.
  const empty = { totalOnlineCount: 0 };
  validLimits(
    limits,
    perUser(limits) ? { ...empty, userStatistics: [] } : { ...empty, statistics: [] },
  );
  return gateOutput(read(limits), limits);
}

function gateOutput<T extends StatisticsLike>(
  stats: pulumi.Output<T>,
  limits: pulumi.Input<OnlineLimits>,
): pulumi.Output<T> {
  const limitsOut = pulumi.output(limits) as pulumi.Output<OnlineLimits>;
  // apply skips its callback while a value is unknown, which is what keeps previews honest.
  return stats.apply((s) =>
    limitsOut.apply(async (l) => judge(s, l, await pulumi.isSecret(stats))),
  ) as pulumi.Output<T>;
}

function judge<T extends StatisticsLike>(stats: T, limits: OnlineLimits, secret = false): T {
  const violations = findLimitViolations(stats, validLimits(limits, stats));
  if (violations.length > 0) throw new OnlineLimitsError(stats, violations, { secret });
  return stats;
}

/** Bad limits are the program's mistake: a RunError, so the message is shown without a stack. */
function validLimits(limits: OnlineLimits, stats?: StatisticsLike): OnlineLimits {
  const problems = checkLimits(limits ?? {}, stats);
  if (problems.length > 0) throw new pulumi.RunError(`invalid limits: ${problems.join("; ")}`);
  return limits ?? {};
}

function isPromiseLike(v: unknown): v is PromiseLike<unknown> {
  return (
    typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function"
  );
}

/** The one instance statistics are about, when they name exactly one. */
function instanceOf(stats: StatisticsLike): string | undefined {
  if (!isInstanceStatistics(stats)) return stats.smartAgId;
  const ids = new Set(stats.statistics.map((s) => s.smartAgId));
  return ids.size === 1 ? [...ids][0] : undefined;
}

/** An instance to read, not statistics: a `smartAgId` and no counts. */
function isInstanceToGate(v: unknown): v is InstanceToGate {
  return (
    typeof v === "object" &&
    v !== null &&
    !pulumi.Output.isInstance(v) &&
    "smartAgId" in v &&
    !("userStatistics" in v) &&
    !("statistics" in v) &&
    !("totalOnlineCount" in v)
  );
}

function isStatisticsOutputs(v: unknown): v is StatisticsOutputs {
  return (
    typeof v === "object" &&
    v !== null &&
    pulumi.Output.isInstance((v as { userStatistics?: unknown }).userStatistics) &&
    pulumi.Output.isInstance((v as { totalOnlineCount?: unknown }).totalOnlineCount)
  );
}
