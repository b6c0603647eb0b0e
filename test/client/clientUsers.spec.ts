// The account list, the connected devices and the all-accounts statistics, over real HTTP to the
// emulator; a few broken answers the emulator never gives come from a small server here.
import assert from "node:assert/strict";
import { once } from "node:events";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import {
  CLIENT_USERS_ACTION,
  type ClientEvent,
  type ClientUser,
  ONLINE_CLIENTS_ACTION,
  type SettingsInput,
  SmartagApiError,
  SmartagError,
  SmartagValidationError,
} from "@pulumi-smartag/client";
import {
  type Fixture,
  type FixtureUser,
  type RunningEmulator,
  startEmulator,
} from "../../emulator";
import { clientFromSettings } from "../helpers/client";
import {
  fixtureWithManyAccounts,
  MANY_ACCOUNTS_INSTANCE,
  manyAccounts,
} from "../helpers/manyAccounts";

const KEY1 = { accessKey: "LTAI5tEmulatorKey01", secretKey: "emulator-secret-01" };
const ACCT = "sag-acct0001";

/** The default fixture with `users` as the accounts of MANY_ACCOUNTS_INSTANCE. */
function withAccounts(users: Record<string, FixtureUser>): Fixture {
  const fixture = fixtureWithManyAccounts(1);
  const shanghai = { ...fixture.regions["cn-shanghai"], [MANY_ACCOUNTS_INSTANCE]: { users } };
  return { ...fixture, regions: { ...fixture.regions, "cn-shanghai": shanghai } };
}

/** What the client should make of manyAccounts(n)'s account i (1-based). */
function expectedAccount(i: number): ClientUser {
  const name = `account${String(i).padStart(4, "0")}`;
  return {
    userName: name,
    userMail: `${name}@example.com`,
    clientIp: `10.20.${i >> 8}.${i & 255}`,
    bandwidth: i * 10,
    accelerateBandwidth: i % 2 === 0 ? 100 : 0,
    enabled: i % 3 !== 0,
    isStaticIp: i % 2 === 0,
  };
}

describe("SmartagClient: client accounts and their devices, against the emulator", () => {
  let emulator: RunningEmulator;
  before(async () => {
    emulator = await startEmulator({ fixture: fixtureWithManyAccounts(120) });
  });
  after(async () => emulator.close());
  beforeEach(() => {
    emulator.setFixture(fixtureWithManyAccounts(120));
    emulator.setFaults({});
    emulator.resetLog();
  });

  const client = (extra: SettingsInput = {}, onEvent?: (e: ClientEvent) => void) =>
    clientFromSettings(
      {
        region: "cn-shanghai",
        endpoint: emulator.url,
        ...KEY1,
        retryBaseDelayMs: 1,
        retryMaxDelayMs: 5,
        ...extra,
      },
      { env: {}, ...(onEvent ? { onEvent } : {}) },
    );

  describe("describeSmartAccessGatewayClientUsers", () => {
    it("maps every field of an account, in one request of page size 50", async () => {
      const result = await client().describeSmartAccessGatewayClientUsers({ smartAgId: ACCT });
      assert.deepEqual(result.users, [
        {
          userName: "erin.ops",
          userMail: "erin@example.com",
          clientIp: "10.10.0.2",
          bandwidth: 2000,
          accelerateBandwidth: 1000,
          enabled: true,
          isStaticIp: true,
        },
        {
          userName: "frank-ro",
          userMail: "frank@example.com",
          clientIp: "",
          bandwidth: 500,
          accelerateBandwidth: 0,
          enabled: false,
          isStaticIp: false,
        },
        {
          userName: "grace001",
          userMail: "",
          clientIp: "",
          bandwidth: 0,
          accelerateBandwidth: 0,
          enabled: true,
          isStaticIp: false,
        },
      ]);
      assert.equal(result.totalCount, 3);
      assert.equal(result.regionId, "cn-shanghai");
      assert.equal(result.smartAgId, ACCT);
      assert.equal(result.requestIds.length, 1);
      assert.equal(emulator.requests.length, 1);
      assert.equal(emulator.requests[0]?.action, CLIENT_USERS_ACTION);
      assert.equal(emulator.requests[0]?.params.PageNumber, "1");
      assert.equal(emulator.requests[0]?.params.PageSize, "50");
    });

    it("reads every page of 120 accounts, in the API's order", async () => {
      const result = await client().describeSmartAccessGatewayClientUsers({
        smartAgId: MANY_ACCOUNTS_INSTANCE,
      });
      assert.deepEqual(
        result.users,
        Array.from({ length: 120 }, (_, i) => expectedAccount(i + 1)),
      );
      assert.equal(result.totalCount, 120);
      assert.equal(result.requestIds.length, 3);
      assert.equal(new Set(result.requestIds).size, 3);
      assert.deepEqual(
        emulator.requests.map((r) => `${r.params.PageNumber}/${r.params.PageSize}`).sort(),
        ["1/50", "2/50", "3/50"],
      );
    });

    it("sends the UserName and UserMail filters", async () => {
      const byMail = await client().describeSmartAccessGatewayClientUsers({
        smartAgId: MANY_ACCOUNTS_INSTANCE,
        userMail: "account0007@example.com",
      });
      assert.deepEqual(byMail.users, [expectedAccount(7)]);
      const byName = await client().describeSmartAccessGatewayClientUsers({
        smartAgId: MANY_ACCOUNTS_INSTANCE,
        userName: "account0099",
      });
      assert.deepEqual(byName.users, [expectedAccount(99)]);
      assert.equal(emulator.requests[0]?.params.UserMail, "account0007@example.com");
      assert.equal(emulator.requests[1]?.params.UserName, "account0099");
    });

    it("answers an instance without accounts with an empty list, in one request", async () => {
      emulator.setFixture(withAccounts({}));
      const result = await client().describeSmartAccessGatewayClientUsers({
        smartAgId: MANY_ACCOUNTS_INSTANCE,
      });
      assert.deepEqual(result.users, []);
      assert.equal(result.totalCount, 0);
      assert.equal(emulator.requests.length, 1);
    });

    it("fails whole, retryable, when TotalCount changes between pages", async () => {
      let changed = false;
      const c = client({ concurrency: 1 }, (e) => {
        // Another account appears once page 1 has answered.
        if (e.type === "response" && !changed) {
          changed = true;
          emulator.setFixture(fixtureWithManyAccounts(121));
        }
      });
      await assert.rejects(
        c.describeSmartAccessGatewayClientUsers({ smartAgId: MANY_ACCOUNTS_INSTANCE }),
        (e) => {
          assert.ok(SmartagError.isInstance(e), String(e));
          assert.equal(e.code, "InconsistentResponse.TotalCountChanged");
          assert.equal(e.retryable, true);
          assert.match(e.requestId ?? "", /^[0-9A-F-]{36}$/);
          assert.match(
            e.message,
            /TotalCount was 120 on page 1 and 121 on page 2; try again \(RequestIds: [0-9A-F-]{36}, [0-9A-F-]{36}\)$/,
          );
          return true;
        },
      );
      assert.equal(emulator.requests.length, 2, "no page after the change is read");
    });

    it("fails whole when an account shows on two pages", async () => {
      let changed = false;
      const c = client({ concurrency: 1 }, (e) => {
        // One account added in front and the last removed: the count stays, the pages shift.
        if (e.type === "response" && !changed) {
          changed = true;
          const shifted = Object.entries(manyAccounts(120)).slice(0, 119);
          emulator.setFixture(withAccounts(Object.fromEntries([["newcomer1", 0], ...shifted])));
        }
      });
      await assert.rejects(
        c.describeSmartAccessGatewayClientUsers({ smartAgId: MANY_ACCOUNTS_INSTANCE }),
        (e) => {
          assert.ok(SmartagError.isInstance(e), String(e));
          assert.equal(e.code, "InconsistentResponse.DuplicateUserName");
          assert.equal(e.retryable, true);
          assert.match(e.message, /account0050 of sag-accounts1 is listed on page 1 and again/);
          return true;
        },
      );
    });

    it("reads 10,000 accounts, and refuses 10,001 after the first page", async () => {
      const plain = (n: number) =>
        Object.fromEntries(
          Array.from({ length: n }, (_, i) => [`member${String(i).padStart(5, "0")}`, 0]),
        );
      emulator.setFixture(withAccounts(plain(10_000)));
      const all = await client({ concurrency: 8 }).describeSmartAccessGatewayClientUsers({
        smartAgId: MANY_ACCOUNTS_INSTANCE,
      });
      assert.equal(all.users.length, 10_000);
      assert.equal(all.users[9_999]?.userName, "member09999");
      assert.equal(all.requestIds.length, 200);

      emulator.setFixture(withAccounts(plain(10_001)));
      emulator.resetLog();
      await assert.rejects(
        client().describeSmartAccessGatewayClientUsers({ smartAgId: MANY_ACCOUNTS_INSTANCE }),
        (e) => {
          assert.ok(SmartagError.isInstance(e), String(e));
          assert.equal(e.code, "TooManyClientUsers");
          assert.equal(e.retryable, false);
          assert.match(
            e.message,
            /^SAG instance sag-accounts1 has 10001 client accounts; one call reads at most 10000 \(RequestId: [0-9A-F-]{36}\)$/,
          );
          return true;
        },
      );
      assert.equal(emulator.requests.length, 1);
    });

    it("keeps the API's code and RequestId for an unknown instance", async () => {
      await assert.rejects(
        client().describeSmartAccessGatewayClientUsers({ smartAgId: "sag-gone0001" }),
        (e) => {
          assert.ok(e instanceof SmartagApiError, String(e));
          assert.equal(e.code, "SAG.InstanceNoFound");
          assert.match(e.requestId ?? "", /^[0-9A-F-]{36}$/);
          return true;
        },
      );
    });
  });

  describe("describeUserOnlineClients", () => {
    it("answers each device with Unix seconds and ISO-8601", async () => {
      const result = await client().describeUserOnlineClients({
        smartAgId: ACCT,
        userName: "erin.ops",
      });
      assert.deepEqual(result.clients, [
        { clientIp: "10.10.0.2", onlineTime: 1559125519, onlineSince: "2019-05-29T10:25:19.000Z" },
        {
          clientIp: "192.168.7.20",
          onlineTime: 1559129000,
          onlineSince: "2019-05-29T11:23:20.000Z",
        },
      ]);
      assert.equal(result.userName, "erin.ops");
      assert.equal(result.smartAgId, ACCT);
      assert.equal(result.regionId, "cn-shanghai");
      assert.equal(result.requestIds.length, 1);
      assert.equal(emulator.requests[0]?.action, ONLINE_CLIENTS_ACTION);
      assert.equal(emulator.requests[0]?.params.UserName, "erin.ops");
    });

    it("answers an account with nobody online, and an unknown one, with no devices", async () => {
      for (const userName of ["frank-ro", "nobody-here"]) {
        const result = await client().describeUserOnlineClients({ smartAgId: ACCT, userName });
        assert.deepEqual(result.clients, []);
      }
    });
  });

  describe("describeUserOnlineClientStatistics without userNames", () => {
    it("lists 120 accounts on 3 pages, then counts them all in 3 batches", async () => {
      const responses: string[] = [];
      const result = await client({}, (e) => {
        if (e.type === "response") responses.push(e.requestId);
      }).describeUserOnlineClientStatistics({ smartAgId: MANY_ACCOUNTS_INSTANCE });
      assert.deepEqual(
        result.userStatistics,
        Array.from({ length: 120 }, (_, i) => ({
          userName: expectedAccount(i + 1).userName,
          onlineCount: (i + 1) % 3,
        })),
      );
      assert.equal(result.totalOnlineCount, 120);
      assert.deepEqual(
        emulator.requests.map((r) => r.action),
        [
          ...Array(3).fill(CLIENT_USERS_ACTION),
          ...Array(3).fill("DescribeUserOnlineClientStatistics"),
        ],
      );
      assert.equal(result.requestIds.length, 6);
      assert.deepEqual(new Set(result.requestIds.slice(0, 3)), new Set(responses.slice(0, 3)));
      assert.deepEqual(new Set(result.requestIds), new Set(responses));
    });

    it("answers an instance without accounts with an empty list and 0", async () => {
      emulator.setFixture(withAccounts({}));
      const result = await client().describeUserOnlineClientStatistics({
        smartAgId: MANY_ACCOUNTS_INSTANCE,
      });
      assert.deepEqual(result.userStatistics, []);
      assert.equal(result.totalOnlineCount, 0);
      assert.equal(result.requestIds.length, 1);
      assert.equal(emulator.requests.length, 1);
    });

    it("keeps a list given apart from the all-accounts answer in the cache", async () => {
      const cached = client({ cacheTtlMs: 60_000 });
      const all = await cached.describeUserOnlineClientStatistics({ smartAgId: ACCT });
      const some = await cached.describeUserOnlineClientStatistics({
        smartAgId: ACCT,
        userNames: ["grace001"],
      });
      assert.deepEqual(
        all.userStatistics.map((s) => s.userName),
        ["erin.ops", "frank-ro", "grace001"],
      );
      assert.equal(all.totalOnlineCount, 5);
      assert.deepEqual(some.userStatistics, [{ userName: "grace001", onlineCount: 3 }]);
    });
  });

  it("rejects bad input to every new entry point before any request", async () => {
    const c = client();
    const cases: [() => Promise<unknown>, { property: string; reason: string }[]][] = [
      [
        () =>
          c.describeSmartAccessGatewayClientUsers({
            smartAgId: "acct0001",
            userName: "ab",
            userMail: "not-an-address",
          }),
        [
          { property: "smartAgId", reason: "must be a SAG instance id such as sag-sfjg1234" },
          { property: "userName", reason: "must be at least 7 characters" },
          { property: "userMail", reason: "must be an email address such as alice@example.com" },
        ],
      ],
      [
        () => c.describeSmartAccessGatewayClientUsers({ userNames: ["doctest"] } as never),
        [
          {
            property: "smartAgId",
            reason: "is required: the SAG APP instance id, such as sag-sfjg1234",
          },
          {
            property: "userNames",
            reason: "is not a known argument (expected regionId, smartAgId, userName, userMail)",
          },
        ],
      ],
      [
        () => c.describeUserOnlineClients({ smartAgId: ACCT } as never),
        [{ property: "userName", reason: "is required: a username" }],
      ],
      [
        () => c.describeUserOnlineClients({ smartAgId: ACCT, userName: "bad name!" }),
        [
          {
            property: "userName",
            reason:
              "must start with a letter or digit and contain only letters, digits, and the characters _ @ . -",
          },
        ],
      ],
      [
        () => c.describeUserOnlineClientStatistics({ smartAgId: ACCT, userNames: [] }),
        [
          {
            property: "userNames",
            reason: "must list at least one username (leave it out to count every account)",
          },
        ],
      ],
    ];
    for (const [call, issues] of cases) {
      await assert.rejects(call, (e) => {
        assert.ok(e instanceof SmartagValidationError, String(e));
        assert.deepEqual(e.issues, issues);
        return true;
      });
    }
    const noRegion = clientFromSettings({ endpoint: emulator.url, ...KEY1 }, { env: {} });
    for (const call of [
      () => noRegion.describeSmartAccessGatewayClientUsers({ smartAgId: ACCT }),
      () => noRegion.describeUserOnlineClients({ smartAgId: ACCT, userName: "erin.ops" }),
      () => noRegion.describeUserOnlineClientStatistics({ smartAgId: ACCT }),
    ]) {
      await assert.rejects(call, /regionId: is required when the provider has no region/);
    }
    assert.equal(emulator.requests.length, 0);
  });
});

describe("SmartagClient: account and device answers the emulator never gives", () => {
  let server: http.Server;
  let url: string;
  /** The next answers, one per request, in order. */
  let answers: unknown[] = [];
  before(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(answers.shift() ?? {}));
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  const client = () =>
    clientFromSettings(
      { region: "cn-shanghai", endpoint: url, ...KEY1, maxAttempts: 1 },
      { env: {} },
    );
  const user = (name: string) => ({
    UserName: name,
    Bandwidth: 1,
    AccelerateBandwidth: 0,
    State: "0",
    IsStaticIp: 0,
  });

  it("fails when a page holds fewer accounts than TotalCount promises", async () => {
    answers = [
      { RequestId: "R-1", TotalCount: "3", Users: { User: [user("alice01"), user("bobby01")] } },
    ];
    await assert.rejects(
      client().describeSmartAccessGatewayClientUsers({ smartAgId: ACCT }),
      (e) => {
        assert.ok(SmartagError.isInstance(e), String(e));
        assert.equal(e.code, "InvalidResponse.Mismatch");
        assert.equal(
          e.message,
          "page 1 of the client accounts of sag-acct0001 holds 2 accounts where TotalCount 3 and PageSize 50 promise 3 (RequestId: R-1)",
        );
        return true;
      },
    );
  });

  it("reads numbers, numeric strings and a one-item list as the item itself", async () => {
    answers = [
      { RequestId: "R-2", TotalCount: 1, Users: { User: { ...user("alice01"), State: 1 } } },
    ];
    const users = await client().describeSmartAccessGatewayClientUsers({ smartAgId: ACCT });
    assert.equal(users.users[0]?.enabled, false);
    answers = [
      { RequestId: "R-3", Users: { User: [{ ClientIp: "10.0.0.9", OnlineTime: 1559125519 }] } },
    ];
    const devices = await client().describeUserOnlineClients({
      smartAgId: ACCT,
      userName: "alice01",
    });
    assert.deepEqual(devices.clients, [
      { clientIp: "10.0.0.9", onlineTime: 1559125519, onlineSince: "2019-05-29T10:25:19.000Z" },
    ]);
  });

  it("refuses an OnlineTime that is not Unix seconds, and a State that is not 0 or 1", async () => {
    for (const OnlineTime of ["2019-05-29", -5, 1.5, "99999999999999"]) {
      answers = [{ RequestId: "R-4", Users: { User: [{ ClientIp: "10.0.0.9", OnlineTime }] } }];
      await assert.rejects(
        client().describeUserOnlineClients({ smartAgId: ACCT, userName: "alice01" }),
        (e) =>
          SmartagError.isInstance(e) &&
          e.code === "InvalidResponse.Shape" &&
          e.message.includes("Users.User.0.OnlineTime"),
      );
    }
    answers = [
      { RequestId: "R-5", TotalCount: 1, Users: { User: [{ ...user("alice01"), State: 2 }] } },
    ];
    await assert.rejects(
      client().describeSmartAccessGatewayClientUsers({ smartAgId: ACCT }),
      (e) => SmartagError.isInstance(e) && e.message.includes("Users.User.0.State"),
    );
  });
});
