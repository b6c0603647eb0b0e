// The policy pack under the real Pulumi CLI (`npm run tools:pulumi`): `pulumi preview
// --policy-pack examples/policy-pack --policy-pack-config <file>` on the examples, against the
// emulator's default fixture (cn-shanghai sag-demo0001: doctest 2, alice@example.com 0,
// bob.smith 5, carol_01 1). The engine starts the pack through our language host
// (tools/langhost/policyProxy.ts), type-checks it with ts-node, configures it from the file and
// calls AnalyzeStack; these tests look at what a person running the command sees.
import assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import {
  type Fixture,
  loadDefaultFixture,
  type RunningEmulator,
  startEmulator,
} from "../../emulator";
import {
  configureForEmulator,
  createPulumiWorkspace,
  describeRun,
  EMULATOR_KEY,
  type PulumiWorkspace,
  type RunResult,
  repoRoot,
} from "../helpers/pulumiCli";
import { assertNoSecrets } from "../helpers/secrets";

const PACK = path.join(repoRoot, "examples", "policy-pack");
const BOB_OVER_3 = "bob.smith: 5 online, limit 3 per user";

describe("policy pack under the real Pulumi CLI", () => {
  let emulator: RunningEmulator;
  const workspaces: PulumiWorkspace[] = [];
  const runs: RunResult[] = [];

  /** A stack of the example (or a test program's folder), configured for the emulator. */
  const workspace = async (example: string) => {
    const ws = await createPulumiWorkspace({
      fixture: path.isAbsolute(example) ? example : path.join(repoRoot, "examples", example),
      env: { PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
    });
    workspaces.push(ws);
    await ws.runOk(["stack", "init", "dev"]);
    await configureForEmulator(ws, emulator.url);
    return ws;
  };

  /** `pulumi preview --policy-pack` with this policy config; stdout and stderr together. */
  const previewWith = async (
    ws: PulumiWorkspace,
    config: Record<string, unknown>,
    flags: string[] = [],
  ) => {
    const file = path.join(ws.dir, `policy-config-${runs.length}.json`);
    await fs.writeFile(file, JSON.stringify(config, null, 2));
    const args = ["preview", ...flags, "--policy-pack", PACK, "--policy-pack-config", file];
    const result = await ws.run(args);
    runs.push(result);
    return {
      ...result,
      text: `${result.stdout}\n${result.stderr}`,
      why: describeRun(args, result),
    };
  };

  before(async () => {
    emulator = await startEmulator({ fixture: loadDefaultFixture() });
  });

  after(async () => {
    await emulator.close();
    try {
      for (const r of runs)
        assertNoSecrets(`${r.stdout}\n${r.stderr}`, [EMULATOR_KEY.secret], "pulumi");
    } finally {
      await Promise.all(workspaces.map((ws) => ws.cleanup()));
    }
  });

  describe("examples/gate: counts recorded by the UserOnlineClientStatistics resource", () => {
    let ws: PulumiWorkspace;

    before(async () => {
      ws = await workspace("gate");
    });

    it("judges nothing while the counts are unknown (the preview of a stack not yet deployed)", async () => {
      const res = await previewWith(ws, {
        "smartag-max-online-per-user": { maxOnlinePerUser: 0 },
        "smartag-max-total-online": { maxTotalOnline: 0 },
        "smartag-nobody-online": { enabled: true },
      });
      assert.equal(res.code, 0, res.why);
      assert.match(res.stdout, /✅ smartag-online-clients@v0\.1\.0/, res.why);
      assert.doesNotMatch(res.text, /limit violation|can't run policy/, res.why);
      assert.match(res.stdout, /totalOnlineCount: \[unknown\]/, res.why);
    });

    it("fails a mandatory limit once the counts are recorded, naming bob.smith, 5 and the limit", async () => {
      // Recording takes an update; the pack judges the state a later preview starts from.
      await ws.runOk(["up", "--yes"]);
      const res = await previewWith(ws, {
        "smartag-max-online-per-user": { maxOnlinePerUser: 3 },
      });
      assert.notEqual(res.code, 0, res.why);
      assert.match(res.stdout, /❌ smartag-online-clients@v0\.1\.0/, res.why);
      assert.match(
        res.stdout,
        /\[mandatory\] +smartag-max-online-per-user +\(smartag:index:UserOnlineClientStatistics: gate\)/,
        res.why,
      );
      assert.ok(res.stdout.includes(BOB_OVER_3), res.why);
      assert.match(res.stdout, /SAG instance sag-demo0001 \(cn-shanghai\): 1 limit violation:/);
      // doctest (2) is within the limit; the stack's exports repeat the resource and are not
      // reported a second time.
      assert.doesNotMatch(res.stdout, /doctest: \d+ online/, res.why);
      assert.equal(res.stdout.split(BOB_OVER_3).length - 1, 1, res.why);
    });

    it("passes with a warning when the policy is advisory", async () => {
      const res = await previewWith(ws, {
        "smartag-max-online-per-user": { enforcementLevel: "advisory", maxOnlinePerUser: 3 },
      });
      assert.equal(res.code, 0, res.why);
      assert.match(res.stdout, /\[advisory\] +smartag-max-online-per-user/, res.why);
      assert.ok(res.stdout.includes(BOB_OVER_3), res.why);
    });

    it("passes without a word when the limits are generous", async () => {
      const res = await previewWith(ws, {
        "smartag-max-online-per-user": { maxOnlinePerUser: 5 },
        "smartag-max-total-online": { maxTotalOnline: 8 },
      });
      assert.equal(res.code, 0, res.why);
      assert.match(res.stdout, /✅ smartag-online-clients@v0\.1\.0/, res.why);
      assert.doesNotMatch(res.text, /limit violation|\[mandatory\]|\[advisory\]/, res.why);
    });

    it("fails a total above maxTotalOnline and ignores a disabled per-user limit", async () => {
      const res = await previewWith(ws, {
        "smartag-max-online-per-user": { enforcementLevel: "disabled", maxOnlinePerUser: 0 },
        "smartag-max-total-online": { maxTotalOnline: 7 },
      });
      assert.notEqual(res.code, 0, res.why);
      assert.match(res.stdout, /\[mandatory\] +smartag-max-total-online/, res.why);
      assert.ok(res.stdout.includes("total: 8 online, limit 7"), res.why);
      assert.doesNotMatch(res.stdout, /smartag-max-online-per-user|per user/, res.why);
    });

    it('leaves nobody-online off under a pack-wide level: "all" does not turn it on', async () => {
      const res = await previewWith(ws, {
        all: "mandatory",
        "smartag-max-online-per-user": { maxOnlinePerUser: 5 },
      });
      assert.equal(res.code, 0, res.why);
      assert.doesNotMatch(res.text, /smartag-nobody-online|none allowed/, res.why);
    });

    it("names everyone online when nobody-online is turned on", async () => {
      const res = await previewWith(ws, { "smartag-nobody-online": { enabled: true } });
      assert.notEqual(res.code, 0, res.why);
      assert.match(res.stdout, /\[mandatory\] +smartag-nobody-online/, res.why);
      for (const line of [
        "doctest: 2 online, none allowed",
        "bob.smith: 5 online, none allowed",
        "carol_01: 1 online, none allowed",
      ]) {
        assert.ok(res.stdout.includes(line), res.why);
      }
      assert.doesNotMatch(res.stdout, /alice@example\.com: /, res.why);
    });

    it("judges the current counts with preview --refresh, the recorded ones without", async () => {
      // bob.smith disconnects four of his clients: the same emulator address, new counts.
      const restart = async (fixture: Fixture) => emulator.setFixture(fixture);
      const fixture = loadDefaultFixture();
      const instance = fixture.regions["cn-shanghai"]?.["sag-demo0001"];
      assert.ok(instance);
      instance.users["bob.smith"] = 1;
      await restart(fixture);
      try {
        const limits = { "smartag-max-online-per-user": { maxOnlinePerUser: 3 } };
        const recorded = await previewWith(ws, limits);
        assert.notEqual(recorded.code, 0, recorded.why);
        assert.ok(recorded.stdout.includes(BOB_OVER_3), recorded.why);
        const refreshed = await previewWith(ws, limits, ["--refresh"]);
        assert.equal(refreshed.code, 0, refreshed.why);
        assert.doesNotMatch(refreshed.text, /limit violation/, refreshed.why);
      } finally {
        // The stacks of the tests below expect the default fixture's counts.
        await restart(loadDefaultFixture());
      }
    });

    it("refuses a limit below 0 before judging anything", async () => {
      const res = await previewWith(ws, {
        "smartag-max-online-per-user": { maxOnlinePerUser: -1 },
      });
      assert.notEqual(res.code, 0, res.why);
      // The engine checks the config against the pack's configSchema before any policy runs.
      assert.match(
        res.text,
        /validating policy config: .*smartag-max-online-per-user: maxOnlinePerUser: Must be greater than or equal to 0/,
        res.why,
      );
      assert.doesNotMatch(res.text, /limit violation/, res.why);
    });
  });

  describe("examples/gate with the dynamic-provider form of the resource", () => {
    it("judges the counts the dynamic resource recorded, and nothing before", async () => {
      const ws = await workspace("gate");
      await ws.runOk(["config", "set", "--type", "bool", "dynamic", "true"]);
      const limits = { "smartag-max-online-per-user": { maxOnlinePerUser: 3 } };
      const before = await previewWith(ws, limits);
      assert.equal(before.code, 0, before.why);
      assert.doesNotMatch(before.text, /limit violation/, before.why);

      await ws.runOk(["up", "--yes"]);
      const after = await previewWith(ws, limits);
      assert.notEqual(after.code, 0, after.why);
      assert.match(
        after.stdout,
        /\[mandatory\] +smartag-max-online-per-user +\(pulumi-nodejs:dynamic\/smartag:UserOnlineClientStatistics: gate\)/,
        after.why,
      );
      assert.ok(after.stdout.includes(BOB_OVER_3), after.why);
    });
  });

  describe("examples/basic: statistics the stack exports", () => {
    it("fails the first preview already: the invoke's counts are known before any update", async () => {
      const ws = await workspace("basic");
      const res = await previewWith(ws, {
        "smartag-max-online-per-user": { maxOnlinePerUser: 3 },
      });
      assert.notEqual(res.code, 0, res.why);
      assert.match(
        res.stdout,
        /\[mandatory\] +smartag-max-online-per-user +\(pulumi:pulumi:Stack: smartag-basic-dev\)/,
        res.why,
      );
      assert.match(res.stdout, /stack outputs: SAG instance sag-demo0001 \(cn-shanghai\)/, res.why);
      assert.ok(res.stdout.includes(BOB_OVER_3), res.why);
    });
  });

  describe("instance totals the stack exports (getSagOnlineClientStatistics)", () => {
    it("fails a per-instance limit and nobody-online, naming each instance, in the first preview", async () => {
      const ws = await workspace(path.join(repoRoot, "test", "e2e", "fixtures", "gate-limits"));
      await ws.runOk(["config", "set", "mode", "totals"]);
      await ws.runOk(["config", "set", "--path", "smartAgIds[0]", "sag-demo0001"]);
      await ws.runOk(["config", "set", "--path", "smartAgIds[1]", "sag-big0001"]);
      const perInstance = await previewWith(ws, {
        "smartag-max-online-per-instance": { maxOnlinePerInstance: 8 },
      });
      assert.notEqual(perInstance.code, 0, perInstance.why);
      assert.match(
        perInstance.stdout,
        /\[mandatory\] +smartag-max-online-per-instance +\(pulumi:pulumi:Stack: smartag-gate-limits-dev\)/,
        perInstance.why,
      );
      assert.match(
        perInstance.stdout,
        /stack output "online": 2 SAG instances \(cn-shanghai\): 1 limit violation:/,
        perInstance.why,
      );
      assert.ok(
        perInstance.stdout.includes("sag-big0001: 225 online, limit 8 per instance"),
        perInstance.why,
      );
      const nobody = await previewWith(ws, { "smartag-nobody-online": { enabled: true } });
      assert.notEqual(nobody.code, 0, nobody.why);
      assert.ok(nobody.stdout.includes("sag-demo0001: 8 online, none allowed"), nobody.why);
      assert.ok(nobody.stdout.includes("sag-big0001: 225 online, none allowed"), nobody.why);
      const generous = await previewWith(ws, {
        "smartag-max-online-per-instance": { maxOnlinePerInstance: 225 },
      });
      assert.equal(generous.code, 0, generous.why);
    });
  });
});
