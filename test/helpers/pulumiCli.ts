// Runs the real Pulumi CLI (.tools/bin/pulumi, see `npm run tools:pulumi`) against a throwaway
// local file backend, so end-to-end tests exercise the engine, our language host and our plugins
// exactly as a user's `pulumi up` would, without network or cloud credentials.
//
// A fixture directory is copied to <repo>/.pulumi-e2e/<name>-<random>/ rather than to the OS temp
// directory: the program must find @pulumi/pulumi (and the rest) through Node's upward
// node_modules lookup from the repository root, and stack files (`Pulumi.<stack>.yaml`, written by
// `stack init` and `config set`) must never land in the checked-in fixture. The copy sits two
// levels below the root, like examples/<name>/, so relative paths such as ../../sdk/nodejs keep
// working.

import { spawn } from "node:child_process";
import { existsSync, promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const repoRoot = path.resolve(__dirname, "..", "..");
export const toolsBin = path.join(repoRoot, ".tools", "bin");
export const pulumiBinary = path.join(toolsBin, "pulumi");
export const languageHostBinary = path.join(toolsBin, "pulumi-language-nodejs");
const workspacesRoot = path.join(repoRoot, ".pulumi-e2e");

/** Throws, with the fix, when the CLI or our language host is not where the tests expect them. */
export function assertPulumiCli(binDir = toolsBin): void {
  const missing: string[] = [];
  for (const file of [path.join(binDir, "pulumi"), path.join(binDir, "pulumi-language-nodejs")]) {
    if (!existsSync(file)) missing.push(file);
  }
  if (!existsSync(path.join(repoRoot, "dist", "tools", "langhost", "main.js"))) {
    missing.push("dist/tools/langhost/main.js (run `npm run build`)");
  }
  if (missing.length > 0) {
    throw new Error(
      `The pinned Pulumi CLI setup is incomplete; missing: ${missing.join(", ")}. ` +
        "Run `npm run tools:pulumi` (it builds the CLI from Go modules and links our Node.js " +
        "language host), then `npm run build`.",
    );
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Extra environment for this command only. */
  env?: Record<string, string>;
  /** Written to the CLI's stdin (e.g. a secret for `config set --secret` without argv). */
  input?: string;
}

export interface PulumiWorkspace {
  /** The program directory (a copy of the fixture); commands run here. */
  dir: string;
  /** The file backend's state directory (PULUMI_BACKEND_URL=file://<stateDir>). */
  stateDir: string;
  /** PULUMI_HOME for this workspace: plugins, credentials and caches stay private to the test. */
  home: string;
  passphrase: string;
  /** The environment every command gets (before per-command additions). */
  env: NodeJS.ProcessEnv;
  /**
   * Runs `pulumi <args...> --non-interactive --color never` in `dir` and resolves with its exit
   * code and output; it never rejects on a non-zero exit, so tests can assert on failures.
   */
  run(args: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Like run, but rejects with the full output when the command fails. */
  runOk(args: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Removes the copy, the state and PULUMI_HOME. */
  cleanup(): Promise<void>;
}

export interface WorkspaceOptions {
  /** Absolute path of the program to copy (the directory holding Pulumi.yaml). */
  fixture: string;
  passphrase?: string;
  /** Extra environment for every command (e.g. PULUMI_NODEJS_TRANSPILE_ONLY, provider settings). */
  env?: Record<string, string>;
}

/** The environment for the CLI: ours only, nothing a developer's shell exports for Pulumi. */
export function pulumiEnvironment(
  state: { stateDir: string; home: string; passphrase: string },
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // A developer's PULUMI_ACCESS_TOKEN, PULUMI_BACKEND_URL, PULUMI_STACK... must not leak in.
    if (!key.startsWith("PULUMI_")) env[key] = value;
  }
  return {
    ...env,
    // .tools/bin first: the CLI prefers a language host on PATH over the one next to itself.
    PATH: [toolsBin, process.env.PATH ?? ""].join(path.delimiter),
    PULUMI_BACKEND_URL: `file://${state.stateDir}`,
    PULUMI_HOME: state.home,
    PULUMI_CONFIG_PASSPHRASE: state.passphrase,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
    ...extra,
  };
}

export function runPulumi(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  input?: string,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(pulumiBinary, [...args, "--non-interactive", "--color", "never"], {
      cwd,
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding("utf8").on("data", (s: string) => {
      stderr += s;
    });
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }),
    );
    child.stdin.end(input ?? "");
  });
}

export function describeRun(args: readonly string[], result: RunResult): string {
  return (
    `pulumi ${args.join(" ")} exited with ${result.code}\n` +
    `--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`
  );
}

export async function createPulumiWorkspace(options: WorkspaceOptions): Promise<PulumiWorkspace> {
  assertPulumiCli();
  const name = path.basename(options.fixture);
  await fs.mkdir(workspacesRoot, { recursive: true });
  const dir = await fs.mkdtemp(path.join(workspacesRoot, `${name}-`));
  await copyProgram(options.fixture, dir);
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), "pulumi-e2e-"));
  const stateDir = path.join(scratch, "state");
  const home = path.join(scratch, "home");
  await fs.mkdir(stateDir);
  await fs.mkdir(home);
  const passphrase = options.passphrase ?? "e2e-passphrase";
  const env = pulumiEnvironment({ stateDir, home, passphrase }, options.env);

  const run = (args: readonly string[], runOptions: RunOptions = {}) =>
    runPulumi(args, dir, { ...env, ...runOptions.env }, runOptions.input);
  return {
    dir,
    stateDir,
    home,
    passphrase,
    env,
    run,
    async runOk(args, runOptions) {
      const result = await run(args, runOptions);
      if (result.code !== 0) throw new Error(describeRun(args, result));
      return result;
    },
    async cleanup() {
      await fs.rm(dir, { recursive: true, force: true });
      await fs.rm(scratch, { recursive: true, force: true });
    },
  };
}

// Stack files of earlier manual runs stay behind; node_modules is linked, not copied, because
// examples may carry their own installs.
async function copyProgram(from: string, to: string): Promise<void> {
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dest = path.join(to, entry.name);
    if (entry.name === "node_modules") {
      await fs.symlink(src, dest, "dir");
    } else if (/^Pulumi\.ya?ml$/.test(entry.name)) {
      await fs.writeFile(dest, absolutePluginPaths(await fs.readFile(src, "utf8"), from));
    } else if (/^Pulumi\..+\.ya?ml$/.test(entry.name)) {
      // a stack's config and encryption salt belong to a stack we do not have
    } else {
      await fs.cp(src, dest, { recursive: true });
    }
  }
}

/**
 * `plugins`/`packages` entries in Pulumi.yaml point at directories relative to the project
 * (e.g. a provider run from source). The copy lives elsewhere, so anchor them to the original.
 */
export function absolutePluginPaths(projectYaml: string, projectDir: string): string {
  return projectYaml.replace(
    /^(\s*(?:-\s+)?path:\s*)(["']?)([^"'\s#]+)\2(\s*(?:#.*)?)$/gm,
    (line, key: string, quote: string, value: string, rest: string) =>
      path.isAbsolute(value)
        ? line
        : `${key}${quote}${path.resolve(projectDir, value)}${quote}${rest}`,
  );
}

/** The emulator's first AccessKey (emulator/fixtures/default.json). */
export const EMULATOR_KEY = { id: "LTAI5tEmulatorKey01", secret: "emulator-secret-01" } as const;

/**
 * Points a stack's default smartag provider at an emulator: region, endpoint and an AccessKey,
 * the secret half set with --secret so it is stored encrypted, as a user would.
 */
export async function configureForEmulator(
  ws: Pick<PulumiWorkspace, "runOk">,
  endpoint: string,
  options: { region?: string; key?: { id: string; secret: string } } = {},
): Promise<void> {
  const key = options.key ?? EMULATOR_KEY;
  await ws.runOk(["config", "set", "smartag:region", options.region ?? "cn-shanghai"]);
  await ws.runOk(["config", "set", "smartag:endpoint", endpoint]);
  await ws.runOk(["config", "set", "smartag:accessKey", key.id]);
  await ws.runOk(["config", "set", "--secret", "smartag:secretKey", key.secret]);
}
