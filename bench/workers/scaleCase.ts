/**
 * One scale case in a fresh process, so its memory figures are its own: N names at
 * concurrency C against the emulator, `reps` times. Prints one JSON line (ScaleCaseResult).
 * Run with --expose-gc so "retained" is measured after a collection.
 */
import { performance } from "node:perf_hooks";
import { ourClient } from "../lib/client";
import { INSTANCE, userNames } from "../lib/fixture";

export interface ScaleCaseInput {
  endpoint: string;
  names: number;
  concurrency: number;
  reps: number;
}

export interface ScaleCaseResult {
  wallMs: number[];
  /** API requests per call, counted from the client's events. */
  requestsPerCall: number;
  /** This process's CPU time (user + system) per call. */
  cpuMsPerCall: number;
  rssBase: number;
  /** Highest RSS sampled every 10 ms during the calls. */
  rssPeak: number;
  /** resourceUsage().maxRSS, in bytes: the whole process's high-water mark. */
  maxRss: number;
  /** heapUsed after a forced collection with the last result still referenced, minus before. */
  heapRetained: number;
  /** What dropping the last result frees (heapUsed after GC, with minus without it). */
  resultHeap: number;
  resultJsonBytes: number;
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}

const gcOnce = (globalThis as { gc?: () => void }).gc ?? (() => {});
/** Two full collections: the second catches what the first left to finalizers and weak refs. */
const gc = () => {
  gcOnce();
  gcOnce();
};

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? "{}") as ScaleCaseInput;
  let requests = 0;
  const client = ourClient(input.endpoint, { concurrency: input.concurrency }, (e) => {
    if (e.type === "request") requests++;
  });
  const names = userNames(input.names);
  const request = (userNames: string[]) =>
    client.describeUserOnlineClientStatistics({ smartAgId: INSTANCE, userNames });
  // Warm-up: loads the schemas and pop-core, JITs the batch path and opens as many
  // connections as the case will use (one full batch per worker).
  await request(names.slice(0, Math.min(names.length, input.concurrency * 50)));
  requests = 0;
  gc();
  const base = process.memoryUsage();
  let rssPeak = base.rss;
  // memoryUsage.rss() only: the full memoryUsage() costs enough to show in a profile.
  const sample = () => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  };
  const sampler = setInterval(sample, 10);
  // The answer is held on an object and every call runs in its own frame: a value awaited in
  // this frame could stay reachable from a register after the variable is cleared.
  const holder: { last?: unknown } = {};
  const once = async (): Promise<number> => {
    holder.last = undefined;
    const t0 = performance.now();
    holder.last = await request(names);
    return performance.now() - t0;
  };
  const wallMs: number[] = [];
  const cpu0 = process.cpuUsage();
  try {
    for (let i = 0; i < input.reps; i++) {
      wallMs.push(await once());
      sample();
    }
  } finally {
    clearInterval(sampler);
  }
  const cpu = process.cpuUsage(cpu0);
  const resultJsonBytes = jsonBytes(holder.last);
  gc();
  const after = process.memoryUsage();
  holder.last = undefined;
  gc();
  const withoutResult = process.memoryUsage();
  const result: ScaleCaseResult = {
    wallMs,
    requestsPerCall: requests / input.reps,
    cpuMsPerCall: (cpu.user + cpu.system) / 1000 / input.reps,
    rssBase: base.rss,
    rssPeak,
    maxRss: process.resourceUsage().maxRSS * 1024,
    heapRetained: after.heapUsed - base.heapUsed,
    resultHeap: after.heapUsed - withoutResult.heapUsed,
    resultJsonBytes,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`scale case failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
