/**
 * The Smartag API client for the online-client reads. It knows nothing of Pulumi:
 * the provider plugin, the CLI, the benchmarks and the tests all use it directly.
 *
 * Requests are signed POSTs sent by transport.ts, which owns each request's deadline and size cap.
 */
import type * as http from "node:http";
import type { z } from "zod";
import { type CredentialsSource, credentialsSourceFor } from "./credentials";
import {
  SmartagApiError,
  SmartagError,
  SmartagResponseError,
  SmartagValidationError,
  type ValidationIssue,
} from "./errors";
import { endpointFor, type ResolvedSettings } from "./options";
import { RateLimiter } from "./rateLimiter";
import { Redactor } from "./redact";
import { Deadline, withRetry } from "./retry";
import {
  checkSagStatisticsRequest,
  checkStatisticsRequest,
  MAX_NAMES_PER_REQUEST,
  type SagStatisticsRequest,
  type StatisticsRequest,
  sagStatisticsResponseSchema,
  statisticsResponseSchema,
} from "./schemas";
import { agentFor, exchange } from "./transport";

export { API_VERSION } from "./transport";
export const ACTION = "DescribeUserOnlineClientStatistics";
export const SAG_ACTION = "DescribeSagOnlineClientStatistics";
/** The API's answer for an instance id it does not know. */
export const UNKNOWN_SAG_CODE = "InvalidId.SMARTAG";

/** Online clients of one client account. */
export interface UserStatistic {
  userName: string;
  /** Clients of this account connected through the instance right now. */
  onlineCount: number;
}

/** The answer to one call, however many API requests it took. */
export interface UserOnlineClientStatistics {
  regionId: string;
  smartAgId: string;
  /** One entry per requested name, in request order (a repeated name is answered each time). */
  userStatistics: UserStatistic[];
  /** Sum over distinct users: a name listed twice is counted once. */
  totalOnlineCount: number;
  /** The RequestId of every API request that answered, in batch order. */
  requestIds: string[];
}

/** Online clients of one SAG APP instance. */
export interface SagStatistic {
  smartAgId: string;
  /** Clients connected through the instance right now, over all its accounts. */
  onlineCount: number;
}

/** The answer to getSagOnlineClientStatistics, however many API requests it took. */
export interface SagOnlineClientStatistics {
  regionId: string;
  /** One entry per requested id, in request order (a repeated id is answered each time). */
  statistics: SagStatistic[];
  /** Sum over distinct instances: an id listed twice is counted once. */
  totalOnlineCount: number;
  /** The RequestId of every API request that answered, in batch order. */
  requestIds: string[];
}

/** What the client reports as it works; never carries a credential. */
export type ClientEvent =
  /** `names`: the names, or instance ids, this request asks about. */
  | { type: "request"; regionId: string; batch: number; attempt: number; names: number }
  | { type: "response"; batch: number; requestId: string; elapsedMs: number }
  | { type: "retry"; batch: number; attempt: number; delayMs: number; code: string };

export interface ClientDeps {
  /** Overrides the credential source derived from the settings. */
  credentials?: CredentialsSource;
  onEvent?: (event: ClientEvent) => void;
  /** Jitter source; tests make it deterministic. */
  random?: () => number;
}

export interface CallOptions {
  /** Ends the call: requests in flight are destroyed, no further attempt or batch starts. */
  signal?: AbortSignal;
}

export class SmartagClient {
  readonly settings: ResolvedSettings;
  /** Knows every credential this client has used; the plugin's last pass uses it too. */
  readonly redactor = new Redactor();
  private readonly credentials: CredentialsSource;
  private readonly agents = new Map<string, http.Agent>();
  private readonly deps: ClientDeps;
  private readonly limiter: RateLimiter;
  /** Answers of recent calls by their arguments; a pending call is shared, not repeated. */
  private readonly cache = new Map<string, CacheEntry>();

  constructor(settings: ResolvedSettings, deps: ClientDeps = {}) {
    this.settings = settings;
    this.deps = deps;
    this.limiter = new RateLimiter(settings.maxRequestsPerSecond);
    this.credentials = deps.credentials ?? credentialsSourceFor(settings, this.redactor);
    this.redactor.add(settings.secretKey, settings.securityToken);
  }

  /**
   * Problems with a request, checked without any network call: the argument rules, plus a
   * region from the request or the client's settings.
   */
  check(request: unknown, rules = checkStatisticsRequest): ValidationIssue[] {
    const issues = rules(request);
    const hasRegion =
      typeof request === "object" &&
      request !== null &&
      (request as { regionId?: unknown }).regionId !== undefined;
    if (!hasRegion && this.settings.region === undefined) {
      issues.push({
        property: "regionId",
        reason: "is required when the provider has no region (set regionId or smartag:region)",
      });
    }
    return issues;
  }

  /**
   * Online-client counts for each username on one SAG APP instance. Names are deduplicated,
   * split into requests of 50, sent with bounded concurrency, and answered in request order.
   * The call succeeds whole or fails whole: never a partial or guessed answer.
   * @throws SmartagValidationError before any request when the input is bad.
   * @throws SmartagApiError, SmartagTimeoutError, SmartagNetworkError, SmartagResponseError,
   *   SmartagDeadlineError when the API cannot answer.
   */
  async describeUserOnlineClientStatistics(
    request: StatisticsRequest,
    options: CallOptions = {},
  ): Promise<UserOnlineClientStatistics> {
    const issues = this.check(request);
    if (issues.length > 0) throw new SmartagValidationError(issues);
    // The answer is built after the requests; a caller changing its array meanwhile must not
    // change what was asked, or leave a name without its count.
    request = { ...request, userNames: [...request.userNames] };
    const regionId = (request.regionId ?? this.settings.region) as string;
    const key = JSON.stringify([ACTION, regionId, request.smartAgId, request.userNames]);
    return this.shared(key, options, (o) => this.query(regionId, request, o));
  }

  /**
   * Runs `call`, or joins the same call (by `key`) made within the cache TTL. The same function
   * is often invoked twice in one program (a gate and an export); the second call reuses the
   * first answer instead of asking the API again. Each caller gets its own copy.
   */
  private async shared<T>(
    key: string,
    options: CallOptions,
    call: (options: CallOptions) => Promise<T>,
  ): Promise<T> {
    const ttl = this.settings.cacheTtlMs;
    if (ttl <= 0) return call(options);
    const now = Date.now();
    for (const [k, v] of this.cache) if (now - v.at >= ttl) this.cache.delete(k);
    let entry = this.cache.get(key);
    if (!entry) {
      // A shared call belongs to no one caller: it has its own signal, aborted only when every
      // caller waiting for it has given up (see waitFor).
      const controller = new AbortController();
      const answer: Promise<unknown> = call({ ...options, signal: controller.signal });
      const stored: CacheEntry = { key, at: now, answer, controller, waiters: 0, settled: false };
      answer.then(
        () => {
          stored.settled = true;
        },
        () => {
          stored.settled = true;
          this.forget(stored);
        },
      );
      this.cache.set(key, stored);
      entry = stored;
    }
    return structuredClone((await this.waitFor(entry, options.signal)) as T);
  }

  /** Removes a cache entry, unless a newer one has taken its key. */
  private forget(entry: CacheEntry): void {
    if (this.cache.get(entry.key) === entry) this.cache.delete(entry.key);
  }

  /**
   * One caller's wait for a shared answer. A caller cancelled while others still wait leaves at
   * once and the call goes on for them; the last one to leave cancels the call itself and, like
   * an unshared call, returns only once its requests have settled.
   */
  private async waitFor(entry: CacheEntry, signal: AbortSignal | undefined): Promise<unknown> {
    if (entry.settled) return entry.answer;
    entry.waiters++;
    if (!signal) {
      // A caller that cannot cancel keeps the call alive until it is answered.
      try {
        return await entry.answer;
      } finally {
        entry.waiters--;
      }
    }
    let onAbort: (() => void) | undefined;
    const cancelled = new Promise<"cancelled">((resolve) => {
      onAbort = () => resolve("cancelled");
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      const first = await Promise.race([entry.answer, cancelled]);
      if (first !== "cancelled") return first;
    } catch (e) {
      if (!signal.aborted) throw e;
    } finally {
      entry.waiters--;
      if (onAbort) signal.removeEventListener("abort", onAbort);
    }
    if (entry.waiters === 0 && !entry.settled) {
      this.forget(entry);
      entry.controller.abort();
      await entry.answer.catch(() => undefined);
    }
    throw new SmartagError("the call was cancelled", { code: "Cancelled" });
  }

  private async query(
    regionId: string,
    request: StatisticsRequest,
    options: CallOptions,
  ): Promise<UserOnlineClientStatistics> {
    const { smartAgId, userNames } = request;
    const { requestIds, counts } = await this.inBatches(userNames, options, (names, at) => {
      const params = { RegionId: regionId, SmartAGId: smartAgId, UserNames: names };
      return this.send(regionId, ACTION, params, at).then((json) => parseUserBatch(json, names));
    });
    return {
      regionId,
      smartAgId,
      userStatistics: userNames.map((userName) => ({
        userName,
        onlineCount: counts.get(userName) as number,
      })),
      totalOnlineCount: sum(counts),
      requestIds,
    };
  }

  /**
   * Online-client counts for each SAG APP instance, summed over its accounts. Ids are
   * deduplicated, sent 50 to a request under one deadline, and answered in request order.
   * An id the API does not know fails the whole call with `InvalidId.SMARTAG`, naming it.
   * @throws SmartagValidationError before any request when the input is bad.
   * @throws SmartagApiError and the other SmartagErrors when the API cannot answer.
   */
  async describeSagOnlineClientStatistics(
    request: SagStatisticsRequest,
    options: CallOptions = {},
  ): Promise<SagOnlineClientStatistics> {
    const issues = this.check(request, checkSagStatisticsRequest);
    if (issues.length > 0) throw new SmartagValidationError(issues);
    const smartAgIds = [...request.smartAgIds];
    const regionId = (request.regionId ?? this.settings.region) as string;
    const key = JSON.stringify([SAG_ACTION, regionId, smartAgIds]);
    return this.shared(key, options, (o) => this.querySags(regionId, smartAgIds, o));
  }

  private async querySags(
    regionId: string,
    smartAgIds: string[],
    options: CallOptions,
  ): Promise<SagOnlineClientStatistics> {
    const { requestIds, counts } = await this.inBatches(smartAgIds, options, (ids, at) =>
      this.sagBatch(regionId, ids, at),
    );
    return {
      regionId,
      statistics: smartAgIds.map((smartAgId) => ({
        smartAgId,
        onlineCount: counts.get(smartAgId) as number,
      })),
      totalOnlineCount: sum(counts),
      requestIds,
    };
  }

  /**
   * One request of instance ids. The API does not say which id it does not know; when a
   * request of several fails so, each id is asked alone until the unknown one is found.
   */
  private async sagBatch(regionId: string, ids: string[], at: SendAt): Promise<ParsedBatch> {
    const ask = (some: string[]) =>
      this.send(regionId, SAG_ACTION, { RegionId: regionId, SmartAGIds: some }, at).then((json) =>
        parseBatch(json, some, "ids", sagStatisticsResponseSchema, (d) =>
          d.SagStatistics.Statistics.map((s) => [s.SmartAGId, s.OnlineCount]),
        ),
      );
    try {
      return await ask(ids);
    } catch (e) {
      if (!(e instanceof SmartagApiError) || e.code !== UNKNOWN_SAG_CODE) throw e;
      if (ids.length === 1) throw namingId(e, ids[0] as string);
      for (const id of ids) {
        try {
          await ask([id]);
        } catch (alone) {
          if (alone instanceof SmartagApiError && alone.code === UNKNOWN_SAG_CODE) {
            throw namingId(alone, id);
          }
          throw alone;
        }
      }
      throw e; // every id answered alone: the instance appeared meanwhile; report what was seen
    }
  }

  /**
   * Runs `work` over the distinct `items`, 50 to a request, with the client's concurrency and
   * one deadline for the whole call; merges the counts each request answered.
   */
  private async inBatches(
    items: readonly string[],
    options: CallOptions,
    work: (batch: string[], at: SendAt) => Promise<ParsedBatch>,
  ): Promise<{ requestIds: string[]; counts: Map<string, number> }> {
    const unique = [...new Set(items)];
    const batches: string[][] = [];
    for (let i = 0; i < unique.length; i += MAX_NAMES_PER_REQUEST) {
      batches.push(unique.slice(i, i + MAX_NAMES_PER_REQUEST));
    }
    const deadline = new Deadline(this.settings.deadlineMs);
    const { signal } = options;
    const answers = await runPool(batches, this.settings.concurrency, signal, (b, batch) =>
      work(b, { batch, deadline, signal }),
    );
    const counts = new Map<string, number>();
    for (const a of answers) for (const [key, n] of a.counts) counts.set(key, n);
    return { requestIds: answers.map((a) => a.requestId), counts };
  }

  private async send(
    regionId: string,
    action: string,
    params: Record<string, unknown>,
    { batch, deadline, signal }: SendAt,
  ): Promise<unknown> {
    const endpoint = endpointFor(this.settings, regionId);
    const agent = this.agents.get(endpoint) ?? agentFor(endpoint);
    this.agents.set(endpoint, agent);
    const list = params.UserNames ?? params.SmartAGIds;
    const names = Array.isArray(list) ? list.length : 0;
    const { onEvent } = this.deps;
    const { connectTimeoutMs, readTimeoutMs, maxResponseBytes } = this.settings;
    return withRetry(
      async (attempt) => {
        // Waiting for the rate limiter uses part of the time left; a turn that would come
        // after the deadline is refused rather than spent on a request doomed to time out.
        await this.limiter.acquire(signal, deadline);
        const credentials = await this.credentials.getCredentials();
        // Keys from a chain are only known once fetched: register them for redaction then.
        this.redactor.add(credentials.accessKeySecret, credentials.securityToken);
        onEvent?.({ type: "request", regionId, batch, attempt, names });
        const started = Date.now();
        const body = await exchange({
          endpoint,
          action,
          params,
          credentials,
          agent,
          connectTimeoutMs,
          readTimeoutMs,
          totalMs: Math.max(1, deadline.remaining()),
          maxResponseBytes,
          redactor: this.redactor,
          signal,
        });
        const requestId = (body as { RequestId?: unknown })?.RequestId;
        if (typeof requestId === "string") {
          onEvent?.({ type: "response", batch, requestId, elapsedMs: Date.now() - started });
        }
        return body;
      },
      this.settings,
      deadline,
      {
        signal,
        ...(this.deps.random ? { random: this.deps.random } : {}),
        onRetry: ({ attempt, delayMs, error }) =>
          onEvent?.({ type: "retry", batch, attempt, delayMs, code: error.code }),
      },
    );
  }
}

/** A call whose answer callers share: pending, or answered within the TTL. */
interface CacheEntry {
  key: string;
  at: number;
  answer: Promise<unknown>;
  /** Aborts the shared call; used when its last waiting caller is cancelled. */
  controller: AbortController;
  /** Callers waiting for the answer now. */
  waiters: number;
  settled: boolean;
}

/** Where a request stands in its call. */
interface SendAt {
  batch: number;
  deadline: Deadline;
  signal: AbortSignal | undefined;
}

interface ParsedBatch {
  requestId: string;
  counts: Map<string, number>;
}

function parseUserBatch(json: unknown, names: readonly string[]): ParsedBatch {
  return parseBatch(json, names, "names", statisticsResponseSchema, (d) =>
    d.UserStatistics.Statistics.map((s) => [s.UserName, s.OnlineCount]),
  );
}

/**
 * Checks one answer against what was asked: every key (a name or an id) once, nothing else,
 * counts sane. `entries` picks the (key, count) pairs out of the parsed answer.
 */
function parseBatch<T extends { RequestId: string }>(
  json: unknown,
  asked: readonly string[],
  noun: string,
  schema: z.ZodType<T>,
  entries: (data: T) => Array<[string, number]>,
): ParsedBatch {
  const parsed = schema.safeParse(json);
  const requestId =
    typeof (json as { RequestId?: unknown })?.RequestId === "string"
      ? (json as { RequestId: string }).RequestId
      : undefined;
  if (json === null) {
    throw new SmartagResponseError(
      "the endpoint answered with JSON null instead of an object (a gateway or proxy in the way?)",
      { code: "InvalidResponse.Shape", retryable: false },
    );
  }
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => i.path.join(".") || "(body)").join(", ");
    throw new SmartagResponseError(
      `the API answered in an unexpected shape (at ${where})${requestId ? ` (RequestId: ${requestId})` : ""}`,
      { code: "InvalidResponse.Shape", retryable: false, requestId },
    );
  }
  const wanted = new Set(asked);
  const counts = new Map<string, number>();
  const unexpected: string[] = [];
  const twice: string[] = [];
  for (const [key, count] of entries(parsed.data)) {
    if (!wanted.has(key)) unexpected.push(key);
    else if (counts.has(key)) twice.push(key);
    else counts.set(key, count);
  }
  const missing = asked.filter((n) => !counts.has(n));
  if (missing.length > 0 || unexpected.length > 0 || twice.length > 0) {
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`no count for ${listSome(missing)}`);
    if (unexpected.length > 0) parts.push(`counts for ${noun} not asked: ${listSome(unexpected)}`);
    // Which of two counts is right cannot be known; taking either would be a guess.
    if (twice.length > 0) parts.push(`more than one count for ${listSome(twice)}`);
    throw new SmartagResponseError(
      `the API's answer does not match the request: ${parts.join("; ")} (RequestId: ${parsed.data.RequestId})`,
      { code: "InvalidResponse.Mismatch", retryable: false, requestId: parsed.data.RequestId },
    );
  }
  return { requestId: parsed.data.RequestId, counts };
}

/** The API's error for an unknown instance, with the id it was about. */
function namingId(e: SmartagApiError, smartAgId: string): SmartagApiError {
  return new SmartagApiError({
    code: e.code,
    apiMessage: e.apiMessage,
    about: `smartAgId ${smartAgId}`,
    requestId: e.requestId,
    httpStatus: e.httpStatus,
    hostId: e.hostId,
    recommend: e.recommend,
  });
}

function sum(counts: Map<string, number>): number {
  return [...counts.values()].reduce((total, n) => total + n, 0);
}

function listSome(names: string[]): string {
  const shown = names.slice(0, 5).join(", ");
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

/**
 * Runs `work` over `items` with at most `limit` in flight. The first failure stops new work
 * and is rethrown once everything in flight has settled, so no request outlives the call.
 */
async function runPool<T, R>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal | undefined,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length && !signal?.aborted) {
      const i = next++;
      try {
        results[i] = await work(items[i] as T, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
  if (signal?.aborted) {
    throw new SmartagError("the call was cancelled", { code: "Cancelled" });
  }
  return results;
}
