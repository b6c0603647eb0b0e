// The commands that need no list of accounts (`instances`, `--all-users`) and the devices of one
// account (`clients`), run as a CI job runs them: the compiled CLI in a child process against
// the emulator over HTTP.
import assert from "node:assert/strict";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import { assertNoSecrets } from "../helpers/secrets";
import { type CliResult, ensureBuilt, keyEnv, type RunOptions, runCli, SECRETS } from "./helpers";

const SHANGHAI = ["--region", "cn-shanghai"];

describe("smartag-stats commands without a list of accounts", () => {
  let emulator: RunningEmulator;
  const outputs: CliResult[] = [];

  before(async () => {
    ensureBuilt();
    const base = loadDefaultFixture();
    const shanghai = base.regions["cn-shanghai"];
    // An instance whose only account is offline, next to the default ones.
    const fixture = {
      ...base,
      regions: {
        ...base.regions,
        "cn-shanghai": { ...shanghai, "sag-idle0001": { users: { "idle-user1": 0 } } },
      },
    };
    emulator = await startEmulator({ fixture });
  });
  after(async () => emulator?.close());
  beforeEach(() => emulator.resetLog());

  const stats = async (args: readonly string[], options: RunOptions = {}) => {
    const result = await runCli(args, {
      ...options,
      env: { SMARTAG_ENDPOINT: emulator.url, ...keyEnv(), ...options.env },
    });
    outputs.push(result);
    return result;
  };
  const actions = () => emulator.requests.map((r) => r.action);

  describe("instances", () => {
    it("prints every instance's total over all its accounts, and their sum, in one request", async () => {
      const r = await stats([
        "instances",
        ...SHANGHAI,
        ...["--sag", "sag-demo0001,sag-idle0001", "--sag", "sag-big0001"],
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.equal(
        r.stdout,
        [
          "SAG instances (cn-shanghai)",
          "INSTANCE      ONLINE",
          "sag-demo0001       8",
          "sag-idle0001       0",
          "sag-big0001      225",
          "TOTAL            233",
          "",
        ].join("\n"),
      );
      assert.deepEqual(actions(), ["DescribeSagOnlineClientStatistics"]);
      assert.deepEqual(emulator.requests[0]?.params, {
        ...emulator.requests[0]?.params,
        "SmartAGIds.1": "sag-demo0001",
        "SmartAGIds.2": "sag-idle0001",
        "SmartAGIds.3": "sag-big0001",
      });
    });

    it("prints the function's result as JSON, and smartAgId,onlineCount rows as CSV", async () => {
      const json = await stats([
        "instances",
        ...SHANGHAI,
        ...["--sag", "sag-idle0001,sag-demo0001", "--format", "json"],
      ]);
      assert.equal(json.code, 0, json.stderr);
      const doc = JSON.parse(json.stdout);
      assert.equal(doc.requestIds.length, 1);
      assert.deepEqual(
        { ...doc, requestIds: [] },
        {
          regionId: "cn-shanghai",
          statistics: [
            { smartAgId: "sag-idle0001", onlineCount: 0 },
            { smartAgId: "sag-demo0001", onlineCount: 8 },
          ],
          totalOnlineCount: 8,
          requestIds: [],
        },
      );
      const csv = await stats([
        "instances",
        ...SHANGHAI,
        ...["--sag", "sag-idle0001,sag-demo0001", "--format", "csv"],
      ]);
      assert.equal(csv.code, 0, csv.stderr);
      assert.equal(csv.stdout, "smartAgId,onlineCount\nsag-idle0001,0\nsag-demo0001,8\n");
    });

    it("exits 0 with --require-none-online while every instance is idle", async () => {
      const r = await stats([
        "instances",
        ...SHANGHAI,
        ...["--sag", "sag-idle0001", "--require-none-online", "--format", "json"],
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout).violations, []);
    });

    it("exits 3 naming each instance online when --require-none-online is given", async () => {
      const r = await stats([
        "instances",
        ...SHANGHAI,
        ...["--sag", "sag-demo0001,sag-idle0001", "--require-none-online", "--format", "json"],
      ]);
      assert.equal(r.code, 3);
      assert.equal(
        r.stderr,
        "smartag-stats: 2 SAG instances (cn-shanghai): 1 limit violation:\n" +
          "  - sag-demo0001: 8 online, none allowed\n",
      );
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.totalOnlineCount, 8, "the statistics are still printed");
      assert.deepEqual(doc.violations, [
        { kind: "requireNoneOnline", smartAgId: "sag-demo0001", onlineCount: 8, limit: 0 },
      ]);
    });

    it("holds --max-online per instance and --max-total to the sum", async () => {
      const r = await stats([
        "instances",
        ...SHANGHAI,
        ...["--sag", "sag-demo0001,sag-big0001", "--max-online", "8", "--max-total", "200"],
      ]);
      assert.equal(r.code, 3);
      assert.match(r.stdout, /^TOTAL\s+233$/m);
      assert.equal(
        r.stderr,
        [
          "smartag-stats: 2 SAG instances (cn-shanghai): 2 limit violations:",
          "  - sag-big0001: 225 online, limit 8 per instance",
          "  - total: 233 online, limit 200",
          "",
        ].join("\n"),
      );
    });

    it("exits 1 naming the unknown instance, with the API code and RequestId", async () => {
      const r = await stats(["instances", ...SHANGHAI, "--sag", "sag-demo0001,sag-nosuch01"]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /InvalidId\.SMARTAG: .*\(smartAgId sag-nosuch01\)/);
      assert.match(r.stderr, /RequestId: [0-9A-F-]{36}/);
      assert.match(r.stderr, /^hint: check --sag and --region/m);
    });

    it("exits 2 before any request naming each bad id, a missing --sag, and flags it has no use for", async () => {
      const bad = await stats([
        "instances",
        ...SHANGHAI,
        ...["--sag", "sag-demo0001,,demo", "--user", "doctest", "--max-names", "5"],
      ]);
      assert.equal(bad.code, 2);
      assert.equal(bad.stdout, "");
      for (const expected of [
        /- --sag "sag-demo0001,,demo": has an empty id between commas/,
        /- --sag "demo": must be a SAG instance id such as sag-sfjg1234/,
        /- --user: is not used by smartag-stats instances: it counts every account of each instance/,
        /- --max-names: is not used by smartag-stats instances/,
      ]) {
        assert.match(bad.stderr, expected);
      }
      const none = await stats(["instances", ...SHANGHAI]);
      assert.equal(none.code, 2);
      assert.match(none.stderr, /- --sag: is required: one or more SAG instance ids/);
      const late = await stats([...SHANGHAI, "--sag", "sag-demo0001", "instances"]);
      assert.equal(late.code, 2);
      assert.match(late.stderr, /- instances: a command goes first/);
      assert.equal(emulator.requests.length, 0, "nothing was sent");
    });
  });

  describe("--all-users", () => {
    it("lists every account of the instance first, then counts them all", async () => {
      const r = await stats([...SHANGHAI, "--sag", "sag-demo0001", "--all-users"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        r.stdout,
        [
          "SAG instance sag-demo0001 (cn-shanghai)",
          "USER               ONLINE",
          "doctest                 2",
          "alice@example.com       0",
          "bob.smith               5",
          "carol_01                1",
          "TOTAL                   8",
          "",
        ].join("\n"),
      );
      assert.deepEqual(actions(), [
        "DescribeSmartAccessGatewayClientUsers",
        "DescribeUserOnlineClientStatistics",
      ]);
    });

    it("reads more than one page of more than 50 accounts, with the limits and every format", async () => {
      const csv = await stats([
        ...SHANGHAI,
        ...["--sag", "sag-big0001", "--all-users", "--format", "csv"],
      ]);
      assert.equal(csv.code, 0, csv.stderr);
      const rows = csv.stdout.trim().split("\n");
      assert.equal(rows[0], "userName,onlineCount");
      assert.equal(rows.length, 151);
      assert.equal(rows[150], "user0150,2");
      const pages = actions().filter((a) => a === "DescribeSmartAccessGatewayClientUsers");
      assert.ok(pages.length > 1, `${pages.length} page(s)`);

      emulator.resetLog();
      const json = await stats([
        ...SHANGHAI,
        ...["--sag", "sag-big0001", "--all-users", "--max-online", "2", "--format", "json"],
      ]);
      assert.equal(json.code, 3);
      const doc = JSON.parse(json.stdout);
      assert.equal(doc.userStatistics.length, 150);
      assert.equal(doc.totalOnlineCount, 225);
      assert.equal(doc.violations.length, 37, "every account with 3 online");
      assert.equal(doc.requestIds.length, actions().length, "one RequestId per request");
      assert.match(
        json.stderr,
        /^smartag-stats: SAG instance sag-big0001 \(cn-shanghai\): 37 limit violations:$/m,
      );
      assert.match(json.stderr, /^ {2}- user0003: 3 online, limit 2 per user$/m);
    });

    it("exits 2 before any request when --all-users comes with --user or --users-file", async () => {
      const withUser = await stats([
        ...SHANGHAI,
        ...["--sag", "sag-demo0001", "--all-users", "--user", "doctest"],
      ]);
      assert.equal(withUser.code, 2);
      assert.match(
        withUser.stderr,
        /- --all-users: cannot be combined with --user: it reads every account of the instance itself/,
      );
      const withFile = await stats(
        [...SHANGHAI, "--sag", "sag-demo0001", "--users-file", "-", "--all-users"],
        { stdin: "doctest\n" },
      );
      assert.equal(withFile.code, 2);
      assert.match(withFile.stderr, /- --all-users: cannot be combined with --users-file/);
      const noSag = await stats([...SHANGHAI, "--all-users"]);
      assert.equal(noSag.code, 2);
      assert.match(noSag.stderr, /- --sag: is required/);
      assert.doesNotMatch(noSag.stderr, /--user/);
      assert.equal(emulator.requests.length, 0, "nothing was sent");
    });
  });

  describe("clients", () => {
    const ERIN = [...SHANGHAI, "--sag", "sag-acct0001", "--user", "erin.ops"];

    it("prints the devices of one account: address, Unix time and ISO time", async () => {
      const r = await stats(["clients", ...ERIN]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        r.stdout,
        [
          "SAG instance sag-acct0001 (cn-shanghai), account erin.ops: 2 online",
          "CLIENT IP     ONLINE TIME  ONLINE SINCE",
          "10.10.0.2      1559125519  2019-05-29T10:25:19.000Z",
          "192.168.7.20   1559129000  2019-05-29T11:23:20.000Z",
          "",
        ].join("\n"),
      );
      assert.deepEqual(actions(), ["DescribeUserOnlineClients"]);
    });

    it("prints the function's result as JSON, and clientIp,onlineTime,onlineSince rows as CSV", async () => {
      const json = await stats(["clients", ...ERIN, "--format", "json"]);
      assert.equal(json.code, 0, json.stderr);
      const doc = JSON.parse(json.stdout);
      assert.equal(doc.requestIds.length, 1);
      assert.deepEqual(
        { ...doc, requestIds: [] },
        {
          regionId: "cn-shanghai",
          smartAgId: "sag-acct0001",
          userName: "erin.ops",
          clients: [
            {
              clientIp: "10.10.0.2",
              onlineTime: 1559125519,
              onlineSince: "2019-05-29T10:25:19.000Z",
            },
            {
              clientIp: "192.168.7.20",
              onlineTime: 1559129000,
              onlineSince: "2019-05-29T11:23:20.000Z",
            },
          ],
          requestIds: [],
        },
      );
      const csv = await stats(["clients", ...ERIN, "--format", "csv"]);
      assert.equal(
        csv.stdout,
        "clientIp,onlineTime,onlineSince\n" +
          "10.10.0.2,1559125519,2019-05-29T10:25:19.000Z\n" +
          "192.168.7.20,1559129000,2019-05-29T11:23:20.000Z\n",
      );
    });

    it("holds the number of devices to --max-online and --require-none-online, naming the account", async () => {
      const over = await stats(["clients", ...ERIN, "--max-online", "1", "--format", "json"]);
      assert.equal(over.code, 3);
      assert.equal(
        over.stderr,
        "smartag-stats: SAG instance sag-acct0001 (cn-shanghai): 1 limit violation:\n" +
          "  - erin.ops: 2 online, limit 1 per user\n",
      );
      assert.equal(JSON.parse(over.stdout).clients.length, 2, "the devices are still printed");
      const idle = await stats([
        "clients",
        ...[...SHANGHAI, "--sag", "sag-acct0001", "--user", "frank-ro", "--require-none-online"],
      ]);
      assert.equal(idle.code, 0, idle.stderr);
      assert.match(idle.stdout, /account frank-ro: 0 online\nCLIENT IP/);
    });

    it("exits 2 before any request when not given exactly one good account, or given flags it has no use for", async () => {
      const two = await stats([
        "clients",
        ...[
          ...SHANGHAI,
          "--sag",
          "sag-acct0001",
          "--user",
          "erin.ops,frank-ro",
          "--max-total",
          "3",
        ],
      ]);
      assert.equal(two.code, 2);
      assert.match(two.stderr, /- --user: smartag-stats clients takes one account \(got 2\)/);
      assert.match(two.stderr, /- --max-total: is not used by smartag-stats clients/);
      const none = await stats(["clients", ...SHANGHAI, "--sag", "sag-acct0001"]);
      assert.equal(none.code, 2);
      assert.match(none.stderr, /- --user: is required: the account whose devices to list/);
      const bad = await stats(["clients", ...SHANGHAI, "--sag", "acct", "--user", "ab"]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /- --sag: must be a SAG instance id/);
      assert.match(bad.stderr, /- --user "ab": must be at least 7 characters/);
      const all = await stats(["clients", ...ERIN, "--all-users"]);
      assert.equal(all.code, 2);
      assert.match(all.stderr, /- --all-users: is not used by smartag-stats clients/);
      assert.equal(emulator.requests.length, 0, "nothing was sent");
    });
  });

  describe("secrets", () => {
    it("never prints a credential in any of the runs above", () => {
      assert.ok(outputs.length >= 20, "the earlier runs were recorded");
      for (const [i, r] of outputs.entries()) {
        assertNoSecrets(r.stdout, SECRETS, `stdout of run ${i}`);
        assertNoSecrets(r.stderr, SECRETS, `stderr of run ${i}`);
      }
    });
  });
});
