/**
 * `smartag:index:UserOnlineClientStatistics`: the online-client counts of one SAG APP instance,
 * recorded in the Pulumi state.
 *
 * Without `userNames`, every client account of the instance is counted (listed anew on each query).
 *
 * Nothing exists in the cloud for this resource. Create and Update query the API and record the
 * answer (failing when the optional limits are broken), Read queries again so that
 * `pulumi refresh` records the current counts, and Delete forgets the record without any call.
 *
 * The functions here take property values as they arrive: wire-encoded from the engine (secrets
 * wrapped, unknowns as a sentinel) in the plugin, plain in the SDK's dynamic provider. Both go
 * through `unwrap`, so the plugin and the dynamic form check, diff and record alike.
 */

import { randomUUID } from "node:crypto";
import {
  type CallOptions,
  type SmartagClient,
  SmartagError,
  SmartagValidationError,
  type StatisticsRequest,
  type UserOnlineClientStatistics,
  type UserStatistic,
  type ValidationIssue,
} from "@pulumi-smartag/client";
import {
  checkLimits,
  findLimitViolations,
  formatLimitViolations,
  type LimitViolation,
  maskSecretNames,
  type OnlineLimits,
} from "@pulumi-smartag/limits";
import { isSecret, secret, UNKNOWN, unwrap } from "../values";
import type { DiffKind, DiffOutcome, ResourceHandler } from "./types";

export const token = "smartag:index:UserOnlineClientStatistics";

const REQUEST_KEYS = ["regionId", "smartAgId", "userNames"] as const;
const LIMIT_KEYS = ["maxOnlinePerUser", "maxTotalOnline", "requireNoneOnline"] as const;
/** Every input, in the order diffs and messages list them. */
export const INPUT_KEYS: readonly string[] = [...REQUEST_KEYS, ...LIMIT_KEYS];
/** Outputs computed from the API's answer (the inputs are recorded too). */
export const COMPUTED_KEYS: readonly string[] = [
  "userStatistics",
  "totalOnlineCount",
  "requestIds",
];

/** The resource's inputs, once checked. */
export interface StatisticsInputs extends OnlineLimits {
  regionId?: string;
  smartAgId: string;
  /** Left out: every client account of the instance. */
  userNames?: string[];
}

/** What the state records: the inputs with the region resolved, and the API's answer. */
export interface StatisticsState extends OnlineLimits, UserOnlineClientStatistics {
  userNames?: string[];
}

/**
 * The id names what the record is about; it never changes for a resource (see `diff`). An id
 * cannot be secret (the engine shows it in every listing and keeps it in plain text in the
 * state), so a record whose instance or region is secret gets a random id instead, which says
 * nothing about either.
 */
export function resourceId(regionId: string, smartAgId: string, secretTarget = false): string {
  return secretTarget ? `${SECRET_ID_PREFIX}${randomUUID()}` : `${regionId}/${smartAgId}`;
}

const SECRET_ID_PREFIX = "secret-";

/** Whether the instance or the region is secret in these (wire-encoded) inputs. */
function targetIsSecret(news: unknown): boolean {
  const ins = asRecord(news);
  return isSecret(ins.smartAgId) || isSecret(ins.regionId);
}

/** Limits were given and the counts break them: Create and Update fail with this. */
export class SmartagLimitsError extends SmartagError {
  override readonly name = "SmartagLimitsError";
  readonly violations: readonly LimitViolation[];

  constructor(message: string, violations: readonly LimitViolation[]) {
    super(message, { code: "OnlineLimitsExceeded" });
    this.violations = violations;
  }
}

// --- Check ---------------------------------------------------------------------------------------

/**
 * Every problem with the inputs, without any network call. Values not known until the update
 * (preview) are not judged: only what is known can be wrong.
 */
export function check(client: SmartagClient, news: unknown): ValidationIssue[] {
  const { value } = unwrap(news);
  if (!isRecord(value)) return [{ property: "(inputs)", reason: "must be an object" }];
  const issues: ValidationIssue[] = [];
  const unexpected = Object.keys(value).filter(
    (k) => !INPUT_KEYS.includes(k) && value[k] !== undefined,
  );
  if (unexpected.length > 0) {
    issues.push({
      property: unexpected.join(", "),
      reason: `is not an input of UserOnlineClientStatistics (expected ${INPUT_KEYS.join(", ")})`,
    });
  }
  issues.push(...client.check(pick(value, REQUEST_KEYS)), ...limitIssues(value));
  const unknown = unknownPaths(news);
  return issues.filter((i) => !unknown.some((p) => within(i.property, p)));
}

/** The limit checks of the one judge (@pulumi-smartag/limits), split by property for Check. */
function limitIssues(inputs: Record<string, unknown>): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const key of LIMIT_KEYS) {
    const v = inputs[key];
    if (v === undefined || v === null) continue;
    for (const message of checkLimits({ [key]: v } as OnlineLimits)) {
      // checkLimits says "<key> must be ..."; the failure names the key on its own.
      const reason = message.startsWith(`${key} `) ? message.slice(key.length + 1) : message;
      issues.push({ property: key, reason });
    }
  }
  return issues;
}

/** Paths, in ValidationIssue notation (`userNames[2]`), of values that are unknown. */
export function unknownPaths(value: unknown): string[] {
  const paths: string[] = [];
  const walk = (v: unknown, path: string): void => {
    if (v === UNKNOWN) {
      paths.push(path);
    } else if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) walk(x, `${path}[${i}]`);
    } else if (isRecord(v) && isSecret(v)) {
      walk(v.value, path);
    } else if (isRecord(v)) {
      for (const [k, x] of Object.entries(v)) walk(x, path === "" ? k : `${path}.${k}`);
    }
  };
  walk(value, "");
  return paths;
}

function within(property: string, path: string): boolean {
  return (
    path === "" ||
    property === path ||
    property.startsWith(`${path}.`) ||
    property.startsWith(`${path}[`)
  );
}

// --- Diff ----------------------------------------------------------------------------------------

/**
 * Changed inputs mean an update: the counts are queried again and the limits re-checked.
 *
 * A record about another instance (smartAgId, or the effective region: `regionId`, else the
 * provider's) is a replacement instead, because the id names the instance and Update cannot
 * change an id. Replacing costs nothing: Delete makes no API call, and the new record is
 * created before the old one is forgotten. Counts that changed on refresh are outputs, not
 * inputs, so they never show here.
 *
 * An input that only became secret (or stopped being one) is an update too: with no diff the
 * engine would keep the recorded outputs, which echo that input in plain text. The update
 * records the same counts with the new secrecy. For smartAgId and regionId it is a (free)
 * replacement, because the id shows them only while they are not secret.
 *
 * @param oldState the recorded state (its `regionId` is the resolved region).
 * @param oldInputs the recorded inputs, when the engine sends them; else the state is used.
 * @param defaultRegion the provider's region, which an unset `regionId` stands for.
 */
export function diff(
  oldState: unknown,
  oldInputs: unknown,
  news: unknown,
  defaultRegion: string | undefined,
): DiffOutcome {
  const state = asRecord(unwrap(oldState).value);
  const rawOlds = asRecord(oldInputs === undefined ? oldState : oldInputs);
  const olds = asRecord(unwrap(rawOlds).value);
  const rawNews = asRecord(news);
  const fresh = asRecord(unwrap(news).value);
  const out: DiffOutcome = { diffs: [], replaces: [], kinds: {} };
  const record = (key: string, kind: DiffKind, replace: boolean) => {
    out.diffs.push(key);
    out.kinds[key] = kind;
    if (replace) out.replaces.push(key);
  };
  for (const key of INPUT_KEYS) {
    const unknown = unknownPaths(rawNews[key]).length > 0;
    const secrecyChanged = unwrap(rawOlds[key]).secret !== unwrap(rawNews[key]).secret;
    if (key === "regionId") {
      // Compare where the query goes, not how it was spelt: setting regionId to the provider's
      // region changes nothing, while a new provider region moves an unset one.
      const before = str(state.regionId) ?? str(olds.regionId);
      const after = str(fresh.regionId) ?? defaultRegion;
      if (unknown || before === undefined || after !== before) {
        record(key, olds.regionId === undefined ? "add" : "update", true);
      } else if (secrecyChanged) {
        // The id shows the region only while it is not secret: a new id takes a replacement.
        record(key, olds.regionId === undefined ? "add" : "update", true);
      }
      continue;
    }
    const before = olds[key];
    const after = fresh[key];
    if (!unknown && sameValue(before, after)) {
      // Likewise for the instance, which the id names; other inputs update in place.
      if (secrecyChanged) record(key, "update", key === "smartAgId");
      continue;
    }
    const kind: DiffKind =
      before === undefined ? "add" : after === undefined && !unknown ? "delete" : "update";
    record(key, kind, key === "smartAgId");
  }
  return out;
}

// --- Create, Read, Update ------------------------------------------------------------------------

export interface RecordOptions extends CallOptions {
  /**
   * Write `[secret]` for names in a limits message: the inputs were secret, and an error
   * message is shown and logged in clear.
   */
  maskNames?: boolean;
}

/**
 * Queries the counts and records them; fails when limits are given and broken.
 * @throws SmartagValidationError for bad inputs, before any request.
 * @throws SmartagLimitsError naming every offending user with count and limit.
 * @throws SmartagApiError (and the client's other errors) when the API cannot answer.
 */
export async function create(
  client: SmartagClient,
  news: unknown,
  options: RecordOptions = {},
): Promise<{ id: string; state: StatisticsState }> {
  const inputs = parseInputs(client, news);
  const stats = await client.describeUserOnlineClientStatistics(requestOf(inputs), options);
  enforceLimits(stats, inputs, options.maskNames === true);
  return {
    id: resourceId(stats.regionId, stats.smartAgId, targetIsSecret(news)),
    state: stateOf(inputs, stats),
  };
}

/** Like `create`: changed inputs are queried and judged anew. */
export async function update(
  client: SmartagClient,
  news: unknown,
  options: RecordOptions = {},
): Promise<{ state: StatisticsState }> {
  const { state } = await create(client, news, options);
  return { state };
}

/**
 * Queries the recorded instance again (`pulumi refresh`). Limits are not enforced: a refresh
 * records what is, and the next Create or Update judges it.
 *
 * When the counts are what the state already holds, the recorded `requestIds` are kept, so a
 * refresh that finds nothing new leaves the state unchanged instead of reporting an update of
 * every statistics resource each time.
 *
 * @param inputs the recorded inputs; empty for `pulumi import` and `Resource.get`, when the
 *   state says which instance and which users (none listed: every account).
 * @returns undefined when the instance no longer exists (the record is gone with it).
 */
export async function read(
  client: SmartagClient,
  id: string,
  inputs: unknown,
  oldState: unknown,
  options: CallOptions = {},
): Promise<{ id: string; state: StatisticsState } | undefined> {
  const ins = asRecord(unwrap(inputs).value);
  const old = asRecord(unwrap(oldState).value);
  const source = ins.smartAgId !== undefined ? ins : old;
  const fromId = parseId(id);
  // The recorded region is the one the record is about, even if the provider's changed since.
  const regionId = str(old.regionId) ?? str(ins.regionId) ?? fromId?.regionId;
  const smartAgId = str(source.smartAgId);
  if (smartAgId === undefined) {
    throw new SmartagError(
      "UserOnlineClientStatistics cannot be read from its id alone: it records counts and " +
        "limits that have no counterpart in the cloud to import; declare it in the program " +
        "with smartAgId (and userNames, or none for every account) instead",
      { code: "InvalidInput" },
    );
  }
  const request = {
    ...(regionId === undefined ? {} : { regionId }),
    smartAgId,
    ...(source.userNames === undefined || source.userNames === null
      ? {}
      : { userNames: source.userNames }),
  };
  const limits = pick(source, LIMIT_KEYS);
  const inputsNow = parseInputs(client, { ...limits, ...request });
  let stats: UserOnlineClientStatistics;
  try {
    stats = await client.describeUserOnlineClientStatistics(requestOf(inputsNow), options);
  } catch (e) {
    if (SmartagError.isInstance(e) && e.code === "SAG.InstanceNoFound") return undefined;
    throw e;
  }
  const state = stateOf(inputsNow, stats);
  if (
    Array.isArray(old.requestIds) &&
    sameValue(old.userStatistics, state.userStatistics) &&
    old.totalOnlineCount === state.totalOnlineCount
  ) {
    state.requestIds = old.requestIds as string[];
  }
  // A random id (secret instance or region) stays; any other id is what the record is about.
  const keptId = id.startsWith(SECRET_ID_PREFIX) ? id : undefined;
  return { id: keptId ?? resourceId(stats.regionId, stats.smartAgId), state };
}

/** Checked inputs, or a validation error listing every problem. */
function parseInputs(client: SmartagClient, news: unknown): StatisticsInputs {
  const { value, unknown } = unwrap(news);
  const issues = check(client, value);
  if (unknown) issues.push({ property: "(inputs)", reason: "are not known yet" });
  if (issues.length > 0) throw new SmartagValidationError(issues);
  return value as StatisticsInputs;
}

function requestOf(inputs: StatisticsInputs): StatisticsRequest {
  return pick(inputs, REQUEST_KEYS) as StatisticsRequest;
}

function stateOf(inputs: StatisticsInputs, stats: UserOnlineClientStatistics): StatisticsState {
  return {
    ...pick(inputs, LIMIT_KEYS),
    regionId: stats.regionId,
    smartAgId: stats.smartAgId,
    ...(inputs.userNames ? { userNames: [...inputs.userNames] } : {}),
    userStatistics: stats.userStatistics.map((s: UserStatistic) => ({ ...s })),
    totalOnlineCount: stats.totalOnlineCount,
    requestIds: [...stats.requestIds],
  };
}

function enforceLimits(
  stats: UserOnlineClientStatistics,
  limits: OnlineLimits,
  maskNames: boolean,
): void {
  const violations = findLimitViolations(stats, pick(limits, LIMIT_KEYS) as OnlineLimits);
  if (violations.length === 0) return;
  const { stats: shown, violations: listed } = maskNames
    ? maskSecretNames(stats, violations)
    : { stats, violations };
  throw new SmartagLimitsError(formatLimitViolations(shown, listed), listed);
}

// --- wire encoding ---------------------------------------------------------------------------------

/**
 * The state as the engine should record it. The plugin accepts secrets, so the engine leaves
 * marking outputs secret to it: an input that was secret stays secret where it is echoed, and
 * when any input was secret, every computed output is too (as the invoke's Output form does).
 * Absent optional inputs are left out (a Struct cannot hold undefined).
 */
export function toWire(state: StatisticsState, rawInputs: unknown): Record<string, unknown> {
  const raw = asRecord(rawInputs);
  const anySecret = unwrap(rawInputs).secret;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(state)) {
    if (value === undefined) continue;
    const secretHere = INPUT_KEYS.includes(key) ? unwrap(raw[key]).secret : anySecret;
    out[key] = secretHere ? secret(value) : value;
  }
  return out;
}

/**
 * What a preview shows for a record about to be created or updated: the inputs as given
 * (unknowns and secrets kept as the engine sent them), the region when it is known, and the
 * counts unknown. Previews make no API call.
 */
export function previewState(
  news: unknown,
  defaultRegion: string | undefined,
): Record<string, unknown> {
  const raw = asRecord(news);
  const out: Record<string, unknown> = {};
  for (const key of INPUT_KEYS) if (raw[key] !== undefined) out[key] = raw[key];
  out.regionId = raw.regionId ?? defaultRegion ?? UNKNOWN;
  for (const key of COMPUTED_KEYS) out[key] = UNKNOWN;
  return out;
}

// --- helpers -------------------------------------------------------------------------------------

function parseId(id: string): { regionId: string; smartAgId: string } | undefined {
  const match = /^([^/]+)\/([^/]+)$/.exec(id);
  return match?.[1] && match[2] ? { regionId: match[1], smartAgId: match[2] } : undefined;
}

function pick(from: object, keys: readonly string[]): Record<string, unknown> {
  const src = from as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of keys) if (src[k] !== undefined && src[k] !== null) out[k] = src[k];
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function asRecord(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

/** Deep equality of JSON values; key order does not count (a Struct's fields come sorted). */
function sameValue(a: unknown, b: unknown): boolean {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : isRecord(v)
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical(v[k])]),
          )
        : v;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

// --- the plugin's handler --------------------------------------------------------------------------

/** The plugin's view: wire-encoded values both ways, and limits messages masked for secrets. */
export const handler: ResourceHandler = {
  check,
  diff,
  preview: previewState,
  async create(client, news, options) {
    const maskNames = unwrap(news).secret;
    const { id, state } = await create(client, news, { ...options, maskNames });
    return { id, properties: toWire(state, news) };
  },
  async read(client, id, inputs, state, options) {
    const found = await read(client, id, inputs, state, options);
    if (!found) return undefined;
    // `pulumi import` and `get` send no inputs: the state's own inputs stand for them.
    const recorded = asRecord(unwrap(inputs).value).smartAgId !== undefined ? inputs : state;
    const properties = toWire(found.state, recorded);
    const ins = Object.fromEntries(
      Object.entries(asRecord(recorded)).filter(([k]) => INPUT_KEYS.includes(k)),
    );
    return { id: found.id, properties, inputs: ins };
  },
  async update(client, _id, news, options) {
    const maskNames = unwrap(news).secret;
    const { state } = await update(client, news, { ...options, maskNames });
    return { properties: toWire(state, news) };
  },
  // The record lives only in the state: forgetting it is all there is to do.
  async delete() {},
};
