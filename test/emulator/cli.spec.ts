import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { callDescribe, STS_KEY } from "./helpers";

const root = resolve(__dirname, "..", "..");
const cliJs = join(root, "dist", "emulator", "cli.js");

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function compiledAt(): number {
  try {
    return statSync(cliJs).mtimeMs;
  } catch {
    return 0;
  }
}

/** `npm test` builds first; this covers running mocha alone after editing the emulator. */
function ensureBuilt(): void {
  if (compiledAt() >= newestSource(join(root, "emulator"))) return;
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  // Other folders' type errors do not stop tsc from emitting, so judge by the output.
  const result = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root });
  if (compiledAt() < newestSource(join(root, "emulator"))) {
    throw new Error(`build failed:\n${result.stdout}${result.stderr}`);
  }
}

interface Run {
  child: ChildProcess;
  /** Resolves with the endpoint from the SMARTAG_ENDPOINT line; rejects if the process ends first. */
  endpoint: Promise<string>;
  exit: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function run(args: string[], command: string[] = [process.execPath, cliJs]): Run {
  const [file, ...rest] = command as [string, ...string[]];
  const child = spawn(file, [...rest, ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const exit = (async () => {
    const [code] = (await once(child, "close")) as [number | null];
    return { code, stdout, stderr };
  })();
  const endpoint = new Promise<string>((resolveLine, reject) => {
    lines.on("line", (line) => {
      stdout += `${line}\n`;
      const m = /^SMARTAG_ENDPOINT=(.*)$/.exec(line);
      if (m) resolveLine(m[1] as string);
    });
    exit.then(({ code }) => reject(new Error(`exited ${code} before listening: ${stderr}`)));
  });
  endpoint.catch(() => undefined); // observed by the tests that expect it
  return { child, endpoint, exit };
}

const call = { region: "cn-shanghai", instance: "sag-demo0001", names: ["doctest"] };

describe("emulator CLI", () => {
  before(ensureBuilt);

  it("prints one SMARTAG_ENDPOINT line, serves requests and exits 0 on SIGTERM", async () => {
    const cli = run([]);
    const endpoint = await cli.endpoint;
    assert.match(endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    const reply = await callDescribe(endpoint, call);
    assert.equal(reply.status, 200);
    cli.child.kill("SIGTERM");
    const { code, stdout } = await cli.exit;
    assert.equal(code, 0);
    assert.equal(stdout, `SMARTAG_ENDPOINT=${endpoint}\n`);
  });

  it("exits 0 on SIGINT", async () => {
    const cli = run(["--host", "127.0.0.1", "--port", "0"]);
    await cli.endpoint;
    cli.child.kill("SIGINT");
    assert.equal((await cli.exit).code, 0);
  });

  it("runs through the bin/smartag-emulator wrapper", async () => {
    const cli = run([], [join(root, "bin", "smartag-emulator")]);
    assert.equal((await callDescribe(await cli.endpoint, call)).status, 200);
    cli.child.kill("SIGTERM");
    assert.equal((await cli.exit).code, 0);
  });

  it("logs one line per request with --verbose and never a credential", async () => {
    const cli = run(["--verbose"]);
    const endpoint = await cli.endpoint;
    await callDescribe(endpoint, { ...call, key: STS_KEY });
    await callDescribe(endpoint, { ...call, key: STS_KEY, secret: "wrong-secret" });
    cli.child.kill("SIGTERM");
    const { code, stderr } = await cli.exit;
    assert.equal(code, 0);
    assert.deepEqual(stderr.trim().split("\n"), [
      "POST DescribeUserOnlineClientStatistics 200 -",
      "POST DescribeUserOnlineClientStatistics 400 SignatureDoesNotMatch",
    ]);
    for (const secret of [STS_KEY.secret, STS_KEY.securityToken, STS_KEY.id, "wrong-secret"]) {
      assert.ok(!stderr.includes(secret), `stderr leaks ${secret}`);
    }
  });

  it("escapes control, DEL, C1 and bidi characters from the request in the --verbose log", async () => {
    const cli = run(["--verbose"]);
    const endpoint = await cli.endpoint;
    const action = "Nope\u001b]0;owned\u0007\nPOST Fake 200 -\r\u007f\u009b\u202e\\x";
    await callDescribe(endpoint, { ...call, params: { Action: action } });
    cli.child.kill("SIGTERM");
    const { stderr } = await cli.exit;
    assert.equal(
      stderr,
      "POST Nope\\x1b]0;owned\\x07\\x0aPOST Fake 200 -\\x0d\\x7f\\x9b\\u202e\\\\x 404 InvalidAction.NotFound\n",
    );
  });

  it("escapes control characters of a bad argument in its error message", async () => {
    const dir = mkdtempSync(join(tmpdir(), "smartag-cli-esc-"));
    const path = join(dir, "x\u001b]0;t\u0007\nsmartag-emulator: fake.json");
    const { code, stderr } = await run(["--fixture", path]).exit;
    assert.equal(code, 2);
    assert.match(stderr, /x\\x1b\]0;t\\x07\\x0asmartag-emulator: fake\.json/);
    assert.equal(stderr.split("\n").length, 3, stderr); // message, help hint, final newline
  });

  it("logs nothing without --verbose", async () => {
    const cli = run([]);
    await callDescribe(await cli.endpoint, call);
    cli.child.kill("SIGTERM");
    assert.equal((await cli.exit).stderr, "");
  });

  it("serves a fixture file and applies --faults", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "smartag-cli-")), "fixture.json");
    writeFileSync(
      file,
      JSON.stringify({
        accessKeys: [{ id: "LTAI5tEmulatorKey01", secret: "emulator-secret-01" }],
        regions: { "cn-shanghai": { "sag-demo0001": { users: { doctest: 9 } } } },
        onlineCountAsNumber: true,
      }),
    );
    const cli = run(["--fixture", file, "--faults", "throttle=1"]);
    const endpoint = await cli.endpoint;
    assert.equal((await callDescribe(endpoint, call)).json.Code, "Throttling.User");
    cli.child.kill("SIGTERM");
    assert.equal((await cli.exit).code, 0);

    const plain = run(["--fixture", file]);
    const reply = await callDescribe(await plain.endpoint, call);
    assert.deepEqual(reply.json.UserStatistics, {
      Statistics: [{ UserName: "doctest", OnlineCount: 9 }],
    });
    plain.child.kill("SIGTERM");
    assert.equal((await plain.exit).code, 0);
  });

  it("prints usage and exits 0 with --help", async () => {
    const { code, stdout } = await run(["--help"]).exit;
    assert.equal(code, 0);
    assert.match(stdout, /^Usage: smartag-emulator/);
    assert.match(stdout, /--faults SPEC/);
  });

  const badDir = mkdtempSync(join(tmpdir(), "smartag-cli-bad-"));
  const badFixture = join(badDir, "bad.json");
  writeFileSync(badFixture, JSON.stringify({ accessKeys: [{ id: "k" }], regions: {} }));
  for (const [args, pattern] of [
    [["--bogus"], /Unknown option '--bogus'/],
    [["--port", "abc"], /--port must be an integer from 0 to 65535, got "abc"/],
    [["--port", "70000"], /--port must be an integer/],
    [["--faults", "slow=1"], /unknown fault "slow"/],
    [["--faults", "latency=3000000000"], /latencyMs must be a number of milliseconds from 0 to/],
    [["--fixture", join(badDir, "missing.json")], /cannot read fixture .*missing\.json/],
    [["--fixture", badFixture], /bad\.json.*accessKeys\[0\]\.secret/],
    [["stray"], /positional/i],
  ] as const) {
    it(`exits 2 with a message for ${args.join(" ")}`, async () => {
      const { code, stdout, stderr } = await run([...args]).exit;
      assert.equal(code, 2);
      assert.equal(stdout, "");
      assert.match(stderr, /^smartag-emulator: /);
      assert.match(stderr, pattern);
    });
  }
});
