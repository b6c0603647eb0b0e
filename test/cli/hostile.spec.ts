/**
 * smartag-stats against what a broken proxy or a man-in-the-middle can send, and against
 * input without end: the built CLI as a child process, real HTTP servers on 127.0.0.1.
 */
import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import { assertNoSecrets } from "../helpers/secrets";
import {
  type CliResult,
  ensureBuilt,
  keyEnv,
  type RunOptions,
  rawControls,
  runCli,
  STS_KEY,
} from "./helpers";

/** One request as the server saw it. */
interface Seen {
  body: string;
  params: URLSearchParams;
}
type Answer = (seen: Seen) => { status: number; body: unknown };

/** An HTTP server that answers whatever the test tells it to, and records what it was sent. */
async function startHostile(): Promise<{
  url: string;
  seen: Seen[];
  answer: (fn: Answer) => void;
  close: () => Promise<void>;
}> {
  const seen: Seen[] = [];
  let answer: Answer = () => ({ status: 500, body: {} });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const query = new URL(req.url ?? "/", "http://x").searchParams;
      const params = new URLSearchParams([...query, ...new URLSearchParams(body)]);
      const request = { body: `${req.url} ${body}`, params };
      seen.push(request);
      const reply = answer(request);
      res.writeHead(reply.status, { "content-type": "application/json" });
      res.end(typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    answer: (fn) => {
      answer = fn;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const DEMO = ["--region", "cn-shanghai", "--sag", "sag-demo0001"];
const STS_ENV = {
  ALIBABA_CLOUD_ACCESS_KEY_ID: STS_KEY.id,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: STS_KEY.secret,
  ALIBABA_CLOUD_SECURITY_TOKEN: STS_KEY.securityToken,
};

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "smartag-stats-hostile-"));
}

/** No stack frames: a user sees messages, not Node internals. */
function assertNoStack(text: string): void {
  assert.doesNotMatch(text, /^\s+at /m, text);
}

describe("smartag-stats against a hostile endpoint", () => {
  let server: Awaited<ReturnType<typeof startHostile>>;
  before(async () => {
    ensureBuilt();
    server = await startHostile();
  });
  after(async () => server?.close());

  const stats = (args: readonly string[], options: RunOptions = {}) =>
    runCli([...DEMO, "--user", "doctest", ...args], {
      ...options,
      env: { SMARTAG_ENDPOINT: server.url, ...STS_ENV, ...options.env },
    });

  /** The request as text, both as sent and decoded, the way a careless server quotes it. */
  const echo = (s: Seen) => `${s.body} ${[...s.params].map(([k, v]) => `${k}=${v}`).join("&")}`;

  it("never prints the secret, the STS token or a signature the server echoes back", async () => {
    const runs: [string, CliResult][] = [];
    server.answer((s) => ({
      status: 400,
      body: { Code: echo(s), Message: echo(s), RequestId: echo(s) },
    }));
    runs.push(["error answer", await stats([])]);
    server.answer((s) => ({
      status: 200,
      body: {
        RequestId: echo(s),
        UserStatistics: {
          Statistics: [
            { UserName: "doctest", OnlineCount: 1 },
            { UserName: echo(s), OnlineCount: 1 },
          ],
        },
      },
    }));
    runs.push(["unrequested name", await stats([])]);
    server.answer((s) => ({
      status: 200,
      body: {
        RequestId: echo(s),
        UserStatistics: { Statistics: [{ UserName: "doctest", OnlineCount: 1 }] },
      },
    }));
    runs.push(["verbose table", await stats(["--verbose"])]);
    runs.push(["json", await stats(["--format", "json", "--max-online", "0"])]);

    // Each run got far enough to print the echoed text somewhere.
    const [error, unrequested, table, json] = runs.map(([, r]) => r) as CliResult[];
    assert.equal(error?.code, 1);
    assert.match(error?.stderr ?? "", /SecurityToken=\*\*\*/);
    assert.equal(unrequested?.code, 1);
    assert.match(unrequested?.stderr ?? "", /names not asked/);
    assert.equal(table?.code, 0, table?.stderr);
    assert.match(table?.stdout ?? "", /^RequestIds: .*Signature=\*\*\*/m);
    assert.equal(json?.code, 3, json?.stderr);
    assert.match(JSON.parse(json?.stdout ?? "").requestIds[0], /Signature=\*\*\*/);

    const signatures = server.seen.map((s) => s.params.get("Signature") ?? "");
    assert.equal(signatures.length, 4);
    assert.ok(server.seen.every((s) => s.params.get("SecurityToken") === STS_KEY.securityToken));
    const secrets = [STS_KEY.secret, STS_KEY.securityToken, ...signatures];
    for (const [what, r] of runs) {
      assertNoSecrets(r.stdout, secrets, `stdout (${what})`);
      assertNoSecrets(r.stderr, secrets, `stderr (${what})`);
    }
  });

  it("escapes control characters in an error from the server, so it cannot fake a line", async () => {
    server.answer(() => ({
      status: 400,
      body: {
        Code: "Evil\x1b]0;pwned\x07",
        Message: "denied\nsmartag-stats: all clear\x1b[2K\u202e\u0085",
        RequestId: "rid\r\x9b2J",
      },
    }));
    const r = await stats([]);
    assert.equal(r.code, 1);
    assert.deepEqual(rawControls(r.stderr), []);
    assert.equal(r.stderr.split("\n").filter((l) => l.startsWith("smartag-stats:")).length, 1);
    assert.match(r.stderr, /Evil\\u001b\]0;pwned\\u0007: denied\\nsmartag-stats: all clear/);
    assert.match(r.stderr, /RequestId: rid\\r\\u009b2J/);
  });

  it("escapes control characters in RequestIds, keeping the JSON document valid", async () => {
    const requestId = "rid\u202e\x1b[31m\u0085\u2066";
    server.answer(() => ({
      status: 200,
      body: {
        RequestId: requestId,
        UserStatistics: { Statistics: [{ UserName: "doctest", OnlineCount: 2 }] },
      },
    }));
    const json = await stats(["--format", "json"]);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(rawControls(json.stdout), []);
    assert.deepEqual(JSON.parse(json.stdout).requestIds, [requestId]);
    const table = await stats(["--verbose"]);
    assert.equal(table.code, 0, table.stderr);
    assert.deepEqual(rawControls(table.stdout), []);
    assert.match(table.stdout, /^RequestIds: rid\\u202e\\u001b\[31m\\u0085\\u2066$/m);
  });

  it("escapes control characters in a --users-file path and in the names read from it", async () => {
    const dir = tempDir();
    const missing = join(dir, "no\x1b]0;x\x07\nsmartag-stats: fine.txt");
    const present = join(dir, "users\u202e.txt");
    writeFileSync(present, "doctest\nbad\x1b[2J\u0085name\n");
    const asked = server.seen.length;
    const r = await stats(["--users-file", missing, "--users-file", present]);
    assert.equal(r.code, 2);
    assert.deepEqual(rawControls(r.stderr), []);
    assert.equal(r.stderr.split("\n").filter((l) => l.startsWith("smartag-stats:")).length, 1);
    assert.match(
      r.stderr,
      /no\\u001b\]0;x\\u0007\\nsmartag-stats: fine\.txt": cannot be read \(ENOENT\)/,
    );
    assert.match(r.stderr, /users\\u202e\.txt line 2 "bad\\u001b\[2J\\u0085name": must/);
    assert.equal(server.seen.length, asked, "nothing was sent");
  });

  it("says the answer was JSON null when a 200 carries the body null", async () => {
    server.answer(() => ({ status: 200, body: "null" }));
    const r = await stats([]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^smartag-stats: InvalidResponse\.Shape: the endpoint answered with JSON null/,
    );
    assert.doesNotMatch(r.stderr, /Cannot read properties/);
    assertNoStack(r.stderr);
  });
});

describe("smartag-stats input and output limits", () => {
  let emulator: RunningEmulator;
  before(async () => {
    ensureBuilt();
    emulator = await startEmulator({ fixture: loadDefaultFixture() });
  });
  after(async () => emulator?.close());

  const stats = (args: readonly string[], options: RunOptions = {}) =>
    runCli(args, {
      ...options,
      env: { SMARTAG_ENDPOINT: emulator.url, ...keyEnv(), ...options.env },
    });

  /** Writes `chunk` for as long as the child reads, then stops when its stdin closes. */
  const endless = (chunk: string) => (stdin: Writable) => {
    const data = Buffer.from(chunk.repeat(Math.ceil(8192 / chunk.length)));
    let open = true;
    stdin.on("error", () => {
      open = false;
    });
    stdin.on("close", () => {
      open = false;
    });
    const pump = () => {
      while (open && stdin.write(data)) {
        // keep writing until the pipe is full
      }
      if (open) stdin.once("drain", pump);
    };
    pump();
  };

  it("queries 130,000 names from a --users-file", async () => {
    const names = Array.from({ length: 130_000 }, (_, i) => `name${String(i).padStart(6, "0")}`);
    const file = join(tempDir(), "users.txt");
    writeFileSync(file, `${names.join("\n")}\n`);
    const r = await stats([
      ...DEMO,
      "--users-file",
      file,
      "--concurrency",
      "16",
      "--format",
      "csv",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 130_001);
    assert.equal(lines.at(-1), "name129999,0");
    assert.equal(emulator.requests.length, 2_600);
  });

  it("stops reading /dev/urandom at the --max-input-bytes limit and sends nothing", async () => {
    emulator.resetLog();
    const r = await stats([...DEMO, "--users-file", "/dev/urandom"]);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      "smartag-stats: 1 problem, nothing was sent:\n" +
        '  - --users-file "/dev/urandom": stopped reading past 16777216 bytes of names, ' +
        "the most --max-input-bytes allows (raise it for a longer list)\n" +
        "(see smartag-stats --help)\n",
    );
    assert.equal(emulator.requests.length, 0);
  });

  it("stops an endless stdin of names at the --max-names limit", async () => {
    const r = await stats([...DEMO, "--users-file", "-"], { feed: endless("doctest\n") });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /--users-file "-": stopped reading past 200000 names, the most --max-names allows/,
    );
  });

  it("stops an endless stdin line at a --max-input-bytes given on the command line", async () => {
    const r = await stats([...DEMO, "--users-file", "-", "--max-input-bytes", "65536"], {
      feed: endless("x"),
    });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /stopped reading past 65536 bytes of names, the most --max-input-bytes allows/,
    );
  });

  it("gives the allowed range when --max-online is too large", async () => {
    const r = await stats([...DEMO, "--user", "doctest", "--max-online", "9999999999999999"]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /- --max-online: must be a whole number from 0 to 999999999999999 \(got "9999999999999999"\)/,
    );
  });

  describe("with stdout on a full disk", () => {
    let full: number;
    before(() => {
      full = openSync("/dev/full", "w");
    });
    after(() => closeSync(full));

    it("says so in one line and keeps exit code 3 when a limit is broken", async () => {
      const r = await stats([...DEMO, "--user", "bob.smith", "--max-online", "3"], {
        stdoutFd: full,
      });
      assert.equal(r.code, 3);
      // The write fails after the violations are reported, so that line comes last.
      assert.equal(
        r.stderr,
        "smartag-stats: SAG instance sag-demo0001 (cn-shanghai): 1 limit violation:\n" +
          "  - bob.smith: 5 online, limit 3 per user\n" +
          "smartag-stats: cannot write to stdout: ENOSPC: no space left on device, write\n",
      );
    });

    it("exits 4 when the run itself succeeded", async () => {
      const r = await stats([...DEMO, "--user", "doctest"], { stdoutFd: full });
      assert.equal(r.code, 4);
      assert.equal(
        r.stderr,
        "smartag-stats: cannot write to stdout: ENOSPC: no space left on device, write\n",
      );
    });
  });
});
