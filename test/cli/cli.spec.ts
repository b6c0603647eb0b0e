import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import { assertNoSecrets } from "../helpers/secrets";
import {
  bigCount,
  bigNames,
  type CliResult,
  ensureBuilt,
  KEY1,
  KEY2,
  keyEnv,
  type RunOptions,
  runCli,
  SECRETS,
  STS_KEY,
  userNamesOf,
} from "./helpers";

const DEMO = ["--region", "cn-shanghai", "--sag", "sag-demo0001"];
const REQUEST_ID = /[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}/;

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "smartag-stats-")), name);
  writeFileSync(file, text);
  return file;
}

describe("smartag-stats CLI", () => {
  let emulator: RunningEmulator;
  /** Every run's output, checked for credentials at the end. */
  const outputs: CliResult[] = [];

  before(async () => {
    ensureBuilt();
    emulator = await startEmulator({ fixture: loadDefaultFixture() });
  });
  after(async () => emulator?.close());
  beforeEach(() => {
    emulator.setFaults({});
    emulator.resetLog();
  });

  /** The CLI against the emulator with KEY1 in the environment (the common CI setup). */
  const stats = async (args: readonly string[], options: RunOptions = {}) => {
    const result = await runCli(args, {
      ...options,
      env: { SMARTAG_ENDPOINT: emulator.url, ...keyEnv(), ...options.env },
    });
    outputs.push(result);
    return result;
  };

  describe("output formats", () => {
    it("prints an aligned table with a total, the instance and the region when --format is absent", async () => {
      const r = await stats([
        ...DEMO,
        "--user",
        "doctest,alice@example.com",
        "--user",
        "bob.smith",
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.equal(
        r.stdout,
        [
          "SAG instance sag-demo0001 (cn-shanghai)",
          "USER               ONLINE",
          "doctest                 2",
          "alice@example.com       0",
          "bob.smith               5",
          "TOTAL                   7",
          "",
        ].join("\n"),
      );
      assert.doesNotMatch(r.stdout, /RequestId/);
    });

    it("adds the RequestIds under the table when --verbose is given", async () => {
      const r = await stats([...DEMO, "--user", "doctest", "--verbose"]);
      assert.equal(r.code, 0, r.stderr);
      const line = r.stdout.trim().split("\n").at(-1) as string;
      assert.match(line, new RegExp(`^RequestIds: ${REQUEST_ID.source}$`));
      assert.match(
        r.stderr,
        /1 name\(s\) on sag-demo0001 \(cn-shanghai\) via http:\/\/127\.0\.0\.1/,
      );
    });

    it("prints the client's result as one JSON document when --format json is given", async () => {
      const r = await stats([...DEMO, "--user", "carol_01,doctest", "--format", "json"]);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.requestIds.length, 1);
      assert.match(doc.requestIds[0], REQUEST_ID);
      assert.deepEqual(
        { ...doc, requestIds: [] },
        {
          regionId: "cn-shanghai",
          smartAgId: "sag-demo0001",
          userStatistics: [
            { userName: "carol_01", onlineCount: 1 },
            { userName: "doctest", onlineCount: 2 },
          ],
          totalOnlineCount: 3,
          requestIds: [],
        },
      );
      assert.ok(!("violations" in doc), "no violations key without limits");
    });

    it("prints a userName,onlineCount header and one row per user when --format csv is given", async () => {
      const r = await stats([
        ...DEMO,
        "--user",
        "alice@example.com",
        "--user",
        "bob.smith",
        "--format=csv",
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "userName,onlineCount\nalice@example.com,0\nbob.smith,5\n");
    });

    it("shows a name given twice once, and counts it once", async () => {
      const r = await stats([
        ...DEMO,
        "--user",
        "doctest,bob.smith",
        "--user",
        "doctest",
        "--format",
        "csv",
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "userName,onlineCount\ndoctest,2\nbob.smith,5\n");
      assert.deepEqual(userNamesOf(emulator.requests[0]?.params ?? {}), ["doctest", "bob.smith"]);
    });
  });

  describe("names from files", () => {
    it("reads one name per line, skipping blanks and # comments, after the --user names", async () => {
      const file = tempFile(
        "users.txt",
        "# accounts of the Shanghai office\n\nbob.smith\r\n  carol_01   # the on-call laptop\n\n",
      );
      const r = await stats([
        ...DEMO,
        "--user",
        "doctest",
        "--users-file",
        file,
        "--format",
        "csv",
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "userName,onlineCount\ndoctest,2\nbob.smith,5\ncarol_01,1\n");
    });

    it("reads names from stdin when --users-file is -", async () => {
      const r = await stats([...DEMO, "--users-file", "-", "--format", "json"], {
        stdin: "doctest\nalice@example.com\n",
      });
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.deepEqual(
        doc.userStatistics.map((s: { userName: string }) => s.userName),
        ["doctest", "alice@example.com"],
      );
      assert.equal(doc.totalOnlineCount, 2);
    });

    it("names the file and line of a bad name and sends nothing", async () => {
      const file = tempFile("users.txt", "doctest\nnot a name\nbob\n");
      const r = await stats([...DEMO, "--users-file", file]);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, new RegExp(`${file} line 2 "not a name": must start with a letter`));
      assert.match(r.stderr, new RegExp(`${file} line 3 "bob": must be at least 7 characters`));
      assert.equal(emulator.requests.length, 0);
    });
  });

  describe("limits", () => {
    it("exits 0 and adds an empty violations array when every limit holds", async () => {
      const r = await stats([
        ...DEMO,
        ...[
          "--user",
          "doctest,carol_01",
          "--max-online",
          "2",
          "--max-total",
          "3",
          "--format",
          "json",
        ],
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.deepEqual(JSON.parse(r.stdout).violations, []);
    });

    it("exits 3, lists each violation on stderr and still prints the statistics when limits break", async () => {
      const r = await stats([
        ...DEMO,
        ...["--user", "doctest,bob.smith,carol_01", "--max-online", "1", "--max-total", "4"],
      ]);
      assert.equal(r.code, 3);
      assert.match(r.stdout, /^TOTAL\s+8$/m);
      assert.equal(
        r.stderr,
        [
          "smartag-stats: SAG instance sag-demo0001 (cn-shanghai): 3 limit violations:",
          "  - doctest: 2 online, limit 1 per user",
          "  - bob.smith: 5 online, limit 1 per user",
          "  - total: 8 online, limit 4",
          "",
        ].join("\n"),
      );
    });

    it("exits 3 naming every online user when --require-none-online is given", async () => {
      const r = await stats([
        ...DEMO,
        ...["--user", "alice@example.com,carol_01", "--require-none-online", "--format", "json"],
      ]);
      assert.equal(r.code, 3);
      assert.match(r.stderr, /^ {2}- carol_01: 1 online, none allowed$/m);
      assert.doesNotMatch(r.stderr, /alice/);
      assert.deepEqual(JSON.parse(r.stdout).violations, [
        { kind: "requireNoneOnline", userName: "carol_01", onlineCount: 1, limit: 0 },
      ]);
    });
  });

  describe("usage errors", () => {
    it("exits 2 listing every problem by flag, before any request, when several flags are wrong", async () => {
      const r = await stats([
        ...["--region", "Shanghai", "--sag", "demo", "--user", "ab", "--format", "yaml"],
        ...["--max-online", "-1", "--concurrency", "0", "--timeout-ms", "soon", "--bogus"],
      ]);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, "");
      for (const expected of [
        /- --region: must be a region id/,
        /- --sag: must be a SAG instance id/,
        /- --user "ab": must be at least 7 characters/,
        /- --format: must be one of table, json, csv \(got "yaml"\)/,
        /- --max-online: must be a whole number from 0 to 999999999999999 \(got "-1"\)/,
        /- --concurrency: must be at least 1/,
        /- --timeout-ms: must be a whole number/,
        /- --bogus: is not an option/,
      ]) {
        assert.match(r.stderr, expected);
      }
      assert.match(r.stderr, /^smartag-stats: 8 problems, nothing was sent:/);
      assert.equal(emulator.requests.length, 0);
    });

    it("clips a very long bad name in the message instead of echoing all of it", async () => {
      const long = `x${"y".repeat(99_999)}`;
      const r = await stats([...DEMO, "--user", long]);
      assert.equal(r.code, 2);
      assert.match(
        r.stderr,
        /- --user "xy{63}"\.\.\. \(100000 characters\): must be at most 33 characters/,
      );
      assert.ok(r.stderr.length < 1_000, `${r.stderr.length} characters on stderr`);
    });

    it("exits 2 asking for --region, --sag and a name when none is given", async () => {
      const r = await stats([]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /- --region: is required \(or set ALIBABA_CLOUD_REGION\)/);
      assert.match(r.stderr, /- --sag: is required/);
      assert.match(
        r.stderr,
        /- --user: is required: at least one name, via --user or --users-file/,
      );
    });

    it("takes the region from ALIBABA_CLOUD_REGION and names the variable when it is bad", async () => {
      const ok = await stats(["--sag", "sag-hk000001", "--user", "dave-hk", "--format", "csv"], {
        env: { ALIBABA_CLOUD_REGION: "cn-hongkong" },
      });
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout, "userName,onlineCount\ndave-hk,3\n");
      const bad = await stats(["--sag", "sag-hk000001", "--user", "dave-hk"], {
        env: { ALIBABA_CLOUD_REGION: "HongKong" },
      });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /- ALIBABA_CLOUD_REGION: must be a region id/);
    });

    it("takes the region from ALIBABA_CLOUD_REGION when --region is given empty", async () => {
      const r = await stats(
        ["--region", "", "--sag", "sag-demo0001", "--user", "doctest", "--format", "csv"],
        { env: { ALIBABA_CLOUD_REGION: "cn-shanghai" } },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "userName,onlineCount\ndoctest,2\n");
      assert.deepEqual(
        emulator.requests.map((q) => q.params.RegionId),
        ["cn-shanghai"],
      );
    });

    it("exits 2 asking for --region and sends nothing when --region is empty and no variable is set", async () => {
      const r = await stats(["--region=", "--sag", "sag-demo0001", "--user", "doctest"], {
        env: { ALIBABA_CLOUD_REGION: "", ALICLOUD_REGION: undefined },
      });
      assert.equal(r.code, 2);
      assert.equal(r.stdout, "");
      assert.equal(
        r.stderr,
        [
          "smartag-stats: 1 problem, nothing was sent:",
          "  - --region: is required (or set ALIBABA_CLOUD_REGION), e.g. --region cn-shanghai",
          "(see smartag-stats --help)",
          "",
        ].join("\n"),
      );
      assert.equal(emulator.requests.length, 0);
    });

    it("exits 2 naming --region when SMARTAG_ENDPOINT_TYPE=vpc and the region has no VPC endpoint", async () => {
      const r = await stats(
        ["--region", "cn-hangzhou", "--sag", "sag-demo0001", "--user", "doctest"],
        {
          env: { SMARTAG_ENDPOINT: undefined, SMARTAG_ENDPOINT_TYPE: "vpc" },
        },
      );
      assert.equal(r.code, 2);
      assert.match(
        r.stderr,
        /- --region: has no VPC endpoint: cn-hangzhou \(China \(Hangzhou\)\) has only a public endpoint/,
      );
      assert.equal(emulator.requests.length, 0);
    });

    it("exits 2 naming the missing variable when only half of an AccessKey is set", async () => {
      const r = await stats([...DEMO, "--user", "doctest"], {
        env: { ALIBABA_CLOUD_ACCESS_KEY_SECRET: undefined },
      });
      assert.equal(r.code, 2);
      assert.match(
        r.stderr,
        /- ALIBABA_CLOUD_ACCESS_KEY_SECRET: is required when ALIBABA_CLOUD_ACCESS_KEY_ID is set/,
      );
    });

    it("exits 2 and explains why when a credential is passed as a flag, without echoing it", async () => {
      const r = await stats([
        ...DEMO,
        "--user",
        "doctest",
        "--access-key-secret",
        "s3cr3t-typed-by-hand",
      ]);
      assert.equal(r.code, 2);
      assert.match(
        r.stderr,
        /--access-key-secret: is not an option: credentials are never taken from flags/,
      );
      assert.ok(!r.stderr.includes("s3cr3t-typed-by-hand"), "the typed secret is echoed");
      assert.doesNotMatch(r.stderr, /not attached to any option/);
    });

    it("exits 2 naming the file when --users-file cannot be read", async () => {
      const r = await stats([...DEMO, "--users-file", "/nonexistent/users.txt"]);
      assert.equal(r.code, 2);
      assert.match(
        r.stderr,
        /- --users-file "\/nonexistent\/users\.txt": cannot be read \(ENOENT\)/,
      );
    });
  });

  describe("API and credential failures", () => {
    it("exits 1 with SAG.InstanceNoFound, its RequestId and a hint when the instance is unknown", async () => {
      const r = await stats([
        "--region",
        "cn-shanghai",
        "--sag",
        "sag-nothere1",
        "--user",
        "doctest",
      ]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      assert.match(
        r.stderr,
        new RegExp(
          `^smartag-stats: SAG\\.InstanceNoFound: .* \\(RequestId: ${REQUEST_ID.source}\\)$`,
          "m",
        ),
      );
      assert.match(r.stderr, /^hint: check --sag and --region/m);
    });

    it("exits 1 with a clear message and sends nothing when no credentials are found", async () => {
      const r = await stats([...DEMO, "--user", "doctest"], {
        env: { ALIBABA_CLOUD_ACCESS_KEY_ID: undefined, ALIBABA_CLOUD_ACCESS_KEY_SECRET: undefined },
      });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no Alibaba Cloud credentials found/);
      assert.match(r.stderr, /hint: smartag-stats takes credentials only from the environment/);
      assert.equal(emulator.requests.length, 0);
    });

    it("exits 1 with the API code when the secret is wrong", async () => {
      const r = await stats([...DEMO, "--user", "doctest"], {
        env: keyEnv({ id: KEY1.id, secret: "wrong-secret-value" }),
      });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /SignatureDoesNotMatch/);
      assert.ok(!r.stderr.includes("wrong-secret-value"));
    });

    it("uses the --profile's keys rather than the AccessKey variables when both are present", async () => {
      const file = tempFile(
        "credentials",
        `[ci]\ntype = access_key\naccess_key_id = ${KEY2.id}\naccess_key_secret = ${KEY2.secret}\n`,
      );
      // The CLI-profile provider refuses to be built while disabled, which would end the
      // profile lookup before the credentials file is read; HOME is empty, so enabling it is safe.
      const r = await stats([...DEMO, "--user", "doctest", "--profile", "ci"], {
        env: {
          ALIBABA_CLOUD_CREDENTIALS_FILE: file,
          ALIBABA_CLOUD_CLI_PROFILE_DISABLED: undefined,
        },
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(emulator.requests[0]?.params.AccessKeyId, KEY2.id);
    });

    it("exits 1 telling to raise --timeout-ms when the API keeps throttling past the budget", async () => {
      // Each answer takes 150 ms, so the default attempts (5, at least 750 ms) cannot all be
      // spent inside the 500 ms budget whatever the jitter draws: the deadline ends the call.
      emulator.setFaults({ throttleRate: 1, latencyMs: 150, seed: 3 });
      const r = await stats([...DEMO, "--user", "doctest", "--timeout-ms", "500", "--verbose"]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /hint: raise --timeout-ms \(now 500\)/);
      assert.match(r.stderr, /request 1 got Throttling\.User; retrying in \d+ ms/);
      assert.ok(emulator.requests.length >= 1);
    });

    it("exits 1 with the throttling code, its RequestId and a hint when the retries run out first", async () => {
      emulator.setFaults({ throttleRate: 1, seed: 3 });
      const r = await stats([...DEMO, "--user", "doctest"]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Throttling\.User: .*\(RequestId: [0-9A-F-]{36}\)/);
      assert.match(
        r.stderr,
        /hint: the API throttled the calls: lower concurrency or try again later/,
      );
      assert.doesNotMatch(r.stderr, /--timeout-ms/);
      assert.equal(emulator.requests.length, 5, "the default 5 attempts, no more");
    });
  });

  describe("many names", () => {
    const names = bigNames(120);
    const big = ["--region", "cn-shanghai", "--sag", "sag-big0001"];

    it("splits 120 names into 3 requests of 50, 50 and 20 and prints them in order", async () => {
      const file = tempFile("users.txt", `${names.join("\n")}\n`);
      const r = await stats([
        ...big,
        "--users-file",
        file,
        "--concurrency",
        "1",
        "--format",
        "json",
      ]);
      assert.equal(r.code, 0, r.stderr);
      const sent = emulator.requests.map((q) => userNamesOf(q.params));
      assert.deepEqual(sent, [names.slice(0, 50), names.slice(50, 100), names.slice(100)]);
      const doc = JSON.parse(r.stdout);
      assert.deepEqual(
        doc.userStatistics,
        names.map((userName) => ({ userName, onlineCount: bigCount(userName) })),
      );
      assert.equal(
        doc.totalOnlineCount,
        names.reduce((sum, n) => sum + bigCount(n), 0),
      );
      assert.equal(doc.requestIds.length, 3);
    });

    it("queries more names than one client call allows in consecutive calls, merged into one result", async () => {
      // 10,000 is the client's per-call guard; 10,050 distinct names need 201 requests.
      const many = [
        ...bigNames(150),
        ...Array.from({ length: 9_900 }, (_, i) => `extra${String(i).padStart(6, "0")}`),
      ];
      const file = tempFile("users.txt", many.join("\n"));
      const r = await stats([
        ...big,
        "--users-file",
        file,
        "--concurrency",
        "8",
        "--format",
        "json",
      ]);
      assert.equal(r.code, 0, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.userStatistics.length, many.length);
      assert.deepEqual(
        doc.userStatistics.map((s: { userName: string }) => s.userName),
        many,
      );
      assert.equal(
        doc.totalOnlineCount,
        bigNames(150).reduce((sum, n) => sum + bigCount(n), 0),
      );
      assert.equal(doc.requestIds.length, 201);
      assert.equal(new Set(doc.requestIds).size, 201);
      assert.equal(emulator.requests.length, 201);
    });

    it("writes nothing to stderr when stderr is a pipe", async () => {
      const r = await stats([...big, "--user", names.join(","), "--format", "csv"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.equal(r.stdout.trim().split("\n").length, 121);
    });

    it("counts requests done on stderr when SMARTAG_PROGRESS=1 forces the indicator", async () => {
      const r = await stats([...big, "--user", names.join(","), "--concurrency", "1"], {
        env: { SMARTAG_PROGRESS: "1" },
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        r.stderr,
        "smartag-stats: 1/3 requests\nsmartag-stats: 2/3 requests\nsmartag-stats: 3/3 requests\n",
      );
      assert.doesNotMatch(r.stdout, /requests/);
    });

    it("shows no progress for 50 names or fewer, nor with --quiet, even when forced", async () => {
      const few = await stats([...big, "--user", names.slice(0, 50).join(",")], {
        env: { SMARTAG_PROGRESS: "1" },
      });
      assert.equal(few.code, 0, few.stderr);
      assert.equal(few.stderr, "");
      const quiet = await stats([...big, "--user", names.join(","), "--quiet"], {
        env: { SMARTAG_PROGRESS: "1" },
      });
      assert.equal(quiet.code, 0, quiet.stderr);
      assert.equal(quiet.stderr, "");
    });
  });

  describe("process behaviour", () => {
    it("exits 130 on SIGINT while a request hangs", async () => {
      // A server that accepts and never answers: the CLI is surely mid-request when signalled.
      const sockets: Socket[] = [];
      let connected!: () => void;
      const reached = new Promise<void>((resolve) => {
        connected = resolve;
      });
      const server = createServer((socket) => {
        sockets.push(socket);
        connected();
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const port = (server.address() as { port: number }).port;
      try {
        let child: ChildProcess | undefined;
        const run = stats([...DEMO, "--user", "doctest"], {
          env: { SMARTAG_ENDPOINT: `http://127.0.0.1:${port}` },
          onSpawn: (c) => {
            child = c;
          },
        });
        await reached;
        child?.kill("SIGINT");
        const r = await run;
        assert.equal(r.code, 130);
        assert.match(r.stderr, /smartag-stats: interrupted/);
        assert.equal(r.stdout, "");
      } finally {
        for (const s of sockets) s.destroy();
        server.close();
      }
    });

    it("prints every flag and the exit codes with --help, without credentials or network", async () => {
      const r = await runCli(["--help"]);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^Usage: smartag-stats/);
      for (const flag of [
        "--region",
        "--sag",
        "--user",
        "--users-file",
        "--endpoint",
        "--profile",
        "--format",
        "--max-online",
        "--max-total",
        "--require-none-online",
        "--concurrency",
        "--timeout-ms",
        "--quiet",
        "--verbose",
        "--help",
        "--version",
        "--max-names",
        "--max-input-bytes",
      ]) {
        assert.match(r.stdout, new RegExp(`^ +${flag}\\b`, "m"), `${flag} is not explained`);
      }
      for (const code of ["0", "1", "2", "3", "4", "130"]) {
        assert.match(r.stdout, new RegExp(`^ +${code} +\\S`, "m"), `exit code ${code} is missing`);
      }
      assert.match(r.stdout, /never taken from flags/);
    });

    it("prints the package version with --version", async () => {
      const r = await runCli(["--version"]);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^smartag-stats \d+\.\d+\.\d+\n$/);
    });

    it("never loads @pulumi/pulumi, even for a full query", async () => {
      const probe = tempFile(
        "probe.js",
        `process.on("exit", () => process.stderr.write("pulumi loaded: " + Object.keys(require.cache).some((p) => p.includes("@pulumi")) + "\\n"));`,
      );
      const r = await stats([...DEMO, "--user", "doctest"], { nodeArgs: ["--require", probe] });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "pulumi loaded: false\n");
    });
  });

  describe("secrets", () => {
    it("never prints a credential on stdout or stderr, in any of the runs above or with STS keys", async () => {
      const sts = {
        ALIBABA_CLOUD_ACCESS_KEY_ID: STS_KEY.id,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: STS_KEY.secret,
        ALIBABA_CLOUD_SECURITY_TOKEN: STS_KEY.securityToken,
      };
      emulator.setFaults({ throttleRate: 0.5, seed: 11 });
      await stats([...DEMO, "--user", "doctest", "--verbose"], { env: sts });
      await stats([...DEMO, "--user", "doctest"], {
        env: { ...sts, ALIBABA_CLOUD_SECURITY_TOKEN: "emulator-sts-token-wrong" },
      });
      await stats(["--region", "cn-shanghai", "--sag", "sag-nothere1", "--user", "doctest"], {
        env: sts,
      });
      assert.ok(outputs.length >= 20, "the earlier runs were recorded");
      for (const [i, r] of outputs.entries()) {
        assertNoSecrets(r.stdout, [...SECRETS, "emulator-sts-token-wrong"], `stdout of run ${i}`);
        assertNoSecrets(r.stderr, [...SECRETS, "emulator-sts-token-wrong"], `stderr of run ${i}`);
      }
    });
  });
});
