/**
 * Command-line parsing for smartag-stats. Hand-written rather than node:util's parseArgs
 * because that one stops at the first bad flag, and a CI user fixing a pipeline wants every
 * problem in one run. Pure: no file system, no environment, no network.
 */

export type OutputFormat = "table" | "json" | "csv";
export const OUTPUT_FORMATS: readonly OutputFormat[] = ["table", "json", "csv"];

/** One problem with the command line or its inputs, named after what the user typed. */
export interface UsageIssue {
  /** The flag, variable or file line at fault, e.g. `--max-online` or `users.txt line 4`. */
  readonly where: string;
  readonly reason: string;
}

/** Where names come from, in command-line order (so the output follows what was typed). */
export type NameSource = { kind: "flag"; value: string } | { kind: "file"; path: string };

export interface CliOptions {
  region?: string;
  sag?: string;
  nameSources: NameSource[];
  endpoint?: string;
  profile?: string;
  format: OutputFormat;
  maxOnline?: number;
  maxTotal?: number;
  requireNoneOnline: boolean;
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
  sag: { takesValue: true },
  user: { takesValue: true, repeatable: true },
  "users-file": { takesValue: true, repeatable: true },
  endpoint: { takesValue: true },
  profile: { takesValue: true },
  format: { takesValue: true },
  "max-online": { takesValue: true },
  "max-total": { takesValue: true },
  "require-none-online": { takesValue: false },
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

/**
 * Parses argv (without node and the script). Every problem is returned at once; `options`
 * is always filled as far as possible so later checks can still run and report theirs.
 */
export function parseCommandLine(argv: readonly string[]): {
  options: CliOptions;
  issues: UsageIssue[];
} {
  const issues: UsageIssue[] = [];
  const values = new Map<string, string[]>();
  const booleans = new Set<string>();
  const nameSources: NameSource[] = [];
  let positionals = 0;
  let onlyPositionals = false;

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (onlyPositionals || !looksLikeOption(token)) {
      positionals++;
      continue;
    }
    if (token === "--") {
      onlyPositionals = true;
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (token.startsWith("--")) {
      const eq = token.indexOf("=");
      name = eq === -1 ? token.slice(2) : token.slice(2, eq);
      inline = eq === -1 ? undefined : token.slice(eq + 1);
    } else {
      const short = SHORT_FLAGS[token.slice(1)];
      name = short ?? token;
    }
    const spec = FLAGS[name];
    if (!spec) {
      // The option's name only: its value may be a secret typed by mistake.
      const shown = name.startsWith("-") ? name.split("=")[0] : `--${name}`;
      issues.push({
        where: shown as string,
        reason: CREDENTIAL_LIKE.test(name)
          ? "is not an option: credentials are never taken from flags (they would show in `ps` " +
            "and shell history); set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, " +
            "or use --profile"
          : "is not an option (see --help)",
      });
      // Presume the next word is its value, so it is neither echoed nor reported again.
      if (inline === undefined && i + 1 < argv.length && !looksLikeOption(argv[i + 1] as string)) {
        i++;
      }
      continue;
    }
    if (!spec.takesValue) {
      if (inline !== undefined) {
        issues.push({ where: `--${name}`, reason: "takes no value" });
      }
      booleans.add(name);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next !== undefined && !looksLikeOption(next)) {
        value = next;
        i++;
      }
    }
    if (value === undefined) {
      issues.push({ where: `--${name}`, reason: "needs a value" });
      continue;
    }
    // Kept in typed order across both flags, so the output follows the command line.
    if (name === "user") nameSources.push({ kind: "flag", value });
    if (name === "users-file") nameSources.push({ kind: "file", path: value });
    const list = values.get(name) ?? [];
    list.push(value);
    values.set(name, list);
    if (!spec.repeatable && list.length === 2) {
      issues.push({ where: `--${name}`, reason: "may be given only once" });
    }
  }

  if (positionals > 0) {
    // Not echoed: a stray word could be a secret pasted in the wrong place.
    issues.push({
      where: positionals === 1 ? "an argument" : `${positionals} arguments`,
      reason: "not attached to any option: names go after --user (or in --users-file)",
    });
  }

  const one = (name: string) => values.get(name)?.[0];

  let format: OutputFormat = "table";
  const formatValue = one("format");
  if (formatValue !== undefined) {
    if ((OUTPUT_FORMATS as readonly string[]).includes(formatValue)) {
      format = formatValue as OutputFormat;
    } else {
      issues.push({
        where: "--format",
        reason: `must be one of ${OUTPUT_FORMATS.join(", ")} (got ${JSON.stringify(formatValue)})`,
      });
    }
  }

  const count = (flag: string): number | undefined => {
    const v = one(flag);
    if (v === undefined) return undefined;
    if (/^\d{1,15}$/.test(v)) return Number(v);
    issues.push({
      where: `--${flag}`,
      reason: `must be a whole number of at least 0 (got ${JSON.stringify(v)})`,
    });
    return undefined;
  };
  const maxOnline = count("max-online");
  const maxTotal = count("max-total");

  if (booleans.has("quiet") && booleans.has("verbose")) {
    issues.push({ where: "--quiet", reason: "cannot be combined with --verbose" });
  }
  const filesFromStdin = (values.get("users-file") ?? []).filter((p) => p === "-").length;
  if (filesFromStdin > 1) {
    issues.push({ where: "--users-file -", reason: "stdin can be read only once" });
  }

  const options: CliOptions = {
    nameSources,
    format,
    requireNoneOnline: booleans.has("require-none-online"),
    quiet: booleans.has("quiet"),
    verbose: booleans.has("verbose"),
    help: booleans.has("help"),
    version: booleans.has("version"),
  };
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
  if (maxOnline !== undefined) options.maxOnline = maxOnline;
  if (maxTotal !== undefined) options.maxTotal = maxTotal;
  return { options, issues };
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
 * One name per line; blank lines and `#` comments (whole-line or trailing) are skipped.
 * Usernames cannot contain `#` or spaces, so cutting at `#` never truncates a real name.
 */
export function namesFromText(text: string, label: string): SourcedName[] {
  const names: SourcedName[] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  lines.forEach((line, i) => {
    const name = line.replace(/#.*$/, "").trim();
    if (name !== "") names.push({ name, origin: `${label} line ${i + 1}` });
  });
  return names;
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
