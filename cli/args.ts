/**
 * Command-line parsing for smartag-stats. Hand-written rather than node:util's parseArgs
 * because that one stops at the first bad flag, and a CI user fixing a pipeline wants every
 * problem in one run. Pure: no file system, no environment, no network.
 */

export type OutputFormat = "table" | "json" | "csv";
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["table", "json", "csv"];

/**
 * What to read: per-account counts (no command word), the totals of whole instances, or the
 * devices of one account.
 */
export type Command = "users" | "instances" | "clients";
const COMMAND_WORDS: readonly string[] = ["instances", "clients"];

/** One problem with the command line or its inputs, named after what the user typed. */
export interface UsageIssue {
  /** The flag, variable or file line at fault, e.g. `--max-online` or `users.txt line 4`. */
  readonly where: string;
  readonly reason: string;
}

/** Where names come from, in command-line order (so the output follows what was typed). */
export type NameSource = { kind: "flag"; value: string } | { kind: "file"; path: string };

export interface CliOptions {
  command: Command;
  region?: string;
  sag?: string;
  /** `instances`: every id of every --sag, in typed order. */
  sags: string[];
  nameSources: NameSource[];
  /** Every account of the instance, read from the API instead of --user. */
  allUsers: boolean;
  endpoint?: string;
  profile?: string;
  format: OutputFormat;
  maxOnline?: number;
  maxTotal?: number;
  requireNoneOnline: boolean;
  /** Caps on what --user and --users-file may bring in, so endless input ends. */
  maxNames: number;
  maxInputBytes: number;
  /** Left as text: the client's settings validator owns the range and the wording. */
  concurrency?: string;
  timeoutMs?: string;
  quiet: boolean;
  verbose: boolean;
  help: boolean;
  version: boolean;
}

interface FlagSpec {
  takesValue: boolean;
  repeatable?: boolean;
}

const FLAGS: Readonly<Record<string, FlagSpec>> = {
  region: { takesValue: true },
  sag: { takesValue: true, repeatable: true },
  user: { takesValue: true, repeatable: true },
  "users-file": { takesValue: true, repeatable: true },
  "all-users": { takesValue: false },
  endpoint: { takesValue: true },
  profile: { takesValue: true },
  format: { takesValue: true },
  "max-online": { takesValue: true },
  "max-total": { takesValue: true },
  "require-none-online": { takesValue: false },
  "max-names": { takesValue: true },
  "max-input-bytes": { takesValue: true },
  concurrency: { takesValue: true },
  "timeout-ms": { takesValue: true },
  quiet: { takesValue: false },
  verbose: { takesValue: false },
  help: { takesValue: false },
  version: { takesValue: false },
};

const SHORT_FLAGS: Readonly<Record<string, string>> = { h: "help", q: "quiet", v: "verbose" };

/** Flag names that suggest someone tried to pass a credential on the command line. */
const CREDENTIAL_LIKE = /secret|token|password|passwd|access-?key|credential|^ak$|^sk$/i;

/** A token that is an option rather than a value; "-" alone means stdin and "-5" a number. */
function looksLikeOption(token: string): boolean {
  return token.startsWith("-") && token !== "-" && !/^-\d/.test(token);
}

/** The largest --max-online / --max-total: 15 digits, well inside exact integers. */
export const MAX_COUNT_LIMIT = 999_999_999_999_999;
/** Input caps: far beyond any real account list, yet they stop an endless stream early. */
export const DEFAULT_MAX_NAMES = 200_000;
export const DEFAULT_MAX_INPUT_BYTES = 16 * 1024 * 1024;
const NUMBER_FLAGS = {
  "max-online": { min: 0, max: MAX_COUNT_LIMIT },
  "max-total": { min: 0, max: MAX_COUNT_LIMIT },
  "max-names": { min: 1, max: 10_000_000 },
  "max-input-bytes": { min: 1, max: 1024 * 1024 * 1024 },
} as const;

/** Flags a command has no use for: refused rather than ignored, so nothing is silently dropped. */
const NOT_FOR: Readonly<Record<Command, { flags: readonly string[]; why: string }>> = {
  users: { flags: [], why: "" },
  instances: {
    flags: ["user", "users-file", "all-users", "max-names", "max-input-bytes"],
    why: "it counts every account of each instance",
  },
  clients: {
    flags: ["users-file", "all-users", "max-total", "max-names", "max-input-bytes"],
    why: "it lists the devices of the one account given with --user",
  },
};

/** What a scan of argv found, before values are interpreted. */
interface Scan {
  values: Map<string, string[]>;
  booleans: Set<string>;
  nameSources: NameSource[];
  positionals: number;
  /** Command words found past the first argument. */
  commands: string[];
}

/**
 * Parses argv (without node and the script). Every problem is returned at once; `options`
 * is always filled as far as possible so later checks can still run and report theirs.
 */
export function parseCommandLine(argv: readonly string[]): {
  options: CliOptions;
  issues: UsageIssue[];
} {
  const issues: UsageIssue[] = [];
  const first = argv[0] ?? "";
  const command = COMMAND_WORDS.includes(first) ? (first as Command) : "users";
  const scan = scanArgv(command === "users" ? argv : argv.slice(1), issues);
  if (scan.commands.length > 0) {
    issues.push({
      where: scan.commands.join(", "),
      reason: "a command goes first, e.g. smartag-stats instances --sag ID",
    });
  }
  if (scan.positionals > 0) {
    // Not echoed: a stray word could be a secret pasted in the wrong place.
    issues.push({
      where: scan.positionals === 1 ? "an argument" : `${scan.positionals} arguments`,
      reason: "not attached to any option: names go after --user (or in --users-file)",
    });
  }
  for (const flag of NOT_FOR[command].flags) {
    if (scan.values.has(flag) || scan.booleans.has(flag)) {
      issues.push({
        where: `--${flag}`,
        reason: `is not used by smartag-stats ${command}: ${NOT_FOR[command].why}`,
      });
    }
  }
  const sagCount = scan.values.get("sag")?.length ?? 0;
  if (command !== "instances" && sagCount > 1) {
    issues.push({
      where: "--sag",
      reason: "may be given only once (for several instances: smartag-stats instances --sag ID,ID)",
    });
  }
  if (scan.booleans.has("all-users") && scan.nameSources.length > 0) {
    const which = scan.nameSources.some((s) => s.kind === "flag") ? "--user" : "--users-file";
    issues.push({
      where: "--all-users",
      reason: `cannot be combined with ${which}: it reads every account of the instance itself`,
    });
  }
  if (scan.booleans.has("quiet") && scan.booleans.has("verbose")) {
    issues.push({ where: "--quiet", reason: "cannot be combined with --verbose" });
  }
  const filesFromStdin = (scan.values.get("users-file") ?? []).filter((p) => p === "-").length;
  if (filesFromStdin > 1) {
    issues.push({ where: "--users-file -", reason: "stdin can be read only once" });
  }
  return { options: buildOptions(command, scan, issues), issues };
}

/** Sorts argv into flag values, booleans and name sources, noting malformed flags. */
function scanArgv(argv: readonly string[], issues: UsageIssue[]): Scan {
  const scan: Scan = {
    values: new Map(),
    booleans: new Set(),
    nameSources: [],
    positionals: 0,
    commands: [],
  };
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (!onlyPositionals && COMMAND_WORDS.includes(token)) {
      scan.commands.push(token);
      continue;
    }
    if (onlyPositionals || !looksLikeOption(token)) {
      scan.positionals++;
      continue;
    }
    if (token === "--") {
      onlyPositionals = true;
      continue;
    }
    const { name, inline } = splitFlag(token);
    const spec = FLAGS[name];
    const next = argv[i + 1];
    const nextIsValue = inline === undefined && next !== undefined && !looksLikeOption(next);
    if (!spec) {
      issues.push(unknownFlag(name));
      // Presume the next word is its value, so it is neither echoed nor reported again.
      if (nextIsValue) i++;
      continue;
    }
    if (!spec.takesValue) {
      if (inline !== undefined) issues.push({ where: `--${name}`, reason: "takes no value" });
      scan.booleans.add(name);
      continue;
    }
    const value = inline ?? (nextIsValue ? next : undefined);
    if (nextIsValue) i++;
    if (value === undefined) {
      issues.push({ where: `--${name}`, reason: "needs a value" });
      continue;
    }
    addValue(scan, name, spec, value, issues);
  }
  return scan;
}

function splitFlag(token: string): { name: string; inline: string | undefined } {
  if (!token.startsWith("--"))
    return { name: SHORT_FLAGS[token.slice(1)] ?? token, inline: undefined };
  const eq = token.indexOf("=");
  if (eq === -1) return { name: token.slice(2), inline: undefined };
  return { name: token.slice(2, eq), inline: token.slice(eq + 1) };
}

function unknownFlag(name: string): UsageIssue {
  // The option's name only: its value may be a secret typed by mistake.
  const where = name.startsWith("-") ? (name.split("=")[0] as string) : `--${name}`;
  const reason = CREDENTIAL_LIKE.test(name)
    ? "is not an option: credentials are never taken from flags (they would show in `ps` " +
      "and shell history); set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, " +
      "or use --profile"
    : "is not an option (see --help)";
  return { where, reason };
}

function addValue(
  scan: Scan,
  name: string,
  spec: FlagSpec,
  value: string,
  issues: UsageIssue[],
): void {
  // Kept in typed order across both flags, so the output follows the command line.
  if (name === "user") scan.nameSources.push({ kind: "flag", value });
  if (name === "users-file") scan.nameSources.push({ kind: "file", path: value });
  const list = scan.values.get(name) ?? [];
  list.push(value);
  scan.values.set(name, list);
  if (!spec.repeatable && list.length === 2) {
    issues.push({ where: `--${name}`, reason: "may be given only once" });
  }
}

/** Interprets the scanned values; bad ones become issues and are left unset. */
function buildOptions(command: Command, scan: Scan, issues: UsageIssue[]): CliOptions {
  const one = (name: string) => scan.values.get(name)?.[0];
  const number = (flag: keyof typeof NUMBER_FLAGS): number | undefined => {
    const v = one(flag);
    if (v === undefined) return undefined;
    const { min, max } = NUMBER_FLAGS[flag];
    const n = /^\d{1,16}$/.test(v) ? Number(v) : Number.NaN;
    if (n >= min && n <= max) return n;
    issues.push({
      where: `--${flag}`,
      reason: `must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`,
    });
    return undefined;
  };
  const options: CliOptions = {
    command,
    sags: command === "instances" ? sagIds(scan.values.get("sag") ?? [], issues) : [],
    allUsers: scan.booleans.has("all-users"),
    nameSources: scan.nameSources,
    format: outputFormat(one("format"), issues),
    requireNoneOnline: scan.booleans.has("require-none-online"),
    maxNames: number("max-names") ?? DEFAULT_MAX_NAMES,
    maxInputBytes: number("max-input-bytes") ?? DEFAULT_MAX_INPUT_BYTES,
    quiet: scan.booleans.has("quiet"),
    verbose: scan.booleans.has("verbose"),
    help: scan.booleans.has("help"),
    version: scan.booleans.has("version"),
  };
  const maxOnline = number("max-online");
  const maxTotal = number("max-total");
  if (maxOnline !== undefined) options.maxOnline = maxOnline;
  if (maxTotal !== undefined) options.maxTotal = maxTotal;
  const strings = [
    ["region", "region"],
    ["sag", "sag"],
    ["endpoint", "endpoint"],
    ["profile", "profile"],
    ["concurrency", "concurrency"],
    ["timeout-ms", "timeoutMs"],
  ] as const;
  for (const [flag, key] of strings) {
    const v = one(flag);
    if (v !== undefined) options[key] = v;
  }
  return options;
}

/** The ids of every --sag of `instances`: commas separate them, as they do --user names. */
function sagIds(values: readonly string[], issues: UsageIssue[]): string[] {
  const ids: string[] = [];
  for (const value of values) {
    const pieces = value.split(",").map((p) => p.trim());
    if (pieces.some((p) => p === "")) {
      issues.push({
        where: `--sag ${JSON.stringify(value)}`,
        reason: pieces.every((p) => p === "")
          ? "must not be empty"
          : "has an empty id between commas",
      });
    }
    for (const id of pieces) if (id !== "") ids.push(id);
  }
  return ids;
}

function outputFormat(value: string | undefined, issues: UsageIssue[]): OutputFormat {
  if (value === undefined) return "table";
  if ((OUTPUT_FORMATS as readonly string[]).includes(value)) return value as OutputFormat;
  issues.push({
    where: "--format",
    reason: `must be one of ${OUTPUT_FORMATS.join(", ")} (got ${JSON.stringify(value)})`,
  });
  return "table";
}

/** A username and where it was written, for messages that point at the right line. */
export interface SourcedName {
  name: string;
  /** e.g. `--user` or `users.txt line 4`. */
  origin: string;
}

/**
 * Splits one --user value: names separated by commas, spaces around them ignored. An empty
 * piece is a problem rather than skipped, since in a gate it usually means an unset variable.
 */
export function namesFromFlag(value: string): { names: SourcedName[]; issues: UsageIssue[] } {
  const pieces = value.split(",").map((p) => p.trim());
  if (pieces.every((p) => p === "")) {
    return { names: [], issues: [{ where: "--user", reason: "must not be empty" }] };
  }
  const issues: UsageIssue[] = [];
  if (pieces.some((p) => p === "")) {
    issues.push({
      where: `--user ${JSON.stringify(value)}`,
      reason: "has an empty name between commas",
    });
  }
  const names = pieces.filter((p) => p !== "").map((name) => ({ name, origin: "--user" }));
  return { names, issues };
}

/**
 * The name on one line of a names file, if any: blank lines and `#` comments (whole-line or
 * trailing) hold none. Usernames cannot contain `#` or spaces, so cutting at `#` never
 * truncates a real name.
 */
export function nameInLine(line: string): string | undefined {
  const name = line.replace(/#.*$/, "").trim();
  return name === "" ? undefined : name;
}

/** Drops repeats, keeping the first: the table and CSV then show each account once. */
export function dedupe(names: readonly SourcedName[]): SourcedName[] {
  const seen = new Set<string>();
  const out: SourcedName[] = [];
  for (const n of names) {
    if (seen.has(n.name)) continue;
    seen.add(n.name);
    out.push(n);
  }
  return out;
}
