// A program that throws inside an `apply` must fail `pulumi up` as promptly as one that succeeds.
// It used to take 50-90 s: the SDK's uncaught-error handler formats the error with
// `util.inspect(err, { colors: true })`, and on this Node that call loops until V8 gives up on
// the string it builds (nodejs/node#64011) whenever a stack frame reads
// `node_modules/@pulumi/output.ts`, which the SDK's source maps produce for every apply.
// The host now preloads a guard (tools/langhost/inspectGuard.ts) into the program.
//
// Tests here never carry time limits, so the mechanism is what we assert: a probe preloaded after
// the host's guard records, inside the program process, that the SDK did format the error and
// that the call returned (instead of throwing `RangeError: Invalid string length` after the long
// loop). The elapsed time is printed for the record only.

import * as assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { createPulumiWorkspace, describeRun, type PulumiWorkspace } from "../helpers/pulumiCli";
import { fixtures } from "./hostProcess";

interface InspectCall {
  message: string;
  colors: boolean;
  length?: number;
  output?: string;
  threw?: string;
}

interface ProbeReport {
  pid: number;
  guarded: boolean;
  calls: InspectCall[];
}

describe("pulumi CLI running a program that throws inside an apply", () => {
  let ws: PulumiWorkspace;
  let reportFile: string;

  before(async () => {
    ws = await createPulumiWorkspace({ fixture: path.join(fixtures, "apply-throws") });
    reportFile = path.join(ws.dir, "inspect-probe.json");
    // An absolute path: the program's working directory is the host's business, not the test's.
    const probe = path.join(ws.dir, "inspectProbe.js");
    await fs.writeFile(
      path.join(ws.dir, "Pulumi.yaml"),
      [
        "name: langhost-apply-throws",
        "runtime:",
        "  name: nodejs",
        "  options:",
        `    nodeargs: --require ${JSON.stringify(probe)}`,
        "",
      ].join("\n"),
    );
    await ws.runOk(["stack", "init", "dev"]);
  });

  after(async () => {
    await ws?.cleanup();
  });

  it("fails up with the program's error, and the SDK's error formatting returns", async () => {
    const started = Date.now();
    const res = await ws.run(["up", "--yes", "--skip-preview"], {
      env: { LANGHOST_INSPECT_PROBE: reportFile },
    });
    const elapsed = Date.now() - started;
    console.log(`      (pulumi up failed after ${(elapsed / 1000).toFixed(1)} s; informational)`);

    assert.notEqual(res.code, 0, describeRun(["up"], res));
    assert.match(`${res.stdout}\n${res.stderr}`, /error: boom from inside an apply/);

    const report = JSON.parse(await fs.readFile(reportFile, "utf8")) as ProbeReport;
    assert.ok(report.guarded, "the host did not preload its util.inspect guard into the program");
    const formatted = report.calls.filter(
      (c) => c.colors && c.message === "boom from inside an apply",
    );
    assert.ok(
      formatted.length > 0,
      `the SDK never formatted the error with colours: ${JSON.stringify(report.calls)}`,
    );
    for (const call of formatted) {
      // Unguarded, Node 20.20's inspect spins here and ends in RangeError: Invalid string length.
      assert.equal(call.threw, undefined, `util.inspect threw: ${call.threw}`);
      assert.match(call.output ?? "", /boom from inside an apply/);
      assert.match(call.output ?? "", /node_modules[/\\]@pulumi[/\\]output\.ts/);
      assert.ok((call.length ?? 0) < 100_000, `util.inspect returned ${call.length} characters`);
    }
  });
});
