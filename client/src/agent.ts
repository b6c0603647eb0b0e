/**
 * The HTTP agent the client's requests go through: keep-alive, plus a real connect timeout.
 *
 * pop-core hands its `connectTimeout` to httpx, which passes it to `http.request` as `timeout`:
 * an idle timeout on the socket for the whole exchange, not a limit on connecting. A server that
 * accepts at once but answers in 6 s was cut off at the 5 s connect limit and reported as a
 * failure to connect. So the connect limit lives here instead: a timer from the moment the
 * socket is created until it is connected (TCP, and for https the TLS handshake), carried per
 * request in the option {@link CONNECT_TIMEOUT_OPTION}, since each attempt may have less time
 * left than the configured limit. The read limit stays with httpx's response timer.
 */
import * as http from "node:http";
import * as https from "node:https";
import type { Socket } from "node:net";
import { TLSSocket } from "node:tls";

/** The request option (set through httpx's `beforeRequest`) that bounds connecting, in ms. */
export const CONNECT_TIMEOUT_OPTION = "smartagConnectTimeoutMs";

type CreateConnection = (
  this: http.Agent,
  options: http.ClientRequestArgs & { [CONNECT_TIMEOUT_OPTION]?: unknown },
  callback?: (err: Error | null, stream: Socket) => void,
) => Socket | null | undefined;

/** A keep-alive agent for `endpoint` whose new connections give up after the request's limit. */
export function connectTimeoutAgent(endpoint: string): http.Agent {
  const agent = endpoint.startsWith("https://")
    ? new https.Agent({ keepAlive: true, keepAliveMsecs: 3_000 })
    : new http.Agent({ keepAlive: true, keepAliveMsecs: 3_000 });
  // Node's own createConnection (net or tls) returns the socket synchronously.
  const create = (agent as unknown as { createConnection: CreateConnection }).createConnection;
  const patched: CreateConnection = function (options, callback) {
    const socket = create.call(this, options, callback);
    const limitMs = options[CONNECT_TIMEOUT_OPTION];
    if (socket && typeof limitMs === "number" && limitMs > 0) {
      limitConnect(socket, limitMs);
    }
    return socket;
  };
  (agent as unknown as { createConnection: CreateConnection }).createConnection = patched;
  return agent;
}

function limitConnect(socket: Socket, limitMs: number): void {
  const opened = socket instanceof TLSSocket ? "secureConnect" : "connect";
  const timer = setTimeout(() => {
    // Named and worded as httpx's own timeouts, so the client maps it like one: a retryable
    // RequestTimeout "connecting to" the endpoint.
    const e = new Error(`ConnectTimeout: no connection within ${limitMs} ms.`);
    e.name = "RequestTimeoutError";
    socket.destroy(e);
  }, limitMs);
  const clear = () => clearTimeout(timer);
  socket.once(opened, clear);
  socket.once("close", clear);
}
