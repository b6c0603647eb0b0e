/**
 * 1. Floor: what our client costs over pop-core alone, sequential calls, against an emulator
 * with no added latency (so the client's own work is what differs).
 */
import { performance } from "node:perf_hooks";
import { ACTION } from "@pulumi-smartag/client";
import { bareClient, ourClient } from "../lib/client";
import { INSTANCE, REGION, userNames } from "../lib/fixture";
import type { EmulatorProcess } from "../lib/proc";
import type { Report } from "../lib/report";
import { median, ms, percentile, ratio } from "../lib/stats";

export interface FloorResult {
  bareMedian: number;
  oursMedian: number;
  overhead: number;
  /** The same for one full batch of 50 names. */
  overhead50: number;
}

const CASES = [
  { names: 1, warmup: 30, calls: 300 },
  { names: 50, warmup: 20, calls: 100 },
] as const;

export async function floor(emulator: EmulatorProcess, report: Report): Promise<FloorResult> {
  const bare = bareClient(emulator.url);
  const ours = ourClient(emulator.url);
  const rows: string[][] = [];
  const medians = new Map<number, { bare: number; ours: number }>();
  for (const c of CASES) {
    const names = userNames(c.names);
    const bareCall = () =>
      bare.request(
        ACTION,
        { RegionId: REGION, SmartAGId: INSTANCE, UserNames: names },
        { method: "POST", formatParams: false },
      );
    const oursCall = () =>
      ours.describeUserOnlineClientStatistics({ smartAgId: INSTANCE, userNames: names });
    for (let i = 0; i < c.warmup; i++) {
      await bareCall();
      await oursCall();
    }
    // Call by call in turn, so a burst of load from elsewhere hits both sides alike.
    const times = { bare: [] as number[], ours: [] as number[] };
    const cpu = { bare: 0, ours: 0 };
    for (let i = 0; i < c.calls; i++) {
      for (const [side, call] of [
        ["bare", bareCall],
        ["ours", oursCall],
      ] as const) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await call();
        times[side].push(performance.now() - t0);
        const used = process.cpuUsage(c0);
        cpu[side] += (used.user + used.system) / 1000;
      }
    }
    const n = c.calls;
    const m = { bare: median(times.bare), ours: median(times.ours) };
    medians.set(c.names, m);
    rows.push(
      [
        `${c.names}`,
        "bare pop-core RPCClient",
        `${n}`,
        ms(m.bare),
        ms(percentile(times.bare, 95)),
        ms(cpu.bare / n),
      ],
      [
        `${c.names}`,
        "SmartagClient",
        `${n}`,
        ms(m.ours),
        ms(percentile(times.ours, 95)),
        ms(cpu.ours / n),
      ],
      [
        `${c.names}`,
        "**ours / bare**",
        "",
        ratio(m.ours / m.bare),
        ratio(percentile(times.ours, 95) / percentile(times.bare, 95)),
        ratio(cpu.ours / cpu.bare),
      ],
    );
  }
  report.heading("1. Floor: bare pop-core vs our client (sequential)");
  report.para(
    "Sequential calls after a warm-up, bare and ours in turn call by call; emulator in its own process with " +
      "no added latency, cache off. Bare = `RPCClient.request` with the same parameters, POST, " +
      "formatParams false; ours adds input validation, the rate-limiter hook, the retry " +
      "wrapper, the response schema check and result assembly. CPU = the bench process's CPU " +
      "time per call (`process.cpuUsage`).",
  );
  report.table(["names", "client", "calls", "median", "p95", "CPU/call"], rows);
  const one = medians.get(1) ?? { bare: Number.NaN, ours: Number.NaN };
  const fifty = medians.get(50) ?? { bare: Number.NaN, ours: Number.NaN };
  return {
    bareMedian: one.bare,
    oursMedian: one.ours,
    overhead: one.ours / one.bare,
    overhead50: fifty.ours / fifty.bare,
  };
}
