import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { buildDirectory, type Directory, dispatch } from "./actions";
import { authenticate } from "./auth";
import { authenticateV3 } from "./authV3";
import { ApiError, errorBody, errors, newRequestId } from "./errors";
import { type FaultDecision, FaultInjector, type Faults } from "./faults";
import { type AccessKey, type Fixture, loadDefaultFixture, parseFixture } from "./fixture";
import { NonceStore } from "./nonces";
import { type ParsedRequest, parseRequest, readBody } from "./request";
import { toXml } from "./xml";

export type { Faults } from "./faults";
export type { Fixture } from "./fixture";

export interface RecordedRequest {
  method: string;
  action: string | undefined;
  /** Every parameter received (query and form body merged), except Signature. */
  params: Record<string, string>;
  /** 0 when the connection was reset on purpose and nothing was answered. */
  status: number;
  /** The error Code answered, if any. */
  code: string | undefined;
  /** Arrival time, from the emulator's clock. */
  at: number;
}

export interface EmulatorOptions {
  host?: string;
  port?: number;
  fixture?: Fixture;
  faults?: Faults;
  /** The clock for timestamps, nonces and the qps window; tests pin it. */
  now?: () => number;
  /** Called once per answered (or reset) request; the CLI logs from here. */
  onRequest?: (request: RecordedRequest) => void;
  /** Keep `requests`; a long-running CLI turns this off so memory stays flat. */
  record?: boolean;
}

export interface RunningEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
  setFaults(faults: Faults): void;
  /**
   * Answers from other data from now on, at the same address (users came and went). Checked
   * like the startup fixture; a bad one throws and leaves the current data in place.
   */
  setFixture(fixture: Fixture): void;
  requests: RecordedRequest[];
  resetLog(): void;
  maxInFlight: number;
}

const HTML_502 =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n" +
  "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>emulated gateway</center>\r\n" +
  "</body>\r\n</html>\r\n";

/**
 * Format is read in any case, as the gateway does (Alibaba's Python SDK sends "json"). Absent,
 * V2 answers XML, the protocol's default, and V3 answers JSON, which its SDKs expect.
 */
function formatOf(request: ParsedRequest): string {
  const format = request.params.Format;
  if (format === undefined) return request.signatureVersion === "v3" ? "JSON" : "XML";
  return format.toUpperCase();
}

/** The public endpoint's host when the region is known; else whatever host was called. */
function hostIdOf(req: IncomingMessage, params: Readonly<Record<string, string>>): string {
  const region = params.RegionId;
  if (region !== undefined && /^[a-z0-9-]{1,40}$/.test(region)) {
    return `smartag.${region}.aliyuncs.com`;
  }
  return req.headers.host ?? "smartag.aliyuncs.com";
}

function withoutSignature(params: Readonly<Record<string, string>>): Record<string, string> {
  // fromEntries defines own properties, so even a "__proto__" param is recorded as sent.
  return Object.fromEntries(Object.entries(params).filter(([key]) => key !== "Signature"));
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const now = options.now ?? Date.now;
  // Replaced whole by setFixture; a request in progress keeps the data it started with.
  let directory: Directory;
  let keys: Map<string, AccessKey>;
  const useFixture = (input: unknown, where: string) => {
    const fixture = parseFixture(input, where);
    directory = buildDirectory(fixture);
    keys = new Map<string, AccessKey>(fixture.accessKeys.map((k) => [k.id, k]));
  };
  useFixture(options.fixture ?? loadDefaultFixture(), "(startEmulator option)");
  const nonces = new NonceStore();
  const faults = new FaultInjector(options.faults ?? {});
  const record = options.record !== false;
  const sockets = new Set<Socket>();
  const sleepers = new Set<() => void>();
  let inFlight = 0;
  let closing = false;
  let closed: Promise<void> | undefined;

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });

  const emulator: RunningEmulator = {
    url: "",
    port: 0,
    requests: [],
    maxInFlight: 0,
    setFaults: (f) => faults.set(f),
    setFixture: (f) => useFixture(f, "(setFixture)"),
    resetLog: () => {
      emulator.requests.length = 0;
      emulator.maxInFlight = inFlight;
    },
    close: () => closeServer(),
  };

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    release: () => void,
  ): Promise<void> {
    // Released as the answer is written, not on the socket's close event, so that a
    // client holding the answer always sees the log and the in-flight count settled.
    const finish = (entry: RecordedRequest) => {
      release();
      if (record) emulator.requests.push(entry);
      options.onRequest?.(entry);
    };
    const at = now();
    const method = req.method ?? "";
    let body: Buffer | undefined;
    try {
      body = await readBody(req);
    } catch {
      return; // the client went away mid-body; there is nobody to answer
    }
    const request = parseRequest(req, body);
    const { params, problem } = request;
    const entry: RecordedRequest = {
      method,
      action: params.Action,
      params: withoutSignature(params),
      status: 0,
      code: undefined,
      at,
    };
    const requestId = newRequestId();

    // Faults sit in front of dispatch, as at a gateway: a throttled or failed request
    // says nothing about whether it was valid, so clients must retry blind.
    const decision: FaultDecision = faults.decide(now());
    if (faults.latencyMs > 0) await sleep(faults.latencyMs);
    if (closing || res.destroyed) return;

    if (decision.kind === "reset") {
      req.socket.resetAndDestroy();
      finish(entry);
      return;
    }
    if (decision.kind === "html") {
      res.writeHead(502, { "content-type": "text/html", "x-acs-request-id": requestId });
      res.end(HTML_502);
      finish({ ...entry, status: 502 });
      return;
    }

    let status = 200;
    let payload: object;
    const format = formatOf(request);
    try {
      if (decision.kind === "error") throw decision.error;
      if (problem !== undefined) throw problem;
      if (format !== "JSON" && format !== "XML") throw errors.invalidFormat();
      const auth = { keys, nonces, now: now() };
      if (request.signatureVersion === "v3") authenticateV3(request, auth);
      else authenticate({ ...auth, method, params });
      payload = dispatch(params, directory, requestId);
    } catch (err) {
      const apiError = err instanceof ApiError ? err : errors.internalError();
      status = apiError.status;
      entry.code = apiError.code;
      payload = errorBody(apiError, requestId, hostIdOf(req, params));
    }
    if (format === "XML") {
      res.writeHead(status, {
        "content-type": "text/xml;charset=utf-8",
        "x-acs-request-id": requestId,
      });
      const root = status === 200 ? `${String(params.Action)}Response` : "Error";
      res.end(toXml(root, payload));
    } else {
      res.writeHead(status, {
        "content-type": "application/json;charset=utf-8",
        "x-acs-request-id": requestId,
      });
      res.end(JSON.stringify(payload));
    }
    finish({ ...entry, status });
  }

  const server = createServer((req, res) => {
    inFlight++;
    if (inFlight > emulator.maxInFlight) emulator.maxInFlight = inFlight;
    let counted = true;
    const release = () => {
      if (counted) inFlight--;
      counted = false;
    };
    res.on("close", release);
    handle(req, res, release).catch(() => {
      // Only a bug in the emulator lands here; fail the one request, keep serving.
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const body = errorBody(errors.internalError(), newRequestId(), req.headers.host ?? "");
      res.writeHead(500, { "content-type": "application/json;charset=utf-8" });
      res.end(JSON.stringify(body));
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  function closeServer(): Promise<void> {
    closing = true;
    for (const wake of [...sleepers]) wake();
    closed ??= new Promise((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      // Keep-alive sockets would hold close() open until clients time out.
      for (const socket of sockets) socket.destroy();
    });
    return closed;
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  emulator.port = port;
  emulator.url = `http://${urlHost(options.host ?? "127.0.0.1")}:${port}`;
  return emulator;
}

/** A wildcard bind is reachable on loopback; IPv6 literals need brackets in a URL. */
function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}
