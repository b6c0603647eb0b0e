// The plugin's log lines under the real Pulumi CLI: `-v=9 --logtostderr --logflow` shows every
// API request, and `--event-log` records the status messages of calls of several requests.
import assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import {
  configureForEmulator,
  createPulumiWorkspace,
  EMULATOR_KEY,
  type PulumiWorkspace,
  repoRoot,
} from "../helpers/pulumiCli";
import { assertNoSecrets } from "../helpers/secrets";

const ACTION = "DescribeUserOnlineClientStatistics";
const TYPE = "smartag:index:UserOnlineClientStatistics";

interface DiagnosticEvent {
  urn?: string;
  message: string;
  severity: string;
  ephemeral?: boolean;
}

describe("logging through the engine under the real Pulumi CLI", () => {
  let emulator: RunningEmulator;
  let ws: PulumiWorkspace | undefined;

  before(async () => {
    emulator = await startEmulator({ fixture: loadDefaultFixture() });
  });
  after(async () => {
    await emulator.close();
    await ws?.cleanup();
  });

  it("shows each request with its RequestId and duration, and each batch as a status message", async () => {
    ws = await createPulumiWorkspace({
      fixture: path.join(repoRoot, "test", "e2e", "fixtures", "logging"),
      env: { PULUMI_NODEJS_TRANSPILE_ONLY: "true" },
    });
    await ws.runOk(["stack", "init", "dev"]);
    await configureForEmulator(ws, emulator.url);
    // --event-log is offered with PULUMI_DEBUG_COMMANDS.
    const eventLog = path.join(ws.dir, "events.jsonl");
    const up = await ws.runOk(
      [
        "up",
        "--yes",
        "--skip-preview",
        "-v=9",
        "--logtostderr",
        "--logflow",
        "--event-log",
        eventLog,
      ],
      { env: { PULUMI_DEBUG_COMMANDS: "true" } },
    );
    const events = (await fs.readFile(eventLog, "utf8"))
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as { diagnosticEvent?: DiagnosticEvent });
    const outputs = JSON.parse((await ws.runOk(["stack", "output", "--json"])).stdout) as Record<
      string,
      string[]
    >;

    // Every request, the invoke's three and the resource's three, is one line on stderr.
    const requestIds = [...(outputs.invokeRequestIds ?? []), ...(outputs.resourceRequestIds ?? [])];
    assert.equal(requestIds.length, 6);
    for (const id of requestIds) {
      assert.match(
        up.stderr,
        new RegExp(
          `smartag: ${ACTION} cn-shanghai batch [1-3]/3 attempt 1: OK, RequestId ${id}, \\d+ ms`,
        ),
      );
    }
    assertNoSecrets(up.stderr, [EMULATOR_KEY.secret], "pulumi up -v=9 --logtostderr");
    assertNoSecrets(up.stdout, [EMULATOR_KEY.secret], "pulumi up's output");

    // The status messages: the invoke's without a URN, the resource's tied to it.
    const status = events
      .map((e) => e.diagnosticEvent)
      .filter(
        (d): d is DiagnosticEvent => d?.ephemeral === true && /smartag: batch/.test(d.message),
      );
    const batches = (urn: (u: string) => boolean) =>
      status
        .filter((d) => urn(d.urn ?? ""))
        .map((d) => d.message.trim())
        .sort();
    const expected = [1, 2, 3].map((n) => `smartag: batch ${n}/3 of ${ACTION}`);
    assert.deepEqual(
      batches((u) => u === ""),
      expected,
    );
    assert.deepEqual(
      batches((u) => u.endsWith(`::${TYPE}::recorded`)),
      expected,
    );
    assert.ok(status.every((d) => d.severity === "info"));
    assertNoSecrets(JSON.stringify(events), [EMULATOR_KEY.secret], "the event log");
  });
});
