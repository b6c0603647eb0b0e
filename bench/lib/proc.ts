/**
 * Child processes for the bench: the emulator (one per fault setting, so its event loop never
 * shares a core's time slice with the client being measured), the provider plugin, and
 * one-shot Node workers. Every wait is bounded; every child is stopped by its own handle.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { sleep } from "./stats";

/** The repository root: the nearest folder above this file with the root package.json. */
export const REPO = findRepo(__dirname);

function findRepo(start: string): string {
  let dir = start;
  for (let i = 0; i < 10; i++) {
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg)) {
      const name = (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name;
      if (name === "pulumi-smartag-provider") return dir;
    }
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find the repository root above ${start}`);
}

/** Only PATH passes through: no credentials or SMARTAG_* settings leak into the children. */
export const CHILD_ENV: NodeJS.ProcessEnv = { PATH: process.env.PATH };

export interface Started {
  child: ChildProcess;
  /** The first stdout line. */
  line: string;
  /** Milliseconds from spawn() to the first stdout line. */
  startMs: number;
  stderr(): string;
  stop(): Promise<void>;
}

/** Spawns `node args...` and waits (at most timeoutMs) for its first stdout line. */
export async function spawnUntilLine(
  args: readonly string[],
  options: {
    env?: NodeJS.ProcessEnv;
    timeoutMs?: number;
    onStderr?: (chunk: string) => void;
    /** What to run instead of this Node.js, e.g. an executable launcher. */
    command?: string;
  } = {},
): Promise<Started> {
  const t0 = performance.now();
  const child = spawn(options.command ?? process.execPath, args, {
    cwd: REPO,
    env: options.env ?? CHILD_ENV,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (d: string) => {
    if (err.length < 64 * 1024) err += d;
    options.onStderr?.(d);
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    await exited;
    clearTimeout(timer);
  };
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(
        () => reject(new Error(`no output from node ${args.join(" ")} within time`)),
        options.timeoutMs ?? 15_000,
      );
      child.stdout?.setEncoding("utf8");
      child.stdout?.on("data", (d: string) => {
        out += d;
        const nl = out.indexOf("\n");
        if (nl >= 0) {
          clearTimeout(timer);
          resolve(out.slice(0, nl));
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`node ${args.join(" ")} exited (${code}) early: ${err.slice(0, 2000)}`));
      });
    });
    return { child, line, startMs: performance.now() - t0, stderr: () => err, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Runs `node args...` to completion (bounded) and returns its stdout. */
export async function runNode(
  args: readonly string[],
  options: { timeoutMs?: number } = {},
): Promise<{ stdout: string; wallMs: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    env: CHILD_ENV,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (d: string) => {
    out += d;
  });
  child.stderr.on("data", (d: string) => {
    if (err.length < 64 * 1024) err += d;
  });
  const timeoutMs = options.timeoutMs ?? 120_000;
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  if (code !== 0) {
    throw new Error(`node ${args.join(" ")} failed (${code}): ${err.slice(0, 2000)}`);
  }
  return { stdout: out, wallMs: performance.now() - t0 };
}

/** Resident set size of another process, from /proc (Linux); NaN elsewhere. */
export function procStatus(pid: number): { rss: number; hwm: number } {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1]);
    return { rss: kb("VmRSS") * 1024, hwm: kb("VmHWM") * 1024 };
  } catch {
    return { rss: Number.NaN, hwm: Number.NaN };
  }
}

/**
 * CPU time a process's main thread has run so far, in ms, from /proc/<pid>/schedstat
 * (nanoseconds; that file covers the thread group leader only, which is where a Node
 * process runs its JavaScript); NaN where unavailable.
 */
export function cpuMs(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]) / 1e6;
  } catch {
    return Number.NaN;
  }
}

/**
 * CPU time of all of a process's live threads, in ms (the sum of /proc/<pid>/task/<tid>/
 * schedstat); NaN where unavailable. For a Go program, whose goroutines run on any thread.
 */
export function allThreadsCpuMs(pid: number): number {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return Number.NaN;
  }
  let total = 0;
  for (const tid of tids) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // The thread ended since the listing; its time is gone with it.
    }
  }
  return total / 1e6;
}

/** Arguments to run a bench worker script, whether the bench runs compiled or under ts-node. */
export function workerArgs(file: string, nodeFlags: readonly string[] = []): string[] {
  const ts = path.extname(file) === ".ts";
  return [...nodeFlags, ...(ts ? ["-r", "ts-node/register/transpile-only"] : []), file];
}

export interface EmulatorCounts {
  total: number;
  throttled: number;
}

/**
 * The emulator in its own process (`bin/smartag-emulator --verbose`), counting requests from
 * its log: one stderr line per answered request, `METHOD ACTION STATUS CODE`.
 */
export class EmulatorProcess {
  private total = 0;
  private throttled = 0;
  private partial = "";

  private constructor(
    readonly url: string,
    readonly faults: string,
    private readonly started: Started,
  ) {}

  static async start(fixtureFile: string, faults: string): Promise<EmulatorProcess> {
    let self: EmulatorProcess | undefined;
    const pending: string[] = [];
    const started = await spawnUntilLine(
      [
        path.join(REPO, "bin", "smartag-emulator"),
        "--port",
        "0",
        "--fixture",
        fixtureFile,
        ...(faults ? ["--faults", faults] : []),
        "--verbose",
      ],
      {
        onStderr: (chunk) => {
          if (self) self.consume(chunk);
          else pending.push(chunk);
        },
      },
    );
    const m = /^SMARTAG_ENDPOINT=(http:\/\/127\.0\.0\.1:\d+)$/.exec(started.line);
    if (!m?.[1]) {
      await started.stop();
      throw new Error(`unexpected emulator output: ${started.line}`);
    }
    self = new EmulatorProcess(m[1], faults, started);
    for (const chunk of pending) self.consume(chunk);
    return self;
  }

  get pid(): number {
    return this.started.child.pid ?? -1;
  }

  private consume(chunk: string): void {
    const lines = (this.partial + chunk).split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) {
      const parts = line.trim().split(" ");
      if (parts.length !== 4) continue;
      this.total++;
      if (parts[3] === "Throttling.User") this.throttled++;
    }
  }

  /** Counts once the log has caught up with the answers (stable for 60 ms, at most 1.5 s). */
  async counts(): Promise<EmulatorCounts> {
    let last = -1;
    for (let i = 0; i < 25 && last !== this.total; i++) {
      last = this.total;
      await sleep(60);
    }
    return { total: this.total, throttled: this.throttled };
  }

  stop(): Promise<void> {
    return this.started.stop();
  }
}
