/**
 * 2. Plugin: a warm gRPC Invoke against a direct client call, the plugin's cold start, what
 * its imports cost, and its memory once warm.
 */
import { performance } from "node:perf_hooks";
import { ourClient } from "../lib/client";
import { ACCESS_KEY, INSTANCE, REGION, SECRET_KEY, userNames } from "../lib/fixture";
import { PluginClient, spawnPlugin } from "../lib/plugin";
import { cpuMs, type EmulatorProcess, procStatus, runNode } from "../lib/proc";
import type { Report } from "../lib/report";
import { median, mib, ms, percentile, ratio } from "../lib/stats";

export interface PluginResult {
  /** Plugin median / direct median, 1 name, emulator without latency. */
  invokeRatio1: number;
  invokeAddedMs1: number;
  /** The same at the cloud-like latency. */
  invokeRatioLatency: number;
  emptyGrpcMs: number;
  directMs1: number;
  coldStartMedian: number;
  nodeBootMedian: number;
  requireGrpcMedian: number;
  requirePulumiMedian: number;
  /** VmRSS after warm invokes of up to 1,000 names, and after the 10,000-name ones. */
  rss: number;
  rssAfterBig: number;
}

const COLD_STARTS = 10;
const REQUIRE_RUNS = 5;

/** Modules the plugin loads before printing its port (see provider/server.ts). */
const GRPC_AND_STUBS = [
  "@grpc/grpc-js",
  "@pulumi/pulumi/proto/plugin_pb",
  "@pulumi/pulumi/proto/provider_grpc_pb",
  "@pulumi/pulumi/proto/provider_pb",
  "google-protobuf/google/protobuf/empty_pb",
  "google-protobuf/google/protobuf/struct_pb",
];

/** Time spent inside require() for `modules`, measured in a fresh node, plus spawn-to-exit. */
async function requireTime(modules: readonly string[]): Promise<{ inside: number; wall: number }> {
  const code =
    "const t=performance.now();" +
    modules.map((m) => `require(${JSON.stringify(m)});`).join("") +
    "process.stdout.write(String(performance.now()-t));";
  const { stdout, wallMs } = await runNode(["-e", code], { timeoutMs: 30_000 });
  return { inside: Number(stdout), wall: wallMs };
}

interface Sample {
  times: number[];
  /** CPU ms per call of the bench process (the caller), the plugin and the emulator. */
  cpu: { caller: number; plugin: number; emulator: number };
}

type Side = { label: string; call: () => Promise<unknown> };

/**
 * Runs the sides call by call in turn (A B C A B C ...), so a burst of load from elsewhere
 * hits all alike, and accounts the CPU each process spent per call.
 */
async function compare(
  sides: readonly Side[],
  pids: { plugin: number; emulator: number },
  o: { warmup: number; calls: number },
): Promise<Map<string, Sample>> {
  for (let i = 0; i < o.warmup; i++) for (const s of sides) await s.call();
  const out = new Map<string, Sample>();
  for (const s of sides) {
    out.set(s.label, { times: [], cpu: { caller: 0, plugin: 0, emulator: 0 } });
  }
  for (let i = 0; i < o.calls; i++) {
    for (const s of sides) {
      const sample = out.get(s.label) as Sample;
      const p0 = cpuMs(pids.plugin);
      const e0 = cpuMs(pids.emulator);
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await s.call();
      sample.times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      sample.cpu.caller += (c.user + c.system) / 1000;
      sample.cpu.plugin += cpuMs(pids.plugin) - p0;
      sample.cpu.emulator += cpuMs(pids.emulator) - e0;
    }
  }
  for (const s of out.values()) {
    const n = o.calls;
    s.cpu = { caller: s.cpu.caller / n, plugin: s.cpu.plugin / n, emulator: s.cpu.emulator / n };
  }
  return out;
}

export async function plugin(
  fast: EmulatorProcess,
  slow: EmulatorProcess,
  latencyMs: number,
  report: Report,
): Promise<PluginResult> {
  // Cold start: spawn to the port line, then stop; nothing else runs meanwhile.
  const cold: number[] = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    const p = await spawnPlugin();
    cold.push(p.startMs);
    await p.stop();
  }
  const boot: number[] = [];
  const grpcReq: number[] = [];
  const grpcWall: number[] = [];
  const pulumiReq: number[] = [];
  const pulumiWall: number[] = [];
  for (let i = 0; i < REQUIRE_RUNS; i++) {
    boot.push((await requireTime([])).wall);
    const g = await requireTime(GRPC_AND_STUBS);
    grpcReq.push(g.inside);
    grpcWall.push(g.wall);
    const p = await requireTime(["@pulumi/pulumi"]);
    pulumiReq.push(p.inside);
    pulumiWall.push(p.wall);
  }

  const plug = await PluginClient.start();
  let rss = { rss: Number.NaN, hwm: Number.NaN };
  let rssSmall = { rss: Number.NaN, hwm: Number.NaN };
  const rows: (readonly string[])[] = [];
  const cpuRows: (readonly string[])[] = [];
  let first = { ratio: Number.NaN, added: Number.NaN, empty: Number.NaN, direct: Number.NaN };
  let latencyRatio = Number.NaN;
  let big: { direct: Sample; plugin: Sample } | undefined;
  try {
    const configure = (endpoint: string) =>
      plug.configure({
        region: REGION,
        endpoint,
        accessKey: ACCESS_KEY,
        secretKey: SECRET_KEY,
        cacheTtlMs: "0",
      });
    const cases = [
      { emulator: fast, names: 1, warmup: 30, calls: 200, empty: true },
      { emulator: fast, names: 50, warmup: 10, calls: 100, empty: false },
      { emulator: fast, names: 1000, warmup: 2, calls: 20, empty: false },
      { emulator: slow, names: 1, warmup: 5, calls: 60, empty: false },
      { emulator: slow, names: 10_000, warmup: 1, calls: 3, empty: false },
    ];
    for (const c of cases) {
      // Memory once warm with everyday calls, before the 10,000-name invokes.
      if (c.names === 10_000) rssSmall = procStatus(plug.pid);
      await configure(c.emulator.url);
      const direct = ourClient(c.emulator.url);
      const args = { smartAgId: INSTANCE, userNames: userNames(c.names) };
      const sides: Side[] = [
        { label: "direct", call: () => direct.describeUserOnlineClientStatistics(args) },
        { label: "plugin", call: () => plug.invoke(args) },
        ...(c.empty ? [{ label: "empty", call: () => plug.pluginInfo() }] : []),
      ];
      const res = await compare(sides, { plugin: plug.pid, emulator: c.emulator.pid }, c);
      const d = res.get("direct") as Sample;
      const p = res.get("plugin") as Sample;
      const r = median(p.times) / median(d.times);
      const latency = c.emulator === fast ? "0 ms" : `${latencyMs} ms`;
      if (c.names === 10_000) big = { direct: d, plugin: p };
      if (c.emulator === slow && c.names === 1) latencyRatio = r;
      else if (c.emulator === fast && c.names === 1) {
        first = {
          ratio: r,
          added: median(p.times) - median(d.times),
          empty: median(res.get("empty")?.times ?? []),
          direct: median(d.times),
        };
      }
      rows.push([
        latency,
        c.names.toLocaleString("en-US"),
        `${c.calls}`,
        `${ms(median(d.times))} / ${ms(percentile(d.times, 95))}`,
        `${ms(median(p.times))} / ${ms(percentile(p.times, 95))}`,
        ms(median(p.times) - median(d.times)),
        ratio(r),
      ]);
      for (const [label, s] of res) {
        cpuRows.push([
          latency,
          c.names.toLocaleString("en-US"),
          label === "direct"
            ? "direct client call"
            : label === "plugin"
              ? "plugin Invoke"
              : "empty gRPC call (GetPluginInfo)",
          ms(median(s.times)),
          ms(s.cpu.caller),
          label === "direct" ? "-" : ms(s.cpu.plugin),
          label === "empty" ? "-" : ms(s.cpu.emulator),
        ]);
      }
    }
    rss = procStatus(plug.pid);
  } finally {
    await plug.stop();
  }

  report.heading("2. Provider plugin");
  report.para(
    "Warm Invoke: the bench process calls `smartag:index:getUserOnlineClientStatistics` over " +
      "gRPC (grpc-js, as the tests do; the real engine is Go) on a plugin that is configured and " +
      "has answered the warm-up calls; the direct side calls `SmartagClient` in the bench " +
      "process. Same emulator (own process), cache off, the sides called in turn, call by call.",
  );
  report.table(
    [
      "emulator latency",
      "names",
      "calls each",
      "direct median / p95",
      "plugin median / p95",
      "added",
      "ratio",
    ],
    rows,
  );
  report.para(
    "Where the time goes: CPU per call of each process (bench = the caller: the direct client, " +
      "or the gRPC client standing in for the engine).",
  );
  report.table(
    ["latency", "names", "call", "wall median", "bench CPU", "plugin CPU", "emulator CPU"],
    cpuRows,
  );
  if (big) {
    const extra = big.plugin.cpu.plugin - big.direct.cpu.caller;
    report.para(
      `At 10,000 names the plugin spends ${ms(extra)} more CPU per call than the direct client ` +
        `(${ms(big.plugin.cpu.plugin)} vs ${ms(big.direct.cpu.caller)}), and the caller spends ` +
        `${ms(big.plugin.cpu.caller)} decoding the answer; both sit on the critical path after ` +
        "the last API answer (a Go engine decodes far faster than grpc-js with google-protobuf), " +
        "and on a loaded machine CPU time stretches in wall time: the call takes " +
        `${ms(median(big.plugin.times) - median(big.direct.times))} longer. A CPU profile of the ` +
        "plugin puts most of its extra in turning the answer into a protobuf Struct " +
        "(google-protobuf's `Struct.fromJavaScript` and `serializeBinary`), then in validating " +
        "the names twice (the invoke handler's `client.check` and the client's own check).",
    );
  }
  report.para(
    `Cold start, spawn to port line (${COLD_STARTS} runs): median ${ms(median(cold))}, ` +
      `min ${ms(Math.min(...cold))}, max ${ms(Math.max(...cold))}.`,
  );
  report.table(
    [`in a fresh node (median of ${REQUIRE_RUNS})`, "time inside require()", "spawn to exit"],
    [
      ["`node -e` doing nothing (Node's own start)", "-", ms(median(boot))],
      [
        "grpc-js + provider stubs (what the plugin loads before its port line)",
        ms(median(grpcReq)),
        ms(median(grpcWall)),
      ],
      ["all of `@pulumi/pulumi` (for context)", ms(median(pulumiReq)), ms(median(pulumiWall))],
    ],
  );
  report.para(
    `Plugin memory (VmRSS / VmHWM from /proc): ${mib(rssSmall.rss)} / ${mib(rssSmall.hwm)} ` +
      `after the warm invokes of up to 1,000 names; ${mib(rss.rss)} / ${mib(rss.hwm)} after the ` +
      "10,000-name invokes (each builds and serialises a 10,000-entry protobuf Struct).",
  );
  return {
    invokeRatio1: first.ratio,
    invokeAddedMs1: first.added,
    invokeRatioLatency: latencyRatio,
    emptyGrpcMs: first.empty,
    directMs1: first.direct,
    coldStartMedian: median(cold),
    nodeBootMedian: median(boot),
    requireGrpcMedian: median(grpcReq),
    requirePulumiMedian: median(pulumiReq),
    rss: rssSmall.rss,
    rssAfterBig: rss.rss,
  };
}
