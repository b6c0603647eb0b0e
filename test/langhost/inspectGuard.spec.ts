// The util.inspect guard the host preloads into programs (tools/langhost/inspectGuard.ts): which
// stacks trip Node's markNodeModules loop, and that the guard drops colours for those only.

import * as assert from "node:assert/strict";
import * as util from "node:util";
import {
  guardInspect,
  hasRunawayFrame,
  needsColourlessInspect,
} from "../../tools/langhost/inspectGuard";
import { nodeArguments, runArguments } from "../../tools/langhost/invocation";
import { parseOptions } from "../../tools/langhost/options";

function errorWithStack(...frames: string[]): Error {
  const err = new Error("boom");
  err.stack = ["Error: boom", ...frames.map((f) => `    at ${f}`)].join("\n");
  return err;
}

// What the SDK's source maps make of an apply's frames.
const runawayFrame = "applyHelperAsync (/w/node_modules/@pulumi/output.ts:516:31)";
const plainFrame = "Object.<anonymous> (/w/node_modules/@pulumi/pulumi/runtime/rpc.js:10:2)";

describe("language host util.inspect guard", () => {
  it("recognises the frames Node's markNodeModules loops on", () => {
    assert.ok(hasRunawayFrame(`at ${runawayFrame}`));
    assert.ok(hasRunawayFrame("at /app/node_modules/foo.js:1:1"));
    assert.ok(hasRunawayFrame("at f (C:\\app\\node_modules\\@s\\f.js:1:1)"));
    assert.ok(hasRunawayFrame(`at ${plainFrame}\n    at ${runawayFrame}`));
    assert.ok(!hasRunawayFrame(`at ${plainFrame}`));
    assert.ok(!hasRunawayFrame("at f (/app/node_modules/foo/index.js:1:1)"));
    assert.ok(!hasRunawayFrame("at f (/app/not_node_modules/foo.js:1:1)"));
    assert.ok(!hasRunawayFrame("at f (/app/node_modules.js:1:1)"));
    assert.ok(!hasRunawayFrame("at f (/app/src/index.ts:1:1)"));
  });

  it("finds such stacks wherever inspect would format an error, without running getters", () => {
    assert.ok(needsColourlessInspect(errorWithStack(runawayFrame)));
    assert.ok(!needsColourlessInspect(errorWithStack(plainFrame)));
    assert.ok(needsColourlessInspect(new Error("outer", { cause: errorWithStack(runawayFrame) })));
    assert.ok(needsColourlessInspect(new AggregateError([errorWithStack(runawayFrame)])));
    assert.ok(needsColourlessInspect({ nested: [errorWithStack(runawayFrame)] }));
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.ok(!needsColourlessInspect(cyclic));
    let ran = false;
    const withGetter = {
      get err() {
        ran = true;
        return errorWithStack(runawayFrame);
      },
    };
    assert.ok(!needsColourlessInspect(withGetter));
    assert.ok(!ran);
    assert.ok(!needsColourlessInspect("node_modules/foo.js"));
  });

  it("drops colours for those errors only, keeping every other option", () => {
    const seen: unknown[][] = [];
    const fake = Object.assign(
      (...args: unknown[]) => {
        seen.push(args);
        return "x";
      },
      { defaultOptions: { colors: false }, custom: Symbol("custom") },
    );
    const guarded = guardInspect(fake);
    assert.equal(guarded.custom, fake.custom);
    assert.equal(guardInspect(guarded), guarded, "guarding twice wraps once");

    const bad = errorWithStack(runawayFrame);
    const good = errorWithStack(plainFrame);
    guarded(bad, { colors: true, depth: 5 });
    guarded(good, { colors: true });
    guarded(bad, false, 3, true); // the legacy positional form
    guarded(bad);
    fake.defaultOptions.colors = true;
    guarded(bad);
    guarded(bad, { colors: false });
    assert.deepEqual(seen, [
      [bad, { colors: false, depth: 5 }],
      [good, { colors: true }],
      [bad, { showHidden: false, depth: 3, colors: false }],
      [bad],
      [bad, { colors: false }],
      [bad, { colors: false }],
    ]);
  });

  it("lets Node's own inspect format the error the SDK trips on, and still colours others", () => {
    const inspect = guardInspect(util.inspect);
    // Unguarded, Node 20.20 spins here until RangeError: Invalid string length.
    const text = inspect(errorWithStack(runawayFrame), { colors: true });
    assert.match(text, /node_modules\/@pulumi\/output\.ts:516:31/);
    assert.ok(text.length < 1000, `${text.length} characters`);
    assert.ok(inspect(errorWithStack(plainFrame), { colors: true }).includes("\u001b["));
    assert.equal(inspect.defaultOptions, util.inspect.defaultOptions);
  });

  it("preloads the guard before the user's nodeargs", () => {
    const options = parseOptions({ nodeargs: "--require ./mine.js" });
    assert.deepEqual(nodeArguments(options, "/host/preload.js"), [
      "--require",
      "/host/preload.js",
      "--require",
      "./mine.js",
    ]);
    assert.deepEqual(nodeArguments(options, undefined), ["--require", "./mine.js"]);
    const spec = {
      monitorAddress: "m",
      engineAddress: "",
      organization: "",
      project: "",
      stack: "",
      rootDirectory: "",
      programDirectory: "",
      entryPoint: ".",
      dryRun: false,
      parallel: 0,
      tracing: "",
      args: [],
      config: {},
      configSecretKeys: [],
    };
    assert.deepEqual(runArguments("/run.js", spec, parseOptions({}), "/host/preload.js"), [
      "--require",
      "/host/preload.js",
      "/run.js",
      "--monitor",
      "m",
      "--parallel",
      "0",
      ".",
    ]);
  });
});
