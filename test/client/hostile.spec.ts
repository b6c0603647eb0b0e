// The client against a hostile or broken endpoint on 127.0.0.1: echoed credentials, bodies that
// drip or stop short, huge bodies and gzip bombs. Calls that must end on their own run in a
// child process, so that "the process can exit" is what is checked; they report their times.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  rpcEncode,
  type SettingsInput,
  SmartagApiError,
  SmartagError,
  SmartagResponseError,
} from "@pulumi-smartag/client";
import { clientFromSettings } from "../helpers/client";
import { type Behaviour, type HostileServer, startHostileServer } from "../helpers/hostileServer";
import { REPO } from "../helpers/plugin";
import { exposedText } from "../helpers/secrets";

const STS = {
  accessKey: "STS.EmulatorKey03",
  secretKey: "emulator-secret-03",
  securityToken: "emulator-sts-token-03",
};
const ASK = { smartAgId: "sag-demo0001", userNames: ["doctest"] };
/** Fails a test that hangs instead of letting it hang the suite. */
const WATCHDOG_MS = 120_000;

/** Every form a value could be echoed in: raw, URL- and RPC-encoded, once and twice. */
function forms(value: string): string[] {
  const once = [encodeURIComponent(value), rpcEncode(value)];
  return [value, ...once, ...once.map(encodeURIComponent), ...once.map(rpcEncode)];
}

function assertClean(e: unknown, server: HostileServer): void {
  const text = exposedText(e);
  const signature = server.requests[0]?.get("Signature") ?? "";
  assert.ok(signature.length > 20, "the server saw the signature");
  for (const [what, value] of [
    ["the STS token", STS.securityToken],
    ["the AccessKey secret", STS.secretKey],
    ["the signature", signature],
  ] as const) {
    for (const form of forms(value)) assert.ok(!text.includes(form), `${what} shows as ${form}`);
  }
}

interface ChildOutcome {
  code: string;
  message: string;
  elapsedMs: number;
  maxRssMb: number;
  /** What still keeps the child's event loop alive just after the call ended. */
  active: string[];
  exitCode: number | null;
}

/**
 * Makes one call in a fresh Node process running the compiled client, and waits for that
 * process to exit by itself: a socket or timer left behind would keep it alive.
 */
async function callInChild(endpoint: string, settings: SettingsInput): Promise<ChildOutcome> {
  const script = `
    const { SmartagClient, resolveSettings } = require("@pulumi-smartag/client");
    const { settings } = resolveSettings(${JSON.stringify({ region: "cn-shanghai", endpoint, ...STS, ...settings })});
    const started = Date.now();
    new SmartagClient(settings)
      .describeUserOnlineClientStatistics(${JSON.stringify(ASK)})
      .then(() => ({ code: "answered", message: "" }), (e) => e)
      // Two turns of the loop: a destroyed socket's handle closes in the turn after it.
      .then((e) => setImmediate(setImmediate, () => {
        const out = { code: e.code, message: e.message, elapsedMs: Date.now() - started,
          maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
          active: process.getActiveResourcesInfo() };
        process.stdout.write(JSON.stringify(out));
      }));
  `;
  const child = spawn(process.execPath, ["-e", script], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  const watchdog = setTimeout(() => child.kill("SIGKILL"), WATCHDOG_MS);
  const exitCode = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearTimeout(watchdog);
  assert.notEqual(out, "", `the child printed nothing (exit ${exitCode}): killed by the watchdog?`);
  return { ...(JSON.parse(out) as Omit<ChildOutcome, "exitCode">), exitCode };
}

/** Resolves when the server has no connection open, or fails after the watchdog. */
async function socketsClosed(server: HostileServer): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("the client left its socket open")), WATCHDOG_MS);
  });
  try {
    await Promise.race([server.allClosed(), watchdog]);
  } finally {
    clearTimeout(timer);
  }
}

describe("SmartagClient against a hostile endpoint", () => {
  let server: HostileServer | undefined;
  const serve = async (b: Behaviour, options: { dripMs?: number } = {}) => {
    server = await startHostileServer(b, options);
    return server;
  };
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const client = (url: string, extra: SettingsInput = {}) =>
    clientFromSettings(
      { region: "cn-shanghai", endpoint: url, ...STS, maxAttempts: 1, ...extra },
      { env: {} },
    );

  describe("credentials echoed back", () => {
    it("keeps the token, the secret and the request's signature out of an API error that quotes the request", async () => {
      const s = await serve("echoError");
      await assert.rejects(client(s.url).describeUserOnlineClientStatistics(ASK), (e) => {
        assert.ok(e instanceof SmartagApiError, String(e));
        assert.equal(e.code, "***", "the Code was the token");
        assert.equal(e.requestId, "***", "the RequestId was the signature");
        assertClean(e, s);
        return true;
      });
    });

    it("keeps them out of an answer that counts an unrequested name made of them", async () => {
      const s = await serve("echoAnswer");
      await assert.rejects(client(s.url).describeUserOnlineClientStatistics(ASK), (e) => {
        assert.ok(e instanceof SmartagResponseError, String(e));
        assert.equal(e.code, "InvalidResponse.Mismatch");
        assert.match(e.message, /counts for names not asked/);
        assertClean(e, s);
        return true;
      });
    });
  });

  describe("deadlines that end the work", () => {
    const cases: [string, Behaviour, number | undefined, SettingsInput][] = [
      ["a body dripping a byte every 100 ms", "drip", 100, { readTimeoutMs: 1500 }],
      ["a body of one byte a second", "drip", 1000, { readTimeoutMs: 2500 }],
      ["a body shorter than its Content-Length", "short", undefined, { readTimeoutMs: 1500 }],
      ["an endpoint that never answers", "silent", undefined, { readTimeoutMs: 1500 }],
    ];
    for (const [what, behaviour, dripMs, settings] of cases) {
      it(`ends a call to ${what} at the read timeout, with its socket closed and the process free to exit`, async () => {
        const s = await serve(behaviour, dripMs === undefined ? {} : { dripMs });
        const r = await callInChild(s.url, { maxAttempts: 1, ...settings });
        console.log(
          `      ${what}: ended after ${r.elapsedMs} ms (readTimeoutMs ${settings.readTimeoutMs})`,
        );
        assert.equal(r.code, "RequestTimeout", r.message);
        assert.match(r.message, /waiting for an answer from http:\/\/127\.0\.0\.1:/);
        assert.equal(r.exitCode, 0);
        assert.deepEqual(
          r.active.filter((a) => a === "TCPSocketWrap" || a === "Timeout"),
          [],
          "no socket or timer of the call is left",
        );
        await socketsClosed(s);
      });
    }

    it("ends a call with retries at its total deadline, however long the read timeout", async () => {
      const s = await serve("drip", { dripMs: 100 });
      const r = await callInChild(s.url, {
        maxAttempts: 5,
        readTimeoutMs: 600_000,
        deadlineMs: 2_000,
        retryBaseDelayMs: 1,
        retryMaxDelayMs: 5,
      });
      console.log(`      total deadline 2000 ms: ended after ${r.elapsedMs} ms`);
      assert.ok(["DeadlineExceeded", "RequestTimeout"].includes(r.code), r.message);
      assert.match(r.message, /timed out after \d+ ms waiting for an answer/);
      assert.equal(r.exitCode, 0);
      await socketsClosed(s);
    });
  });

  describe("unbounded answers", () => {
    const cases: [string, Behaviour][] = [
      ["a 2 GB chunked body", "huge"],
      ["a 2 GB body announced in Content-Length", "hugeDeclared"],
      ["a gzip bomb of 2.5 GB", "gzipBomb"],
    ];
    for (const [what, behaviour] of cases) {
      it(`refuses ${what} past maxResponseBytes, staying under 300 MB`, async () => {
        const s = await serve(behaviour);
        const r = await callInChild(s.url, { maxAttempts: 3, readTimeoutMs: 600_000 });
        console.log(`      ${what}: refused after ${r.elapsedMs} ms, peak RSS ${r.maxRssMb} MB`);
        assert.equal(r.code, "InvalidResponse.TooLarge", r.message);
        assert.match(r.message, /larger than maxResponseBytes \(4194304 bytes\)/);
        assert.ok(r.maxRssMb < 300, `peak RSS ${r.maxRssMb} MB`);
        assert.equal(s.requests.length, 1, "a body too large is not asked for again");
        assert.equal(r.exitCode, 0);
        await socketsClosed(s);
      });
    }

    it("takes a smaller cap from maxResponseBytes", async () => {
      const s = await serve("huge");
      await assert.rejects(
        client(s.url, { maxResponseBytes: 1024 }).describeUserOnlineClientStatistics(ASK),
        (e) => SmartagError.isInstance(e) && e.code === "InvalidResponse.TooLarge",
      );
    });
  });
});
