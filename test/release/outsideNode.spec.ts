// A JavaScript program in a temporary folder, as a user would have it: the SDK installed from its
// npm tarball, no `plugins` in Pulumi.yaml, and the engine downloading the plugin by itself from a
// release server on 127.0.0.1 (PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES points it there).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import { describeRun, EMULATOR_KEY, repoRoot, runPulumi } from "../helpers/pulumiCli";
import { assertNoSecrets } from "../helpers/secrets";
import {
  artifact,
  platform,
  type ReleaseServer,
  type Scratch,
  scratch,
  serveRelease,
  version,
} from "./release";

const PROGRAM = `const pulumi = require("@pulumi/pulumi");
const smartag = require("pulumi-smartag");
const stats = smartag.getUserOnlineClientStatisticsOutput({
  smartAgId: "sag-demo0001",
  userNames: ["doctest", "bob.smith"],
});
const recorded = new smartag.UserOnlineClientStatistics("recorded", {
  smartAgId: "sag-demo0001",
  userNames: ["carol_01"],
});
exports.total = stats.totalOnlineCount;
exports.recordedTotal = recorded.totalOnlineCount;
exports.sdk = require.resolve("pulumi-smartag");
`;

describe("a Node.js program outside the repository, with the released SDK and plugin", () => {
  let emulator: RunningEmulator;
  let server: ReleaseServer;
  let place: Scratch;
  let program: string;

  const pulumi = async (...args: string[]) => {
    const result = await runPulumi(args, program, place.env);
    assert.equal(result.code, 0, describeRun(args, result));
    return result;
  };

  before(async () => {
    emulator = await startEmulator({ fixture: loadDefaultFixture() });
    server = await serveRelease();
    place = await scratch({
      PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES: `smartag=${server.url}`,
    });
    delete place.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION;
    program = path.join(place.dir, "program");
    mkdirSync(program);
    const tarballs = [`pulumi-smartag-${version}.tgz`, `pulumi-smartag-limits-${version}.tgz`];
    for (const t of tarballs) copyFileSync(artifact(t), path.join(program, t));
    writeFileSync(path.join(program, "package.json"), '{ "name": "outside", "private": true }\n');
    execFileSync(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        "--loglevel=error",
        ...tarballs.map((t) => `./${t}`),
      ],
      { cwd: program, env: place.env, stdio: ["ignore", "ignore", "inherit"] },
    );
    writeFileSync(
      path.join(program, "Pulumi.yaml"),
      "name: outside\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n",
    );
    writeFileSync(path.join(program, "index.js"), PROGRAM);
  });
  after(async () => {
    await server.close();
    await emulator.close();
    await place.cleanup();
  });

  it("previews, updates and destroys, the plugin downloaded from the release server", async () => {
    await pulumi("stack", "init", "dev");
    await pulumi("config", "set", "smartag:region", "cn-shanghai");
    await pulumi("config", "set", "smartag:endpoint", emulator.url);
    await pulumi("config", "set", "smartag:accessKey", EMULATOR_KEY.id);
    await pulumi("config", "set", "--secret", "smartag:secretKey", EMULATOR_KEY.secret);

    await pulumi("preview");
    assert.deepEqual(server.requests, [`/pulumi-resource-smartag-v${version}-${platform}.tar.gz`]);
    const plugin = path.join(
      place.env.PULUMI_HOME ?? "",
      "plugins",
      `resource-smartag-v${version}`,
    );
    assert.ok(existsSync(path.join(plugin, "pulumi-resource-smartag")), plugin);

    await pulumi("up", "--yes");
    const outputs = JSON.parse((await pulumi("stack", "output", "--json")).stdout);
    assert.equal(outputs.total, 7);
    assert.equal(outputs.recordedTotal, 1);
    assert.ok(path.relative(repoRoot, outputs.sdk).startsWith(".."), outputs.sdk);
    assert.ok(outputs.sdk.startsWith(program), outputs.sdk);

    await pulumi("destroy", "--yes");
    assertNoSecrets(await place.written(), [EMULATOR_KEY.secret], "state, logs and plugins");
    const after = JSON.parse((await pulumi("stack", "export")).stdout);
    assert.deepEqual(after.deployment.resources ?? [], []);
    assert.equal(server.requests.length, 1, "the plugin was downloaded once");
  });
});
