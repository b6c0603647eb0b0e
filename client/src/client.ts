/**
 * The Smartag API client for the online-client reads. It knows nothing of Pulumi:
 * the provider plugin, the CLI, the benchmarks and the tests all use it directly.
 *
 * Requests are signed POSTs sent by transport.ts, which owns each request's deadline and size cap.
 */
import type * as http from "node:http";
import type { z } from "zod";
import { type CredentialsSource, credentialsSourceFor } from "./credentials";
import { regionEndpointIssue } from "./endpoints";
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
  CLIENT_USERS_PAGE_SIZE,
  type ClientUsersRequest,
  checkClientUsersRequest,
  checkSagStatisticsRequest,
  checkStatisticsRequest,
  checkUserOnlineClientsRequest,
  clientUsersResponseSchema,
  MAX_CLIENT_USERS,
  MAX_NAMES_PER_REQUEST,
  type SagStatisticsRequest,
  type StatisticsRequest,
  sagStatisticsResponseSchema,
  statisticsResponseSchema,
  type UserOnlineClientsRequest,
  userOnlineClientsResponseSchema,
} from "./schemas";
import { agentFor, exchange } from "./transport";

export { API_VERSION } from "./transport";
export const ACTION = "DescribeUserOnlineClientStatistics";
export const SAG_ACTION = "DescribeSagOnlineClientStatistics";
export const CLIENT_USERS_ACTION = "DescribeSmartAccessGatewayClientUsers";
export const ONLINE_CLIENTS_ACTION = "DescribeUserOnlineClients";
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

/** One client account of a SAG APP instance. */
export interface ClientUser {
  userName: string;
  /** Empty when the API gives none. */
  userMail: string;
  /** The private IP address assigned to the account; empty when the API gives none. */
  clientIp: string;
  /** In Kbps. */
  bandwidth: number;
  /** In Kbps. */
  accelerateBandwidth: number;
  /** The API's `State` 0; a disabled account (1) cannot connect. */
  enabled: boolean;
  isStaticIp: boolean;
}

/** The answer to describeSmartAccessGatewayClientUsers: every page, read under one deadline. */
export interface ClientUsers {
  regionId: string;
  smartAgId: string;
  /** In the API's order. */
  users: ClientUser[];
  /** The API's `TotalCount`, the same on every page; equals `users.length`. */
  totalCount: number;
  /** The RequestId of every page, in page order. */
  requestIds: string[];
}

/** One device connected through an account. */
export interface OnlineClient {
  clientIp: string;
  /** When it came online, in Unix seconds. */
  onlineTime: number;
  /** `onlineTime` in ISO-8601, UTC. */
  onlineSince: string;
}

/** The answer to describeUserOnlineClients. */
export interface UserOnlineClients {
  regionId: string;
  smartAgId: string;
  userName: string;
  /** In the API's order. */
  clients: OnlineClient[];
  requestIds: string[];
}

/**
 * Which request an event is about: its action and region, its batch (from 0) of `batches` in
 * the call (absent when the call does not know its count ahead), and its attempt (from 1).
 */
export interface RequestAt {
  action: string;
  regionId: string;
  batch: number;
  batches?: number;
  attempt: number;
}

/** What the client reports as it works; never carries a credential. */
export type ClientEvent =
  /** `names`: the names, or instance ids, this request asks about. */
  | ({ type: "request"; names: number } & RequestAt)
  | ({ type: "response"; requestId: string; elapsedMs: number } & RequestAt)
  /** An attempt that failed, whether or not it is retried (a `retry` event follows if it is). */
  | ({
      type: "failure";
      code: string;
      httpStatus?: number;
      requestId?: string;
      elapsedMs: number;
    } & RequestAt)
  | ({ type: "retry"; delayMs: number; code: string } & RequestAt);

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
    const regionId = (request as { regionId?: unknown } | null)?.regionId;
    if (this.settings.endpoint === undefined && typeof regionId === "string") {
      const issue = regionEndpointIssue(regionId, this.settings.endpointType);
      if (issue && !issues.some((i) => i.property === "regionId")) issues.push(issue);
    }
    return issues;
  }

  /**
   * Online-client counts for each username on one SAG APP instance. Names are deduplicated,
   * split into requests of 50, sent with bounded concurrency, and answered in request order.
   * Without `userNames`, every client account of the instance is listed first (in the API's
   * order) and counted; the listing's RequestIds come first in `requestIds`.
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
    if (request.userNames) request = { ...request, userNames: [...request.userNames] };
    const regionId = (request.regionId ?? this.settings.region) as string;
    const key = JSON.stringify([ACTION, regionId, request.smartAgId, request.userNames ?? null]);
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
    const { smartAgId } = request;
    const deadline = new Deadline(this.settings.deadlineMs);
    const listing =
      request.userNames === undefined
        ? await this.listUsers(regionId, { smartAgId }, options, deadline)
        : undefined;
    const userNames = request.userNames ?? (listing as ClientUsers).users.map((u) => u.userName);
    const batches = await this.inBatches(
      userNames,
      options,
      (names, at) => {
        const params = { RegionId: regionId, SmartAGId: smartAgId, UserNames: names };
        return this.send(regionId, ACTION, params, at).then((json) => parseUserBatch(json, names));
      },
      deadline,
    );
    const { counts } = batches;
    const requestIds = [...(listing?.requestIds ?? []), ...batches.requestIds];
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
   * Every client account of one SAG APP instance, or those matching `userName` and `userMail`
   * (the API's filters). Pages of CLIENT_USERS_PAGE_SIZE are read under one deadline: page 1
   * says how many there are, the rest are read with the client's concurrency.
   * The call fails whole when `TotalCount` changes between pages (retryable), when it is over
   * MAX_CLIENT_USERS, or when a page does not hold what the total promises.
   * @throws SmartagValidationError before any request when the input is bad.
   * @throws SmartagApiError and the other SmartagErrors when the API cannot answer.
   */
  async describeSmartAccessGatewayClientUsers(
    request: ClientUsersRequest,
    options: CallOptions = {},
  ): Promise<ClientUsers> {
    const issues = this.check(request, checkClientUsersRequest);
    if (issues.length > 0) throw new SmartagValidationError(issues);
    const { smartAgId, userName, userMail } = request;
    const regionId = (request.regionId ?? this.settings.region) as string;
    const key = JSON.stringify([CLIENT_USERS_ACTION, regionId, smartAgId, userName, userMail]);
    const asked = { smartAgId, userName, userMail };
    return this.shared(key, options, (o) =>
      this.listUsers(regionId, asked, o, new Deadline(this.settings.deadlineMs)),
    );
  }

  private async listUsers(
    regionId: string,
    { smartAgId, userName, userMail }: ClientUsersRequest,
    options: CallOptions,
    deadline: Deadline,
  ): Promise<ClientUsers> {
    const { signal } = options;
    const params = {
      RegionId: regionId,
      SmartAGId: smartAgId,
      UserName: userName,
      UserMail: userMail,
    };
    // How many pages there are is known once page 1 has answered.
    const page = (n: number, batches?: number) =>
      this.send(
        regionId,
        CLIENT_USERS_ACTION,
        { ...params, PageNumber: n, PageSize: CLIENT_USERS_PAGE_SIZE },
        { batch: n - 1, ...(batches ? { batches } : {}), deadline, signal },
      ).then((json) => parseShape(json, clientUsersResponseSchema));
    const first = await page(1);
    const totalCount = first.TotalCount;
    if (totalCount > MAX_CLIENT_USERS) {
      throw new SmartagError(
        `SAG instance ${smartAgId} has ${totalCount} client accounts; one call reads at most ${MAX_CLIENT_USERS} (RequestId: ${first.RequestId})`,
        { code: "TooManyClientUsers", requestId: first.RequestId },
      );
    }
    const pageCount = Math.max(1, Math.ceil(totalCount / CLIENT_USERS_PAGE_SIZE));
    const later = Array.from({ length: pageCount - 1 }, (_, i) => i + 2);
    const rest = await runPool(later, this.settings.concurrency, signal, async (n) => {
      const answer = await page(n, pageCount);
      if (answer.TotalCount !== totalCount) {
        // Accounts were added or removed meanwhile: the pages no longer line up.
        throw new SmartagResponseError(
          `the client accounts of ${smartAgId} changed while they were read: TotalCount was ${totalCount} on page 1 and ${answer.TotalCount} on page ${n}; try again (RequestIds: ${first.RequestId}, ${answer.RequestId})`,
          {
            code: "InconsistentResponse.TotalCountChanged",
            retryable: true,
            requestId: answer.RequestId,
          },
        );
      }
      return answer;
    });
    const pages = [first, ...rest];
    const users: ClientUser[] = [];
    const pageOf = new Map<string, number>();
    for (const [i, p] of pages.entries()) {
      const expected = Math.min(CLIENT_USERS_PAGE_SIZE, totalCount - i * CLIENT_USERS_PAGE_SIZE);
      if (p.Users.User.length !== expected) {
        throw new SmartagResponseError(
          `page ${i + 1} of the client accounts of ${smartAgId} holds ${p.Users.User.length} accounts where TotalCount ${totalCount} and PageSize ${CLIENT_USERS_PAGE_SIZE} promise ${expected} (RequestId: ${p.RequestId})`,
          { code: "InvalidResponse.Mismatch", retryable: false, requestId: p.RequestId },
        );
      }
      for (const u of p.Users.User) {
        const seen = pageOf.get(u.UserName);
        if (seen !== undefined) {
          // Most likely accounts moved between pages as others were added and removed.
          throw new SmartagResponseError(
            `client account ${u.UserName} of ${smartAgId} is listed on page ${seen} and again on page ${i + 1}; try again (RequestId: ${p.RequestId})`,
            {
              code: "InconsistentResponse.DuplicateUserName",
              retryable: true,
              requestId: p.RequestId,
            },
          );
        }
        pageOf.set(u.UserName, i + 1);
        users.push({
          userName: u.UserName,
          userMail: u.UserMail,
          clientIp: u.ClientIp,
          bandwidth: u.Bandwidth,
          accelerateBandwidth: u.AccelerateBandwidth,
          enabled: u.State === 0,
          isStaticIp: u.IsStaticIp === 1,
        });
      }
    }
    return { regionId, smartAgId, users, totalCount, requestIds: pages.map((p) => p.RequestId) };
  }

  /**
   * The devices connected through one client account now, with when each came online.
   * @throws SmartagValidationError before any request when the input is bad.
   * @throws SmartagApiError and the other SmartagErrors when the API cannot answer.
   */
  async describeUserOnlineClients(
    request: UserOnlineClientsRequest,
    options: CallOptions = {},
  ): Promise<UserOnlineClients> {
    const issues = this.check(request, checkUserOnlineClientsRequest);
    if (issues.length > 0) throw new SmartagValidationError(issues);
    const { smartAgId, userName } = request;
    const regionId = (request.regionId ?? this.settings.region) as string;
    const key = JSON.stringify([ONLINE_CLIENTS_ACTION, regionId, smartAgId, userName]);
    return this.shared(key, options, async ({ signal }) => {
      const params = { RegionId: regionId, SmartAGId: smartAgId, UserName: userName };
      const at = { batch: 0, batches: 1, deadline: new Deadline(this.settings.deadlineMs), signal };
      const json = await this.send(regionId, ONLINE_CLIENTS_ACTION, params, at);
      const answer = parseShape(json, userOnlineClientsResponseSchema);
      return {
        regionId,
        smartAgId,
        userName,
        clients: answer.Users.User.map((c) => ({
          clientIp: c.ClientIp,
          onlineTime: c.OnlineTime,
          onlineSince: new Date(c.OnlineTime * 1000).toISOString(),
        })),
        requestIds: [answer.RequestId],
      };
    });
  }

  /**
   * Runs `work` over the distinct `items`, 50 to a request, with the client's concurrency and
   * one deadline for the whole call; merges the counts each request answered.
   */
  private async inBatches(
    items: readonly string[],
    options: CallOptions,
    work: (batch: string[], at: SendAt) => Promise<ParsedBatch>,
    deadline = new Deadline(this.settings.deadlineMs),
  ): Promise<{ requestIds: string[]; counts: Map<string, number> }> {
    const unique = [...new Set(items)];
    const batches: string[][] = [];
    for (let i = 0; i < unique.length; i += MAX_NAMES_PER_REQUEST) {
      batches.push(unique.slice(i, i + MAX_NAMES_PER_REQUEST));
    }
    const { signal } = options;
    const answers = await runPool(batches, this.settings.concurrency, signal, (b, batch) =>
      work(b, { batch, batches: batches.length, deadline, signal }),
    );
    const counts = new Map<string, number>();
    for (const a of answers) for (const [key, n] of a.counts) counts.set(key, n);
    return { requestIds: answers.map((a) => a.requestId), counts };
  }

  private async send(
    regionId: string,
    action: string,
    params: Record<string, unknown>,
    { batch, batches, deadline, signal }: SendAt,
  ): Promise<unknown> {
    const endpoint = endpointFor(this.settings, regionId);
    const agent = this.agents.get(endpoint) ?? agentFor(endpoint);
    this.agents.set(endpoint, agent);
    const list = params.UserNames ?? params.SmartAGIds;
    const names = Array.isArray(list) ? list.length : 0;
    const { onEvent } = this.deps;
    const where = { action, regionId, batch, ...(batches ? { batches } : {}) };
    const { connectTimeoutMs, readTimeoutMs, maxResponseBytes } = this.settings;
    return withRetry(
      async (attempt) => {
        // Waiting for the rate limiter uses part of the time left; a turn that would come
        // after the deadline is refused rather than spent on a request doomed to time out.
        await this.limiter.acquire(signal, deadline);
        const credentials = await this.credentials.getCredentials();
        // Keys from a chain are only known once fetched: register them for redaction then.
        this.redactor.add(credentials.accessKeySecret, credentials.securityToken);
        const at = { ...where, attempt };
        onEvent?.({ type: "request", ...at, names });
        const started = Date.now();
        let body: unknown;
        try {
          body = await exchange({
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
        } catch (e) {
          const { code, requestId, httpStatus } = e as Partial<SmartagApiError>;
          onEvent?.({
            type: "failure",
            ...at,
            code: code ?? "Error",
            ...(httpStatus !== undefined ? { httpStatus } : {}),
            ...(requestId !== undefined ? { requestId } : {}),
            elapsedMs: Date.now() - started,
          });
          throw e;
        }
        const requestId = (body as { RequestId?: unknown })?.RequestId;
        if (typeof requestId === "string") {
          onEvent?.({ type: "response", ...at, requestId, elapsedMs: Date.now() - started });
        }
        return body;
      },
      this.settings,
      deadline,
      {
        signal,
        ...(this.deps.random ? { random: this.deps.random } : {}),
        onRetry: ({ attempt, delayMs, error }) =>
          onEvent?.({ type: "retry", ...where, attempt, delayMs, code: error.code }),
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
  /** How many requests the call makes, when known ahead. */
  batches?: number;
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

/** Checks an answer's shape: an object the schema accepts, or an error naming where not. */
function parseShape<T extends { RequestId: string }>(json: unknown, schema: z.ZodType<T>): T {
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
  return parsed.data;
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
  const data = parseShape(json, schema);
  const wanted = new Set(asked);
  const counts = new Map<string, number>();
  const unexpected: string[] = [];
  const twice: string[] = [];
  for (const [key, count] of entries(data)) {
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
      `the API's answer does not match the request: ${parts.join("; ")} (RequestId: ${data.RequestId})`,
      { code: "InvalidResponse.Mismatch", retryable: false, requestId: data.RequestId },
    );
  }
  return { requestId: data.RequestId, counts };
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
