/**
 * 5. Cache: the same invoke twice in one plugin (a gate and an export in one program, or
 * preview then update), with the plugin's answer cache on (cacheTtlMs 5000) and off (0).
 */
import { performance } from "node:perf_hooks";
import { ACCESS_KEY, INSTANCE, REGION, SECRET_KEY, userNames } from "../lib/fixture";
import { PluginClient } from "../lib/plugin";
import type { EmulatorProcess } from "../lib/proc";
import type { Report } from "../lib/report";
import { int, median, ms } from "../lib/stats";

export interface CacheRow {
  ttl: number;
  mode: "sequential" | "concurrent";
  requests: number;
  wall: number;
  /** The fastest pair: load from elsewhere only ever adds time. */
  minWall: number;
}

const NAMES = 1_000;
const TRIALS = 7;

export async function cache(
  emulator: EmulatorProcess,
  latencyMs: number,
  report: Report,
): Promise<CacheRow[]> {
  const plug = await PluginClient.start();
  const args = { smartAgId: INSTANCE, userNames: userNames(NAMES) };
  const samples = new Map<string, { requests: number[]; wall: number[] }>();
  const configure = (ttl: number) =>
    plug.configure({
      region: REGION,
      endpoint: emulator.url,
      accessKey: ACCESS_KEY,
      secretKey: SECRET_KEY,
      cacheTtlMs: String(ttl),
    });
  try {
    // Warm-up: the plugin loads its client modules on the first Configure and JITs on use.
    await configure(0);
    for (let i = 0; i < 3; i++) await plug.invoke(args);
    for (let t = 0; t < TRIALS; t++) {
      for (const ttl of [5_000, 0]) {
        for (const mode of ["sequential", "concurrent"] as const) {
          // A fresh Configure builds a fresh client, so every pair starts with an empty cache.
          await configure(ttl);
          const before = await emulator.counts();
          const t0 = performance.now();
          if (mode === "sequential") {
            await plug.invoke(args);
            await plug.invoke(args);
          } else {
            await Promise.all([plug.invoke(args), plug.invoke(args)]);
          }
          const wall = performance.now() - t0;
          const after = await emulator.counts();
          const key = `${ttl}/${mode}`;
          const s = samples.get(key) ?? { requests: [], wall: [] };
          s.requests.push(after.total - before.total);
          s.wall.push(wall);
          samples.set(key, s);
        }
      }
    }
  } finally {
    await plug.stop();
  }
  const rows: CacheRow[] = [];
  for (const [key, s] of samples) {
    const [ttl, mode] = key.split("/") as [string, CacheRow["mode"]];
    rows.push({
      ttl: Number(ttl),
      mode,
      requests: median(s.requests),
      wall: median(s.wall),
      minWall: Math.min(...s.wall),
    });
  }
  report.heading("5. Cache: the same invoke twice");
  report.para(
    `Two identical invokes of ${int(NAMES)} names through one warm plugin (emulator latency ` +
      `${latencyMs} ms, default concurrency 4), after a fresh Configure each time; ` +
      `*sequential* = one after the other (preview then update), *concurrent* = both at once ` +
      `(a gate and an export in one program). ${TRIALS} pairs each, configurations in turn; ` +
      "wall as median (fastest); *saved* compares medians.",
  );
  const find = (ttl: number, mode: CacheRow["mode"]) =>
    rows.find((r) => r.ttl === ttl && r.mode === mode);
  report.table(
    ["pair", "cacheTtlMs", "requests sent", "wall median (fastest)", "saved"],
    rows.map((r) => {
      const off = find(0, r.mode);
      return [
        r.mode,
        r.ttl,
        r.requests,
        `${ms(r.wall)} (${ms(r.minWall)})`,
        r.ttl > 0 && off
          ? `${off.requests - r.requests} requests, ${ms(off.wall - r.wall)} (${((1 - r.wall / off.wall) * 100).toFixed(0)}%)`
          : "-",
      ];
    }),
  );
  report.para(
    "Two concurrent calls overlap (each at concurrency 4), so there the cache saves API " +
      "requests (quota, throttling headroom) rather than wall time; one after the other it " +
      "saves both.",
  );
  return rows;
}
