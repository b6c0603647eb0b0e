/**
 * The Go caller (bench/goinvoke): the plugin called the way the Pulumi engine calls it, with
 * grpc-go and the engine's generated stubs, so the plugin's figures are not billed for
 * grpc-js and google-protobuf on the calling side. Built once per run into .tools/bench;
 * without Go (or when the build fails) the plugin section says its Go rows were skipped.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO } from "./proc";

export const GO_CALLER_SRC = path.join(REPO, "bench", "goinvoke");
export const GO_CALLER_BIN = path.join(REPO, ".tools", "bench", "goinvoke");

/** What `go build` needs besides PATH (its caches live under HOME unless GO* says otherwise). */
function goEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === "PATH" || k === "HOME" || k.startsWith("GO") || k.startsWith("XDG_")) env[k] = v;
  }
  return env;
}

/**
 * Builds the Go caller (a no-op when the build cache is current). Resolves with the binary,
 * or with why there is none: Go missing, or the build failing (say, offline with an empty
 * module cache).
 */
export function buildGoCaller(): Promise<{ bin: string } | { skipped: string }> {
  return new Promise((resolve) => {
    const child = spawn("go", ["build", "-o", GO_CALLER_BIN, "."], {
      cwd: GO_CALLER_SRC,
      env: goEnv(),
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d: string) => {
      if (err.length < 16 * 1024) err += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 10 * 60_000);
    child.once("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({
        skipped: e.code === "ENOENT" ? "Go is not installed (no `go` on PATH)" : e.message,
      });
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ bin: GO_CALLER_BIN });
      else {
        const why = err
          .split("\n")
          .filter((l) => l.trim() !== "" && !l.startsWith("go: downloading"))
          .slice(0, 3)
          .join(" ");
        resolve({ skipped: `\`go build\` of bench/goinvoke failed (${code ?? signal}): ${why}` });
      }
    });
  });
}

/**
 * One Go caller process in its serve mode: it configures the plugin once, then makes one call
 * per request and reports that call's wall time by its own clock, so the bench can call it in
 * turn with its other sides.
 */
export class GoCaller {
  private buffered = "";
  private err = "";
  private waiting: { resolve: (line: string) => void; reject: (e: Error) => void } | undefined;
  private gone: string | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {
    child.stdout?.setEncoding("utf8");
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (d: string) => {
      if (this.err.length < 16 * 1024) this.err += d;
    });
    // A write after it died fails with EPIPE; the exit handler below reports why it died.
    child.stdin?.on("error", () => {});
    child.stdout?.on("data", (d: string) => {
      this.buffered += d;
      this.deliver();
    });
    this.exited = new Promise((resolve) => {
      const gone = (why: string) => {
        this.gone = `goinvoke ${why}: ${this.err.slice(0, 2000)}`;
        this.waiting?.reject(new Error(this.gone));
        this.waiting = undefined;
        resolve();
      };
      child.once("exit", (code, signal) => gone(`exited (${code ?? signal})`));
      // Spawning failed (no such file, not executable): no exit event follows.
      child.once("error", (e) => gone(`could not run: ${e.message}`));
    });
  }

  /** Hands the next complete stdout line to the caller waiting for it. */
  private deliver(): void {
    const nl = this.buffered.indexOf("\n");
    if (nl < 0 || !this.waiting) return;
    const line = this.buffered.slice(0, nl);
    this.buffered = this.buffered.slice(nl + 1);
    const w = this.waiting;
    this.waiting = undefined;
    w.resolve(line);
  }

  /**
   * Starts the caller against the plugin on `port`; resolves once its Configure (with
   * `config`) has returned. `args` are the Invoke arguments of every call it makes.
   */
  static async start(
    bin: string,
    port: number,
    config: Record<string, unknown>,
    args: Record<string, unknown>,
  ): Promise<GoCaller> {
    // A 10,000-name list is longer than Linux allows for one command-line argument.
    const dir = mkdtempSync(path.join(os.tmpdir(), "smartag-goinvoke-"));
    const argsFile = path.join(dir, "args.json");
    writeFileSync(argsFile, JSON.stringify(args));
    const child = spawn(
      bin,
      [
        "-serve",
        "-addr",
        `127.0.0.1:${port}`,
        "-config",
        JSON.stringify(config),
        "-args",
        `@${argsFile}`,
      ],
      { cwd: REPO, env: { PATH: process.env.PATH }, stdio: ["pipe", "pipe", "pipe"] },
    );
    const caller = new GoCaller(child, dir);
    try {
      const line = await caller.nextLine();
      if ((JSON.parse(line) as { ready?: boolean }).ready !== true) {
        throw new Error(`unexpected goinvoke output: ${line}`);
      }
      return caller;
    } catch (e) {
      await caller.stop();
      throw e;
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  private nextLine(): Promise<string> {
    return new Promise((resolve, reject) => {
      if (this.gone !== undefined) {
        reject(new Error(this.gone));
        return;
      }
      this.waiting = { resolve, reject };
      this.deliver();
    });
  }

  /** One Invoke or GetPluginInfo; resolves with its wall time in ms as the caller measured it. */
  async call(op: "invoke" | "info"): Promise<number> {
    const line = this.nextLine();
    this.child.stdin?.write(`${op}\n`);
    const reply = JSON.parse(await line) as { ms?: number; error?: string };
    if (reply.error !== undefined || reply.ms === undefined) {
      throw new Error(`goinvoke ${op}: ${reply.error ?? "no time in the reply"}`);
    }
    return reply.ms;
  }

  /** Ends its input (it exits at end of input); kills it if it does not exit in 3 s. */
  async stop(): Promise<void> {
    if (this.gone === undefined) {
      this.child.stdin?.end();
      const timer = setTimeout(() => this.child.kill("SIGKILL"), 3000);
      await this.exited;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
