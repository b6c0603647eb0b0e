// The client against answers and failures the emulator alone does not produce: a proxy's JSON
// error page, an answer listing a name twice, a TLS endpoint that never finishes its handshake,
// a broken CLI profile, and callers that cancel a call they share.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import {
  Redactor,
  rpcEncode,
  type SettingsInput,
  SmartagApiError,
  type SmartagClient,
  SmartagError,
  SmartagResponseError,
  safeReason,
} from "@pulumi-smartag/client";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import { clientFromSettings } from "../helpers/client";
import { repoRoot } from "../helpers/pulumiCli";
import { assertNoSecrets, exposedText } from "../helpers/secrets";

const KEY1 = { accessKey: "LTAI5tEmulatorKey01", secretKey: "emulator-secret-01" };
const STS = { accessKey: "STS.EmulatorKey03", securityToken: "emulator-sts-token-03" };
const fast = { retryBaseDelayMs: 1, retryMaxDelayMs: 5 };

/** A loopback HTTP server answering each request with the next of `answers` (the last repeats). */
async function scripted(
  answers: { status: number; body: unknown }[],
): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const a = answers[Math.min(n, answers.length - 1)] as { status: number; body: unknown };
      n++;
      res.writeHead(a.status, { "content-type": "application/json" });
      res.end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => n,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const ok = (statistics: { UserName: string; OnlineCount: string }[]) => ({
  status: 200,
  body: {
    RequestId: "6C1B8B2E-0000-4000-8000-000000000001",
    UserStatistics: { Statistics: statistics },
  },
});

const query = (c: SmartagClient, userNames = ["doctest"], signal?: AbortSignal) =>
  c.describeUserOnlineClientStatistics(
    { smartAgId: "sag-demo0001", userNames },
    signal ? { signal } : {},
  );

const clientFor = (endpoint: string, extra: SettingsInput = {}) =>
  clientFromSettings({ region: "cn-shanghai", endpoint, ...KEY1, ...fast, ...extra }, { env: {} });

/** The code and message (and nothing else) of a query made in a child with `env` added. */
async function messageInChild(endpoint: string, env: Record<string, string>): Promise<string> {
  const script = `
    const { clientFromSettings } = require("./test/helpers/client");
    clientFromSettings({ region: "cn-shanghai", endpoint: ${JSON.stringify(endpoint)} }, { env: {} })
      .describeUserOnlineClientStatistics({ smartAgId: "sag-demo0001", userNames: ["doctest"] })
      .then(() => console.log("answered"), (e) => console.log(e.code + ": " + e.message));
  `;
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  const code = await new Promise((resolve) => child.on("close", resolve));
  assert.equal(code, 0);
  return out.trim();
}

describe("SmartagClient hardening", () => {
  describe("answers outside the API's contract", () => {
    it("retries an HTTP 5xx whose JSON body has no API error code, then answers", async () => {
      const server = await scripted([
        { status: 503, body: { message: "upstream connect error", status: 503 } },
        ok([{ UserName: "doctest", OnlineCount: "2" }]),
      ]);
      try {
        const result = await query(clientFor(server.url));
        assert.deepEqual(result.userStatistics, [{ userName: "doctest", onlineCount: 2 }]);
        assert.equal(server.requests(), 2);
      } finally {
        await server.close();
      }
    });

    it("fails at once, naming the status, on a 4xx JSON body without an API error code", async () => {
      const server = await scripted([{ status: 404, body: { error: "no route" } }]);
      try {
        await assert.rejects(query(clientFor(server.url)), (e: unknown) => {
          assert.ok(e instanceof SmartagResponseError);
          assert.equal(e.code, "InvalidResponse.Http404");
          assert.equal(e.retryable, false);
          assert.match(e.message, /answered HTTP 404 without an API error code/);
          return true;
        });
        assert.equal(server.requests(), 1);
      } finally {
        await server.close();
      }
    });

    it("reads a one-item Statistics list given as the item itself", async () => {
      const server = await scripted([
        {
          status: 200,
          body: {
            RequestId: "6C1B8B2E-0000-4000-8000-000000000002",
            UserStatistics: { Statistics: { UserName: "doctest", OnlineCount: "4" } },
          },
        },
      ]);
      try {
        const result = await query(clientFor(server.url));
        assert.deepEqual(result.userStatistics, [{ userName: "doctest", onlineCount: 4 }]);
      } finally {
        await server.close();
      }
    });

    it("refuses an answer that counts a name twice rather than picking one of the counts", async () => {
      const server = await scripted([
        ok([
          { UserName: "doctest", OnlineCount: "1" },
          { UserName: "doctest", OnlineCount: "5" },
        ]),
      ]);
      try {
        await assert.rejects(query(clientFor(server.url)), (e: unknown) => {
          assert.ok(e instanceof SmartagResponseError);
          assert.equal(e.code, "InvalidResponse.Mismatch");
          assert.match(e.message, /more than one count for doctest/);
          return true;
        });
      } finally {
        await server.close();
      }
    });
  });

  describe("timeouts", () => {
    let emulator: RunningEmulator;
    before(async () => {
      emulator = await startEmulator({ fixture: loadDefaultFixture() });
    });
    after(async () => emulator.close());

    it("waits for a slow answer up to the read timeout, however short the connect timeout", async () => {
      emulator.setFaults({ latencyMs: 800 });
      const result = await query(
        clientFor(emulator.url, { connectTimeoutMs: 200, readTimeoutMs: 30_000, maxAttempts: 1 }),
      );
      assert.equal(result.totalOnlineCount, 2);
    });

    it("gives up connecting after the connect timeout when the TLS handshake never ends", async () => {
      // Accepts TCP connections and never says a word: the handshake cannot complete.
      const sockets: net.Socket[] = [];
      const silent = net.createServer((s) => sockets.push(s));
      await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
      const { port } = silent.address() as net.AddressInfo;
      try {
        await assert.rejects(
          query(
            clientFor(`https://127.0.0.1:${port}`, {
              connectTimeoutMs: 200,
              readTimeoutMs: 60_000,
              deadlineMs: 120_000,
              maxAttempts: 2,
            }),
          ),
          (e: unknown) => {
            assert.ok(SmartagError.isInstance(e));
            assert.equal(e.code, "RequestTimeout");
            assert.match(e.message, /connecting to https:\/\/127\.0\.0\.1:/);
            return true;
          },
        );
        assert.equal(sockets.length, 2, "each attempt opened its own connection and gave up");
      } finally {
        for (const s of sockets) s.destroy();
        silent.close();
      }
    });
  });

  describe("a shared call and cancellation", () => {
    let emulator: RunningEmulator;
    before(async () => {
      emulator = await startEmulator({ fixture: loadDefaultFixture() });
    });
    after(async () => emulator.close());
    beforeEach(() => {
      emulator.setFaults({ latencyMs: 300 });
      emulator.resetLog();
    });

    it("answers the other callers when one of them cancels", async () => {
      const c = clientFor(emulator.url);
      const controller = new AbortController();
      const cancelled = query(c, ["doctest"], controller.signal);
      const other = query(c, ["doctest"]);
      const cancelledToo = assert.rejects(cancelled, (e: unknown) => {
        assert.ok(SmartagError.isInstance(e));
        assert.equal(e.code, "Cancelled");
        return true;
      });
      controller.abort();
      await cancelledToo;
      assert.equal((await other).totalOnlineCount, 2);
      assert.equal(emulator.requests.length, 1, "one request served both callers");
    });

    it("cancels the call when every caller has cancelled, and does not keep it for later", async () => {
      const c = clientFor(emulator.url);
      const a = new AbortController();
      const b = new AbortController();
      const first = query(c, ["doctest"], a.signal);
      const second = query(c, ["doctest"], b.signal);
      a.abort();
      b.abort();
      for (const p of [first, second]) {
        await assert.rejects(
          p,
          (e: unknown) => SmartagError.isInstance(e) && e.code === "Cancelled",
        );
      }
      emulator.setFaults({});
      assert.equal((await query(c)).totalOnlineCount, 2, "a later call asks again");
      // Cancelled before its request could start, the shared call sent nothing at all.
      assert.equal(emulator.requests.length, 1);
    });
  });

  describe("credentials in what the API and the credential chain say", () => {
    let emulator: RunningEmulator;
    before(async () => {
      emulator = await startEmulator({ fixture: loadDefaultFixture() });
    });
    after(async () => emulator.close());

    it("passes on no part of the string to sign that SignatureDoesNotMatch quotes, STS token included", async () => {
      const c = clientFor(emulator.url, { ...STS, secretKey: "a-wrong-secret-for-sts" });
      await assert.rejects(query(c), (e: unknown) => {
        assert.ok(e instanceof SmartagApiError);
        assert.equal(e.code, "SignatureDoesNotMatch");
        assert.match(e.message, /server string to sign is: \[omitted\]/);
        const text = exposedText(e);
        assert.doesNotMatch(text, /SignatureNonce|Timestamp%/, "no parameter of the request");
        const token = STS.securityToken;
        for (const form of [token, rpcEncode(token), rpcEncode(rpcEncode(token))]) {
          assert.ok(!text.includes(form), `the token shows as ${form}`);
        }
        assertNoSecrets(e, ["a-wrong-secret-for-sts"], "SignatureDoesNotMatch");
        return true;
      });
    });

    it("masks credential fields encoded once or twice, up to the next encoded separator", () => {
      const r = new Redactor();
      assert.equal(
        r.redact(
          "a=1&SecurityToken%3Dabc%2Bdef%26Version%3D1 Signature%253Dxyz%2526b AccessKeyId=LTAI1&c",
        ),
        "a=1&SecurityToken%3D***%26Version%3D1 Signature%253D***%2526b AccessKeyId=***&c",
      );
      r.add("s3cret/+=");
      assert.equal(r.redact(`x ${rpcEncode(rpcEncode("s3cret/+="))} y`), "x *** y");
    });

    it("quotes no file content from a credential source that cannot parse its file", async () => {
      const home = mkdtempSync(path.join(os.tmpdir(), "smartag-home-"));
      try {
        mkdirSync(path.join(home, ".aliyun"));
        // A trailing comma, as a hand edit leaves it: not JSON, and @alicloud/credentials
        // quotes the whole file in its error.
        writeFileSync(
          path.join(home, ".aliyun", "config.json"),
          '{"current":"default","profiles":[{"name":"default","mode":"AK","access_key_id":"LTAIprofile","access_key_secret":"TOP-SECRET-PROFILE-KEY",}]}',
        );
        // The CLI profile source finds config.json through os.homedir(), which reads the
        // process's real environment: a child process gets a HOME of its own.
        const message = await messageInChild(emulator.url, {
          HOME: home,
          ALIBABA_CLOUD_CLI_PROFILE_DISABLED: "",
        });
        assert.match(
          message,
          /NoCredentials: .*parse aliyun cli config from '.*config\.json' failed/,
        );
        assertNoSecrets(message, ["TOP-SECRET-PROFILE-KEY"], "the credential chain's error");
        assert.doesNotMatch(message, /access_key_id/);
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    });

    it("keeps of a chain's reason only its first line, up to 'failed' and before any body", () => {
      assert.equal(
        safeReason('parse config from \'/x/config.json\' failed: {"k":"v"}\nmore'),
        "parse config from '/x/config.json' failed",
      );
      assert.equal(safeReason("ini: key = value at line 3"), "ini: key");
      assert.equal(safeReason("first\nsecond"), "first");
      assert.equal(safeReason("x".repeat(300)).length, 201);
    });
  });
});
