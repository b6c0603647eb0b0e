/**
 * Runs the compiled smartag-stats the way a CI job does: a child process through
 * bin/smartag-stats, credentials in its environment, output captured from pipes.
 */
import { type ChildProcess, type ChildProcessByStdio, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Readable, Writable } from "node:stream";

export const root = resolve(__dirname, "..", "..");
export const bin = join(root, "bin", "smartag-stats");
const mainJs = join(root, "dist", "cli", "main.js");

/** Everything that compiles into dist/cli's dependency graph. */
const SOURCES = [join(root, "cli"), join(root, "client", "src"), join(root, "limits", "src")];

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return path.endsWith(".ts") ? stat.mtimeMs : 0;
  let latest = 0;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

function compiledAt(): number {
  try {
    return statSync(mainJs).mtimeMs;
  } catch {
    return 0;
  }
}

/** `npm test` builds first; this covers running mocha alone after editing the CLI. */
export function ensureBuilt(): void {
  const latest = Math.max(...SOURCES.map(newest));
  if (compiledAt() >= latest) return;
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  // Type errors elsewhere do not stop tsc from emitting, so judge by the output's age.
  const packages = spawnSync(process.execPath, [tsc, "-b", "client", "limits"], { cwd: root });
  const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root });
  if (compiledAt() < latest) {
    throw new Error(`build failed:\n${packages.stdout}${result.stdout}${result.stderr}`);
  }
}

export const KEY1 = { id: "LTAI5tEmulatorKey01", secret: "emulator-secret-01" };
export const KEY2 = { id: "LTAI5tEmulatorKey02", secret: "emulator-secret-02" };
export const STS_KEY = {
  id: "STS.EmulatorKey03",
  secret: "emulator-secret-03",
  securityToken: "emulator-sts-token-03",
};
/** Every credential a test hands to the CLI; none may ever come back out. */
export const SECRETS = [KEY1.secret, KEY2.secret, STS_KEY.secret, STS_KEY.securityToken];

/**
 * A child environment with nothing of the developer's: no Alibaba Cloud variables, a fresh
 * HOME (no ~/.aliyun or ~/.alibabacloud), and the default chain kept off the network.
 */
export function baseEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: mkdtempSync(join(tmpdir(), "smartag-stats-home-")),
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true",
    ALIBABA_CLOUD_CLI_PROFILE_DISABLED: "true",
    ALIBABA_CLOUD_CREDENTIALS_FILE: "/nonexistent/smartag-stats-test-credentials",
  };
}

export function keyEnv(key: { id: string; secret: string } = KEY1): NodeJS.ProcessEnv {
  return { ALIBABA_CLOUD_ACCESS_KEY_ID: key.id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: key.secret };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Added to baseEnv(); a value of undefined removes the variable. */
  env?: NodeJS.ProcessEnv;
  stdin?: string;
  /** Node flags before the script, e.g. a preload. */
  nodeArgs?: string[];
  /** Gets the child process, e.g. to signal it. */
  onSpawn?: (child: ChildProcess) => void;
  /** Feeds stdin instead of `stdin`, e.g. without end; must cope with the child leaving. */
  feed?: (stdin: Writable) => void;
  /** A file descriptor for the child's stdout (e.g. /dev/full) instead of a pipe. */
  stdoutFd?: number;
}

export async function runCli(
  args: readonly string[],
  options: RunOptions = {},
): Promise<CliResult> {
  const env = { ...baseEnv(), ...options.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), bin, ...args], {
    cwd: root,
    env,
    stdio: ["pipe", options.stdoutFd ?? "pipe", "pipe"],
  }) as ChildProcessByStdio<Writable, Readable | null, Readable>;
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  options.onSpawn?.(child);
  child.stdin.on("error", () => undefined); // the CLI may exit without reading stdin
  if (options.feed) options.feed(child.stdin);
  else child.stdin.end(options.stdin ?? "");
  const [code, signal] = (await once(child, "close")) as [number | null, NodeJS.Signals | null];
  return { code, signal, stdout, stderr };
}

/** user0001..user0150 on sag-big0001 answer i % 4 in the default fixture. */
export const bigNames = (n: number) =>
  Array.from({ length: n }, (_, i) => `user${String(i + 1).padStart(4, "0")}`);
export const bigCount = (name: string) => Number(name.slice(4)) % 4;

/** The UserNames.N parameters of one recorded request, in N order. */
export function userNamesOf(params: Record<string, string>): string[] {
  return Object.keys(params)
    .filter((k) => /^UserNames\.\d+$/.test(k))
    .sort((a, b) => Number(a.slice(10)) - Number(b.slice(10)))
    .map((k) => params[k] as string);
}

/** The characters of `text` a terminal would act on, other than line feeds, as U+XXXX. */
export function rawControls(text: string): string[] {
  const found = new Set<string>();
  for (const c of text) {
    const cp = c.codePointAt(0) as number;
    const unsafe =
      (cp < 0x20 && cp !== 0x0a) ||
      (cp >= 0x7f && cp <= 0x9f) ||
      (cp >= 0x2028 && cp <= 0x202e) ||
      (cp >= 0x2066 && cp <= 0x2069);
    if (unsafe) found.add(`U+${cp.toString(16).padStart(4, "0")}`);
  }
  return [...found];
}
