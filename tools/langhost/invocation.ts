// How a RunRequest becomes a `node .../@pulumi/pulumi/cmd/run ...` command line and environment.
// Kept free of gRPC types so the contract with the SDK's run script can be tested on its own.
//
// The run script (see @pulumi/pulumi/cmd/run/index.js) reads flags with minimist and copies them
// into PULUMI_NODEJS_* variables; configuration never travels as flags but as PULUMI_CONFIG (a
// JSON object) and PULUMI_CONFIG_SECRET_KEYS (a JSON array); TypeScript support is switched on by
// PULUMI_NODEJS_TYPESCRIPT=true, which makes the script register ts-node itself.

import type { NodeOptions } from "./options";

export interface RunSpec {
  monitorAddress: string;
  engineAddress: string;
  organization: string;
  project: string;
  stack: string;
  rootDirectory: string;
  programDirectory: string;
  /** "." lets the run script pick package.json's main/exports, else index. */
  entryPoint: string;
  dryRun: boolean;
  parallel: number;
  tracing: string;
  args: readonly string[];
  config: Readonly<Record<string, string>>;
  configSecretKeys: readonly string[];
}

/**
 * Node's own options for a program, plugin or policy pack: our preload (see preload.ts) first,
 * then the user's `nodeargs`, so a user's `--require` sees the guarded `util.inspect` too.
 */
export function nodeArguments(options: NodeOptions, preload: string | undefined): string[] {
  return [...(preload ? ["--require", preload] : []), ...options.nodeArgs];
}

export function runArguments(
  runScript: string,
  spec: RunSpec,
  options: NodeOptions,
  preload?: string,
): string[] {
  const args = [...nodeArguments(options, preload), runScript];
  const flag = (name: string, value: string) => {
    if (value !== "") args.push(`--${name}`, value);
  };
  flag("monitor", spec.monitorAddress);
  flag("engine", spec.engineAddress);
  flag("organization", spec.organization);
  flag("project", spec.project);
  flag("root-directory", spec.rootDirectory);
  flag("stack", spec.stack);
  flag("pwd", spec.programDirectory);
  if (spec.dryRun) args.push("--dry-run");
  flag("parallel", String(spec.parallel));
  flag("tracing", spec.tracing);
  args.push(spec.entryPoint || ".", ...spec.args);
  return args;
}

/**
 * The engine sends keys as `<namespace>:<name>`; SDKs older than the `<namespace>:<name>` form
 * only understand `<namespace>:config:<name>`, and every SDK since reads both. So, like the
 * official host, we hand the program the old form.
 */
export function legacyConfig(config: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    const parts = key.split(":");
    if (parts.length === 2 && parts[0] !== undefined && parts[1] !== undefined) {
      out[`${parts[0]}:config:${parts[1]}`] = value;
    } else if (parts.length === 3 && parts[1] === "config" && parts[0] && parts[2]) {
      out[key] = value;
    } else {
      throw new Error(
        `could not parse ${key} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`,
      );
    }
  }
  return out;
}

export function sdkEnvironment(options: NodeOptions): Record<string, string> {
  const env: Record<string, string> = {};
  if (options.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
  if (options.tsconfigPath) env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfigPath;
  return env;
}

export function runEnvironment(
  base: NodeJS.ProcessEnv,
  spec: RunSpec,
  options: NodeOptions,
): NodeJS.ProcessEnv {
  return {
    ...base,
    PULUMI_CONFIG: JSON.stringify(legacyConfig(spec.config)),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(spec.configSecretKeys),
    ...sdkEnvironment(options),
  };
}

/** Exit code with which the SDK's run scripts say "the error is already in front of the user". */
export const exitedAfterLoggingUserActionableMessage = 32;

export interface ProgramOutcome {
  error: string;
  bail: boolean;
}

export function programOutcome(
  code: number | null,
  signal: NodeJS.Signals | null,
  oomDetected: boolean,
): ProgramOutcome {
  if (code === 0) return { error: "", bail: false };
  if (code === exitedAfterLoggingUserActionableMessage) return { error: "", bail: true };
  if (code === null) {
    return {
      error: `Program exited unexpectedly: killed by signal ${signal ?? "unknown"}`,
      bail: false,
    };
  }
  let error = `Program exited with non-zero exit code: ${code}`;
  if (oomDetected) {
    error +=
      ". Detected a possible out of memory error. Consider increasing the memory available to the " +
      "nodejs process by setting the `nodeargs` runtime option in Pulumi.yaml to " +
      "`nodeargs: --max-old-space-size=<size>`.";
  }
  return { error, bail: false };
}
