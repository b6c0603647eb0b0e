/**
 * 6. Start-up, and what it costs a user in a preview: the plugin from spawn to its port line
 * against a bare `node -e` start, and `pulumi preview` of a one-invoke JavaScript program
 * through the provider against the same program calling the client inline.
 */
import { ACCESS_KEY, INSTANCE, REGION, SECRET_KEY, userNames } from "../lib/fixture";
import { spawnPlugin } from "../lib/plugin";
import { type PreviewProject, previewProject, previewSkipReason } from "../lib/preview";
import { type EmulatorProcess, runNode, spawnUntilLine } from "../lib/proc";
import type { Report } from "../lib/report";
import { median, ms, ratio } from "../lib/stats";

export interface StartupResult {
  plugin: number[];
  bare: number[];
  /** Median time inside require() of what the plugin loads before its port line. */
  requireStart: number;
  /** How many modules that is. */
  startModules: number;
  /** Per pair: provider / inline. Empty when previews were skipped. */
  previewRatios: number[];
  provider: number[];
  inline: number[];
  previewSkipped: string | undefined;
}

/** Modules the plugin loads before printing its port (see provider/server.ts). */
const AT_START = [
  "@grpc/grpc-js",
  "@pulumi/pulumi/proto/plugin_pb",
  "@pulumi/pulumi/proto/provider_grpc_pb",
  "@pulumi/pulumi/proto/provider_pb",
  "google-protobuf/google/protobuf/empty_pb",
  "google-protobuf/google/protobuf/struct_pb",
];
/** What the plugin loads on its first CheckConfig; the inline program loads the same. */
const AT_FIRST_CALL = ["@pulumi-smartag/client", "zod"];

/** Time inside require() of `modules` in a fresh node, spawn to exit, and modules loaded. */
async function requireTime(modules: readonly string[]) {
  const code =
    "const t=performance.now();" +
    modules.map((m) => `require(${JSON.stringify(m)});`).join("") +
    "process.stdout.write(JSON.stringify([performance.now()-t,Object.keys(require.cache).length]));";
  const { stdout, wallMs } = await runNode(["-e", code], { timeoutMs: 30_000 });
  const [inside, count] = JSON.parse(stdout) as [number, number];
  return { inside, wall: wallMs, count };
}

type Cost = { inside: number; wall: number; count: number };

/** Medians over `runs` fresh processes for each module set, the sets in turn. */
async function requireCosts(runs: number) {
  const sets = { boot: [], start: AT_START, first: AT_FIRST_CALL, pulumi: ["@pulumi/pulumi"] };
  const got = new Map<string, Cost[]>();
  for (let i = 0; i < runs; i++) {
    for (const [name, set] of Object.entries(sets)) {
      got.set(name, [...(got.get(name) ?? []), await requireTime(set)]);
    }
  }
  const cost = (name: keyof typeof sets): Cost => {
    const rs = got.get(name) ?? [];
    const count = rs[0]?.count ?? 0;
    return { inside: median(rs.map((r) => r.inside)), wall: median(rs.map((r) => r.wall)), count };
  };
  return { boot: cost("boot"), start: cost("start"), first: cost("first"), pulumi: cost("pulumi") };
}

const NAMES = userNames(4); // counts 0..3 in the bench fixture: total 6
const ARGS = JSON.stringify({ smartAgId: INSTANCE, userNames: NAMES });

const viaProvider = `const smartag = require("pulumi-smartag");
const stats = smartag.getUserOnlineClientStatisticsOutput(${ARGS});
exports.total = stats.totalOnlineCount;
`;

// What a user would write without the provider: the client, configured from the same variables.
const inline = `const { resolveSettings, SmartagClient } = require("@pulumi-smartag/client");
const e = process.env;
const { settings, issues } = resolveSettings({ region: e.ALIBABA_CLOUD_REGION,
  endpoint: e.SMARTAG_ENDPOINT, accessKey: e.ALIBABA_CLOUD_ACCESS_KEY_ID,
  secretKey: e.ALIBABA_CLOUD_ACCESS_KEY_SECRET });
if (!settings) throw new Error(JSON.stringify(issues));
const stats = new SmartagClient(settings).describeUserOnlineClientStatistics(${ARGS});
exports.total = stats.then((s) => s.totalOnlineCount);
`;

const spread = (xs: readonly number[], f: (x: number) => string) =>
  `${f(median(xs))} (${f(Math.min(...xs))} - ${f(Math.max(...xs))})`;

async function coldStarts(runs: number): Promise<{ plugin: number[]; bare: number[] }> {
  const plugin: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    const b = await spawnUntilLine(["-e", "process.stdout.write('0\\n')"]);
    bare.push(b.startMs);
    await b.stop();
    const p = await spawnPlugin();
    plugin.push(p.startMs);
    await p.stop();
  }
  return { plugin, bare };
}

/** Pairs of previews, the order alternating (ABBA) so neither side always runs second. */
async function previewPairs(endpoint: string, pairs: number) {
  const env = {
    SMARTAG_ENDPOINT: endpoint,
    ALIBABA_CLOUD_REGION: REGION,
    ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET_KEY,
  };
  const projects: PreviewProject[] = [];
  try {
    projects.push(await previewProject("provider", viaProvider, env));
    projects.push(await previewProject("inline", inline, env));
    const [a, b] = projects as [PreviewProject, PreviewProject];
    const check = async (p: PreviewProject) => {
      const r = await p.preview();
      if (!/total\s*:\s*6\b/.test(r.stdout)) throw new Error(`unexpected preview:\n${r.stdout}`);
      return r.wallMs;
    };
    await check(a); // warm-up: file caches, the Go runtime's first start
    await check(b);
    const provider: number[] = [];
    const inlineMs: number[] = [];
    for (let i = 0; i < pairs; i++) {
      if (i % 2 === 0) {
        provider.push(await check(a));
        inlineMs.push(await check(b));
      } else {
        inlineMs.push(await check(b));
        provider.push(await check(a));
      }
    }
    return { provider, inline: inlineMs };
  } finally {
    for (const p of projects) p.remove();
  }
}

export async function startup(
  fast: EmulatorProcess,
  report: Report,
  options: { quick?: boolean } = {},
): Promise<StartupResult> {
  const { plugin, bare } = await coldStarts(options.quick ? 3 : 15);
  const { boot, start, first, pulumi } = await requireCosts(options.quick ? 1 : 5);
  const skipped = previewSkipReason();
  const pv = skipped
    ? { provider: [], inline: [] }
    : await previewPairs(fast.url, options.quick ? 1 : 9);
  const previewRatios = pv.provider.map((p, i) => p / (pv.inline[i] as number));

  report.heading("6. Start-up, and a preview through the provider");
  report.para(
    "Cold start: `bin/pulumi-resource-smartag` (the built plugin, unbundled) from spawn to its " +
      "port line, against `node -e` printing a line (Node's own start), the two in turn, " +
      `${plugin.length} runs each. Median (min - max).`,
  );
  report.table(
    ["process", "spawn to first line"],
    [
      ["`node -e` (bare)", spread(bare, ms)],
      ["plugin", spread(plugin, ms)],
      ["**plugin / bare** (medians)", ratio(median(plugin) / median(bare))],
    ],
  );
  report.para(
    "What the plugin loads, each set in a fresh `node -e` (median of " +
      `${options.quick ? 1 : 5}). Lazy loading (provider/server.ts) keeps the second set out of ` +
      "the start: it loads on the first CheckConfig.",
  );
  const row = (what: string, r: Cost) => [what, String(r.count), ms(r.inside), ms(r.wall)];
  report.table(
    ["in a fresh node", "modules loaded", "time inside require()", "spawn to exit"],
    [
      ["nothing (Node's own start)", "-", "-", ms(boot.wall)],
      row("grpc-js + provider stubs (before the port line)", start),
      row("`@pulumi-smartag/client` + zod (first CheckConfig)", first),
      row("all of `@pulumi/pulumi` (for context)", pulumi),
    ],
  );
  if (skipped) {
    report.para(`Preview pairs skipped: ${skipped}.`);
  } else {
    report.para(
      "`pulumi preview` (pinned CLI, our Node.js language host, file backend) of a JavaScript " +
        "program with one call for 4 names against the emulator without latency: through the " +
        "provider (the generated SDK's `getUserOnlineClientStatisticsOutput`; the engine starts " +
        "the plugin from PATH) and the same call made inline with `@pulumi-smartag/client`. " +
        "Automatic plugin download is off (`PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION`), as " +
        `it would be with the plugin installed. ${pv.provider.length} pairs after one warm-up ` +
        "each, the order alternating; wall time of the whole `pulumi preview` process. " +
        "Median (min - max).",
    );
    report.table(
      ["program", "pulumi preview"],
      [
        ["client inline", spread(pv.inline, ms)],
        ["through the provider", spread(pv.provider, ms)],
        ["**provider / inline**, per pair", spread(previewRatios, ratio)],
        ["added by the provider (median of pair differences)", ms(median(pairDiffs(pv)))],
      ],
    );
  }
  return {
    plugin,
    bare,
    requireStart: start.inside,
    startModules: start.count,
    previewRatios,
    ...pv,
    previewSkipped: skipped,
  };
}

function pairDiffs(pv: { provider: number[]; inline: number[] }): number[] {
  return pv.provider.map((p, i) => p - (pv.inline[i] as number));
}
