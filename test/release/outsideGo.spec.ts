// A Go inline program (Automation API) outside the repository: the Go SDK unpacked from its release
// tarball and reached through a `replace`, the plugin installed from its release tarball.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import { describeRun, EMULATOR_KEY, repoRoot, runPulumi, toolsBin } from "../helpers/pulumiCli";
import { artifact, pluginTarball, type Scratch, scratch, version } from "./release";

const exec = promisify(execFile);
const SDK = "github.com/pulumi-smartag/pulumi-smartag/sdk/go";

describe("a Go program outside the repository, with the released Go SDK and plugin", () => {
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

    const sdk = path.join(place.dir, "sdk");
    const program = path.join(place.dir, "program");
    const work = path.join(place.dir, "work");
    for (const dir of [sdk, program, work]) mkdirSync(dir);
    await exec("tar", ["-xzf", artifact(`pulumi-smartag-go-sdk-v${version}.tar.gz`), "-C", sdk]);
    copyFileSync(
      path.join(__dirname, "fixtures", "outside-go", "main.go"),
      path.join(program, "main.go"),
    );
    // The runtime the SDK was generated against; test/go's go.sum already vouches for its modules.
    copyFileSync(path.join(repoRoot, "test", "go", "go.sum"), path.join(program, "go.sum"));
    writeFileSync(
      path.join(program, "go.mod"),
      `module outside\n\ngo 1.25.11\n\nrequire (\n\t${SDK} v${version}\n\tgithub.com/pulumi/pulumi/sdk/v3 v3.248.0\n)\n\nreplace ${SDK} => ${sdk}\n`,
    );
    const env = { ...place.env, GOFLAGS: "-mod=mod" };
    await exec("go", ["mod", "tidy"], { cwd: program, env });
    // Not a synchronous call: the emulator answers from this process's event loop.
    const { stdout } = await exec("go", ["run", ".", work], {
      cwd: program,
      env: {
        ...env,
        SMARTAG_PULUMI_ROOT: path.dirname(toolsBin),
        SMARTAG_TEST_ENDPOINT: emulator.url,
        SMARTAG_TEST_KEY_ID: EMULATOR_KEY.id,
        SMARTAG_TEST_KEY_SECRET: EMULATOR_KEY.secret,
      },
      maxBuffer: 16 * 1024 * 1024,
    });
    const result = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
    assert.deepEqual(result, { outputs: { total: 7, recordedTotal: 1 }, resourcesAfterDestroy: 0 });
  });
});
