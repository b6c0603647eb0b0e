/**
 * One signed RPC request over node:http(s), owning its deadline and its size cap at the socket.
 *
 * pop-core's HTTP layer rejected on its read timer but left the response reading, and buffered
 * any body whole; here every way out (timeout, cap, cancel) destroys the request and its socket.
 * Everything the server says enters the program through `exchange`, redacted there.
 */
import { createHmac, randomUUID } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import type { Readable } from "node:stream";
import * as zlib from "node:zlib";
import type { Credentials } from "./credentials";
import {
  SmartagApiError,
  SmartagError,
  SmartagNetworkError,
  SmartagResponseError,
  SmartagTimeoutError,
} from "./errors";
import { type Redactor, rpcEncode, wireForms } from "./redact";

export const API_VERSION = "2018-03-13";

export interface Exchange {
  endpoint: string;
  action: string;
  /** The action's parameters; arrays are sent as `Key.1..N`, undefined values are left out. */
  params: Record<string, unknown>;
  credentials: Credentials;
  agent: http.Agent;
  /** Limit on opening a new connection (TCP, and TLS for https). */
  connectTimeoutMs: number;
  /** Limit from the connection to the last byte of the answer. */
  readTimeoutMs: number;
  /** Neither phase may run past this many ms from the start. */
  totalMs: number;
  /** Largest answer accepted, counted after decompression. */
  maxResponseBytes: number;
  redactor: Redactor;
  signal?: AbortSignal | undefined;
}

/** A keep-alive agent for the endpoint's scheme. */
export function agentFor(endpoint: string): http.Agent {
  const Agent = endpoint.startsWith("https://") ? https.Agent : http.Agent;
  return new Agent({ keepAlive: true, keepAliveMsecs: 3_000 });
}

/** `yyyy-MM-ddTHH:mm:ssZ`: the protocol wants no fraction. */
const timestamp = () => `${new Date().toISOString().slice(0, 19)}Z`;

/** The form body of a request, signed as RPC signature V1 (HMAC-SHA1) says. */
export function signedBody(x: Exchange): { body: string; signature: string } {
  const all: Record<string, string> = {
    Action: x.action,
    Format: "JSON",
    Version: API_VERSION,
    Timestamp: timestamp(),
    SignatureMethod: "HMAC-SHA1",
    SignatureVersion: "1.0",
    SignatureNonce: randomUUID(),
    AccessKeyId: x.credentials.accessKeyId,
  };
  if (x.credentials.securityToken) all.SecurityToken = x.credentials.securityToken;
  for (const [key, value] of Object.entries(x.params)) {
    if (!Array.isArray(value)) add(all, key, value);
    else for (let i = 0; i < value.length; i++) add(all, `${key}.${i + 1}`, value[i]);
  }
  // The default sort compares UTF-16 code units, as the gateway does.
  const canonical = Object.keys(all)
    .sort()
    .map((k) => `${rpcEncode(k)}=${rpcEncode(all[k] as string)}`)
    .join("&");
  const signature = createHmac("sha1", `${x.credentials.accessKeySecret}&`)
    .update(`POST&%2F&${rpcEncode(canonical)}`)
    .digest("base64");
  return { body: `${canonical}&Signature=${rpcEncode(signature)}`, signature };
}

function add(out: Record<string, string>, key: string, value: unknown): void {
  if (value !== undefined) out[key] = String(value);
}

/**
 * Sends one request and returns the parsed answer, every string in it redacted.
 * @throws SmartagApiError for an error `Code`, SmartagResponseError for a body too large, not
 *   JSON, or a status outside 2xx without a code, SmartagTimeoutError, SmartagNetworkError, or
 *   a `Cancelled` SmartagError when `signal` aborts.
 */
export async function exchange(x: Exchange): Promise<unknown> {
  if (x.signal?.aborted) throw cancelled();
  const { body, signature } = signedBody(x);
  const { status, text } = await send(x, body);
  let json: unknown;
  try {
    // The one place server text enters: a server may echo the request, signature and all.
    json = redactDeep(JSON.parse(text), x.redactor, wireForms(signature));
  } catch {
    // Not JSON (a gateway's HTML page), or nested deeper than the stack (not the API either).
    throw new SmartagResponseError(
      "the endpoint answered with a body that is not JSON (a gateway or proxy error page?)",
      { code: "InvalidResponse.NotJson", retryable: true },
    );
  }
  const o = (json ?? {}) as Record<string, unknown>;
  const requestId = typeof o.RequestId === "string" ? o.RequestId : undefined;
  if (typeof o.Code === "string" && !SUCCESS_CODES.has(o.Code)) throw apiError(o, status);
  if (status < 200 || status >= 300) {
    throw new SmartagResponseError(
      `the endpoint answered HTTP ${status} without an API error code (a gateway or proxy in the way?)`,
      {
        code: `InvalidResponse.Http${status}`,
        retryable: status >= 500 || status === 429,
        requestId,
      },
    );
  }
  return json;
}

/** Codes some RPC answers carry on success. */
const SUCCESS_CODES = new Set(["200", "OK", "Success", "success"]);

function apiError(o: Record<string, unknown>, httpStatus: number): SmartagApiError {
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  return new SmartagApiError({
    code: o.Code as string,
    apiMessage: str(o.Message) ?? "(no message)",
    requestId: str(o.RequestId),
    httpStatus,
    hostId: str(o.HostId),
    recommend: str(o.Recommend),
  });
}

/** Every string of a parsed answer, redacted; objects are edited in place. */
function redactDeep(v: unknown, r: Redactor, extra: string[]): unknown {
  if (typeof v === "string") return r.redact(v, extra);
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = redactDeep(v[i], r, extra);
  } else {
    const o = v as Record<string, unknown>;
    for (const k in o) o[k] = redactDeep(o[k], r, extra);
  }
  return v;
}

/** POSTs `body`, resolving with the status and the decoded text, or failing and destroying. */
function send(x: Exchange, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const mod = x.endpoint.startsWith("https://") ? https : http;
    const req = mod.request(`${x.endpoint}/`, {
      method: "POST",
      agent: x.agent,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "content-length": Buffer.byteLength(body),
        "x-acs-action": x.action,
        "x-acs-version": API_VERSION,
        "user-agent": "pulumi-smartag",
      },
    });
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (error: SmartagError | undefined, value?: { status: number; text: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      x.signal?.removeEventListener("abort", onAbort);
      if (error) {
        req.destroy();
        reject(error);
      } else resolve(value as { status: number; text: string });
    };
    const limit = (ms: number, phase: string) => {
      clearTimeout(timer);
      const left = x.totalMs - (Date.now() - started);
      timer = setTimeout(
        () => {
          const elapsed = Date.now() - started;
          finish(new SmartagTimeoutError(`timed out after ${elapsed} ms ${phase} ${x.endpoint}`));
        },
        Math.max(1, Math.min(ms, left)),
      );
    };
    const onAbort = () => finish(cancelled());
    x.signal?.addEventListener("abort", onAbort, { once: true });

    limit(x.connectTimeoutMs, "connecting to");
    req.on("socket", (socket) => {
      const read = () => limit(x.readTimeoutMs, "waiting for an answer from");
      if (req.reusedSocket) read();
      else socket.once(x.endpoint.startsWith("https://") ? "secureConnect" : "connect", read);
    });
    req.on("error", (e: NodeJS.ErrnoException) => finish(networkError(e, x.endpoint, started)));
    req.on("response", (res) => {
      readBody(res, x.maxResponseBytes).then(
        (text) => finish(undefined, { status: res.statusCode ?? 0, text }),
        (e: unknown) =>
          finish(
            SmartagError.isInstance(e)
              ? e
              : networkError(e as NodeJS.ErrnoException, x.endpoint, started),
          ),
      );
    });
    req.end(body);
  });
}

const cancelled = () => new SmartagError("the call was cancelled", { code: "Cancelled" });

function networkError(e: NodeJS.ErrnoException, endpoint: string, started: number): SmartagError {
  const code = typeof e?.code === "string" ? e.code : "ECONNRESET";
  return new SmartagNetworkError(
    `network error ${code} after ${Date.now() - started} ms talking to ${endpoint}`,
    code,
  );
}

/** Reads a body up to `max` bytes after decoding; a larger one fails before it is buffered. */
function readBody(res: http.IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const tooLarge = () =>
      new SmartagResponseError(
        `the answer is larger than maxResponseBytes (${max} bytes); a legitimate one is a few KB`,
        { code: "InvalidResponse.TooLarge", retryable: false },
      );
    const declared = Number(res.headers["content-length"]);
    if (declared > max) return reject(tooLarge());
    const encoding = String(res.headers["content-encoding"] ?? "identity").toLowerCase();
    let stream: Readable = res;
    if (encoding === "gzip" || encoding === "x-gzip") stream = res.pipe(zlib.createGunzip());
    else if (encoding === "deflate") stream = res.pipe(zlib.createInflate());
    else if (encoding === "br") stream = res.pipe(zlib.createBrotliDecompress());
    else if (encoding !== "identity") {
      return reject(
        new SmartagResponseError(`the answer has an unknown content-encoding`, {
          code: "InvalidResponse.Encoding",
          retryable: false,
        }),
      );
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (e: unknown) => {
      if (stream !== res) stream.destroy();
      reject(e);
    };
    stream.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) fail(tooLarge());
      else chunks.push(chunk);
    });
    stream.on("error", (e: NodeJS.ErrnoException) =>
      fail(
        stream !== res && e.code?.startsWith("Z_")
          ? new SmartagResponseError("the answer's compressed body is corrupt", {
              code: "InvalidResponse.Encoding",
              retryable: true,
            })
          : e,
      ),
    );
    res.on("error", fail);
    res.on("aborted", () => fail(Object.assign(new Error("aborted"), { code: "ECONNRESET" })));
    stream.on("end", () => {
      if (!res.complete) fail(Object.assign(new Error("aborted"), { code: "ECONNRESET" }));
      else resolve(Buffer.concat(chunks, size).toString("utf8"));
    });
  });
}
