// Finding online-client statistics in what a stack policy is shown, and telling what is known
// from what is not known yet.
//
// Stack policies see each resource's *outputs* (resource policies only see inputs, and the counts
// are outputs), so this reads the statistics resource's recorded counts and the statistics the
// stack exports. During a preview some of those values are unknown: @pulumi/policy hands them to
// policies behind a proxy that throws when an unknown value is read. A policy that let that error
// escape would be reported as "can't run during preview"; one that read the raw sentinel as a
// number would judge garbage. So every read goes through `readKnown`, and what is unknown is left
// out of the judgement and only counted. A value that is there but of the wrong kind (a count as
// text) is not unknown: it is listed as unreadable, and the policies report it.

import * as policyProxy from "@pulumi/policy/proxy";
import { distinctTotal } from "@pulumi-smartag/limits";

/** The statistics resource as the provider plugin registers it (provider/schema.json). */
export const PLUGIN_RESOURCE_TYPE = "smartag:index:UserOnlineClientStatistics";
/** The same resource in its dynamic-provider form (`smartag.dynamic.UserOnlineClientStatistics`). */
export const DYNAMIC_RESOURCE_TYPE = "pulumi-nodejs:dynamic/smartag:UserOnlineClientStatistics";
/** The root resource, whose outputs are the stack's exports. */
export const STACK_TYPE = "pulumi:pulumi:Stack";

/** What a stack policy is given for one resource (the subset of PolicyResource read here). */
export interface ResourceLike {
  type: string;
  urn: string;
  name: string;
  props: Record<string, unknown>;
}

/** One set of per-user counts found in the stack, with what of it is known. */
export interface ObservedStatistics {
  /**
   * Where it was found, for the message: `resource "gate"`, `stack output "shanghaiUsers"` or,
   * inside an export, `stack output "byRegion.shanghai"`.
   */
  where: string;
  /** The URN the violation is reported against. */
  urn: string;
  /** True for a statistics resource, false for statistics the stack exports. */
  fromResource: boolean;
  regionId?: string;
  smartAgId?: string;
  /**
   * True for instance totals (the `statistics` of `getSagOnlineClientStatistics`): then each entry
   * is an instance, its `smartAgId` in `userName`.
   */
  perInstance: boolean;
  /** The entries whose name and count are both known, in recorded order. */
  userStatistics: { userName: string; onlineCount: number }[];
  /** The total, when it is known (recorded, or summed from a fully known and readable list). */
  totalOnlineCount?: number;
  /** True when part of it (the list, an entry or the total) is not known until the update. */
  partlyUnknown: boolean;
  /**
   * What is there but cannot be read (a count as text, an entry without a name, a
   * `userStatistics` that is not a list), each named by its path with what is wrong. Unlike
   * unknown values these never become known: a gate cannot pass on them.
   */
  unreadableEntries: string[];
  /** A recorded `totalOnlineCount` that cannot be read, said the same way. */
  unreadableTotal?: string;
}

/** The result of scanning a stack: what can be judged, and how much could not be read yet. */
export interface StackStatistics {
  observed: ObservedStatistics[];
  /** Resources or outputs whose counts are entirely unknown (e.g. a resource about to be created). */
  unknown: string[];
}

// @pulumi/policy's proxy module exports its error class and sentinels at run time but keeps them
// out of its typings (they are @internal). They are the only way to tell "not known during
// preview" from a real error, so they are looked up defensively: if a release renames them, the
// message check below still recognises the error, and the sentinel set is merely empty.
interface ProxyInternals {
  UnknownValueError?: new (...args: never[]) => Error;
  unknownCheckingProxy?: <T>(value: T) => T;
  [sentinel: string]: unknown;
}
const internals = policyProxy as unknown as ProxyInternals;
const SENTINELS = new Set(
  Object.entries(internals)
    .filter(([key, value]) => /^unknown[A-Z]\w*Value$/.test(key) && typeof value === "string")
    .map(([, value]) => value as string),
);

function isUnknownValueError(err: unknown): boolean {
  const cls = internals.UnknownValueError;
  if (typeof cls === "function" && err instanceof cls) return true;
  return err instanceof Error && /can't be known during preview$/.test(err.message);
}

const UNKNOWN: unique symbol = Symbol("unknown");
type Read = unknown | typeof UNKNOWN;

/** Reads `obj[key]`, answering UNKNOWN instead of throwing for a value a preview cannot know. */
export function readKnown(obj: unknown, key: string | number): Read {
  if (obj === null || typeof obj !== "object") return undefined;
  try {
    const value = (obj as Record<string | number, unknown>)[key];
    return typeof value === "string" && SENTINELS.has(value) ? UNKNOWN : value;
  } catch (err) {
    if (isUnknownValueError(err)) return UNKNOWN;
    throw err;
  }
}

/** True for a value a preview cannot know (the raw sentinel; proxied ones throw when read). */
export function isUnknownValue(value: unknown): boolean {
  return typeof value === "string" && SENTINELS.has(value);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function knownString(obj: unknown, key: string): string | undefined {
  const v = readKnown(obj, key);
  return typeof v === "string" && v !== "" ? v : undefined;
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v) && v >= 0;
}

type Entry = { userName: string; onlineCount: number };
/** What names an entry: an account, or an instance in instance totals. */
type NameKey = "userName" | "smartAgId";

type ParsedEntry =
  | { kind: "entry"; entry: Entry }
  | { kind: "unknown" }
  | { kind: "unreadable"; problem: string }
  /** Not shaped like an entry at all: no object, or no `userName` or `onlineCount`. */
  | { kind: "other"; problem: string };

/** A value as a message shows it: short, and never more than the start of a long one. */
function show(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value !== null && typeof value === "object") return "an object";
  const text = value === undefined ? "missing" : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * Reads one `{userName, onlineCount}` entry at `path`. A value that is there but is not what the
 * statistics hold (a count as text, a negative count, a name that is not text) is "unreadable",
 * with the problem named; that is data something wrote wrongly, not a value the preview does not
 * know yet, and it must not pass for either.
 */
function parseEntry(entry: Read, path: string, nameKey: NameKey): ParsedEntry {
  if (entry === UNKNOWN) return { kind: "unknown" };
  if (!isObject(entry)) {
    return { kind: "other", problem: `${path} is ${show(entry)}, not a {${nameKey}, onlineCount}` };
  }
  const userName = readKnown(entry, nameKey);
  const onlineCount = readKnown(entry, "onlineCount");
  if (userName === undefined || onlineCount === undefined) {
    const missing = userName === undefined ? nameKey : "onlineCount";
    return { kind: "other", problem: `${path} has no ${missing}` };
  }
  const problems: string[] = [];
  if (userName !== UNKNOWN && (typeof userName !== "string" || userName === "")) {
    problems.push(`${nameKey} is ${show(userName)}, not a name`);
  }
  if (onlineCount !== UNKNOWN && !isCount(onlineCount)) {
    problems.push(`onlineCount is ${show(onlineCount)}, not a count of at least 0`);
  }
  if (problems.length > 0) {
    const who = typeof userName === "string" && userName !== "" ? ` (${userName})` : "";
    return { kind: "unreadable", problem: `${path}${who}: ${problems.join("; ")}` };
  }
  if (userName === UNKNOWN || onlineCount === UNKNOWN) return { kind: "unknown" };
  return {
    kind: "entry",
    entry: { userName: userName as string, onlineCount: onlineCount as number },
  };
}

type ParsedList =
  | { kind: "list"; entries: Entry[]; partlyUnknown: boolean; unreadable: string[] }
  | { kind: "unknown" }
  | { kind: "other" };

/**
 * Reads a `[{userName, onlineCount}]` list (`[{smartAgId, onlineCount}]` for instance totals)
 * whose entries are named `path[i]`.
 *
 * `known` says the caller knows the value holds statistics (a resource's or a record's
 * `userStatistics`): then every entry that cannot be read is listed as unreadable, and the list
 * may be empty. Otherwise (an export, which may be any list) only a non-empty list whose every
 * entry has a `userName` and an `onlineCount` is taken for statistics, so unrelated outputs are
 * never mistaken for them; its entries with values of the wrong kind are unreadable.
 */
function parseUserList(
  value: Read,
  path: string,
  known: boolean,
  nameKey: NameKey = "userName",
): ParsedList {
  if (value === UNKNOWN) return { kind: "unknown" };
  if (!Array.isArray(value) || (value.length === 0 && !known)) return { kind: "other" };
  const entries: Entry[] = [];
  const unreadable: string[] = [];
  let partlyUnknown = false;
  for (let i = 0; i < value.length; i++) {
    const parsed = parseEntry(readKnown(value, i), `${path}[${i}]`, nameKey);
    if (parsed.kind === "other" && !known) return { kind: "other" };
    if (parsed.kind === "entry") entries.push(parsed.entry);
    else if (parsed.kind === "unknown") partlyUnknown = true;
    else unreadable.push(parsed.problem);
  }
  return { kind: "list", entries, partlyUnknown, unreadable };
}

/**
 * Reads a statistics record: anything with a `userStatistics` list, and optionally
 * `totalOnlineCount`, `smartAgId` and `regionId` (a resource's outputs, an invoke result, or the
 * stack's outputs when they carry those names); or, for an export, instance totals: a
 * `statistics` list of `{smartAgId, onlineCount}` (a `getSagOnlineClientStatistics` result).
 * "unknown" when the list is not known yet.
 *
 * For a statistics resource (`fromResource`) every value that is there but cannot be read is
 * unreadable, a `userStatistics` that is not a list included; a missing one is unknown (a
 * resource about to be created shows no outputs in a preview). For an export, undefined when
 * `userStatistics` is missing or not a list: then it is not a record.
 */
function parseRecord(
  record: unknown,
  where: string,
  urn: string,
  fromResource: boolean,
): ObservedStatistics | "unknown" | undefined {
  const perUser = readKnown(record, "userStatistics");
  const perInstance = !fromResource && perUser === undefined;
  const key = perInstance ? "statistics" : "userStatistics";
  const value = perInstance ? readKnown(record, key) : perUser;
  if (fromResource && value === undefined) return "unknown";
  const list = parseUserList(value, key, true, perInstance ? "smartAgId" : "userName");
  if (list.kind === "unknown") return "unknown";
  if (list.kind === "other" && !fromResource) return undefined;
  const entries = list.kind === "list" ? list.entries : [];
  const unreadableEntries =
    list.kind === "list" ? list.unreadable : [`${key} is ${show(value)}, not a list`];
  let partlyUnknown = list.kind === "list" && list.partlyUnknown;
  const total = readKnown(record, "totalOnlineCount");
  let totalOnlineCount: number | undefined;
  let unreadableTotal: string | undefined;
  if (total === UNKNOWN) partlyUnknown = true;
  else if (isCount(total)) totalOnlineCount = total;
  else {
    if (total !== undefined) {
      unreadableTotal = `totalOnlineCount is ${show(total)}, not a count of at least 0`;
    }
    // Every entry known and read: the total is theirs, as the API counts it.
    if (!partlyUnknown && unreadableEntries.length === 0) totalOnlineCount = distinctTotal(entries);
  }
  const observed: ObservedStatistics = {
    where,
    urn,
    fromResource,
    perInstance,
    userStatistics: entries,
    partlyUnknown,
    unreadableEntries,
  };
  if (totalOnlineCount !== undefined) observed.totalOnlineCount = totalOnlineCount;
  if (unreadableTotal !== undefined) observed.unreadableTotal = unreadableTotal;
  const smartAgId = knownString(record, "smartAgId");
  if (smartAgId) observed.smartAgId = smartAgId;
  const regionId = knownString(record, "regionId");
  if (regionId) observed.regionId = regionId;
  return observed;
}

/** True for the statistics resource in either of its forms. */
export function isStatisticsResource(type: string): boolean {
  return type === PLUGIN_RESOURCE_TYPE || type === DYNAMIC_RESOURCE_TYPE;
}

/**
 * How many levels deep exports are searched (a top-level export is level 1): deeper than any
 * report a program builds from the statistics, and a bound on the work an odd export can cause.
 */
export const MAX_EXPORT_DEPTH = 8;

/** The path of a value inside an export, as a program would write it: `byRegion.shanghai`, `all[0]`. */
function childPath(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

/**
 * Every set of counts in the stack: each statistics resource's recorded counts, then what the
 * stack exports. Recognised exports: the outputs themselves when they include `userStatistics`
 * (examples/basic exports the invoke's fields one by one), and, at any depth up to
 * MAX_EXPORT_DEPTH inside the exports' objects and lists, any object holding a whole record (an
 * invoke result or a resource) and any non-empty `[{userName, onlineCount}]` list (its total is
 * the sum over distinct accounts); the same for instance totals (`statistics`, and
 * `[{smartAgId, onlineCount}]` lists); a record or list found is not searched further. Each is named
 * by its path (`stack output "byRegion.shanghai"`). An export that repeats counts already found
 * on a resource of the same instance (the program exported the resource's outputs) is not listed
 * again, so one excess is reported once.
 */
export function findStatistics(resources: readonly ResourceLike[]): StackStatistics {
  const observed: ObservedStatistics[] = [];
  const unknown: string[] = [];
  const add = (found: ObservedStatistics | "unknown" | undefined, where: string) => {
    if (found === "unknown") unknown.push(where);
    else if (found) observed.push(found);
  };

  for (const r of resources) {
    if (!isStatisticsResource(r.type)) continue;
    const where = `resource "${r.name}"`;
    add(parseRecord(r.props, where, r.urn, true), where);
  }

  const recorded = [...observed];
  const fromStack = (found: ObservedStatistics | "unknown" | undefined, where: string) => {
    if (found && found !== "unknown" && recorded.some((r) => repeats(found, r))) return;
    add(found, where);
  };
  for (const stack of resources) {
    if (stack.type !== STACK_TYPE) continue;
    const outputs = stack.props;
    const own = parseRecord(outputs, "stack outputs", stack.urn, false);
    // examples/basic exports the invoke's smartAgId as `instance`; name the instance either way.
    const instance = knownString(outputs, "instance");
    if (own && own !== "unknown" && !own.smartAgId && instance) own.smartAgId = instance;
    fromStack(own, "stack outputs");

    const search = (value: Read, path: string, depth: number): void => {
      // An unknown export may or may not be statistics; it cannot be judged either way.
      if (value === UNKNOWN || depth > MAX_EXPORT_DEPTH) return;
      const where = `stack output "${path}"`;
      if (Array.isArray(value)) {
        let list = parseUserList(value, path, false);
        const perInstance = list.kind !== "list";
        if (perInstance) list = parseUserList(value, path, false, "smartAgId");
        if (list.kind === "list") {
          const found: ObservedStatistics = {
            where,
            urn: stack.urn,
            fromResource: false,
            perInstance,
            userStatistics: list.entries,
            partlyUnknown: list.partlyUnknown,
            unreadableEntries: list.unreadable,
          };
          if (!list.partlyUnknown && list.unreadable.length === 0) {
            found.totalOnlineCount = distinctTotal(list.entries);
          }
          fromStack(found, where);
          return;
        }
        for (let i = 0; i < value.length; i++) {
          search(readKnown(value, i), childPath(path, i), depth + 1);
        }
        return;
      }
      if (!isObject(value)) return;
      const record = parseRecord(value, where, stack.urn, false);
      if (record !== undefined) {
        fromStack(record, where);
        return;
      }
      for (const key of Object.keys(value)) {
        search(readKnown(value, key), childPath(path, key), depth + 1);
      }
    };
    for (const name of Object.keys(outputs)) {
      // The stack's own record holds its list; anything else is searched.
      const ownList = own !== undefined && own !== "unknown" && own.perInstance;
      if (name === (ownList ? "statistics" : "userStatistics") && own !== undefined) continue;
      search(readKnown(outputs, name), name, 1);
    }
  }
  return { observed, unknown };
}

/** The counts of a record, for telling an export that repeats a resource's counts. */
function fingerprint(s: ObservedStatistics): string {
  return JSON.stringify([
    s.perInstance,
    s.userStatistics.map((u) => [u.userName, u.onlineCount]),
    s.totalOnlineCount ?? null,
    s.unreadableEntries,
    s.unreadableTotal ?? null,
  ]);
}

/**
 * True when an export repeats a resource's record: the same counts, and no instance or region
 * that differs. An export may leave out the instance (examples/gate exports only the region and
 * the counts); one that names another instance or region is another instance's statistics, even
 * with the same counts, and is judged on its own.
 */
function repeats(exported: ObservedStatistics, resource: ObservedStatistics): boolean {
  const differs = (a: string | undefined, b: string | undefined) =>
    a !== undefined && b !== undefined && a !== b;
  return (
    !differs(exported.smartAgId, resource.smartAgId) &&
    !differs(exported.regionId, resource.regionId) &&
    fingerprint(exported) === fingerprint(resource)
  );
}
