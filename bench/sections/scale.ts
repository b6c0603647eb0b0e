/**
 * 3. Scale: names x concurrency at a cloud-like 30 ms, each case in a fresh process, against
 * the ideal of ceil(batches / concurrency) round trips.
 */
import * as path from "node:path";
import { MAX_USERS } from "../lib/fixture";
import { cpuMs, type EmulatorProcess, runNode, workerArgs } from "../lib/proc";
import type { Report } from "../lib/report";
import { int, kib, median, mib, ms, ratio } from "../lib/stats";
import type { ScaleCaseInput, ScaleCaseResult } from "../workers/scaleCase";

export const NAME_COUNTS = [1, 50, 1_000, MAX_USERS] as const;
export const CONCURRENCY = [1, 4, 8, 16] as const;
const BATCH = 50;

export interface ScaleRow {
  names: number;
  concurrency: number;
  wall: number;
  ideal: number;
  ratio: number;
  /** Emulator CPU per call (includes the worker's one-name warm-up, spread over the calls). */
  emulatorCpu: number;
  res: ScaleCaseResult;
}

export interface ScaleResult {
  roundTrip: number;
  rows: ScaleRow[];
  /** The row with the worst ratio to ideal at 10,000 names. */
  worst10k: ScaleRow;
}

function repsFor(names: number, concurrency: number): number {
  if (names <= 50) return 20;
  if (names <= 1_000) return 7;
  // At concurrency 1 a call is 200 sequential round trips: long, and steady.
  return concurrency === 1 ? 2 : 3;
}

async function runCase(
  emulator: EmulatorProcess,
  input: ScaleCaseInput,
): Promise<{ res: ScaleCaseResult; emulatorCpu: number }> {
  const file = path.join(__dirname, "..", "workers", `scaleCase${path.extname(__filename)}`);
  const cpu0 = cpuMs(emulator.pid);
  const { stdout } = await runNode([...workerArgs(file, ["--expose-gc"]), JSON.stringify(input)], {
    timeoutMs: 120_000,
  });
  const emulatorCpu = (cpuMs(emulator.pid) - cpu0) / input.reps;
  const res = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as ScaleCaseResult;
  return { res, emulatorCpu };
}

export async function scale(
  emulator: EmulatorProcess,
  latencyMs: number,
  report: Report,
): Promise<ScaleResult> {
  const rtt = await runCase(emulator, {
    endpoint: emulator.url,
    names: 1,
    concurrency: 1,
    reps: 30,
  });
  const roundTrip = median(rtt.res.wallMs);
  const rows: ScaleRow[] = [];
  for (const names of NAME_COUNTS) {
    for (const concurrency of CONCURRENCY) {
      const input = {
        endpoint: emulator.url,
        names,
        concurrency,
        reps: repsFor(names, concurrency),
      };
      const { res, emulatorCpu } = await runCase(emulator, input);
      const wall = median(res.wallMs);
      const ideal = Math.ceil(Math.ceil(names / BATCH) / concurrency) * roundTrip;
      rows.push({ names, concurrency, wall, ideal, ratio: wall / ideal, emulatorCpu, res });
    }
  }
  const worst10k = rows
    .filter((r) => r.names === MAX_USERS)
    .reduce((a, b) => (b.ratio > a.ratio ? b : a));

  report.heading(`3. Scale: names x concurrency at ${latencyMs} ms latency`);
  report.para(
    `Emulator latency ${latencyMs} ms, in its own process. Round trip = median of 30 one-name ` +
      `calls = **${ms(roundTrip)}**. Ideal = ceil(ceil(names / 50) / concurrency) x round trip ` +
      "(whole rounds: one name at concurrency 16 still takes one round trip). Each case runs in " +
      "a fresh Node process (cache off; a warm-up call of min(names, 50 x concurrency) names " +
      "first, which opens the connections the case uses); wall = median of 20 calls (1 and 50 " +
      "names), 7 (1,000) or 3 (10,000; 2 at concurrency 1). CPU = CPU time per call of the client process " +
      "(`process.cpuUsage`) and of the emulator process (`/proc/<pid>/schedstat`): each is " +
      "single-threaded JavaScript, so a call cannot take less wall time than either.",
  );
  report.table(
    ["names", "conc.", "requests/call", "wall", "ideal", "ratio", "client CPU", "emulator CPU"],
    rows.map((r) => [
      int(r.names),
      r.concurrency,
      int(r.res.requestsPerCall),
      ms(r.wall),
      ms(r.ideal),
      ratio(r.ratio),
      ms(r.res.cpuMsPerCall),
      ms(r.emulatorCpu),
    ]),
  );

  report.para(
    "Memory of each case's client process. *RSS base* = after the warm-up call and a GC; " +
      "*RSS peak* = highest RSS sampled every 10 ms during the calls; *maxRSS* = " +
      "`process.resourceUsage().maxRSS` (the process's high-water mark, Node itself included); " +
      "*heap retained* = heapUsed after a forced GC with the last result still referenced, " +
      "minus the heap after warm-up; *of which result* = what dropping that result frees " +
      "(another forced GC); *result JSON* = the answer serialised.",
  );
  report.table(
    [
      "names",
      "conc.",
      "RSS base",
      "RSS peak",
      "maxRSS",
      "peak - base",
      "heap retained",
      "of which result",
      "result JSON",
    ],
    rows.map((r) => [
      int(r.names),
      r.concurrency,
      mib(r.res.rssBase),
      mib(r.res.rssPeak),
      mib(r.res.maxRss),
      mib(r.res.rssPeak - r.res.rssBase),
      kib(r.res.heapRetained),
      kib(r.res.resultHeap),
      kib(r.res.resultJsonBytes),
    ]),
  );
  const at = (names: number, concurrency: number) =>
    rows.find((r) => r.names === names && r.concurrency === concurrency);
  const per1k = (x: number, y: number) => (y - x) / ((MAX_USERS - 1_000) / 1_000);
  const beyond = (r: ScaleRow) => r.res.heapRetained - r.res.resultHeap;
  const growth: string[][] = [];
  for (const c of CONCURRENCY) {
    const a = at(1_000, c);
    const b = at(MAX_USERS, c);
    if (!a || !b) continue;
    growth.push([
      String(c),
      kib(per1k(a.res.rssPeak, b.res.rssPeak)),
      kib(per1k(a.res.heapRetained, b.res.heapRetained)),
      kib(per1k(a.res.resultHeap, b.res.resultHeap)),
      kib(per1k(beyond(a), beyond(b))),
      kib(per1k(a.res.resultJsonBytes, b.res.resultJsonBytes)),
    ]);
  }
  report.para(
    "Growth per 1,000 extra names, from 1,000 to 10,000 names. *Beyond the result* = heap " +
      "retained minus the result itself: what the client keeps that is not the answer. RSS " +
      "peak growth is mostly garbage not yet collected (response bodies, parsed JSON), which " +
      "V8 lets accumulate before a collection.",
  );
  report.table(
    ["conc.", "RSS peak", "heap retained", "result in heap", "beyond the result", "result JSON"],
    growth,
  );
  const big = at(MAX_USERS, 4);
  if (big && big.res.resultHeap > 1.5 * big.res.resultJsonBytes) {
    report.para(
      `The 10,000-name answer takes ${kib(big.res.resultHeap)} of heap, ` +
        `${ratio(big.res.resultHeap / big.res.resultJsonBytes)} its JSON size. A heap snapshot ` +
        "shows why: each entry of `requestIds` is a V8 sliced string of its raw response body " +
        "(the JSON parser cut it out of the body text), so the answer keeps all " +
        `${int(big.res.requestsPerCall)} bodies alive (about 2.4 KiB per 50 names). Copying the ` +
        "id when the client stores it frees them (measured: about half the answer's heap).",
    );
  }
  return { roundTrip, rows, worst10k };
}
