// The spawned plugin, over gRPC, against a hostile endpoint on 127.0.0.1: what it returns and
// logs carries no credential the server echoed, and the engine's Cancel ends invokes in flight.
import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import { rpcEncode } from "@pulumi-smartag/client";
import * as emptyPb from "google-protobuf/google/protobuf/empty_pb";
import { type HostileServer, startHostileServer } from "../helpers/hostileServer";
import { type RunningPlugin, startPlugin, struct } from "../helpers/plugin";

const STS = {
  accessKey: "STS.EmulatorKey03",
  secretKey: "emulator-secret-03",
  securityToken: "emulator-sts-token-03",
};
const TOKEN = "smartag:index:getUserOnlineClientStatistics";
const WATCHDOG_MS = 120_000;

function invokeRequest(userNames = ["doctest"]) {
  return new providerPb.InvokeRequest()
    .setTok(TOKEN)
    .setArgs(struct({ smartAgId: "sag-demo0001", userNames }));
}

async function withWatchdog<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen`)), WATCHDOG_MS);
  });
  try {
    return await Promise.race([p, watchdog]);
  } finally {
    clearTimeout(timer);
  }
}

describe("provider plugin against a hostile endpoint", () => {
  let server: HostileServer | undefined;
  let plugin: RunningPlugin | undefined;
  afterEach(async () => {
    await plugin?.stop();
    await server?.close();
    plugin = undefined;
    server = undefined;
  });

  const configured = async (s: HostileServer, extra: Record<string, unknown> = {}) => {
    plugin = await startPlugin({ SMARTAG_LOG: "debug" });
    const req = new providerPb.ConfigureRequest()
      .setArgs(
        struct({ region: "cn-shanghai", endpoint: s.url, ...STS, maxAttempts: "1", ...extra }),
      )
      .setAcceptsecrets(true);
    await plugin.call("configure", req);
    return plugin;
  };

  it("returns and logs no token, secret or signature that the server echoes in its error", async () => {
    server = await startHostileServer("echoError");
    const p = await configured(server);
    const error = await p.call("invoke", invokeRequest()).then(
      () => assert.fail("the invoke answered"),
      (e: grpc.ServiceError) => e,
    );
    const signature = server.requests[0]?.get("Signature") ?? "";
    assert.ok(signature.length > 20);
    await p.stop();
    const exposed = `${error.details}\n${p.stderr()}\n${p.stdout()}`;
    assert.match(error.details, /RequestId: \*\*\*/);
    for (const value of [STS.securityToken, STS.secretKey, signature]) {
      for (const form of [value, encodeURIComponent(value), rpcEncode(rpcEncode(value))]) {
        assert.ok(!exposed.includes(form), `${form} leaked`);
      }
    }
  });

  it("ends in-flight invokes with CANCELLED and closes their sockets after the engine's Cancel", async () => {
    server = await startHostileServer("silent");
    const p = await configured(server, { readTimeoutMs: "600000", deadlineMs: "600000" });
    const invokes = [
      p.call("invoke", invokeRequest(["doctest"])),
      p.call("invoke", invokeRequest(["alice@example.com"])),
    ];
    const outcomes = invokes.map((i) =>
      i.then(
        () => assert.fail("an invoke answered"),
        (e: grpc.ServiceError) => e,
      ),
    );
    await withWatchdog(server.received(2), "both requests reaching the server");
    assert.equal(server.openConnections(), 2);
    const started = Date.now();
    await p.call("cancel", new emptyPb.Empty());
    const errors = await withWatchdog(Promise.all(outcomes), "the invokes ending");
    console.log(`      invokes ended ${Date.now() - started} ms after Cancel`);
    for (const e of errors) {
      assert.equal(e.code, grpc.status.CANCELLED, e.details);
      assert.match(e.details, /cancelled/);
    }
    await withWatchdog(server.allClosed(), "the plugin closing its sockets");
    assert.equal(server.requests.length, 2, "a cancelled call is not retried");
  });
});
