/**
 * A minimal gRPC server for unary calls over node:http2 (h2c with prior knowledge, as the
 * engine's Go client speaks it). grpc-js's server cost the plugin a third of a Node.js start in
 * loading alone; this needs only node:http2, loaded once the port is bound.
 *
 * The wire: POST <path> with content-type application/grpc; request and response each one
 * message, framed as a compressed flag byte, a 4-byte big-endian length, then the bytes; the
 * outcome in the trailers grpc-status and grpc-message (percent-encoded UTF-8). A failure is
 * answered trailers-only: one HEADERS frame holding the status, ending the stream.
 */
import type * as http2 from "node:http2";
import * as net from "node:net";

/** The gRPC status codes this plugin answers with. */
export const Status = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
} as const;

/** A gRPC error: its code and message are what the caller receives. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** A unary method: the request's bytes in, the response's out; `signal` aborts when the caller goes. */
export type Method = (request: Buffer, signal: AbortSignal) => Promise<Uint8Array>;

/** The largest message either way: 1 GiB. */
export const MAX_MESSAGE = 1 << 30;

const UNITS: Record<string, number> = { H: 3.6e6, M: 6e4, S: 1e3, m: 1, u: 1e-3, n: 1e-6 };

export interface GrpcServer {
  readonly port: number;
  /** Stops accepting, lets calls in progress answer, then calls `done`. */
  close(done: () => void): void;
}

/**
 * Listens on 127.0.0.1:`port` (0: the OS chooses); `route` maps a `:path` to its method. The
 * port is bound with node:net; node:http2, which costs about a third of a Node.js start to load,
 * loads just after, while the caller prints the port and the engine reads it and dials.
 */
export async function listen(
  port: number,
  route: (path: string) => Method | undefined,
): Promise<GrpcServer> {
  const sessions = new Set<http2.ServerHttp2Session>();
  let h2: http2.Http2Server | undefined;
  const http = () => {
    if (h2) return h2;
    const { createServer } = require("node:http2") as typeof http2;
    // No cap from Node.js's per-session memory accounting: MAX_MESSAGE is the limit.
    h2 = createServer({ maxSessionMemory: Number.MAX_SAFE_INTEGER });
    h2.on("session", (s) => {
      sessions.add(s);
      s.on("close", () => sessions.delete(s));
      s.on("error", () => {});
    });
    h2.on("stream", (stream, headers) => call(stream, headers, route));
    return h2;
  };
  const tcp = net.createServer((socket) => http().emit("connection", socket));
  await new Promise<void>((resolve, reject) => {
    tcp.once("error", reject);
    tcp.listen(port, "127.0.0.1", () => resolve());
  });
  setImmediate(http);
  return {
    port: (tcp.address() as net.AddressInfo).port,
    close(done) {
      tcp.close(() => done());
      for (const s of sessions) s.close();
    },
  };
}

function call(
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
  route: (path: string) => Method | undefined,
): void {
  stream.on("error", () => {});
  const post = headers[":method"] === "POST";
  if (!post || !/^application\/grpc($|[+;])/.test(headers["content-type"] ?? "")) {
    stream.respond({ ":status": post ? 415 : 405 }, { endStream: true });
    return;
  }
  const controller = new AbortController();
  let done = false;
  const fail = (code: number, message: string) => {
    if (done) return;
    done = true;
    controller.abort();
    if (stream.destroyed) return;
    stream.respond(
      {
        ":status": 200,
        "content-type": "application/grpc",
        "grpc-status": String(code),
        "grpc-message": percent(message),
      },
      { endStream: true },
    );
  };
  // The caller gone (reset, closed connection): the call's work stops.
  stream.on("close", () => fail(Status.CANCELLED, "the call was cancelled"));
  const timeout = /^(\d{1,8})([HMSmun])$/.exec(String(headers["grpc-timeout"] ?? ""));
  if (timeout) {
    const ms = Number(timeout[1]) * (UNITS[timeout[2] as string] as number);
    // Beyond setTimeout's range (about 24 days) is as good as none.
    if (ms < 2 ** 31) {
      const timer = setTimeout(() => fail(Status.DEADLINE_EXCEEDED, "deadline exceeded"), ms);
      stream.on("close", () => clearTimeout(timer));
    }
  }
  const path = headers[":path"] ?? "";
  const method = route(path);
  if (!method) {
    const name = path.slice(path.lastIndexOf("/") + 1);
    const lower = `${name.charAt(0).toLowerCase()}${name.slice(1)}`;
    fail(Status.UNIMPLEMENTED, `${lower} is not implemented by the smartag provider`);
    return;
  }
  const chunks: Buffer[] = [];
  let received = 0;
  let checked = false;
  stream.on("data", (chunk: Buffer) => {
    if (done) return;
    chunks.push(chunk);
    received += chunk.length;
    if (!checked && received >= 5) {
      checked = true;
      if (Buffer.concat(chunks).readUInt32BE(1) > MAX_MESSAGE) {
        fail(Status.RESOURCE_EXHAUSTED, `the request is larger than ${MAX_MESSAGE} bytes`);
      }
    }
  });
  stream.on("end", () => {
    if (done) return;
    const frame = Buffer.concat(chunks, received);
    if (frame.length < 5 || frame.readUInt32BE(1) !== frame.length - 5 || (frame[0] ?? 0) > 1) {
      fail(Status.INTERNAL, "the request is not one length-prefixed gRPC message");
      return;
    }
    const encoding = headers["grpc-encoding"] ?? "identity";
    if (frame[0] === 1 || encoding !== "identity") {
      fail(Status.UNIMPLEMENTED, `compressed messages (${encoding}) are not supported`);
      return;
    }
    method(frame.subarray(5), controller.signal).then(
      (response) => {
        if (done || stream.destroyed) return;
        if (response.length > MAX_MESSAGE) {
          fail(Status.RESOURCE_EXHAUSTED, `the response is larger than ${MAX_MESSAGE} bytes`);
          return;
        }
        done = true;
        stream.respond(
          { ":status": 200, "content-type": "application/grpc" },
          { waitForTrailers: true },
        );
        stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
        const head = Buffer.alloc(5);
        head.writeUInt32BE(response.length, 1);
        stream.write(head);
        stream.end(response);
      },
      (e: unknown) =>
        e instanceof RpcError ? fail(e.code, e.message) : fail(Status.INTERNAL, "internal error"),
    );
  });
}

/** grpc-message's encoding: UTF-8, with every byte outside printable ASCII, and `%`, as %XX. */
export function percent(message: string): string {
  let out = "";
  for (const byte of Buffer.from(message, "utf8")) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}
