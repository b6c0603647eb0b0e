// The policies of the pack, apart from index.ts: constructing a PolicyPack starts its gRPC server,
// so tests import this module instead and call the validate functions directly.
//
// Every judgement is made by findLimitViolations of @pulumi-smartag/limits, the same function
// behind the statistics resource's own limits, the SDK's assertions and the smartag-stats CLI, so
// a limit means the same thing here as everywhere else.

import type {
  PolicyConfigSchema,
  ReportViolation,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import {
  checkLimits,
  distinctTotal,
  findLimitViolations,
  formatLimitViolations,
  type OnlineLimits,
  type StatisticsLike,
  statisticsLabel,
} from "@pulumi-smartag/limits";
import { findStatistics, type ObservedStatistics } from "./statistics";

export const PACK_NAME = "smartag-online-clients";

type LimitKey = "maxOnlinePerUser" | "maxOnlinePerInstance" | "maxTotalOnline";

/** A limit in the policy config: a whole number, no default (an unset limit checks nothing). */
function limitSchema(key: LimitKey, meaning: string) {
  const schema: PolicyConfigSchema = {
    properties: { [key]: { type: "integer", minimum: 0, description: meaning } },
  };
  return schema;
}

/**
 * Judges every set of counts in the stack against `limits`. Counts a preview cannot know are left
 * out: a violation is reported only for a known count above a known limit, or a total whose known
 * part is already above it. Data that is there
 * but cannot be read is reported as a violation, naming it, next to the judgement of what can be
 * read: a gate that cannot read the counts must not pass.
 */
function judge(
  args: StackValidationArgs,
  reportViolation: ReportViolation,
  limits: OnlineLimits,
): void {
  // The engine validates the config against configSchema; this catches a caller that did not.
  const problems = checkLimits(limits);
  if (problems.length > 0) throw new Error(`invalid policy config: ${problems.join("; ")}`);
  const judgesTotal = limits.maxTotalOnline !== undefined;

  // A per-account limit judges accounts, a per-instance one instance totals; the others both.
  const { observed: all, unknown } = findStatistics(args.resources);
  const observed = all.filter((found) =>
    found.perInstance
      ? limits.maxOnlinePerUser === undefined
      : limits.maxOnlinePerInstance === undefined,
  );
  let judged = 0;
  for (const found of observed) {
    const unreadable = unreadableFor(found, judgesTotal);
    // Without a known total, the known entries (each account once) sum to a lower bound of it:
    // the other counts can only add to it, so one already above the limit is a violation.
    const exactTotal = found.totalOnlineCount !== undefined;
    const stats = statisticsOf(
      found,
      found.totalOnlineCount ?? distinctTotal(found.userStatistics),
    );
    const violations = findLimitViolations(stats, limits);
    // A total within the limit so far says nothing yet; per-user limits never look at it, and
    // have nothing to judge when no entry is known yet.
    const nothingKnown = judgesTotal
      ? !exactTotal
      : found.userStatistics.length === 0 && found.partlyUnknown;
    if (nothingKnown && violations.length === 0 && unreadable.length === 0) continue;
    judged++;
    if (violations.length === 0 && unreadable.length === 0) continue;
    const parts: string[] = [];
    if (violations.length > 0) {
      const text = formatLimitViolations(stats, violations);
      parts.push(exactTotal ? text : text.replace(/^( {2}- total: )/m, "$1at least "));
    }
    if (unreadable.length > 0) {
      const heading = `cannot read ${plural(unreadable.length, "part")} of these statistics, so they cannot pass:`;
      parts.push(
        violations.length > 0 ? `  and ${heading}` : `${statisticsLabel(stats)}: ${heading}`,
        ...unreadable.map((problem) => `  - ${problem}`),
      );
    }
    const note = found.partlyUnknown
      ? "\n  (other counts here are not known until the update)"
      : "";
    reportViolation(`${found.where}: ${parts.join("\n")}${note}`, found.urn);
  }
  if (judged === 0) {
    // Tells the engine (and `--policy-pack` summaries) why nothing was checked; never a violation.
    args.notApplicable(
      unknown.length > 0 || observed.length > 0
        ? "the online counts are not known until the update (a preview of a new or changed resource)"
        : limits.maxOnlinePerInstance !== undefined
          ? "the stack has no SAG instance totals (no exported getSagOnlineClientStatistics result)"
          : "the stack has no SAG online-client statistics (no UserOnlineClientStatistics resource or export)",
    );
  }
}

/**
 * What the policy needs but cannot read: the entries for a per-user check; for a total check,
 * only when no total could be read or worked out (a readable recorded total needs no entries).
 */
function unreadableFor(found: ObservedStatistics, judgesTotal: boolean): string[] {
  if (!judgesTotal) return found.unreadableEntries;
  if (found.totalOnlineCount !== undefined) return [];
  return [...(found.unreadableTotal ? [found.unreadableTotal] : []), ...found.unreadableEntries];
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** What was found, as the judge takes it: per account, or per instance. */
function statisticsOf(found: ObservedStatistics, totalOnlineCount: number): StatisticsLike {
  const region = found.regionId !== undefined ? { regionId: found.regionId } : {};
  if (found.perInstance) {
    const statistics = found.userStatistics.map((e) => ({
      smartAgId: e.userName,
      onlineCount: e.onlineCount,
    }));
    return { ...region, statistics, totalOnlineCount };
  }
  const instance = found.smartAgId !== undefined ? { smartAgId: found.smartAgId } : {};
  return { ...region, ...instance, userStatistics: found.userStatistics, totalOnlineCount };
}

/** Reads one limit from the policy's config; undefined when it is not set. */
function configuredLimit(args: StackValidationArgs, key: LimitKey): number | undefined {
  const value = args.getConfig<Record<string, unknown>>()[key];
  return value === undefined || value === null ? undefined : (value as number);
}

export const maxOnlinePerUserPolicy: StackValidationPolicy = {
  name: "smartag-max-online-per-user",
  description:
    "No SAG client account may have more clients online than the configured maxOnlinePerUser.",
  remediationSteps:
    "Disconnect the account's extra clients, or raise maxOnlinePerUser in the policy pack config.",
  configSchema: limitSchema(
    "maxOnlinePerUser",
    "The most clients one client account may have online at once. Unset: not checked.",
  ),
  validateStack: (args, reportViolation) => {
    const limit = configuredLimit(args, "maxOnlinePerUser");
    if (limit === undefined) return args.notApplicable("maxOnlinePerUser is not configured");
    return judge(args, reportViolation, { maxOnlinePerUser: limit });
  },
};

export const maxOnlinePerInstancePolicy: StackValidationPolicy = {
  name: "smartag-max-online-per-instance",
  description:
    "No SAG APP instance may have more clients online, over all its accounts, than the configured maxOnlinePerInstance.",
  remediationSteps:
    "Disconnect clients of the instance, or raise maxOnlinePerInstance in the policy pack config.",
  configSchema: limitSchema(
    "maxOnlinePerInstance",
    "The most clients one SAG instance may have online at once, judged on exported instance totals (getSagOnlineClientStatistics). Unset: not checked.",
  ),
  validateStack: (args, reportViolation) => {
    const limit = configuredLimit(args, "maxOnlinePerInstance");
    if (limit === undefined) return args.notApplicable("maxOnlinePerInstance is not configured");
    return judge(args, reportViolation, { maxOnlinePerInstance: limit });
  },
};

export const maxTotalOnlinePolicy: StackValidationPolicy = {
  name: "smartag-max-total-online",
  description:
    "The SAG client accounts (or instances) listed together may not have more clients online than the configured maxTotalOnline.",
  remediationSteps: "Disconnect clients, or raise maxTotalOnline in the policy pack config.",
  configSchema: limitSchema(
    "maxTotalOnline",
    "The most clients all listed accounts of one SAG instance, or all instances of one set of instance totals, may have online together. Unset: not checked.",
  ),
  validateStack: (args, reportViolation) => {
    const limit = configuredLimit(args, "maxTotalOnline");
    if (limit === undefined) return args.notApplicable("maxTotalOnline is not configured");
    return judge(args, reportViolation, { maxTotalOnline: limit });
  },
};

export const nobodyOnlinePolicy: StackValidationPolicy = {
  name: "smartag-nobody-online",
  description:
    "No listed SAG client account, nor any instance in exported instance totals, may have a client online (e.g. before the instance is torn down), when enabled.",
  remediationSteps: "Disconnect every client of the listed accounts or instances, then run again.",
  // Off unless asked for by name: with no number to configure, a policy that judged by default
  // would fail every stack in which anybody is connected. The enforcement level cannot be the
  // switch, because the engine's `"all": "<level>"` overwrites every policy's level, a default of
  // "disabled" included; `"all": "mandatory"` would then fail every stack with anyone online. So
  // the switch is a property of this policy's own config, which "all" never touches.
  configSchema: {
    properties: {
      enabled: {
        type: "boolean",
        default: false,
        description:
          "Judge the stack: fail it when any listed account or instance has a client online. Default false.",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const enabled = args.getConfig<Record<string, unknown>>().enabled ?? false;
    // The engine validates the config against configSchema; this catches a caller that did not.
    if (typeof enabled !== "boolean") {
      throw new Error(
        `invalid policy config: enabled must be true or false (got ${String(enabled)})`,
      );
    }
    if (!enabled) return args.notApplicable("smartag-nobody-online is not enabled");
    return judge(args, reportViolation, { requireNoneOnline: true });
  },
};

export const policies: StackValidationPolicy[] = [
  maxOnlinePerUserPolicy,
  maxOnlinePerInstancePolicy,
  maxTotalOnlinePolicy,
  nobodyOnlinePolicy,
];
