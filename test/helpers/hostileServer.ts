/**
 * An HTTP server on 127.0.0.1 that answers as a broken proxy, a captive portal or a
 * man-in-the-middle might: echoing the request, dripping, cutting a body short, sending a
 * huge body or a gzip bomb, or never answering. It counts the connections it holds open, so a
 * test can see the client let go of its socket.
 */
import { once } from "node:events";
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import * as zlib from "node:zlib";

export type Behaviour =
  /** An API error whose Code, RequestId and Message quote the request's credentials. */
  | "echoError"
  /** A 200 whose RequestId is the signature and which counts an unrequested name: the token. */
  | "echoAnswer"
  /** A chunked 200 that sends one byte every `dripMs`, for ever. */
  | "drip"
  /** Content-Length 1000, ten bytes, then silence with the connection open. */
  | "short"
  /** 2 GB of JSON-looking text, chunked (no Content-Length to judge it by). */
  | "huge"
  /** The same 2 GB announced in Content-Length. */
  | "hugeDeclared"
  /** About 2.5 MB on the wire that gunzip to 2.5 GB. */
  | "gzipBomb"
  /** Reads the request and never answers. */
  | "silent";

export interface HostileServer {
  url: string;
  /** The form parameters of every request received. */
  requests: URLSearchParams[];
  /** Resolves once `n` requests have arrived in all. */
  received(n: number): Promise<void>;
  /** Connections the server holds open now. */
  openConnections(): number;
  /** Resolves once no connection is open (immediately if none is). */
  allClosed(): Promise<void>;
  close(): Promise<void>;
}

export async function startHostileServer(
  behaviour: Behaviour,
  options: { dripMs?: number } = {},
): Promise<HostileServer> {
  const sockets = new Set<Socket>();
  const requests: URLSearchParams[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const bomb = behaviour === "gzipBomb" ? bombMember() : undefined;
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d: string) => {
      body += d;
    });
    req.on("end", () => {
      const params = new URLSearchParams(body);
      requests.push(params);
      server.emit("received");
      answer(behaviour, params, body, res, timers, options.dripMs ?? 100, bomb);
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => {
      sockets.delete(s);
      if (sockets.size === 0) server.emit("allClosed");
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    received: async (n) => {
      while (requests.length < n) await once(server, "received");
    },
    openConnections: () => sockets.size,
    allClosed: async () => {
      if (sockets.size > 0) await once(server, "allClosed");
    },
    close: async () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function answer(
  behaviour: Behaviour,
  params: URLSearchParams,
  body: string,
  res: http.ServerResponse,
  timers: Set<NodeJS.Timeout>,
  dripMs: number,
  bomb: Buffer | undefined,
) {
  const json = (status: number, value: unknown) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(value));
  };
  const token = params.get("SecurityToken") ?? "";
  const signature = params.get("Signature") ?? "";
  switch (behaviour) {
    case "echoError":
      return json(400, {
        Code: token,
        RequestId: signature,
        Message: `bad request: ${body}; decoded ${decodeURIComponent(body)}`,
        HostId: encodeURIComponent(signature),
        Recommend: `https://example.invalid/?${body}`,
      });
    case "echoAnswer":
      return json(200, {
        RequestId: signature,
        UserStatistics: {
          Statistics: [
            { UserName: params.get("UserNames.1"), OnlineCount: "1" },
            { UserName: token, OnlineCount: "1" },
            { UserName: body, OnlineCount: "1" },
          ],
        },
      });
    case "drip":
    case "short": {
      res.writeHead(200, {
        "content-type": "application/json",
        ...(behaviour === "short" ? { "content-length": "1000" } : {}),
      });
      if (behaviour === "short") {
        res.write('{"RequestId":');
        return;
      }
      const timer = setInterval(() => res.write(" "), dripMs);
      timers.add(timer);
      res.on("close", () => clearInterval(timer));
      return;
    }
    case "huge":
    case "hugeDeclared":
      return sendMany(res, Buffer.alloc(1 << 20, " "), 2048, {
        "content-type": "application/json",
        ...(behaviour === "hugeDeclared" ? { "content-length": String(2048 * (1 << 20)) } : {}),
      });
    case "gzipBomb":
      return sendMany(res, bomb as Buffer, 40, {
        "content-type": "application/json",
        "content-encoding": "gzip",
      });
    case "silent":
      return;
  }
}

/** Writes `chunk` `times` times, waiting for the client to drain, until it hangs up. */
function sendMany(
  res: http.ServerResponse,
  chunk: Buffer,
  times: number,
  headers: http.OutgoingHttpHeaders,
): void {
  res.writeHead(200, headers);
  let sent = 0;
  const more = () => {
    while (sent < times && !res.destroyed) {
      sent++;
      if (!res.write(chunk)) return void res.once("drain", more);
    }
    if (!res.destroyed) res.end();
  };
  more();
}

/** One gzip member of 64 MiB of spaces; gunzip reads concatenated members as one stream. */
function bombMember(): Buffer {
  return zlib.gzipSync(Buffer.alloc(64 << 20, " "), { level: 9 });
}
