/**
 * smartag-stats as a function of its inputs: argv, environment and streams in, exit code out.
 * main.ts wires it to the process; keeping the process out of here lets the flow be read
 * top to bottom and lets tests drive it without spawning.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type {
  ClientEvent,
  SmartagClient,
  UserOnlineClientStatistics,
  ValidationIssue,
} from "@pulumi-smartag/client";
import {
  findLimitViolations,
  formatLimitViolations,
  type OnlineLimits,
} from "@pulumi-smartag/limits";
import {
  type CliOptions,
  dedupe,
  namesFromFlag,
  namesFromText,
  parseCommandLine,
  type SourcedName,
  type UsageIssue,
} from "./args";
import { formatCsv, formatJson, formatTable } from "./format";
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

  const collected = await collectNames(options, io.stdin);
  issues.push(...collected.issues);
  const names = dedupe(collected.names);

  // Loaded only past --help: pop-core and zod are the bulk of startup time.
  const smartag = await import("@pulumi-smartag/client");
  const env = settingsEnv(options, io.env, smartag.ENV_FALLBACKS);
  // An empty flag (e.g. --region "$UNSET_VAR" in CI) means unset, as it does for the
  // environment fallbacks: the variables fill it, and only then may it be missing.
  const region = nonEmpty(options.region) ?? firstSet(env, smartag.ENV_FALLBACKS.region)?.value;
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
      env,
    ),
  );
  for (const issue of resolved.issues) {
    issues.push(settingIssue(issue, options, env, smartag.ENV_FALLBACKS));
  }

  // The API's per-call cap guards Pulumi programs; a CLI run reading a big file just makes
  // several calls in a row.
  const chunks: SourcedName[][] = [];
  for (let i = 0; i < names.length; i += smartag.MAX_NAMES_PER_CALL) {
    chunks.push(names.slice(i, i + smartag.MAX_NAMES_PER_CALL));
  }
  if (chunks.length === 0) chunks.push([]);
  chunks.forEach((chunk, c) => {
    const found = smartag.checkStatisticsRequest({
      smartAgId: options.sag,
      userNames: chunk.map((n) => n.name),
    });
    for (const issue of found) {
      // The instance is the same for every chunk: report it once.
      if (c > 0 && !issue.property.startsWith("userNames")) continue;
      issues.push(requestIssue(issue, chunk));
    }
  });

  if (issues.length > 0 || !resolved.settings || region === undefined) {
    io.stderr.write(formatUsageIssues(issues));
    return EXIT.usage;
  }

  const limits: OnlineLimits = {
    ...(options.maxOnline !== undefined ? { maxOnlinePerUser: options.maxOnline } : {}),
    ...(options.maxTotal !== undefined ? { maxTotalOnline: options.maxTotal } : {}),
    ...(options.requireNoneOnline ? { requireNoneOnline: true } : {}),
  };
  const hasLimits = Object.keys(limits).length > 0;

  const settings = { ...resolved.settings, region };
  const perRequest = smartag.MAX_NAMES_PER_REQUEST;
  const totalRequests = chunks.reduce((sum, c) => sum + Math.ceil(c.length / perRequest), 0);
  const progress = progressWanted({
    names: names.length,
    quiet: options.quiet,
    stderrIsTTY: io.stderr.isTTY === true,
    env: io.env,
  })
    ? new Progress(io.stderr, totalRequests)
    : undefined;
  let batchOffset = 0;
  const onEvent = (e: ClientEvent) => {
    if (e.type === "response") progress?.tick();
    if (e.type === "retry" && options.verbose) {
      progress?.finish();
      io.stderr.write(
        `${PROGRAM}: request ${batchOffset + e.batch + 1} got ${e.code}; retrying in ${e.delayMs} ms (attempt ${e.attempt + 1})\n`,
      );
    }
  };
  const client: SmartagClient = new smartag.SmartagClient(settings, { onEvent });
  if (options.verbose) {
    const endpoint = smartag.endpointFor(settings, region);
    io.stderr.write(
      `${PROGRAM}: ${names.length} name(s) on ${options.sag} (${region}) via ${endpoint}, ${totalRequests} request(s)\n`,
    );
  }

  // The client's deadline is per call; this one bounds the whole run when it takes several.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, settings.deadlineMs);
  let stats: UserOnlineClientStatistics;
  try {
    const parts: UserOnlineClientStatistics[] = [];
    for (const chunk of chunks) {
      parts.push(
        await client.describeUserOnlineClientStatistics(
          { smartAgId: options.sag as string, userNames: chunk.map((n) => n.name) },
          { signal: controller.signal },
        ),
      );
      batchOffset += Math.ceil(chunk.length / perRequest);
    }
    stats = merge(parts);
  } catch (e) {
    progress?.finish();
    io.stderr.write(describeFailure(e, timedOut, settings.deadlineMs, smartag));
    // Input was checked above, so this is a safety net, but it is still the user's input.
    return e instanceof smartag.SmartagValidationError ? EXIT.usage : EXIT.apiError;
  } finally {
    clearTimeout(timer);
  }
  progress?.finish();

  const violations = hasLimits ? findLimitViolations(stats, limits) : undefined;
  switch (options.format) {
    case "json":
      io.stdout.write(formatJson(stats, violations));
      break;
    case "csv":
      io.stdout.write(formatCsv(stats));
      break;
    case "table":
      io.stdout.write(formatTable(stats, { verbose: options.verbose }));
      break;
  }
  if (violations && violations.length > 0) {
    io.stderr.write(`${PROGRAM}: ${formatLimitViolations(stats, violations)}\n`);
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

async function collectNames(
  options: CliOptions,
  stdin: NodeJS.ReadableStream,
): Promise<{ names: SourcedName[]; issues: UsageIssue[] }> {
  const names: SourcedName[] = [];
  const issues: UsageIssue[] = [];
  for (const source of options.nameSources) {
    if (source.kind === "flag") {
      const found = namesFromFlag(source.value);
      names.push(...found.names);
      issues.push(...found.issues);
      continue;
    }
    const fromStdin = source.path === "-";
    try {
      const text = fromStdin ? await readAll(stdin) : await readFile(source.path, "utf8");
      names.push(...namesFromText(text, fromStdin ? "stdin" : source.path));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      issues.push({
        where: `--users-file ${JSON.stringify(source.path)}`,
        reason: `cannot be read${code ? ` (${code})` : ""}`,
      });
    }
  }
  return { names, issues };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
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
      reason: "is required: at least one name, via --user or --users-file",
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
  const lines = issues.slice(0, MAX_LISTED_ISSUES).map((i) => `  - ${i.where}: ${i.reason}`);
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
      .replace(/\bsmartAgId\b/g, "--sag")
      .replace(/\bregionId\b/g, "--region")
      .replace(/\buserNames\b/g, "--user"),
  );
}

type SmartagModule = typeof import("@pulumi-smartag/client");

/**
 * One message for a failed query. Every text used here was built by the client from
 * redacted parts; nothing from the environment is added.
 */
function describeFailure(
  e: unknown,
  timedOut: boolean,
  timeoutMs: number,
  smartag: SmartagModule,
): string {
  if (!smartag.SmartagError.isInstance(e)) {
    return `${PROGRAM}: unexpected error: ${e instanceof Error ? e.message : String(e)}\n`;
  }
  if (timedOut || e.code === "DeadlineExceeded") {
    const last =
      e.code === "Cancelled" || e.code === "DeadlineExceeded" ? "" : `; last error: ${e.message}`;
    const what = e.code === "DeadlineExceeded" ? e.message : `gave up after ${timeoutMs} ms${last}`;
    return `${PROGRAM}: ${what}\nhint: raise --timeout-ms (now ${timeoutMs}) or lower --concurrency if the API throttles\n`;
  }
  let text = cliHint(e.message);
  // API errors already carry their code and RequestId in the message; the others may not.
  if (!text.includes(e.code)) text = `${e.code}: ${text}`;
  if (e.requestId && !text.includes(e.requestId)) text += ` (RequestId: ${e.requestId})`;
  if (e.code === "NoCredentials") {
    text +=
      `\nhint: ${PROGRAM} takes credentials only from the environment: ALIBABA_CLOUD_ACCESS_KEY_ID and ` +
      "ALIBABA_CLOUD_ACCESS_KEY_SECRET (plus ALIBABA_CLOUD_SECURITY_TOKEN for STS keys), " +
      "--profile or ALIBABA_CLOUD_PROFILE, or the default credential chain; never from flags";
  }
  return `${PROGRAM}: ${text}\n`;
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
