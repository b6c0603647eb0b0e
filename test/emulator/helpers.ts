import assert from "node:assert/strict";
import { createHmac, randomUUID } from "node:crypto";
import { type Agent, request } from "node:http";

// Deliberately written apart from emulator/signature.ts (byte-wise encoding, default
// sort, its own HMAC call) so that a signing bug in one cannot hide in both.

const UNRESERVED = /^[A-Za-z0-9\-_.~]$/;

export function rfc3986(value: string): string {
  let out = "";
  for (const byte of Buffer.from(value, "utf8")) {
    const ch = String.fromCharCode(byte);
    out +=
      byte < 0x80 && UNRESERVED.test(ch)
        ? ch
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

export function sign(method: string, params: Record<string, string>, secret: string): string {
  const canonical = Object.keys(params)
    .sort()
    .map((k) => `${rfc3986(k)}=${rfc3986(params[k] as string)}`)
    .join("&");
  const toSign = `${method}&${rfc3986("/")}&${rfc3986(canonical)}`;
  return createHmac("sha1", `${secret}&`).update(toSign).digest("base64");
}

export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

export const KEY1 = { id: "LTAI5tEmulatorKey01", secret: "emulator-secret-01" };
export const KEY2 = { id: "LTAI5tEmulatorKey02", secret: "emulator-secret-02" };
export const STS_KEY = {
  id: "STS.EmulatorKey03",
  secret: "emulator-secret-03",
  securityToken: "emulator-sts-token-03",
};

export interface SignOptions {
  method?: "GET" | "POST";
  key?: { id: string; secret: string; securityToken?: string };
  /** Sign with this secret instead of the key's own. */
  secret?: string;
  /** Params to send besides the common ones; `undefined` removes a common one before signing. */
  params?: Record<string, string | undefined>;
  /** Clock for Timestamp; defaults to the real one. */
  at?: number;
}

/** A complete, signed parameter set (Signature included) for one RPC call. */
export function signedParams(options: SignOptions = {}): Record<string, string> {
  const method = options.method ?? "POST";
  const key: NonNullable<SignOptions["key"]> = options.key ?? KEY1;
  const all: Record<string, string | undefined> = {
    Action: "DescribeUserOnlineClientStatistics",
    Version: "2018-03-13",
    Format: "JSON",
    AccessKeyId: key.id,
    SignatureMethod: "HMAC-SHA1",
    SignatureVersion: "1.0",
    SignatureNonce: randomUUID(),
    Timestamp: isoSeconds(options.at ?? Date.now()),
    ...(key.securityToken === undefined ? {} : { SecurityToken: key.securityToken }),
    ...options.params,
  };
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) if (v !== undefined) params[k] = v;
  return { ...params, Signature: sign(method, params, options.secret ?? key.secret) };
}

export function userNames(names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((n, i) => [`UserNames.${i + 1}`, n]));
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Record<string, unknown>;
}

export interface SendOptions {
  method?: string;
  /** Where the params go; "split" puts the common ones in the query and the rest in the body. */
  placement?: "query" | "body" | "split";
  agent?: Agent | false;
  path?: string;
  contentType?: string;
}

function encodeForm(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .join("&");
}

const COMMON = new Set([
  "Action",
  "Version",
  "Format",
  "AccessKeyId",
  "SignatureMethod",
  "SignatureVersion",
  "SignatureNonce",
  "Timestamp",
  "Signature",
  "SecurityToken",
]);

/** One HTTP exchange; rejects with the socket error (e.g. ECONNRESET) when there is no answer. */
export function send(
  baseUrl: string,
  params: Record<string, string>,
  options: SendOptions = {},
): Promise<Reply> {
  const method = options.method ?? "POST";
  const placement = options.placement ?? (method === "GET" ? "query" : "body");
  let query: Record<string, string> = {};
  let body: Record<string, string> = {};
  if (placement === "query") query = params;
  else if (placement === "body") body = params;
  else {
    for (const [k, v] of Object.entries(params)) {
      if (COMMON.has(k)) query[k] = v;
      else body[k] = v;
    }
  }
  const qs = encodeForm(query);
  const payload = Buffer.from(encodeForm(body));
  const base = new URL(baseUrl);
  // The path is passed raw so tests can send odd ones such as "//x" unchanged.
  const path = `${options.path ?? "/"}${qs === "" ? "" : `?${qs}`}`;
  const headers: Record<string, string> = {};
  if (payload.length > 0) {
    headers["content-type"] = options.contentType ?? "application/x-www-form-urlencoded";
    headers["content-length"] = String(payload.length);
  }
  return exchange(base, method, path, payload, headers, options.agent ?? false);
}

/** One raw HTTP exchange with the emulator; the body is parsed as JSON when it is JSON. */
export function exchange(
  url: URL,
  method: string,
  path: string,
  payload: Buffer,
  headers: Record<string, string | string[]>,
  agent: Agent | false = false,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const target = { hostname: url.hostname, port: url.port, path, method, headers, agent };
    const req = request(target, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          // left empty: XML answers and HTML fault pages are checked through `text`
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/** Signs and sends a DescribeUserOnlineClientStatistics call for the given names. */
export function callDescribe(
  baseUrl: string,
  args: { region?: string; instance?: string; names?: readonly string[] } & SignOptions,
  sendOptions: SendOptions = {},
): Promise<Reply> {
  const method = args.method ?? "POST";
  const params = signedParams({
    ...args,
    method,
    params: {
      ...(args.region === undefined ? {} : { RegionId: args.region }),
      ...(args.instance === undefined ? {} : { SmartAGId: args.instance }),
      ...userNames(args.names ?? []),
      ...args.params,
    },
  });
  return send(baseUrl, params, { method, ...sendOptions });
}

export interface ErrorReply {
  RequestId: string;
  HostId: string;
  Code: string;
  Message: string;
  Recommend: string;
}

export const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

/** Checks status, content type and Alibaba's exact error body; returns the body. */
export function expectError(reply: Reply, status: number, code: string): ErrorReply {
  assert.equal(reply.json.Code, code, `body: ${reply.text}`);
  assert.equal(reply.status, status, `body: ${reply.text}`);
  assert.equal(reply.headers["content-type"], "application/json;charset=utf-8");
  assert.deepEqual(Object.keys(reply.json).sort(), [
    "Code",
    "HostId",
    "Message",
    "Recommend",
    "RequestId",
  ]);
  const body = reply.json as unknown as ErrorReply;
  assert.match(body.RequestId, REQUEST_ID);
  assert.equal(body.Recommend, `https://api.aliyun.com/troubleshoot?q=${code}&product=Smartag`);
  assert.ok(body.Message.length > 0);
  return body;
}
