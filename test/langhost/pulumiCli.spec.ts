// The real Pulumi CLI (built from Go modules, `npm run tools:pulumi`) running a TypeScript program
// through our language host, against a local file backend: the full lifecycle a user goes through.
// The steps share one stack and run in order, like a user's session.

import * as assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { createPulumiWorkspace, describeRun, type PulumiWorkspace } from "../helpers/pulumiCli";
import { fixtures } from "./hostProcess";

describe("pulumi CLI running a TypeScript program through our language host", () => {
  let ws: PulumiWorkspace;
  const outputs = async (...flags: string[]) => {
    const res = await ws.runOk(["stack", "output", "--json", ...flags]);
    return JSON.parse(res.stdout) as Record<string, unknown>;
  };
  const resourceTypes = async () => {
    const res = await ws.runOk(["stack", "export"]);
    const state = JSON.parse(res.stdout) as { deployment: { resources?: Array<{ type: string }> } };
    return (state.deployment.resources ?? []).map((r) => r.type);
  };

  before(async () => {
    ws = await createPulumiWorkspace({ fixture: path.join(fixtures, "config-outputs") });
  });

  after(async () => {
    await ws?.cleanup();
  });

  it("creates a stack and keeps a secret config value encrypted", async () => {
    await ws.runOk(["stack", "init", "dev"]);
    await ws.runOk(["config", "set", "greeting", "hello"]);
    await ws.runOk(["config", "set", "--secret", "token", "s3cr3t"]);
    const stackFile = await fs.readFile(path.join(ws.dir, "Pulumi.dev.yaml"), "utf8");
    assert.match(stackFile, /secure: /);
    assert.ok(!stackFile.includes("s3cr3t"), stackFile);
  });

  it("previews the program's resources and outputs without deploying them", async () => {
    const res = await ws.runOk(["preview"]);
    assert.match(res.stdout, /\+ 2 to create/, describeRun(["preview"], res));
    assert.match(res.stdout, /message\s*: "hello from langhost-fixture\/dev"/);
    assert.match(res.stdout, /dryRun\s*: true/);
    assert.deepEqual(await resourceTypes(), []);
  });

  it("deploys on up and exports outputs, with secrets masked", async () => {
    const res = await ws.runOk(["up", "--yes"]);
    assert.match(res.stdout, /\+ 2 created/, describeRun(["up"], res));
    assert.deepEqual(await outputs(), {
      dryRun: false,
      markerUrn: "urn:pulumi:dev::langhost-fixture::langhost:fixture:Marker::marker",
      message: "hello from langhost-fixture/dev",
      secretToken: "[secret]",
      tokenLength: "[secret]",
    });
  });

  it("reveals secret outputs only with --show-secrets", async () => {
    const revealed = await outputs("--show-secrets");
    assert.equal(revealed.secretToken, "s3cr3t");
    assert.equal(revealed.tokenLength, 6);
  });

  it("refreshes the deployed stack and finds nothing changed", async () => {
    const res = await ws.runOk(["refresh", "--yes"]);
    assert.match(res.stdout, /2 unchanged/, describeRun(["refresh"], res));
  });

  it("fails up with the program's own error and keeps the deployed resources", async () => {
    await ws.runOk(["config", "set", "mode", "fail"]);
    const res = await ws.run(["up", "--yes", "--skip-preview"]);
    await ws.runOk(["config", "rm", "mode"]);
    assert.notEqual(res.code, 0, describeRun(["up"], res));
    assert.match(`${res.stdout}\n${res.stderr}`, /fixture asked to fail \(greeting=hello\)/);
    // A failed program must never read as "the program wants nothing": that would delete.
    assert.ok((await resourceTypes()).includes("langhost:fixture:Marker"));
  });

  it("removes every resource on destroy", async () => {
    await ws.runOk(["destroy", "--yes"]);
    assert.deepEqual(await resourceTypes(), []);
    assert.deepEqual(await outputs(), {});
  });
});

describe("pulumi CLI starting a provider from source through our language host", () => {
  let ws: PulumiWorkspace;

  before(async () => {
    ws = await createPulumiWorkspace({ fixture: path.join(fixtures, "invoke-echo") });
  });

  after(async () => {
    await ws?.cleanup();
  });

  it("answers the program's invoke from a PulumiPlugin.yaml provider during up", async () => {
    await ws.runOk(["stack", "init", "dev"]);
    const res = await ws.runOk(["up", "--yes"]);
    assert.match(res.stdout, /shouted\s*: "HELLO"/, describeRun(["up"], res));
    const out = await ws.runOk(["stack", "output", "shouted"]);
    assert.equal(out.stdout.trim(), "HELLO");
  });
});
