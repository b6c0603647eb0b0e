/**
 * 6. Start-up, and what it costs a user in a preview: the plugin from spawn to its port line
 * against a bare `node -e` start, and `pulumi preview` of a one-invoke JavaScript program
 * through the provider against the same program calling the client inline.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stagePlugin } from "../../scripts/release/bundle";
import { ACCESS_KEY, INSTANCE, REGION, SECRET_KEY, userNames } from "../lib/fixture";
import { type PreviewProject, previewProject, previewSkipReason } from "../lib/preview";
import { type EmulatorProcess, REPO, runNode, spawnUntilLine } from "../lib/proc";
import type { Report } from "../lib/report";
import { median, ms, ratio } from "../lib/stats";

export interface StartupResult {
  /** The installed plugin's starts, once its code cache is written. */
  plugin: number[];
  bare: number[];
  /** The first start after install, which writes the code cache on exit. */
  firstStart: number;
  /** Median time inside require() of what the plugin loads before its port line. */
  requireStart: number;
  /** How many modules that is. */
  startModules: number;
  /** Per pair: provider / inline. Empty when previews were skipped. */
  previewRatios: number[];
  provider: number[];
  inline: number[];
  /** The inline program without @pulumi/pulumi, for context. */
  noPulumi: number[];
  previewSkipped: string | undefined;
}

/** Modules the plugin loads before printing its port (see provider/grpcServer.ts). */
const AT_START = ["node:net"];
/** What it loads just after, while the engine reads the port and dials. */
const AFTER_START = ["node:http2"];
/** What the plugin loads on its first call (see provider/index.ts). */
const AT_FIRST_CALL = [
  "@pulumi/pulumi/proto/plugin_pb",
  "@pulumi/pulumi/proto/provider_pb",
  "google-protobuf/google/protobuf/empty_pb",
  "google-protobuf/google/protobuf/struct_pb",
];
/** What the plugin loads on its first CheckConfig; the inline program loads the same. */
const AT_FIRST_CONFIG = ["@pulumi-smartag/client", "zod"];

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
  const sets = {
    boot: [],
    start: AT_START,
    after: AFTER_START,
    call: AT_FIRST_CALL,
    first: AT_FIRST_CONFIG,
    pulumi: ["@pulumi/pulumi"],
  };
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
  return {
    boot: cost("boot"),
    start: cost("start"),
    after: cost("after"),
    call: cost("call"),
    first: cost("first"),
    pulumi: cost("pulumi"),
  };
}

const NAMES = userNames(4); // counts 0..3 in the bench fixture: total 6
const ARGS = JSON.stringify({ smartAgId: INSTANCE, userNames: NAMES });

// Both programs load @pulumi/pulumi, as Pulumi programs do (the examples all import it); the
// language host itself loads only part of it, so a program without it would skip ~0.7 s.
const viaProvider = `const pulumi = require("@pulumi/pulumi");
const smartag = require("pulumi-smartag");
const stats = smartag.getUserOnlineClientStatisticsOutput(${ARGS});
exports.total = pulumi.output(stats.totalOnlineCount);
`;

// What a user would write without the provider: the client, configured from the same variables.
const inline = `const pulumi = require("@pulumi/pulumi");
const { resolveSettings, SmartagClient } = require("@pulumi-smartag/client");
const e = process.env;
const { settings, issues } = resolveSettings({ region: e.ALIBABA_CLOUD_REGION,
  endpoint: e.SMARTAG_ENDPOINT, accessKey: e.ALIBABA_CLOUD_ACCESS_KEY_ID,
  secretKey: e.ALIBABA_CLOUD_ACCESS_KEY_SECRET });
if (!settings) throw new Error(JSON.stringify(issues));
const stats = new SmartagClient(settings).describeUserOnlineClientStatistics(${ARGS});
exports.total = pulumi.output(stats.then((s) => s.totalOnlineCount));
`;

// For context: the inline program without @pulumi/pulumi, which exports a bare Promise.
const inlineWithoutPulumi = inline
  .replace('const pulumi = require("@pulumi/pulumi");\n', "")
  .replace(/pulumi\.output\((.*)\);/, "$1;");

const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;

const spread = (xs: readonly number[], f: (x: number) => string) =>
  `${f(median(xs))} (${f(Math.min(...xs))} - ${f(Math.max(...xs))})`;

/** The plugin as a release ships it (scripts/release), unpacked in `dir`, and its tarball. */
interface Release {
  dir: string;
  tarball: string;
  remove(): void;
}

async function release(): Promise<Release> {
  const root = mkdtempSync(path.join(os.tmpdir(), "smartag-bench-release-"));
  const dir = path.join(root, "plugin");
  mkdirSync(dir);
  await stagePlugin(REPO, dir);
  const tarball = path.join(root, "plugin.tar.gz");
  execFileSync("tar", ["-czf", tarball, "-C", dir, ...readdirSync(dir)]);
  return { dir, tarball, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Spawn to port line of the release's launcher, which the engine runs as it is. */
async function startRelease(dir: string): Promise<number> {
  const launcher = path.join(dir, "pulumi-resource-smartag");
  const p = await spawnUntilLine(["127.0.0.1:1"], { command: launcher });
  await p.stop();
  return p.startMs;
}

async function coldStarts(dir: string, runs: number) {
  // The first start compiles the bundle and writes its code cache on exit; later ones read it.
  const first = await startRelease(dir);
  const cache = readdirSync(dir)
    .filter((f) => f.endsWith(".cache"))
    .reduce((sum, f) => sum + statSync(path.join(dir, f)).size, 0);
  const plugin: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    const b = await spawnUntilLine(["-e", "process.stdout.write('0\\n')"]);
    bare.push(b.startMs);
    await b.stop();
    plugin.push(await startRelease(dir));
  }
  const bundle = statSync(path.join(dir, "pulumi-resource-smartag.js")).size;
  return { plugin, bare, first, bundle, cache };
}

/** Rounds of one preview per program, the order rotating so none always runs first. */
async function previewRounds(endpoint: string, rounds: number, tarball: string) {
  const env = {
    SMARTAG_ENDPOINT: endpoint,
    ALIBABA_CLOUD_REGION: REGION,
    ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET_KEY,
  };
  const programs = { provider: viaProvider, inline, noPulumi: inlineWithoutPulumi };
  const projects: [keyof typeof programs, PreviewProject][] = [];
  const times = { provider: [] as number[], inline: [] as number[], noPulumi: [] as number[] };
  const check = async (p: PreviewProject) => {
    const r = await p.preview();
    if (!/total\s*:\s*6\b/.test(r.stdout)) throw new Error(`unexpected preview:\n${r.stdout}`);
    return r.wallMs;
  };
  try {
    for (const [name, program] of Object.entries(programs) as [keyof typeof programs, string][]) {
      const project = await previewProject(
        name,
        program,
        env,
        name === "provider" ? tarball : undefined,
      );
      projects.push([name, project]);
      await check(project); // warm-up: file caches, the CLI's first start, the plugin's code cache
    }
    for (let i = 0; i < rounds; i++) {
      for (let j = 0; j < projects.length; j++) {
        const [name, project] = projects[(i + j) % projects.length] as (typeof projects)[number];
        times[name].push(await check(project));
      }
    }
    return times;
  } finally {
    for (const [, p] of projects) p.remove();
  }
}

export async function startup(
  fast: EmulatorProcess,
  report: Report,
  options: { quick?: boolean } = {},
): Promise<StartupResult> {
  const rel = await release();
  let cold: Awaited<ReturnType<typeof coldStarts>>;
  let pv: { provider: number[]; inline: number[]; noPulumi: number[] };
  const skipped = previewSkipReason();
  try {
    cold = await coldStarts(rel.dir, options.quick ? 3 : 15);
    pv = skipped
      ? { provider: [], inline: [], noPulumi: [] }
      : await previewRounds(fast.url, options.quick ? 1 : 9, rel.tarball);
  } finally {
    rel.remove();
  }
  const { plugin, bare } = cold;
  const { boot, start, after, call, first, pulumi } = await requireCosts(options.quick ? 1 : 5);
  const previewRatios = pv.provider.map((p, i) => p / (pv.inline[i] as number));

  report.heading("6. Start-up, and a preview through the provider");
  report.para(
    "Cold start of the plugin as a release installs it (`npm run dist`'s bundle and `sh` " +
      "launcher, unpacked as `pulumi plugin install` unpacks them; the engine runs the " +
      "launcher), from spawn to its port line, against `node -e` printing a line (Node's own " +
      `start), the two in turn, ${plugin.length} runs each. Median (min - max). The bundle ` +
      `(${kib(cold.bundle)}) is compiled with V8's code cache, which the first start writes ` +
      `beside it on exit (${kib(cold.cache)}); that first start took ${ms(cold.first)}.`,
  );
  report.table(
    ["process", "spawn to first line"],
    [
      ["`node -e` (bare)", spread(bare, ms)],
      ["installed plugin", spread(plugin, ms)],
      ["**plugin / bare** (medians)", ratio(median(plugin) / median(bare))],
    ],
  );
  report.para(
    "What the plugin loads, each set unbundled in a fresh `node -e` (median of " +
      `${options.quick ? 1 : 5}). The port line needs only \`node:net\`: provider/grpcServer.ts ` +
      "binds the port with it, then loads `node:http2`, on which it serves gRPC, while the " +
      "engine reads the port and dials; the stubs load on the first call (provider/index.ts), and the client " +
      "and zod on the first CheckConfig (in the release, from their own part of the bundle, " +
      "with its own code cache).",
  );
  const row = (what: string, r: Cost) => [what, String(r.count), ms(r.inside), ms(r.wall)];
  report.table(
    ["in a fresh node", "modules loaded", "time inside require()", "spawn to exit"],
    [
      ["nothing (Node's own start)", "-", "-", ms(boot.wall)],
      row("`node:net` (before the port line)", start),
      row("`node:http2` (just after it)", after),
      row("provider stubs (first call)", call),
      row("`@pulumi-smartag/client` + zod (first CheckConfig)", first),
      row("all of `@pulumi/pulumi` (for context)", pulumi),
    ],
  );
  if (skipped) {
    report.para(`Previews skipped: ${skipped}.`);
  } else {
    report.para(
      "`pulumi preview` (pinned CLI, our Node.js language host, file backend) of a JavaScript " +
        "program (which loads `@pulumi/pulumi`, as Pulumi programs do) with one call for 4 " +
        "names against the emulator without latency: through the " +
        "provider (the generated SDK's `getUserOnlineClientStatisticsOutput`; the engine starts " +
        "the release's plugin, installed with `pulumi plugin install --file`) and the same call " +
        "made inline with `@pulumi-smartag/client`. Automatic plugin download is off " +
        `(\`PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION\`). ${pv.provider.length} rounds of one preview ` +
        "per program after one warm-up each, the order rotating; wall time of the whole " +
        "`pulumi preview` process. Median (min - max); ratios and differences per round.",
    );
    const perRound = (xs: number[], f: (p: number, q: number) => number) =>
      pv.provider.map((p, i) => f(p, xs[i] as number));
    report.table(
      ["program", "pulumi preview"],
      [
        ["client inline", spread(pv.inline, ms)],
        ["through the provider", spread(pv.provider, ms)],
        ["**provider / inline**", spread(previewRatios, ratio)],
        [
          "added by the provider",
          spread(
            perRound(pv.inline, (p, q) => p - q),
            ms,
          ),
        ],
        [
          "for context: client inline, the program not loading `@pulumi/pulumi`",
          spread(pv.noPulumi, ms),
        ],
        [
          "provider / that program",
          spread(
            perRound(pv.noPulumi, (p, q) => p / q),
            ratio,
          ),
        ],
      ],
    );
    report.para(
      "The language host loads only part of `@pulumi/pulumi` before a program runs; the " +
        "generated SDK, like any program that imports `@pulumi/pulumi`, loads the rest. So a " +
        "program that never imports it previews faster with the client inline, which is the " +
        "last two rows; the aim compares programs that both import it, as Pulumi programs do.",
    );
  }
  return {
    plugin,
    bare,
    firstStart: cold.first,
    requireStart: start.inside,
    startModules: start.count,
    previewRatios,
    ...pv,
    previewSkipped: skipped,
  };
}
