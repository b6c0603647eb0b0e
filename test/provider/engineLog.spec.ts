// The plugin's log lines reach the engine's Log service: a real grpc-js server implementing the
// Engine service stands in for the engine, the plugin runs as the engine starts it.
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import * as grpc from "@grpc/grpc-js";
import * as engineGrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as enginePb from "@pulumi/pulumi/proto/engine_pb";
import * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import * as emptyPb from "google-protobuf/google/protobuf/empty_pb";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import { engineAddressFromArgs, engineLogSink } from "../../provider/engineLog";
import { type RunningPlugin, startPlugin, struct } from "../helpers/plugin";
import { assertNoSecrets } from "../helpers/secrets";

const SECRET = "emulator-secret-01";
const ACTION = "DescribeUserOnlineClientStatistics";
const URN = "urn:pulumi:dev::logs::smartag:index:UserOnlineClientStatistics::gate";
const NAMES = Array.from({ length: 150 }, (_, i) => `user${String(i + 1).padStart(4, "0")}`);
const { DEBUG, INFO } = enginePb.LogSeverity;

type Line = enginePb.LogRequest.AsObject;

/** An Engine service that records every Log request; `answer: false` never answers one. */
async function fakeEngine(answer = true) {
  const lines: Line[] = [];
  const server = new grpc.Server();
  server.addService(engineGrpc.EngineService, {
    log: (
      call: grpc.ServerUnaryCall<enginePb.LogRequest, emptyPb.Empty>,
      cb: grpc.sendUnaryData<emptyPb.Empty>,
    ) => {
      lines.push(call.request.toObject());
      if (answer) cb(null, new emptyPb.Empty());
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return { address: `127.0.0.1:${port}`, lines, stop: () => server.forceShutdown() };
}

/** Waits for `done` to hold; a watchdog against a hang, not a measure of speed. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !done(); i++) await sleep(50);
  assert.ok(done(), `timed out waiting for ${what}`);
}

describe("logging through the engine", () => {
  let emulator: RunningEmulator;
  const plugins: RunningPlugin[] = [];
  const engines: Array<{ stop(): void }> = [];

  const plugin = async (engine?: string) => {
    const p = await startPlugin({}, undefined, engine);
    plugins.push(p);
    const config = {
      region: "cn-shanghai",
      endpoint: emulator.url,
      accessKey: "LTAI5tEmulatorKey01",
      secretKey: SECRET,
      cacheTtlMs: "0",
      maxAttempts: "2",
    };
    await p.call("configure", new providerPb.ConfigureRequest().setArgs(struct(config)));
    return p;
  };
  const invoke = async (p: RunningPlugin, userNames: string[]) => {
    const res = await p.call<providerPb.InvokeResponse>(
      "invoke",
      new providerPb.InvokeRequest()
        .setTok("smartag:index:getUserOnlineClientStatistics")
        .setArgs(struct({ smartAgId: "sag-big0001", userNames })),
    );
    return res.getReturn()?.toJavaScript() as { requestIds: string[]; totalOnlineCount: number };
  };

  before(async () => {
    emulator = await startEmulator({ fixture: loadDefaultFixture() });
  });
  afterEach(() => emulator.setFaults({}));
  after(async () => {
    await Promise.all(plugins.map((p) => p.stop()));
    for (const e of engines) e.stop();
    await emulator.close();
  });

  it("sends each request at debug, and the batches of a call as status messages", async () => {
    const engine = await fakeEngine();
    engines.push(engine);
    const p = await plugin(engine.address);
    const { requestIds } = await invoke(p, NAMES);
    assert.equal(requestIds.length, 3);
    await until(() => engine.lines.length >= 6, "six log lines");

    const debug = engine.lines.filter((l) => l.severity === DEBUG);
    const pattern = new RegExp(
      `^smartag: ${ACTION} cn-shanghai batch ([1-3])/3 attempt 1: OK, RequestId (\\S+), \\d+ ms$`,
    );
    assert.deepEqual(
      debug.map((l) => l.message.match(pattern)?.[2]).sort(),
      [...requestIds].sort(),
      debug.map((l) => l.message).join("\n"),
    );
    assert.ok(debug.every((l) => !l.ephemeral && l.urn === ""));

    const status = engine.lines.filter((l) => l.ephemeral);
    assert.deepEqual(status.map((l) => l.message).sort(), [
      `smartag: batch 1/3 of ${ACTION}`,
      `smartag: batch 2/3 of ${ACTION}`,
      `smartag: batch 3/3 of ${ACTION}`,
    ]);
    assert.ok(status.every((l) => l.severity === INFO && l.urn === ""));
    assertNoSecrets(JSON.stringify(engine.lines), [SECRET], "log lines");
  });

  it("ties the lines of a resource's Create to its URN, errors too, and none of an invoke's", async () => {
    const engine = await fakeEngine();
    engines.push(engine);
    const p = await plugin(engine.address);
    const create = (userNames: string[]) =>
      p.call(
        "create",
        new providerPb.CreateRequest()
          .setUrn(URN)
          .setType("smartag:index:UserOnlineClientStatistics")
          .setProperties(struct({ smartAgId: "sag-big0001", userNames })),
      );
    await create(NAMES.slice(0, 60));
    await until(() => engine.lines.length >= 4, "four log lines");
    assert.deepEqual(
      engine.lines.map((l) => [l.severity, l.ephemeral, l.urn]),
      [
        [INFO, true, URN],
        [INFO, true, URN],
        [DEBUG, false, URN],
        [DEBUG, false, URN],
      ],
    );
    // One request: no status message.
    await invoke(p, ["user0001"]);
    await until(() => engine.lines.length >= 5, "a fifth log line");
    await sleep(200);
    assert.equal(engine.lines.length, 5);
    assert.deepEqual([engine.lines[4]?.severity, engine.lines[4]?.urn], [DEBUG, ""]);
    // A failed Create: its attempts, the retry and the error, all about the resource.
    emulator.setFaults({ throttleRate: 1 });
    await assert.rejects(create(["user0001"]), /Throttling\.User/);
    await until(() => engine.lines.length >= 9, "nine log lines");
    const failed = engine.lines.slice(5);
    assert.ok(failed.every((l) => l.urn === URN && l.severity === DEBUG));
    assert.match(failed.at(-1)?.message ?? "", /^error: Throttling\.User/);
  });

  it("reports a failed attempt with its code, HTTP status and RequestId, and the retry", async () => {
    const engine = await fakeEngine();
    engines.push(engine);
    const p = await plugin(engine.address);
    emulator.setFaults({ throttleRate: 1 });
    await assert.rejects(invoke(p, ["user0001"]), /Throttling\.User/);
    await until(() => engine.lines.length >= 3, "three log lines");
    const head = `smartag: ${ACTION} cn-shanghai batch 1/1 attempt`;
    const messages = engine.lines.map((l) => l.message);
    assert.match(
      messages[0] ?? "",
      new RegExp(`^${head} 1: Throttling.User \\(HTTP \\d+\\), RequestId \\S+, \\d+ ms$`),
    );
    assert.match(messages[1] ?? "", new RegExp(`^${head} 1: retrying in \\d+ ms$`));
    assert.match(
      messages[2] ?? "",
      new RegExp(`^${head} 2: Throttling.User \\(HTTP \\d+\\), RequestId \\S+, \\d+ ms$`),
    );
    assert.ok(engine.lines.every((l) => l.severity === DEBUG));
  });

  it("answers invokes when the engine is not there or never answers a log line", async () => {
    const silent = await fakeEngine(false);
    engines.push(silent);
    for (const address of ["127.0.0.1:1", silent.address]) {
      const p = await plugin(address);
      for (let i = 0; i < 3; i++) {
        assert.equal((await invoke(p, NAMES)).requestIds.length, 3);
      }
    }
    assert.ok(silent.lines.length >= 1, "the silent engine was asked to log");
  });

  it("keeps a bounded queue, in order, and says how many lines it dropped", async () => {
    const engine = await fakeEngine();
    engines.push(engine);
    const sink = engineLogSink(engine.address, 3);
    for (let i = 1; i <= 10; i++) sink({ message: `line ${i}` });
    await until(() => engine.lines.length >= 3, "three log lines");
    sink({ message: "line 11" });
    await until(() => engine.lines.length >= 5, "five log lines");
    sink.close();
    assert.deepEqual(
      engine.lines.map((l) => l.message),
      [
        "line 1",
        "line 2",
        "line 3",
        "smartag: 7 log line(s) dropped, the engine was slow",
        "line 11",
      ],
    );
  });

  it("finds the engine's address after the flags the engine passes", () => {
    assert.equal(engineAddressFromArgs(["127.0.0.1:5"]), "127.0.0.1:5");
    assert.equal(
      engineAddressFromArgs(["--logtostderr", "-v=9", "--tracing", "http://t", "127.0.0.1:5"]),
      "127.0.0.1:5",
    );
    assert.equal(engineAddressFromArgs(["--tracing", "http://t"]), undefined);
    assert.equal(engineAddressFromArgs([]), undefined);
  });
});
