// The contract between the language host and @pulumi/pulumi's run script, checked without
// processes: flags in, command line and environment out, exit status back to the engine.

import * as assert from "node:assert/strict";
import { parseFlags } from "../../tools/langhost/flags";
import {
  legacyConfig,
  programOutcome,
  type RunSpec,
  runArguments,
  runEnvironment,
} from "../../tools/langhost/invocation";
import { parseOptions, splitShellWords } from "../../tools/langhost/options";

const spec: RunSpec = {
  monitorAddress: "127.0.0.1:1001",
  engineAddress: "127.0.0.1:1002",
  organization: "org",
  project: "proj",
  stack: "dev",
  rootDirectory: "/root",
  programDirectory: "/root/prog",
  entryPoint: ".",
  dryRun: true,
  parallel: 16,
  tracing: "",
  args: ["extra"],
  config: { "proj:greeting": "hi", "aws:config:region": "cn-shanghai" },
  configSecretKeys: ["proj:token"],
};

describe("language host invocation", () => {
  it("reads Go-style flags and takes the engine address from the last position", () => {
    const flags = parseFlags(["--logtostderr", "-v=9", "--tracing", "http://t", "127.0.0.1:5"]);
    assert.equal(flags.engineAddress, "127.0.0.1:5");
    assert.equal(flags.verbosity, 9);
    assert.equal(flags.logToStderr, true);
    assert.equal(flags.tracing, "http://t");
    assert.deepEqual(parseFlags(["-weird=1", "addr"]).unknown, ["-weird=1"]);
    assert.equal(parseFlags([]).engineAddress, "");
  });

  it("builds the run script's command line with the flags it reads", () => {
    const options = parseOptions({ nodeargs: "--max-old-space-size=4096" });
    assert.deepEqual(runArguments("/sdk/cmd/run/index.js", spec, options), [
      "--max-old-space-size=4096",
      "/sdk/cmd/run/index.js",
      "--monitor",
      "127.0.0.1:1001",
      "--engine",
      "127.0.0.1:1002",
      "--organization",
      "org",
      "--project",
      "proj",
      "--root-directory",
      "/root",
      "--stack",
      "dev",
      "--pwd",
      "/root/prog",
      "--dry-run",
      "--parallel",
      "16",
      ".",
      "extra",
    ]);
  });

  it("passes config in the legacy key form with the secret keys and TypeScript switched on", () => {
    const env = runEnvironment(
      { HOME: "/h" },
      spec,
      parseOptions({ tsconfig: "tsconfig.app.json" }),
    );
    assert.equal(env.HOME, "/h");
    assert.deepEqual(JSON.parse(env.PULUMI_CONFIG ?? ""), {
      "proj:config:greeting": "hi",
      "aws:config:region": "cn-shanghai",
    });
    assert.deepEqual(JSON.parse(env.PULUMI_CONFIG_SECRET_KEYS ?? ""), ["proj:token"]);
    assert.equal(env.PULUMI_NODEJS_TYPESCRIPT, "true");
    assert.equal(env.PULUMI_NODEJS_TSCONFIG_PATH, "tsconfig.app.json");
    const plainJs = runEnvironment({}, spec, parseOptions({ typescript: false }));
    assert.equal(plainJs.PULUMI_NODEJS_TYPESCRIPT, undefined);
  });

  it("refuses config keys the engine could not have meant", () => {
    assert.throws(() => legacyConfig({ "a:b:c": "x" }), /could not parse a:b:c/);
    assert.throws(() => legacyConfig({ plain: "x" }), /could not parse plain/);
  });

  it("rejects runtime options of the wrong type with the official host's messages", () => {
    assert.throws(() => parseOptions({ typescript: "yes" }), /typescript option must be a boolean/);
    assert.throws(() => parseOptions({ packagemanager: "cargo" }), /must be one of auto, npm/);
  });

  it("splits nodeargs as a shell would", () => {
    assert.deepEqual(splitShellWords(` --a  "b c" 'd "e"' f\\ g `), ["--a", "b c", 'd "e"', "f g"]);
    assert.throws(() => splitShellWords('"open'), /unterminated/);
  });

  it("maps the program's exit to what the engine shows: success, bail, or an error", () => {
    assert.deepEqual(programOutcome(0, null, false), { error: "", bail: false });
    // 32: the SDK already showed the error; the engine must not add a second one.
    assert.deepEqual(programOutcome(32, null, false), { error: "", bail: true });
    assert.equal(programOutcome(1, null, false).error, "Program exited with non-zero exit code: 1");
    assert.match(programOutcome(134, null, true).error, /out of memory/);
    assert.match(programOutcome(null, "SIGKILL", false).error, /killed by signal SIGKILL/);
  });
});
