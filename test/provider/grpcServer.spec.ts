// The plugin's own gRPC server (provider/grpcServer.ts) at the edges of the protocol, seen from
// raw node:http2 frames and from grpc-js, an independent client.
import assert from "node:assert/strict";
import * as http2 from "node:http2";
import * as grpc from "@grpc/grpc-js";
import type * as pluginPb from "@pulumi/pulumi/proto/plugin_pb";
import * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import * as emptyPb from "google-protobuf/google/protobuf/empty_pb";
import { type HostileServer, startHostileServer } from "../helpers/hostileServer";
import { type RunningPlugin, startPlugin, struct } from "../helpers/plugin";

const SERVICE = "/pulumirpc.ResourceProvider";
const WATCHDOG_MS = 120_000;

interface RawAnswer {
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders | undefined;
  body: Buffer;
}

/** One request on a fresh h2c connection to the plugin, `body` sent as it is. */
async function raw(
  port: number,
  path: string,
  body: Buffer,
  headers: http2.OutgoingHttpHeaders = {},
): Promise<RawAnswer> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  try {
    const stream = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
      ...headers,
    });
    const chunks: Buffer[] = [];
    let trailers: http2.IncomingHttpHeaders | undefined;
    stream.on("data", (d: Buffer) => chunks.push(d));
    stream.on("trailers", (t) => {
      trailers = t;
    });
    const response = new Promise<http2.IncomingHttpHeaders>((resolve) =>
      stream.once("response", resolve),
    );
    // A GET's stream is ended with its headers.
    if (!stream.writableEnded) stream.end(body);
    const answered = new Promise<void>((resolve, reject) => {
      stream.once("close", resolve);
      stream.once("error", reject);
    });
    await withWatchdog(answered, `an answer to ${path}`);
    return { headers: await response, trailers, body: Buffer.concat(chunks) };
  } finally {
    session.close();
  }
}

/** A length-prefixed message. */
function frame(message: Uint8Array, compressed = 0): Buffer {
  const head = Buffer.alloc(5);
  head[0] = compressed;
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** The status of a trailers-only answer: everything in the one HEADERS frame. */
function trailersOnly(a: RawAnswer): { code: number; message: string } {
  assert.equal(a.headers[":status"], 200);
  assert.equal(a.headers["content-type"], "application/grpc");
  assert.equal(a.trailers, undefined, "no separate trailers");
  assert.equal(a.body.length, 0);
  return {
    code: Number(a.headers["grpc-status"]),
    message: String(a.headers["grpc-message"] ?? ""),
  };
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

describe("the plugin's gRPC server", () => {
  let plugin: RunningPlugin;
  let hostile: HostileServer | undefined;
  beforeEach(async () => {
    plugin = await startPlugin();
  });
  afterEach(async () => {
    await plugin.stop();
    await hostile?.close();
    hostile = undefined;
  });

  /** The plugin configured against an endpoint that reads requests and never answers. */
  async function againstSilentEndpoint(): Promise<HostileServer> {
    hostile = await startHostileServer("silent");
    const config = {
      region: "cn-shanghai",
      endpoint: hostile.url,
      accessKey: "AK",
      secretKey: "SK",
    };
    await plugin.call(
      "configure",
      new providerPb.ConfigureRequest().setArgs(
        struct({ ...config, maxAttempts: "1", readTimeoutMs: "600000", deadlineMs: "600000" }),
      ),
    );
    return hostile;
  }

  const invokeRequest = () =>
    new providerPb.InvokeRequest()
      .setTok("smartag:index:getUserOnlineClientStatistics")
      .setArgs(struct({ smartAgId: "sag-demo0001", userNames: ["doctest"] }));

  it("answers a unary call with headers, one message and grpc-status 0 in trailers", async () => {
    const a = await raw(plugin.port, `${SERVICE}/GetPluginInfo`, frame(new Uint8Array()));
    assert.equal(a.headers[":status"], 200);
    assert.equal(a.headers["content-type"], "application/grpc");
    assert.equal(a.trailers?.["grpc-status"], "0");
    assert.equal(a.body[0], 0, "not compressed");
    assert.equal(a.body.readUInt32BE(1), a.body.length - 5);
    const { PluginInfo } = await import("@pulumi/pulumi/proto/plugin_pb");
    assert.match(PluginInfo.deserializeBinary(a.body.subarray(5)).getVersion(), /^\d+\.\d+\.\d+/);
    // Conversion's GetMapping: answered, with no mapping (an empty provider name).
    const mapping = await plugin.call<providerPb.GetMappingResponse>(
      "getMapping",
      new providerPb.GetMappingRequest().setKey("terraform"),
    );
    assert.equal(mapping.getProvider(), "");
  });

  it("answers UNIMPLEMENTED, trailers-only, for a method or service it does not serve", async () => {
    for (const [path, message] of [
      [`${SERVICE}/NoSuchMethod`, "noSuchMethod is not implemented by the smartag provider"],
      ["/grpc.health.v1.Health/Check", "check is not implemented by the smartag provider"],
      [`${SERVICE}/constructor`, "constructor is not implemented by the smartag provider"],
    ] as const) {
      const a = await raw(plugin.port, path, frame(new Uint8Array()));
      assert.deepEqual(trailersOnly(a), { code: grpc.status.UNIMPLEMENTED, message }, path);
    }
  });

  it("refuses malformed, compressed and oversized messages, and keeps serving", async () => {
    const path = `${SERVICE}/GetPluginInfo`;
    const lengthLies = Buffer.from([0, 0, 0, 0, 9, 1, 2]);
    for (const body of [Buffer.from([0, 0]), lengthLies, Buffer.alloc(0)]) {
      const { code, message } = trailersOnly(await raw(plugin.port, path, body));
      assert.equal(code, grpc.status.INTERNAL);
      assert.equal(message, "the request is not one length-prefixed gRPC message");
    }
    const compressed = trailersOnly(await raw(plugin.port, path, frame(Buffer.from([1]), 1)));
    assert.equal(compressed.code, grpc.status.UNIMPLEMENTED);
    const gzip = trailersOnly(
      await raw(plugin.port, path, frame(new Uint8Array()), { "grpc-encoding": "gzip" }),
    );
    assert.deepEqual(gzip, {
      code: grpc.status.UNIMPLEMENTED,
      message: "compressed messages (gzip) are not supported",
    });
    // Only the prefix of a message over 1 GiB: it is refused from the prefix alone.
    const huge = Buffer.from([0, 0x40, 0, 0, 1]);
    const big = trailersOnly(await raw(plugin.port, path, huge));
    assert.equal(big.code, grpc.status.RESOURCE_EXHAUSTED);
    // Not protobuf: the stubs cannot decode it.
    const garbage = trailersOnly(
      await raw(plugin.port, `${SERVICE}/Invoke`, frame(Buffer.from([0xff, 0xff]))),
    );
    assert.equal(garbage.code, grpc.status.INTERNAL);
    assert.match(garbage.message, /^smartag provider internal error: /);
    const info = await plugin.call<pluginPb.PluginInfo>("getPluginInfo", new emptyPb.Empty());
    assert.ok(info.getVersion());
  });

  it("answers other HTTP than gRPC with 415 or 405", async () => {
    const text = await raw(plugin.port, `${SERVICE}/GetPluginInfo`, Buffer.alloc(0), {
      "content-type": "text/plain",
    });
    assert.equal(text.headers[":status"], 415);
    const get = await raw(plugin.port, `${SERVICE}/GetPluginInfo`, Buffer.alloc(0), {
      ":method": "GET",
    });
    assert.equal(get.headers[":status"], 405);
  });

  it("percent-encodes a non-ASCII error message, which grpc-js decodes back", async () => {
    const tok = "smartag:index:getNöthing%";
    const req = new providerPb.InvokeRequest().setTok(tok).setArgs(struct({}));
    const a = trailersOnly(
      await raw(plugin.port, `${SERVICE}/Invoke`, frame(req.serializeBinary())),
    );
    assert.equal(a.code, grpc.status.INVALID_ARGUMENT);
    assert.match(a.message, /^unknown function token "smartag:index:getN%C3%B6thing%25"; /);
    assert.match(a.message, /^[\x20-\x7e]*$/);
    await assert.rejects(plugin.call("invoke", req), (e: grpc.ServiceError) => {
      assert.equal(e.code, grpc.status.INVALID_ARGUMENT);
      assert.match(e.details, /^unknown function token "smartag:index:getNöthing%"; /);
      return true;
    });
  });

  it("stops an invoke whose caller cancels it, then serves the next call", async () => {
    const endpoint = await againstSilentEndpoint();
    const outcome = new Promise<grpc.ServiceError | null>((resolve) => {
      const call = plugin.client.invoke(invokeRequest(), (e) => resolve(e));
      endpoint.received(1).then(() => call.cancel());
    });
    assert.equal((await withWatchdog(outcome, "the cancel"))?.code, grpc.status.CANCELLED);
    // The plugin's request to the endpoint was aborted: its socket closes.
    await withWatchdog(endpoint.allClosed(), "the plugin closing its socket");
    assert.equal(endpoint.requests.length, 1);
    const info = await plugin.call<pluginPb.PluginInfo>("getPluginInfo", new emptyPb.Empty());
    assert.ok(info.getVersion());
  });

  it("ends a call at its grpc-timeout with DEADLINE_EXCEEDED and stops its work", async () => {
    const endpoint = await againstSilentEndpoint();
    const answer = raw(plugin.port, `${SERVICE}/Invoke`, frame(invokeRequest().serializeBinary()), {
      "grpc-timeout": "3S",
    });
    await withWatchdog(endpoint.received(1), "the request reaching the endpoint");
    assert.deepEqual(trailersOnly(await answer), {
      code: grpc.status.DEADLINE_EXCEEDED,
      message: "deadline exceeded",
    });
    await withWatchdog(endpoint.allClosed(), "the plugin closing its socket");
    assert.equal(endpoint.requests.length, 1);
  });
});
