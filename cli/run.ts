/**
 * smartag-stats as a function of its inputs: argv, environment and streams in, exit code out.
 * main.ts wires it to the process; keeping the process out of here lets the flow be read
 * top to bottom and lets tests drive it without spawning.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type {
  ClientEvent,
  ResolvedSettings,
  SmartagClient,
  SmartagError,
  UserOnlineClientStatistics,
  ValidationIssue,
} from "@pulumi-smartag/client";
import {
  findLimitViolations,
  formatLimitViolations,
  type OnlineLimits,
  type StatisticsLike,
} from "@pulumi-smartag/limits";
import {
  type CliOptions,
  dedupe,
  parseCommandLine,
  type SourcedName,
  type UsageIssue,
} from "./args";
import { escapeControls, guarded, type Sink } from "./escape";
import {
  clientsReport,
  formatCsv,
  formatJson,
  formatTable,
  instanceReport,
  type Report,
  userReport,
} from "./format";
import { collectNames } from "./input";
import { Progress, progressWanted } from "./progress";
import { EXIT, USAGE } from "./usage";

export interface CliIo {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

const PROGRAM = "smartag-stats";
/** Enough to fix a typo'd list in one go without flooding a CI log with 10,000 lines. */
const MAX_LISTED_ISSUES = 30;

type SmartagModule = typeof import("@pulumi-smartag/client");

type Settings = ResolvedSettings & { region: string };

/** What a command shows: what the limits judge, the rows of the table and CSV, the JSON. */
interface Shown {
  judged: StatisticsLike;
  report: Report;
  json: object;
}

/** A checked command line: everything needed to query, nothing left to check. */
interface Plan {
  /** For --verbose, e.g. `3 name(s) on sag-demo0001`. */
  what: string;
  /** Entries asked for and API requests they take, for the progress line. */
  items: number;
  requests: number;
  /** The limits the command's flags set. */
  limits: OnlineLimits;
  /** Runs the query under one deadline; `done.requests` counts requests of finished calls. */
  call(client: SmartagClient, signal: AbortSignal, done: { requests: number }): Promise<Shown>;
}

export async function run(io: CliIo): Promise<number> {
  const { options, issues } = parseCommandLine(io.argv);
  if (options.help) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (options.version) {
    io.stdout.write(`${PROGRAM} ${await version()}\n`);
    return EXIT.ok;
  }
  const collected =
    options.command === "instances"
      ? { names: [], issues: [], capped: false }
      : await collectNames(options, io.stdin);
  for (const issue of collected.issues) issues.push(issue);

  // Loaded only past --help: the client and zod are the bulk of startup time.
  const smartag = await import("@pulumi-smartag/client");
  const redactor = new smartag.Redactor();
  const { secretKey, securityToken } = smartag.ENV_FALLBACKS;
  for (const name of [...secretKey, ...securityToken]) redactor.add(io.env[name]);
  const redact = (text: string) => redactor.redact(text);
  const out = guarded(io.stdout, redact);
  const err = guarded(io.stderr, redact);

  const settings = checkSettings(options, io.env, issues, smartag);
  const names = collected.capped ? undefined : dedupe(collected.names);
  const plan =
    options.command === "instances"
      ? planInstances(options, issues, smartag)
      : options.command === "clients"
        ? planClients(options, names, issues, smartag)
        : options.allUsers
          ? planAllUsers(options, issues, smartag)
          : planUsers(options, names, issues, smartag);
  if (!plan || !settings || issues.length > 0) {
    err.write(formatUsageIssues(issues));
    return EXIT.usage;
  }
  redactor.add(settings.secretKey, settings.securityToken);
  const outcome = await ask(plan, settings, options, { ...io, stderr: err }, io.stderr, smartag);
  if ("code" in outcome) return outcome.code;
  return printResult(outcome.shown, plan.limits, options, out, err);
}

/**
 * Checks the region and the client settings before the network. Problems are added to
 * `issues`; settings come back only when they have none.
 */
function checkSettings(
  options: CliOptions,
  env: NodeJS.ProcessEnv,
  issues: UsageIssue[],
  smartag: SmartagModule,
): Settings | undefined {
  const fallbacks = smartag.ENV_FALLBACKS;
  const clientEnv = settingsEnv(options, env, fallbacks);
  // An empty flag (e.g. --region "$UNSET_VAR" in CI) means unset, as it does for the
  // environment fallbacks: the variables fill it, and only then may it be missing.
  const region = nonEmpty(options.region) ?? firstSet(clientEnv, fallbacks.region)?.value;
  if (region === undefined) {
    issues.push({
      where: "--region",
      reason: "is required (or set ALIBABA_CLOUD_REGION), e.g. --region cn-shanghai",
    });
  }
  const resolved = smartag.resolveSettings(
    smartag.withEnvFallbacks(
      {
        // The region just chosen, so the one validated is the one sent.
        region,
        endpoint: options.endpoint,
        profile: options.profile,
        concurrency: options.concurrency,
        deadlineMs: options.timeoutMs,
      },
      clientEnv,
    ),
  );
  for (const issue of resolved.issues) {
    issues.push(settingIssue(issue, options, clientEnv, fallbacks));
  }
  if (!resolved.settings || region === undefined) return undefined;
  return { ...resolved.settings, region };
}

/**
 * Per-account counts of the names given. The API's per-call cap guards Pulumi programs; a CLI
 * run reading a big file just makes several calls in a row, each checked as the client will.
 */
function planUsers(
  options: CliOptions,
  names: SourcedName[] | undefined,
  issues: UsageIssue[],
  smartag: SmartagModule,
): Plan | undefined {
  const sag = options.sag;
  const chunks: SourcedName[][] = [];
  const all = names ?? [];
  for (let i = 0; i < all.length; i += smartag.MAX_NAMES_PER_CALL) {
    chunks.push(all.slice(i, i + smartag.MAX_NAMES_PER_CALL));
  }
  if (chunks.length === 0) chunks.push([]);
  chunks.forEach((chunk, c) => {
    const found = smartag.checkStatisticsRequest({
      smartAgId: sag,
      userNames: chunk.map((n) => n.name),
    });
    for (const issue of found) {
      // The instance is the same for every chunk: report it once.
      if (c > 0 && !issue.property.startsWith("userNames")) continue;
      // Names cut off at a cap are not checked: the cap is the one problem with them.
      if (names === undefined && issue.property === "userNames") continue;
      issues.push(requestIssue(issue, chunk));
    }
  });
  if (!names) return undefined;
  const perRequest = smartag.MAX_NAMES_PER_REQUEST;
  return {
    what: `${names.length} name(s) on ${sag}`,
    items: names.length,
    requests: chunks.reduce((sum, c) => sum + Math.ceil(c.length / perRequest), 0),
    limits: userLimits(options),
    async call(client, signal, done) {
      const parts: UserOnlineClientStatistics[] = [];
      for (const chunk of chunks) {
        const userNames = chunk.map((n) => n.name);
        parts.push(
          await client.describeUserOnlineClientStatistics(
            { smartAgId: sag as string, userNames },
            { signal },
          ),
        );
        done.requests += Math.ceil(chunk.length / perRequest);
      }
      const stats = merge(parts);
      return { judged: stats, report: userReport(stats), json: stats };
    },
  };
}

/** The limits on per-account counts, as --max-online, --max-total and --require-none-online set them. */
function userLimits(options: CliOptions): OnlineLimits {
  return {
    ...(options.maxOnline !== undefined ? { maxOnlinePerUser: options.maxOnline } : {}),
    ...(options.maxTotal !== undefined ? { maxTotalOnline: options.maxTotal } : {}),
    ...(options.requireNoneOnline ? { requireNoneOnline: true } : {}),
  };
}

/**
 * Every account of the instance: the client lists them (paging) and counts them in one call.
 * How many requests that takes is known only once the list is read, so no progress line.
 */
function planAllUsers(
  options: CliOptions,
  issues: UsageIssue[],
  smartag: SmartagModule,
): Plan | undefined {
  const found = smartag.checkStatisticsRequest({ smartAgId: options.sag });
  for (const issue of found) issues.push(requestIssue(issue, []));
  if (found.length > 0) return undefined;
  const smartAgId = options.sag as string;
  return {
    what: `every account of ${smartAgId}`,
    items: 0,
    requests: 0,
    limits: userLimits(options),
    async call(client, signal) {
      const stats = await client.describeUserOnlineClientStatistics({ smartAgId }, { signal });
      return { judged: stats, report: userReport(stats), json: stats };
    },
  };
}

/** The devices of one account; limits hold their number as that account's count. */
function planClients(
  options: CliOptions,
  names: SourcedName[] | undefined,
  issues: UsageIssue[],
  smartag: SmartagModule,
): Plan | undefined {
  if (names && names.length > 1) {
    issues.push({
      where: "--user",
      reason: `smartag-stats clients takes one account (got ${names.length})`,
    });
  }
  const [named] = names ?? [];
  const found = smartag.checkUserOnlineClientsRequest({
    smartAgId: options.sag,
    userName: named?.name,
  });
  for (const issue of found) {
    if (issue.property === "smartAgId") issues.push({ where: "--sag", reason: issue.reason });
    else if (named)
      issues.push({ where: `--user ${quoteClipped(named.name)}`, reason: issue.reason });
    else issues.push({ where: "--user", reason: "is required: the account whose devices to list" });
  }
  if (found.length > 0 || !named) return undefined;
  const request = { smartAgId: options.sag as string, userName: named.name };
  return {
    what: `the devices of ${named.name} on ${request.smartAgId}`,
    items: 1,
    requests: 1,
    limits: {
      ...(options.maxOnline !== undefined ? { maxOnlinePerUser: options.maxOnline } : {}),
      ...(options.requireNoneOnline ? { requireNoneOnline: true } : {}),
    },
    async call(client, signal) {
      const online = await client.describeUserOnlineClients(request, { signal });
      const count = online.clients.length;
      const judged = {
        regionId: online.regionId,
        smartAgId: online.smartAgId,
        userStatistics: [{ userName: online.userName, onlineCount: count }],
        totalOnlineCount: count,
      };
      return { judged, report: clientsReport(online), json: online };
    },
  };
}

/** The totals of whole instances: one client call, batched by the client. */
function planInstances(
  options: CliOptions,
  issues: UsageIssue[],
  smartag: SmartagModule,
): Plan | undefined {
  const smartAgIds = options.sags;
  const found = smartag.checkSagStatisticsRequest({ smartAgIds });
  for (const issue of found) {
    const m = /^smartAgIds\[(\d+)\]/.exec(issue.property);
    const id = m ? smartAgIds[Number(m[1])] : undefined;
    const where = id !== undefined ? `--sag ${quoteClipped(id)}` : "--sag";
    const reason =
      smartAgIds.length === 0 ? "is required: one or more SAG instance ids" : issue.reason;
    issues.push({ where, reason });
  }
  if (found.length > 0) return undefined;
  return {
    what: `${smartAgIds.length} instance(s)`,
    items: smartAgIds.length,
    requests: Math.ceil(new Set(smartAgIds).size / smartag.MAX_NAMES_PER_REQUEST),
    limits: {
      ...(options.maxOnline !== undefined ? { maxOnlinePerInstance: options.maxOnline } : {}),
      ...(options.maxTotal !== undefined ? { maxTotalOnline: options.maxTotal } : {}),
      ...(options.requireNoneOnline ? { requireNoneOnline: true } : {}),
    },
    async call(client, signal) {
      const stats = await client.describeSagOnlineClientStatistics({ smartAgIds }, { signal });
      return { judged: stats, report: instanceReport(stats), json: stats };
    },
  };
}

/**
 * Runs the query, with progress and --verbose notes on stderr. `rawStderr` is for the
 * progress line alone: its cursor controls are ours.
 */
async function ask(
  plan: Plan,
  settings: Settings,
  options: CliOptions,
  io: CliIo,
  rawStderr: CliIo["stderr"],
  smartag: SmartagModule,
): Promise<{ shown: Shown } | { code: number }> {
  const progress = progressWanted({
    names: plan.items,
    quiet: options.quiet,
    stderrIsTTY: rawStderr.isTTY === true,
    env: io.env,
  })
    ? new Progress(rawStderr, plan.requests)
    : undefined;
  const done = { requests: 0 };
  const onEvent = (e: ClientEvent) => {
    if (e.type === "response") progress?.tick();
    if (e.type === "retry" && options.verbose) {
      progress?.finish();
      io.stderr.write(
        `${PROGRAM}: request ${done.requests + e.batch + 1} got ${escapeControls(e.code)}; retrying in ${e.delayMs} ms (attempt ${e.attempt + 1})\n`,
      );
    }
  };
  const client: SmartagClient = new smartag.SmartagClient(settings, { onEvent });
  if (options.verbose) {
    const endpoint = smartag.endpointFor(settings, settings.region);
    io.stderr.write(
      `${PROGRAM}: ${plan.what} (${settings.region}) via ${endpoint}, ${plan.requests} request(s)\n`,
    );
  }
  // The client's deadline is per call; this one bounds the whole run when it takes several.
  const signal = AbortSignal.timeout(settings.deadlineMs);
  try {
    const shown = await plan.call(client, signal, done);
    progress?.finish();
    return { shown };
  } catch (e) {
    // Cleared first, so the message starts on a line of its own.
    progress?.finish();
    io.stderr.write(describeFailure(e, signal.aborted, settings.deadlineMs, smartag));
    // Input was checked above, so this is a safety net, but it is still the user's input.
    return { code: e instanceof smartag.SmartagValidationError ? EXIT.usage : EXIT.apiError };
  }
}

/** The result on stdout, then the verdict on the limits. */
function printResult(
  shown: Shown,
  limits: OnlineLimits,
  options: CliOptions,
  out: Sink,
  err: Sink,
): number {
  const violations =
    Object.keys(limits).length > 0 ? findLimitViolations(shown.judged, limits) : undefined;
  switch (options.format) {
    case "json":
      out.write(formatJson(shown.json, violations));
      break;
    case "csv":
      out.write(formatCsv(shown.report));
      break;
    case "table":
      out.write(formatTable(shown.report, { verbose: options.verbose }));
      break;
  }
  if (violations && violations.length > 0) {
    err.write(`${PROGRAM}: ${formatLimitViolations(shown.judged, violations)}\n`);
    return EXIT.limitViolated;
  }
  return EXIT.ok;
}

/** Chunks ask disjoint (deduplicated) names, so their totals simply add up. */
function merge(parts: UserOnlineClientStatistics[]): UserOnlineClientStatistics {
  const [first] = parts as [UserOnlineClientStatistics];
  if (parts.length === 1) return first;
  return {
    regionId: first.regionId,
    smartAgId: first.smartAgId,
    userStatistics: parts.flatMap((p) => p.userStatistics),
    totalOnlineCount: parts.reduce((sum, p) => sum + p.totalOnlineCount, 0),
    requestIds: parts.flatMap((p) => p.requestIds),
  };
}

type EnvFallbacks = Readonly<Record<string, readonly string[]>>;

/** Credential variables the client would read, which an explicit --profile must override. */
const KEY_SETTINGS = ["accessKey", "secretKey", "securityToken"] as const;

/**
 * The environment the client's fallbacks see. The client lets explicit keys win over a
 * profile, as a Pulumi provider should; on a command line, --profile is the more deliberate
 * choice, so the AccessKey variables are hidden from it then.
 */
function settingsEnv(
  options: CliOptions,
  env: NodeJS.ProcessEnv,
  fallbacks: EnvFallbacks,
): NodeJS.ProcessEnv {
  if (nonEmpty(options.profile) === undefined) return env;
  const out = { ...env };
  for (const key of KEY_SETTINGS) for (const name of fallbacks[key] ?? []) delete out[name];
  return out;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === "" ? undefined : value;
}

function firstSet(
  env: NodeJS.ProcessEnv,
  names: readonly string[] | undefined,
): { name: string; value: string } | undefined {
  for (const name of names ?? []) {
    const value = env[name];
    if (value !== undefined && value !== "") return { name, value };
  }
  return undefined;
}

/** Setting keys as a CLI user knows them: the flag when one exists. */
const FLAG_FOR_SETTING: Readonly<Record<string, string>> = {
  region: "--region",
  endpoint: "--endpoint",
  profile: "--profile",
  concurrency: "--concurrency",
  deadlineMs: "--timeout-ms",
};

/**
 * Names a settings problem after what the user actually set: the flag if given, else the
 * environment variable it came from. Values are never echoed: an env value may be a secret.
 */
function settingIssue(
  issue: ValidationIssue,
  options: CliOptions,
  env: NodeJS.ProcessEnv,
  fallbacks: EnvFallbacks,
): UsageIssue {
  const key = issue.property;
  const flag = FLAG_FOR_SETTING[key];
  const given: Record<string, unknown> = {
    region: options.region,
    endpoint: options.endpoint,
    profile: options.profile,
    concurrency: options.concurrency,
    deadlineMs: options.timeoutMs,
  };
  const unset = given[key] === undefined || given[key] === "";
  const fromEnv = unset ? firstSet(env, fallbacks[key]) : undefined;
  const where = fromEnv?.name ?? flag ?? fallbacks[key]?.[0] ?? key;
  // Reasons refer to other settings by their config keys; say them the CLI's way.
  const reason = issue.reason.replace(
    /\b(accessKey|secretKey|securityToken|allowInsecureHttp)\b/g,
    (k) =>
      k === "allowInsecureHttp" ? "SMARTAG_ALLOW_INSECURE_HTTP=true" : (fallbacks[k]?.[0] ?? k),
  );
  return { where, reason };
}

/** A request problem, pointing at the flag or file line the bad value came from. */
function requestIssue(issue: ValidationIssue, chunk: readonly SourcedName[]): UsageIssue {
  if (issue.property === "smartAgId") return { where: "--sag", reason: issue.reason };
  const m = /^userNames\[(\d+)\]/.exec(issue.property);
  const named = m ? chunk[Number(m[1])] : undefined;
  if (named) {
    return { where: `${named.origin} ${quoteClipped(named.name)}`, reason: issue.reason };
  }
  if (issue.property === "userNames" && chunk.length === 0) {
    return {
      where: "--user",
      reason: "is required: at least one name, via --user or --users-file (or --all-users)",
    };
  }
  return { where: issue.property, reason: issue.reason };
}

/** A name as typed, cut short when it is far longer than any valid name (33 characters). */
function quoteClipped(name: string): string {
  const max = 64;
  if (name.length <= max) return JSON.stringify(name);
  return `${JSON.stringify(name.slice(0, max))}... (${name.length} characters)`;
}

function formatUsageIssues(issues: readonly UsageIssue[]): string {
  // Paths and names in them are the user's or a file's text: one line each, whatever they hold.
  const lines = issues
    .slice(0, MAX_LISTED_ISSUES)
    .map((i) => `  - ${escapeControls(i.where)}: ${escapeControls(i.reason)}`);
  if (issues.length > MAX_LISTED_ISSUES) {
    lines.push(`  - ... and ${issues.length - MAX_LISTED_ISSUES} more`);
  }
  const count = `${issues.length} problem${issues.length === 1 ? "" : "s"}`;
  return `${PROGRAM}: ${count}, nothing was sent:\n${lines.join("\n")}\n(see ${PROGRAM} --help)\n`;
}

/** Hints are written for Pulumi users; a CLI user knows the same things as flags. */
function cliHint(message: string): string {
  return message.replace(/^(hint: .*)$/m, (line) =>
    line
      .replace(/\bsmartAgIds?\b/g, "--sag")
      .replace(/\bregionId\b/g, "--region")
      .replace(/\buserNames\b/g, "--user"),
  );
}

/**
 * One message for a failed query. Every text used here was built by the client from
 * redacted parts; nothing from the environment is added. The server's words are escaped as
 * they go in, so only our own line breaks (before a hint) remain.
 */
function describeFailure(
  e: unknown,
  timedOut: boolean,
  timeoutMs: number,
  smartag: SmartagModule,
): string {
  if (!smartag.SmartagError.isInstance(e)) {
    const text = e instanceof Error ? e.message : String(e);
    return `${PROGRAM}: unexpected error: ${escapeControls(text)}\n`;
  }
  if (timedOut || e.code === "DeadlineExceeded") {
    const own = e.code === "Cancelled" || e.code === "DeadlineExceeded";
    const last = own ? "" : `; last error: ${safeMessage(e, smartag)}`;
    const what =
      e.code === "DeadlineExceeded"
        ? safeMessage(e, smartag)
        : `gave up after ${timeoutMs} ms${last}`;
    return `${PROGRAM}: ${what}\nhint: raise --timeout-ms (now ${timeoutMs}) or lower --concurrency if the API throttles\n`;
  }
  let text = cliHint(safeMessage(e, smartag));
  // API errors already carry their code and RequestId in the message; the others may not.
  const code = escapeControls(e.code);
  if (!text.includes(code)) text = `${code}: ${text}`;
  const requestId = e.requestId ? escapeControls(e.requestId) : undefined;
  if (requestId && !text.includes(requestId)) text += ` (RequestId: ${requestId})`;
  if (e.code === "NoCredentials") {
    text +=
      `\nhint: ${PROGRAM} takes credentials only from the environment: ALIBABA_CLOUD_ACCESS_KEY_ID and ` +
      "ALIBABA_CLOUD_ACCESS_KEY_SECRET (plus ALIBABA_CLOUD_SECURITY_TOKEN for STS keys), " +
      "--profile or ALIBABA_CLOUD_PROFILE, the other variables of the provider's credential keys " +
      "(e.g. ALICLOUD_ASSUME_ROLE_ARN, ALIBABA_CLOUD_CREDENTIALS_URI), or the default credential chain; " +
      "never from flags";
  }
  return `${PROGRAM}: ${text}\n`;
}

/**
 * An error's message with every outside part escaped. An API error is rebuilt from its fields,
 * keeping our hint line; an error ending with its cause's message (a deadline's "last error")
 * escapes its own part and treats the cause the same way.
 */
function safeMessage(e: SmartagError, smartag: SmartagModule): string {
  if (e instanceof smartag.SmartagApiError) {
    const about = e.about ? ` (${escapeControls(e.about)})` : "";
    const id = e.requestId ? ` (RequestId: ${escapeControls(e.requestId)})` : "";
    const hint = e.hint ? `\nhint: ${e.hint}` : "";
    return `${escapeControls(e.code)}: ${escapeControls(e.apiMessage)}${about}${id}${hint}`;
  }
  const cause = e.cause;
  if (smartag.SmartagError.isInstance(cause) && e.message.endsWith(cause.message)) {
    const own = e.message.slice(0, e.message.length - cause.message.length);
    return `${escapeControls(own)}${safeMessage(cause, smartag)}`;
  }
  return escapeControls(e.message);
}

/** Read at run time: importing package.json would make tsc copy it into dist. */
async function version(): Promise<string> {
  // __dirname is cli/ under ts-node and dist/cli/ when built.
  for (const dir of [join(__dirname, ".."), join(__dirname, "..", "..")]) {
    try {
      const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "pulumi-smartag-provider" && pkg.version) return pkg.version;
    } catch {
      // not this directory
    }
  }
  return "unknown";
}
