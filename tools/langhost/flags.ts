// Command-line handling for the language host. The engine launches language plugins the way it
// launches every plugin: Go-style flags first (`--logtostderr`, `-v=N`, `--tracing <url>`), then
// the engine's gRPC address as the last positional argument. Parsing follows Go's `flag` package
// (one or two dashes, `-name=value` or `-name value`, stop at the first positional or `--`) so a
// newer CLI that passes the same flags as it does to the official host keeps working.

export interface HostFlags {
  /** The engine's gRPC address; empty when launched by hand (the engine then calls Handshake). */
  engineAddress: string;
  tracing: string;
  verbosity: number;
  logToStderr: boolean;
  runtime: string;
  showVersion: boolean;
  /** Flags we do not know; kept so they can be reported instead of silently dropped. */
  unknown: string[];
}

const stringFlags = new Set(["tracing", "runtime", "root"]);
const intFlags = new Set(["v"]);
const boolFlags = new Set(["logtostderr", "logflow", "version", "typescript"]);

export function parseFlags(argv: readonly string[]): HostFlags {
  const flags: HostFlags = {
    engineAddress: "",
    tracing: "",
    verbosity: 0,
    logToStderr: false,
    runtime: "nodejs",
    showVersion: false,
    unknown: [],
  };
  const positional: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      break;
    }
    const body = arg.replace(/^--?/, "");
    const eq = body.indexOf("=");
    const name = eq >= 0 ? body.slice(0, eq) : body;
    let value: string | undefined = eq >= 0 ? body.slice(eq + 1) : undefined;
    if (stringFlags.has(name) || intFlags.has(name)) {
      if (value === undefined) {
        value = argv[i + 1] ?? "";
        i++;
      }
      if (name === "tracing") flags.tracing = value;
      else if (name === "runtime") flags.runtime = value;
      else if (name === "v") flags.verbosity = Number.parseInt(value, 10) || 0;
      // `root` is accepted for compatibility with older engines; ProgramInfo carries it now.
    } else if (boolFlags.has(name)) {
      const on = value === undefined || value === "true" || value === "1";
      if (name === "logtostderr") flags.logToStderr = on;
      else if (name === "version") flags.showVersion = on;
    } else {
      flags.unknown.push(arg);
    }
  }
  positional.push(...argv.slice(i));
  flags.engineAddress = positional[0] ?? "";
  return flags;
}
