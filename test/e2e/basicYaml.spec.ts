// examples/basic-yaml under the real Pulumi CLI and the official YAML language host
// (pulumi-language-yaml, built by `npm run tools:pulumi`): the first run through a host that is
// not our own tools/langhost, with an explicit provider and `fn::invoke`.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import {
  createPulumiWorkspace,
  describeRun,
  EMULATOR_KEY,
  type PulumiWorkspace,
  type RunResult,
  repoRoot,
  toolsBin,
} from "../helpers/pulumiCli";
import { assertNoSecrets } from "../helpers/secrets";

/** What examples/basic exports on the bundled fixture, RequestIds aside. */
const BASIC_OUTPUTS = {
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

describe("examples/basic-yaml under the official YAML language host", () => {
  let emulator: RunningEmulator;
  let ws: PulumiWorkspace;
  const runs: RunResult[] = [];
  const run = async (args: string[], ok = true) => {
    const result = await ws.run(args);
    runs.push(result);
    if (ok && result.code !== 0) throw new Error(describeRun(args, result));
    return result;
  };

  before(async () => {
    const host = path.join(toolsBin, "pulumi-language-yaml");
    assert.ok(existsSync(host), `${host} is missing: run \`npm run tools:pulumi\``);
    emulator = await startEmulator({ fixture: loadDefaultFixture() });
    ws = await createPulumiWorkspace({ fixture: path.join(repoRoot, "examples", "basic-yaml") });
    await run(["stack", "init", "dev"]);
    await run(["config", "set", "endpoint", emulator.url]);
    await run(["config", "set", "accessKey", EMULATOR_KEY.id]);
    await run(["config", "set", "--secret", "secretKey", EMULATOR_KEY.secret]);
  });

  after(async () => {
    await emulator?.close();
    try {
      for (const r of runs) {
        assertNoSecrets(`${r.stdout}\n${r.stderr}`, [EMULATOR_KEY.secret], "pulumi output");
      }
    } finally {
      await ws?.cleanup();
    }
  });

  const outputs = async () =>
    JSON.parse((await run(["stack", "output", "--json"])).stdout) as Record<string, unknown>;

  it("previews the statistics without deploying", async () => {
    const res = await run(["preview"]);
    assert.match(res.stdout, /totalOnlineCount: 8/, describeRun(["preview"], res));
    assert.match(res.stdout, /\+ 2 to create/);
  });

  it("exports the same outputs as examples/basic after up", async () => {
    const res = await run(["up", "--yes"]);
    assert.match(res.stdout, /\+ 2 created/, describeRun(["up"], res));
    const { requestIds, ...rest } = await outputs();
    assert.deepEqual(rest, BASIC_OUTPUTS);
    assert.equal((requestIds as string[]).length, 1);
  });

  it("keeps the explicit provider's secret key encrypted in the exported state", async () => {
    const exported = await run(["stack", "export"]);
    const provider = JSON.parse(exported.stdout).deployment.resources.find(
      (r: { type: string }) => r.type === "pulumi:providers:smartag",
    );
    assert.equal(
      provider.inputs.secretKey["4dabf18193072939515e22adb298388d"],
      "1b47061264138c4ac30d75fd1eb44270",
    );
    assertNoSecrets(exported.stdout, [EMULATOR_KEY.secret], "pulumi stack export");
  });

  it("fails up with the API error's code and RequestId", async () => {
    await run(["config", "set", "smartAgId", "sag-unknown01"]);
    const res = await run(["up", "--yes"], false);
    const text = `${res.stdout}\n${res.stderr}`;
    assert.notEqual(res.code, 0, describeRun(["up"], res));
    assert.match(text, /SAG\.InstanceNoFound: The specified SAG instance does not exist\./);
    assert.match(text, /RequestId: [0-9A-F-]{36}/);
    await run(["config", "rm", "smartAgId"]);
  });

  it("refreshes and destroys cleanly", async () => {
    await run(["refresh", "--yes"]);
    const { requestIds: _ignored, ...rest } = await outputs();
    assert.deepEqual(rest, BASIC_OUTPUTS);
    const res = await run(["destroy", "--yes"]);
    assert.match(res.stdout, /- 2 deleted/, describeRun(["destroy"], res));
  });
});
