import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { buildDirectory, type Directory, dispatch } from "./actions";
import { endpointUrl } from "./address";
import { authenticate } from "./auth";
import { authenticateV3 } from "./authV3";
import { ApiError, errorBody, errors, newRequestId } from "./errors";
import { type FaultDecision, FaultInjector, type Faults } from "./faults";
import { type AccessKey, type Fixture, loadDefaultFixture, parseFixture } from "./fixture";
import { NonceStore } from "./nonces";
import { type ParsedRequest, parseRequest, readBody } from "./request";
import { type StsOptions, type StsSession, StsStandIn } from "./sts";
import { toXml } from "./xml";

export type { Faults } from "./faults";
export type { Fixture } from "./fixture";
export type { StsOptions, StsSession } from "./sts";

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
  /** Also serve the STS stand-in (AssumeRole, AssumeRoleWithOIDC) over HTTPS, on its own port. */
  sts?: StsOptions;
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
  /** The STS stand-in's `host:port` (what `stsEndpoint` takes), when `sts` was given. */
  stsEndpoint: string | undefined;
  /** Sessions the STS stand-in handed out, oldest first. */
  stsSessions: StsSession[];
}

const HTML_502 =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n" +
  "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>emulated gateway</center>\r\n" +
  "</body>\r\n</html>\r\n";

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = new Emulator(options);
  await emulator.listen(options.host ?? "127.0.0.1", options.port ?? 0);
  if (options.sts) await emulator.listenSts(options.host ?? "127.0.0.1", options.sts.port ?? 0);
  return emulator;
}

interface Answer {
  status: number;
  code: string | undefined;
  payload: object;
}

class Emulator implements RunningEmulator {
  url = "";
  port = 0;
  requests: RecordedRequest[] = [];
  maxInFlight = 0;
  // Replaced whole by setFixture; a request in progress keeps the data it started with.
  private directory!: Directory;
  private keys!: Map<string, AccessKey>;
  private readonly nonces = new NonceStore();
  private readonly faults: FaultInjector;
  private readonly now: () => number;
  private readonly sockets = new Set<Socket>();
  private readonly sleepers = new Set<() => void>();
  private readonly server = createServer((req, res) => this.serve(req, res, false));
  private readonly sts: StsStandIn | undefined;
  private stsServer: Server | undefined;
  stsEndpoint: string | undefined;
  private inFlight = 0;
  private closing = false;
  private closed: Promise<void> | undefined;

  constructor(private readonly options: EmulatorOptions) {
    this.now = options.now ?? Date.now;
    this.useFixture(options.fixture ?? loadDefaultFixture(), "(startEmulator option)");
    this.faults = new FaultInjector(options.faults ?? {});
    this.track(this.server);
    this.sts = options.sts ? new StsStandIn(options.sts) : undefined;
  }

  get stsSessions(): StsSession[] {
    return this.sts?.sessions ?? [];
  }

  private track(server: Server): void {
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  // Arrow properties: callers may pass these around unbound.
  readonly setFaults = (faults: Faults): void => this.faults.set(faults);
  readonly setFixture = (fixture: Fixture): void => this.useFixture(fixture, "(setFixture)");
  readonly resetLog = (): void => {
    this.requests.length = 0;
    this.maxInFlight = this.inFlight;
  };

  readonly close = (): Promise<void> => {
    this.closing = true;
    for (const wake of [...this.sleepers]) wake();
    const servers = [this.server, ...(this.stsServer ? [this.stsServer] : [])];
    this.closed ??= Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve, reject) => {
            server.close((err) => (err ? reject(err) : resolve()));
            // Keep-alive sockets would hold close() open until clients time out.
            for (const socket of this.sockets) socket.destroy();
          }),
      ),
    ).then(() => undefined);
    return this.closed;
  };

  async listen(host: string, port: number): Promise<void> {
    this.port = await listenOn(this.server, host, port);
    this.url = endpointUrl(host, this.port);
  }

  async listenSts(host: string, port: number): Promise<void> {
    const { cert, key } = this.options.sts as StsOptions;
    const server = createHttpsServer({ cert, key }, (req, res) => this.serve(req, res, true));
    this.stsServer = server;
    this.track(server);
    const stsPort = await listenOn(server, host, port);
    this.stsEndpoint = new URL(endpointUrl(host, stsPort)).host;
  }

  private useFixture(input: unknown, where: string): void {
    const fixture = parseFixture(input, where);
    this.directory = buildDirectory(fixture);
    this.keys = new Map<string, AccessKey>(fixture.accessKeys.map((k) => [k.id, k]));
  }

  /** Counts the request in flight until its answer is written, and contains any bug. */
  private serve(req: IncomingMessage, res: ServerResponse, sts: boolean): void {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    let counted = true;
    const release = () => {
      if (counted) this.inFlight--;
      counted = false;
    };
    res.on("close", release);
    this.handle(req, res, release, sts).catch(() => {
      // Only a bug in the emulator lands here; fail the one request, keep serving.
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const body = errorBody(errors.internalError(), newRequestId(), req.headers.host ?? "");
      res.writeHead(500, { "content-type": "application/json;charset=utf-8" });
      res.end(JSON.stringify(body));
    });
  }

  private async handle(
    req: IncomingMessage,
    res: ServerResponse,
    release: () => void,
    sts: boolean,
  ) {
    // Released as the answer is written, not on the socket's close event, so that a
    // client holding the answer always sees the log and the in-flight count settled.
    const finish = (entry: RecordedRequest) => {
      release();
      if (this.options.record !== false) this.requests.push(entry);
      this.options.onRequest?.(entry);
    };
    const at = this.now();
    let body: Buffer | undefined;
    try {
      body = await readBody(req);
    } catch {
      return; // the client went away mid-body; there is nobody to answer
    }
    const request = parseRequest(req, body);
    const { method, params } = request;
    const entry = { method, action: params.Action, params: withoutSignature(params), at };
    const requestId = newRequestId();

    // Faults sit in front of dispatch, as at a gateway: a throttled or failed request
    // says nothing about whether it was valid, so clients must retry blind.
    const decision = this.faults.decide(this.now());
    if (this.faults.latencyMs > 0) await this.sleep(this.faults.latencyMs);
    if (this.closing || res.destroyed) return;
    if (decision.kind === "reset") {
      req.socket.resetAndDestroy();
      finish({ ...entry, status: 0, code: undefined });
      return;
    }
    if (decision.kind === "html") {
      res.writeHead(502, { "content-type": "text/html", "x-acs-request-id": requestId });
      res.end(HTML_502);
      finish({ ...entry, status: 502, code: undefined });
      return;
    }
    const format = formatOf(request);
    const answer = this.evaluate(request, format, decision, requestId, req, sts);
    writeAnswer(res, format, answer, requestId, params.Action);
    finish({ ...entry, status: answer.status, code: answer.code });
  }

  /** Everything after the gateway's faults: format, authentication, dispatch. */
  private evaluate(
    request: ParsedRequest,
    format: string,
    decision: FaultDecision,
    requestId: string,
    req: IncomingMessage,
    sts: boolean,
  ): Answer {
    try {
      if (decision.kind === "error") throw decision.error;
      if (request.problem !== undefined) throw request.problem;
      if (format !== "JSON" && format !== "XML") throw errors.invalidFormat();
      const now = this.now();
      const keys = { get: (id: string) => this.keys.get(id) ?? this.sts?.key(id, now) };
      const auth = { keys, nonces: this.nonces, now };
      if (this.sts?.expired(request.params.AccessKeyId, now)) throw errors.securityTokenExpired();
      if (sts && this.sts) {
        const payload = this.sts.answer(
          request.params,
          { ...auth, method: request.method },
          requestId,
        );
        return { status: 200, code: undefined, payload };
      }
      if (request.signatureVersion === "v3") authenticateV3(request, auth);
      else authenticate({ ...auth, method: request.method, params: request.params });
      const payload = dispatch(request.params, this.directory, requestId);
      return { status: 200, code: undefined, payload };
    } catch (err) {
      const apiError = err instanceof ApiError ? err : errors.internalError();
      const payload = errorBody(apiError, requestId, hostIdOf(req, request.params));
      return { status: apiError.status, code: apiError.code, payload };
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }
}

function listenOn(server: Server, host: string, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function writeAnswer(
  res: ServerResponse,
  format: string,
  answer: Answer,
  requestId: string,
  action: string | undefined,
): void {
  const xml = format === "XML";
  res.writeHead(answer.status, {
    "content-type": xml ? "text/xml;charset=utf-8" : "application/json;charset=utf-8",
    "x-acs-request-id": requestId,
  });
  const root = answer.status === 200 ? `${String(action)}Response` : "Error";
  res.end(xml ? toXml(root, answer.payload) : JSON.stringify(answer.payload));
}

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
