// The examples under the real Pulumi CLI (built from Go modules, `npm run tools:pulumi`), our
// provider plugin and the emulator: the lifecycle a user goes through, and the ways it fails.
import assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import {
  configureForEmulator,
  createPulumiWorkspace,
  describeRun,
  type PulumiWorkspace,
  type RunResult,
  repoRoot,
} from "../helpers/pulumiCli";
import { assertNoSecrets } from "../helpers/secrets";

const KEY1 = { id: "LTAI5tEmulatorKey01", secret: "emulator-secret-01" };
const KEY2 = { id: "LTAI5tEmulatorKey02", secret: "emulator-secret-02" };
const SECRETS = [KEY1.secret, KEY2.secret];

/** Every file below `dir`, as text (state, logs, caches). */
async function allFiles(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if ((await fs.stat(file)).size < 20_000_000) parts.push(await fs.readFile(file, "utf8"));
  }
  return parts.join("\n");
}

describe("examples under the real Pulumi CLI", () => {
  let emulator: RunningEmulator;
  const runs: RunResult[] = [];
  const workspaces: PulumiWorkspace[] = [];

  const workspace = async (fixture: string) => {
    const ws = await createPulumiWorkspace({
      fixture,
      env: { PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
    });
    workspaces.push(ws);
    const run = ws.run;
    // Keep every command's output for the secret scan at the end.
    ws.run = async (args, options) => {
      const result = await run(args, options);
      runs.push(result);
      return result;
    };
    ws.runOk = async (args, options) => {
      const result = await ws.run(args, options);
      if (result.code !== 0) throw new Error(describeRun(args, result));
      return result;
    };
    await ws.runOk(["stack", "init", "dev"]);
    return ws;
  };
  const outputs = async (ws: PulumiWorkspace, ...flags: string[]) =>
    JSON.parse((await ws.runOk(["stack", "output", "--json", ...flags])).stdout) as Record<
      string,
      unknown
    >;

  before(async () => {
    emulator = await startEmulator({ fixture: loadDefaultFixture() });
  });

  after(async () => {
    await emulator.close();
    try {
      for (const r of runs) assertNoSecrets(`${r.stdout}\n${r.stderr}`, SECRETS, "pulumi output");
      for (const ws of workspaces) {
        assertNoSecrets(await allFiles(ws.stateDir), SECRETS, "the backend's state files");
        assertNoSecrets(await allFiles(ws.home), SECRETS, "PULUMI_HOME (logs, caches)");
      }
    } finally {
      await Promise.all(workspaces.map((ws) => ws.cleanup()));
    }
  });

  describe("examples/basic", () => {
    let ws: PulumiWorkspace;
    const expected = {
      instance: "sag-demo0001",
      regionId: "cn-shanghai",
      totalOnlineCount: 8,
      userStatistics: [
        { userName: "doctest", onlineCount: 2 },
        { userName: "alice@example.com", onlineCount: 0 },
        { userName: "bob.smith", onlineCount: 5 },
        { userName: "carol_01", onlineCount: 1 },
      ],
    };

    before(async () => {
      ws = await workspace(path.join(repoRoot, "examples", "basic"));
      await configureForEmulator(ws, emulator.url);
    });

    it("previews the statistics without deploying", async () => {
      const res = await ws.runOk(["preview"]);
      assert.match(res.stdout, /totalOnlineCount: 8/, describeRun(["preview"], res));
      assert.match(res.stdout, /\+ 1 to create/);
    });

    it("exports the fixture's counts after up", async () => {
      const res = await ws.runOk(["up", "--yes"]);
      assert.match(res.stdout, /\+ 1 created/, describeRun(["up"], res));
      const { requestIds, ...rest } = await outputs(ws);
      assert.deepEqual(rest, expected);
      assert.equal((requestIds as string[]).length, 1);
    });

    it("keeps the secret key encrypted in the exported state", async () => {
      const exported = await ws.runOk(["stack", "export"]);
      assert.ok(
        exported.stdout.includes('"secrets_providers"') ||
          exported.stdout.includes("secretsProviders"),
      );
      assertNoSecrets(exported.stdout, SECRETS, "pulumi stack export");
    });

    it("refreshes and destroys cleanly", async () => {
      await ws.runOk(["refresh", "--yes"]);
      const { requestIds: _ignored, ...rest } = await outputs(ws);
      assert.deepEqual(rest, expected);
      const res = await ws.runOk(["destroy", "--yes"]);
      assert.match(res.stdout, /- 1 deleted/, describeRun(["destroy"], res));
    });

    it("fails up with SAG.InstanceNoFound and a RequestId for an unknown instance", async () => {
      await ws.runOk(["config", "set", "smartAgId", "sag-unknown01"]);
      const res = await ws.run(["up", "--yes"]);
      const text = `${res.stdout}\n${res.stderr}`;
      assert.notEqual(res.code, 0, describeRun(["up"], res));
      assert.match(text, /SAG\.InstanceNoFound: The specified SAG instance does not exist\./);
      assert.match(text, /RequestId: [0-9A-F-]{36}/);
      assert.match(text, /hint: check smartAgId and regionId/);
    });

    it("fails up naming the bad argument, without calling the API", async () => {
      await ws.runOk(["config", "set", "smartAgId", "sag-demo0001"]);
      await ws.runOk(["config", "set", "--path", "userNames[0]", "doctest"]);
      await ws.runOk(["config", "set", "--path", "userNames[1]", "x"]);
      emulator.resetLog();
      const res = await ws.run(["up", "--yes"]);
      const text = `${res.stdout}\n${res.stderr}`;
      assert.notEqual(res.code, 0, describeRun(["up"], res));
      assert.match(
        text,
        /Invoke of 'smartag:index:getUserOnlineClientStatistics' failed: must be at least 7 characters \(userNames\[1\]\)/,
      );
      assert.equal(emulator.requests.length, 0);
    });
  });

  describe("examples/multi-region", () => {
    let ws: PulumiWorkspace;

    before(async () => {
      ws = await workspace(path.join(repoRoot, "examples", "multi-region"));
      await ws.runOk(["config", "set", "endpoint", emulator.url]);
      await ws.runOk(["config", "set", "shanghaiAccessKey", KEY1.id]);
      await ws.runOk(["config", "set", "--secret", "shanghaiSecretKey", KEY1.secret]);
      await ws.runOk(["config", "set", "hongkongAccessKey", KEY2.id]);
      await ws.runOk(["config", "set", "--secret", "hongkongSecretKey", KEY2.secret]);
    });

    it("previews, deploys, refreshes and destroys with each answer from its own region and key", async () => {
      await ws.runOk(["preview"]);
      emulator.resetLog();
      await ws.runOk(["up", "--yes"]);
      assert.deepEqual(await outputs(ws), {
        shanghaiRegion: "cn-shanghai",
        shanghaiUsers: [
          { userName: "doctest", onlineCount: 2 },
          { userName: "bob.smith", onlineCount: 5 },
        ],
        hongkongRegion: "cn-hongkong",
        hongkongUsers: [
          { userName: "doctest", onlineCount: 7 },
          { userName: "dave-hk", onlineCount: 3 },
        ],
        totalAcrossRegions: 17,
      });
      const keyByRegion = new Set(
        emulator.requests.map((r) => `${r.params.RegionId}:${r.params.AccessKeyId}`),
      );
      assert.deepEqual([...keyByRegion].sort(), [
        `cn-hongkong:${KEY2.id}`,
        `cn-shanghai:${KEY1.id}`,
      ]);
      await ws.runOk(["refresh", "--yes"]);
      await ws.runOk(["destroy", "--yes"]);
    });

    it("records the explicit providers' secret keys only encrypted", async () => {
      const exported = await ws.runOk(["stack", "export"]);
      assertNoSecrets(exported.stdout, SECRETS, "pulumi stack export");
    });
  });

  describe("a secret argument to the Output form", () => {
    it("keeps the result secret in the stack outputs", async () => {
      const ws = await workspace(path.join(__dirname, "fixtures", "secret-arg"));
      await configureForEmulator(ws, emulator.url);
      await ws.runOk(["config", "set", "--secret", "smartAgId", "sag-demo0001"]);
      await ws.runOk(["up", "--yes"]);
      assert.deepEqual(await outputs(ws), {
        totalOnlineCount: "[secret]",
        plainLabel: "not secret",
      });
      assert.deepEqual(await outputs(ws, "--show-secrets"), {
        totalOnlineCount: 2,
        plainLabel: "not secret",
      });
      await ws.runOk(["destroy", "--yes"]);
    });
  });
});
