// The root PulumiPlugin.yaml route: a project whose `plugins.providers` entry points at the
// repository root runs the provider from source (after `npm run build`) through the Node.js
// language host. Nothing else could supply the plugin: a fresh PULUMI_HOME, no download, and
// nothing of this checkout on PATH but the CLI and its language hosts.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import { describeRun, EMULATOR_KEY, repoRoot, runPulumi } from "../helpers/pulumiCli";
import { assertNoSecrets } from "../helpers/secrets";
import { type Scratch, scratch } from "./release";

const project = (root: string) => `name: from-source
runtime: yaml
plugins:
  providers:
    - name: smartag
      path: ${JSON.stringify(root)}
resources:
  recorded:
    type: smartag:index:UserOnlineClientStatistics
    properties:
      smartAgId: sag-demo0001
      userNames: ["carol_01"]
variables:
  stats:
    fn::invoke:
      function: smartag:index:getUserOnlineClientStatistics
      arguments:
        smartAgId: sag-demo0001
        userNames: ["doctest", "bob.smith"]
outputs:
  total: \${stats.totalOnlineCount}
  recordedTotal: \${recorded.totalOnlineCount}
`;

describe("the provider run from source through the root PulumiPlugin.yaml", () => {
  let emulator: RunningEmulator;
  let place: Scratch;
  let program: string;

  const pulumi = async (...args: string[]) => {
    const result = await runPulumi(args, program, place.env);
    assert.equal(result.code, 0, describeRun(args, result));
    return result;
  };

  before(async () => {
    emulator = await startEmulator({ fixture: loadDefaultFixture() });
    place = await scratch();
    program = path.join(place.dir, "program");
    mkdirSync(program);
    writeFileSync(path.join(program, "Pulumi.yaml"), project(repoRoot));
  });
  after(async () => {
    await emulator.close();
    await place.cleanup();
  });

  it("previews, updates and destroys with `plugins.providers` pointing at the repository", async () => {
    await pulumi("stack", "init", "dev");
    await pulumi("config", "set", "smartag:region", "cn-shanghai");
    await pulumi("config", "set", "smartag:endpoint", emulator.url);
    await pulumi("config", "set", "smartag:accessKey", EMULATOR_KEY.id);
    await pulumi("config", "set", "--secret", "smartag:secretKey", EMULATOR_KEY.secret);
    await pulumi("preview");
    await pulumi("up", "--yes");
    const outputs = JSON.parse((await pulumi("stack", "output", "--json")).stdout);
    assert.deepEqual(outputs, { total: 7, recordedTotal: 1 });
    await pulumi("destroy", "--yes");
    assertNoSecrets(await place.written(), [EMULATOR_KEY.secret], "state, logs and plugins");
  });
});
