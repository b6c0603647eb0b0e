// A Python inline program (Automation API) outside the repository: the SDK from the released wheel,
// installed into a temporary folder on PYTHONPATH, and the plugin from its release tarball.
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import { describeRun, EMULATOR_KEY, repoRoot, runPulumi, toolsBin } from "../helpers/pulumiCli";
import { artifact, pluginTarball, type Scratch, scratch, version } from "./release";

// The virtualenv of `npm run test:python` supplies pulumi itself; the SDK comes from the wheel.
const python = path.join(repoRoot, ".venv", "sdk", "bin", "python");

describe("a Python program outside the repository, with the released wheel and plugin", () => {
  let emulator: RunningEmulator;
  let place: Scratch;

  before(async () => {
    emulator = await startEmulator({ fixture: loadDefaultFixture() });
    place = await scratch();
  });
  after(async () => {
    await emulator.close();
    await place.cleanup();
  });

  it("previews, updates and destroys", async () => {
    const args = ["plugin", "install", "resource", "smartag", version, "--file", pluginTarball()];
    const installed = await runPulumi(args, place.dir, place.env);
    assert.equal(installed.code, 0, describeRun(args, installed));

    const wheel = path.join(place.dir, `pulumi_smartag-${version}-py3-none-any.whl`);
    copyFileSync(artifact(path.basename(wheel)), wheel);
    const site = path.join(place.dir, "site");
    const work = path.join(place.dir, "program");
    mkdirSync(work);
    execFileSync(python, ["-m", "pip", "install", "--quiet", "--no-deps", "--target", site, wheel]);
    const script = path.join(__dirname, "fixtures", "outside_python.py");
    // Not execFileSync: the emulator answers from this process's event loop.
    const { stdout } = await promisify(execFile)(python, [script, work], {
      cwd: place.dir,
      encoding: "utf8",
      env: {
        ...place.env,
        PYTHONPATH: site,
        SMARTAG_PULUMI_ROOT: path.dirname(toolsBin),
        SMARTAG_TEST_ENDPOINT: emulator.url,
        SMARTAG_TEST_KEY_ID: EMULATOR_KEY.id,
        SMARTAG_TEST_KEY_SECRET: EMULATOR_KEY.secret,
      },
    });
    const result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
    assert.ok(result.sdk.startsWith(site), result.sdk);
    assert.deepEqual(result.outputs, { total: 7, recordedTotal: 1 });
    assert.equal(result.resourcesAfterDestroy, 0);
  });
});
