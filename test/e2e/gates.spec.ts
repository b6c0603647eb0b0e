// Deployment gates and the statistics resource under the real Pulumi CLI, the plugin and the
// emulator: the resource's lifecycle in state (plugin and dynamic forms), refresh picking up new
// counts, and limits failing preview/up with every offending user named.
import assert from "node:assert/strict";
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
  repoRoot,
} from "../helpers/pulumiCli";
import { assertNoSecrets } from "../helpers/secrets";

describe("deployment gates under the real Pulumi CLI", () => {
  let emulator: RunningEmulator;
  const workspaces: PulumiWorkspace[] = [];

  /** A workspace configured for the emulator, with the given project config. */
  const workspace = async (fixture: string, config: Record<string, string>) => {
    const ws = await createPulumiWorkspace({
      fixture,
      env: { PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
    });
    workspaces.push(ws);
    await ws.runOk(["stack", "init", "dev"]);
    await configureForEmulator(ws, emulator.url);
    for (const [k, v] of Object.entries(config)) await ws.runOk(["config", "set", k, v]);
    return ws;
  };
  const outputs = async (ws: PulumiWorkspace) =>
    JSON.parse((await ws.runOk(["stack", "output", "--json"])).stdout) as Record<string, unknown>;
  const exported = async (ws: PulumiWorkspace) => {
    const text = (await ws.runOk(["stack", "export"])).stdout;
    assertNoSecrets(text, [EMULATOR_KEY.secret], "pulumi stack export");
    return JSON.parse(text) as {
      deployment: { resources?: { type: string; outputs?: Record<string, unknown> }[] };
    };
  };

  /** Other data at the same address, as if users came and went. */
  const swapFixture = async (fixture: Fixture) => {
    emulator.setFixture(fixture);
  };
  const withCounts = (users: Record<string, number>): Fixture => {
    const base = loadDefaultFixture();
    return { ...base, regions: { ...base.regions, "cn-shanghai": { "sag-demo0001": { users } } } };
  };

  before(async () => {
    emulator = await startEmulator({ fixture: loadDefaultFixture() });
  });
  after(async () => {
    await emulator.close();
    await Promise.all(workspaces.map((ws) => ws.cleanup()));
  });

  for (const dynamic of [false, true]) {
    const form = dynamic ? "the dynamic form" : "the plugin resource";
    const type = dynamic
      ? "pulumi-nodejs:dynamic/smartag:UserOnlineClientStatistics"
      : "smartag:index:UserOnlineClientStatistics";
    it(`records counts in state with ${form}, refreshes them, and destroys without calling the API`, async () => {
      await swapFixture(loadDefaultFixture());
      const ws = await workspace(path.join(repoRoot, "examples", "gate"), {
        dynamic: String(dynamic),
      });
      await ws.runOk(["preview"]);
      const up = await ws.runOk(["up", "--yes"]);
      assert.match(up.stdout, /created/, describeRun(["up"], up));
      assert.deepEqual((await outputs(ws)).userStatistics, [
        { userName: "doctest", onlineCount: 2 },
        { userName: "alice@example.com", onlineCount: 0 },
        { userName: "bob.smith", onlineCount: 5 },
        { userName: "carol_01", onlineCount: 1 },
      ]);
      const types = (await exported(ws)).deployment.resources?.map((r) => r.type) ?? [];
      assert.ok(types.includes(type), types.join(", "));

      await swapFixture(withCounts({ doctest: 9, "alice@example.com": 1 }));
      await ws.runOk(["refresh", "--yes"]);
      // The stack's own outputs change only on up; the resource's state is what refresh updates.
      const recorded = (await exported(ws)).deployment.resources?.find((r) => r.type === type);
      assert.deepEqual(recorded?.outputs?.userStatistics, [
        { userName: "doctest", onlineCount: 9 },
        { userName: "alice@example.com", onlineCount: 1 },
        { userName: "bob.smith", onlineCount: 0 },
        { userName: "carol_01", onlineCount: 0 },
      ]);
      assert.equal(recorded?.outputs?.totalOnlineCount, 10);

      emulator.resetLog();
      const destroy = await ws.runOk(["destroy", "--yes"]);
      assert.match(destroy.stdout, /deleted/, describeRun(["destroy"], destroy));
      assert.deepEqual(emulator.requests, [], "Delete touches nothing in the cloud");
    });
  }

  it("fails preview and up when an SDK assertion finds a user over the limit, naming each one", async () => {
    await swapFixture(loadDefaultFixture());
    const ws = await workspace(path.join(__dirname, "fixtures", "gate-limits"), {
      mode: "assert",
      maxOnlinePerUser: "1",
    });
    for (const command of [["preview"], ["up", "--yes"]]) {
      const res = await ws.run(command);
      const text = `${res.stdout}\n${res.stderr}`;
      assert.notEqual(res.code, 0, describeRun(command, res));
      assert.match(text, /SAG instance sag-demo0001 \(cn-shanghai\): 2 limit violations:/);
      assert.match(text, /doctest: 2 online, limit 1 per user/);
      assert.match(text, /bob\.smith: 5 online, limit 1 per user/);
      assert.doesNotMatch(text, /carol_01: 1 online/);
    }
    await ws.runOk(["config", "set", "maxOnlinePerUser", "5"]);
    await ws.runOk(["up", "--yes"]);
    assert.deepEqual(await outputs(ws), { totalOnlineCount: 8 });
    await ws.runOk(["destroy", "--yes"]);
  });

  it("fails preview and up while anyone is online through a whole instance, with no account listed", async () => {
    await swapFixture(loadDefaultFixture());
    const ws = await workspace(path.join(__dirname, "fixtures", "gate-limits"), {
      mode: "nobody",
      smartAgId: "sag-demo0001",
    });
    for (const command of [["preview"], ["up", "--yes"]]) {
      const res = await ws.run(command);
      const text = `${res.stdout}\n${res.stderr}`;
      assert.notEqual(res.code, 0, describeRun(command, res));
      assert.match(text, /SAG instance sag-demo0001 \(cn-shanghai\): 1 limit violation:/);
      assert.match(text, /sag-demo0001: 8 online, none allowed/);
    }
    // Everyone gone, an account nobody would have listed included.
    await swapFixture(withCounts({ doctest: 0, "forgotten-01": 0 }));
    await ws.runOk(["up", "--yes"]);
    assert.deepEqual(await outputs(ws), { totalOnlineCount: 0 });
    await swapFixture(withCounts({ doctest: 0, "forgotten-01": 2 }));
    const res = await ws.run(["up", "--yes"]);
    assert.notEqual(res.code, 0, describeRun(["up"], res));
    assert.match(`${res.stdout}\n${res.stderr}`, /sag-demo0001: 2 online, none allowed/);
    await ws.runOk(["destroy", "--yes"]);
  });

  it("holds every account of an instance to maxOnlinePerUser with no account listed", async () => {
    await swapFixture(loadDefaultFixture());
    const ws = await workspace(path.join(__dirname, "fixtures", "gate-limits"), {
      mode: "everyAccount",
      smartAgId: "sag-demo0001",
      maxOnlinePerUser: "1",
    });
    const res = await ws.run(["up", "--yes"]);
    const text = `${res.stdout}\n${res.stderr}`;
    assert.notEqual(res.code, 0, describeRun(["up"], res));
    assert.match(text, /SAG instance sag-demo0001 \(cn-shanghai\): 2 limit violations:/);
    assert.match(text, /doctest: 2 online, limit 1 per user/);
    assert.match(text, /bob\.smith: 5 online, limit 1 per user/);
    await ws.runOk(["config", "set", "maxOnlinePerUser", "5"]);
    await ws.runOk(["up", "--yes"]);
    assert.deepEqual(await outputs(ws), { totalOnlineCount: 8 });
    await ws.runOk(["destroy", "--yes"]);
  });

  it("fails the create of a resource whose own limits are broken", async () => {
    await swapFixture(loadDefaultFixture());
    const ws = await workspace(path.join(__dirname, "fixtures", "gate-limits"), {
      mode: "resource",
      maxOnlinePerUser: "3",
    });
    const res = await ws.run(["up", "--yes"]);
    const text = `${res.stdout}\n${res.stderr}`;
    assert.notEqual(res.code, 0, describeRun(["up"], res));
    assert.match(text, /bob\.smith: 5 online, limit 3 per user/);
    assert.equal(
      (await exported(ws)).deployment.resources?.some(
        (r) => r.type === "smartag:index:UserOnlineClientStatistics",
      ),
      false,
      "a failed create records nothing",
    );
  });
});
