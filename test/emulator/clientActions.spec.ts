import assert from "node:assert/strict";
import { type RunningEmulator, startEmulator } from "../../emulator";
import { fixtureWithManyAccounts, MANY_ACCOUNTS_INSTANCE } from "../helpers/manyAccounts";
import { expectError, REQUEST_ID, type Reply, send, signedParams } from "./helpers";
import { sendV3 } from "./helpersV3";

const callV2 = (url: string, action: string, params: Record<string, string | undefined>) =>
  send(url, signedParams({ params: { Action: action, ...params } }));

const ok = (reply: Reply) => {
  assert.equal(reply.status, 200, reply.text);
  assert.match(reply.json.RequestId as string, REQUEST_ID);
  return reply.json;
};
const usersOf = (reply: Reply) => (ok(reply).Users as { User: Record<string, unknown>[] }).User;
const defaults = {
  UserMail: "",
  ClientIp: "",
  Bandwidth: 0,
  AccelerateBandwidth: 0,
  State: 0,
  IsStaticIp: 0,
};

describe("emulator DescribeSmartAccessGatewayClientUsers and DescribeUserOnlineClients", () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator({ fixture: fixtureWithManyAccounts(120) });
  });
  after(() => emu.close());

  describe("DescribeSmartAccessGatewayClientUsers", () => {
    const call = (params: Record<string, string | undefined>) =>
      callV2(emu.url, "DescribeSmartAccessGatewayClientUsers", {
        RegionId: "cn-shanghai",
        ...params,
      });

    it("lists number-form users in fixture order with the documented defaults, page 1 of 10", async () => {
      const body = ok(await call({ SmartAGId: "sag-demo0001" }));
      assert.deepEqual(Object.keys(body).sort(), [
        "PageNumber",
        "PageSize",
        "RequestId",
        "TotalCount",
        "Users",
      ]);
      assert.deepEqual([body.TotalCount, body.PageNumber, body.PageSize], [4, 1, 10]);
      assert.deepEqual(
        (body.Users as { User: unknown[] }).User,
        ["doctest", "alice@example.com", "bob.smith", "carol_01"].map((UserName) => ({
          UserName,
          ...defaults,
        })),
      );
    });

    it("answers object-form accounts with Alibaba's integer types", async () => {
      assert.deepEqual(usersOf(await call({ SmartAGId: "sag-acct0001" })), [
        {
          UserName: "erin.ops",
          UserMail: "erin@example.com",
          ClientIp: "10.10.0.2",
          Bandwidth: 2000,
          AccelerateBandwidth: 1000,
          State: 0,
          IsStaticIp: 1,
        },
        {
          ...defaults,
          UserName: "frank-ro",
          UserMail: "frank@example.com",
          Bandwidth: 500,
          State: 1,
        },
        { ...defaults, UserName: "grace001" },
      ]);
    });

    it("pages: full pages, a last partial page, and past the end an empty list with the total", async () => {
      const names: unknown[] = [];
      for (const PageNumber of ["1", "2", "3"]) {
        const body = ok(
          await call({ SmartAGId: MANY_ACCOUNTS_INSTANCE, PageNumber, PageSize: "50" }),
        );
        assert.deepEqual(
          [body.TotalCount, body.PageNumber, body.PageSize],
          [120, Number(PageNumber), 50],
        );
        names.push(...(body.Users as { User: { UserName: string }[] }).User.map((u) => u.UserName));
      }
      assert.equal(names.length, 120);
      assert.deepEqual(
        names,
        Array.from({ length: 120 }, (_, i) => `account${String(i + 1).padStart(4, "0")}`),
      );
      const beyond = ok(
        await call({ SmartAGId: MANY_ACCOUNTS_INSTANCE, PageNumber: "4", PageSize: "50" }),
      );
      assert.deepEqual(
        [beyond.TotalCount, beyond.PageNumber, (beyond.Users as { User: unknown[] }).User],
        [120, 4, []],
      );
      const second = usersOf(await call({ SmartAGId: MANY_ACCOUNTS_INSTANCE, PageNumber: "2" }));
      assert.deepEqual(
        second.map((u) => u.UserName),
        names.slice(10, 20),
      );
    });

    it("filters by exact UserName and UserMail, alone and together", async () => {
      const total = async (params: Record<string, string>) => {
        const body = ok(await call({ SmartAGId: MANY_ACCOUNTS_INSTANCE, ...params }));
        return [
          body.TotalCount,
          (body.Users as { User: { UserName: string }[] }).User.map((u) => u.UserName),
        ];
      };
      assert.deepEqual(await total({ UserName: "account0007" }), [1, ["account0007"]]);
      assert.deepEqual(await total({ UserMail: "account0008@example.com" }), [1, ["account0008"]]);
      assert.deepEqual(
        await total({ UserName: "account0007", UserMail: "account0007@example.com" }),
        [1, ["account0007"]],
      );
      assert.deepEqual(
        await total({ UserName: "account0007", UserMail: "account0008@example.com" }),
        [0, []],
      );
      assert.deepEqual(await total({ UserName: "account000" }), [0, []]);
      const defaultMail = ok(
        await call({ SmartAGId: "sag-acct0001", UserMail: "frank@example.com" }),
      );
      assert.equal(defaultMail.TotalCount, 1);
    });

    it("answers the parameter and instance errors, naming the bad parameter", async () => {
      expectError(
        await callV2(emu.url, "DescribeSmartAccessGatewayClientUsers", {
          SmartAGId: "sag-demo0001",
        }),
        400,
        "MissingRegionId",
      );
      expectError(await call({}), 400, "SAG.InstanceIdEmpty");
      const unknown = expectError(
        await call({ SmartAGId: "sag-nothere1" }),
        400,
        "SAG.InstanceNoFound",
      );
      assert.equal(unknown.Message, "The specified SAG instance does not exist.");
      expectError(
        await call({ RegionId: "cn-hongkong", SmartAGId: "sag-demo0001" }),
        400,
        "SAG.InstanceNoFound",
      );
      expectError(
        await call({ SmartAGId: "sag-demo0001", UserName: "bad name" }),
        400,
        "ClientUser.NameInvalid",
      );
      for (const [name, value] of [
        ["PageSize", "0"],
        ["PageSize", "51"],
        ["PageSize", "ten"],
        ["PageNumber", "0"],
        ["PageNumber", "-1"],
        ["PageNumber", "1.5"],
      ] as const) {
        const body = expectError(
          await call({ SmartAGId: "sag-demo0001", [name]: value }),
          400,
          "InvalidParameter",
        );
        assert.match(
          body.Message,
          new RegExp(`parameter ${name} is not valid: "${value.replace(".", "\\.")}"`),
        );
      }
      const max = await call({ SmartAGId: "sag-demo0001", PageSize: "50" });
      assert.equal(ok(max).PageSize, 50);
    });

    it("is served under V3 signatures and in XML", async () => {
      const v3 = await sendV3(emu.url, {
        action: "DescribeSmartAccessGatewayClientUsers",
        query: {
          RegionId: "cn-shanghai",
          SmartAGId: "sag-acct0001",
          PageSize: "1",
          PageNumber: "3",
        },
      });
      assert.deepEqual(usersOf(v3), [{ ...defaults, UserName: "grace001" }]);
      const xml = await call({ Format: "XML", SmartAGId: "sag-acct0001", UserName: "frank-ro" });
      assert.equal(xml.status, 200);
      assert.match(
        xml.text,
        /<DescribeSmartAccessGatewayClientUsersResponse><RequestId>[0-9A-F-]{36}<\/RequestId><TotalCount>1<\/TotalCount><PageNumber>1<\/PageNumber><PageSize>10<\/PageSize><Users><User><UserName>frank-ro<\/UserName><UserMail>frank@example.com<\/UserMail><ClientIp><\/ClientIp><Bandwidth>500<\/Bandwidth><AccelerateBandwidth>0<\/AccelerateBandwidth><State>1<\/State><IsStaticIp>0<\/IsStaticIp><\/User><\/Users><\/DescribeSmartAccessGatewayClientUsersResponse>$/,
      );
    });
  });

  describe("DescribeUserOnlineClients", () => {
    const call = (params: Record<string, string | undefined>) =>
      callV2(emu.url, "DescribeUserOnlineClients", { RegionId: "cn-shanghai", ...params });
    const clients = async (SmartAGId: string, UserName: string) => {
      const reply = await call({ SmartAGId, UserName });
      assert.deepEqual(Object.keys(ok(reply)).sort(), ["RequestId", "Users"]);
      return usersOf(reply);
    };

    it("answers the fixture's clients, OnlineTime as a string of Unix seconds", async () => {
      assert.deepEqual(await clients("sag-acct0001", "erin.ops"), [
        { ClientIp: "10.10.0.2", OnlineTime: "1559125519" },
        { ClientIp: "192.168.7.20", OnlineTime: "1559129000" },
      ]);
    });

    it("generates as many clients as a number-form count, with addresses distinct in the instance", async () => {
      const doctest = await clients("sag-demo0001", "doctest");
      const bob = await clients("sag-demo0001", "bob.smith");
      assert.equal(doctest.length, 2);
      assert.equal(bob.length, 5);
      assert.deepEqual(bob[0], { ClientIp: "10.0.0.3", OnlineTime: "1559125519" });
      assert.equal(new Set([...doctest, ...bob].map((c) => c.ClientIp)).size, 7);
      assert.deepEqual(await clients("sag-demo0001", "alice@example.com"), []);
    });

    it("answers an empty list for a disabled account and for an account the instance does not have", async () => {
      assert.deepEqual(await clients("sag-acct0001", "frank-ro"), []);
      assert.deepEqual(await clients("sag-acct0001", "nobody-here"), []);
    });

    it("answers the documented error codes with the first API's texts", async () => {
      expectError(await call({ SmartAGId: "sag-demo0001" }), 400, "ClientUser.NameEmpty");
      expectError(
        await call({ SmartAGId: "sag-demo0001", UserName: "" }),
        400,
        "ClientUser.NameEmpty",
      );
      const invalid = expectError(
        await call({ SmartAGId: "sag-demo0001", UserName: "no spaces allowed" }),
        400,
        "ClientUser.NameInvalid",
      );
      assert.equal(invalid.Message, 'The specified UserName is invalid: "no spaces allowed".');
      const empty = expectError(await call({ UserName: "doctest" }), 400, "SAG.InstanceIdEmpty");
      assert.equal(empty.Message, "You must specify the SAG instance ID.");
      expectError(
        await call({ SmartAGId: "sag-nothere1", UserName: "doctest" }),
        400,
        "SAG.InstanceNoFound",
      );
      expectError(
        await call({ SmartAGId: "constructor", UserName: "doctest" }),
        400,
        "SAG.InstanceNoFound",
      );
      expectError(
        await callV2(emu.url, "DescribeUserOnlineClients", {
          SmartAGId: "sag-demo0001",
          UserName: "doctest",
        }),
        400,
        "MissingRegionId",
      );
    });

    it("is served under V3 signatures and in XML", async () => {
      const v3 = await sendV3(emu.url, {
        action: "DescribeUserOnlineClients",
        query: { RegionId: "cn-shanghai", SmartAGId: "sag-acct0001", UserName: "erin.ops" },
      });
      assert.equal(usersOf(v3).length, 2);
      const xml = await call({ Format: "XML", SmartAGId: "sag-acct0001", UserName: "erin.ops" });
      assert.match(
        xml.text,
        /<Users><User><ClientIp>10\.10\.0\.2<\/ClientIp><OnlineTime>1559125519<\/OnlineTime><\/User><User><ClientIp>192\.168\.7\.20<\/ClientIp><OnlineTime>1559129000<\/OnlineTime><\/User><\/Users><\/DescribeUserOnlineClientsResponse>$/,
      );
    });
  });

  it("counts object-form accounts in both statistics actions", async () => {
    const sag = ok(
      await callV2(emu.url, "DescribeSagOnlineClientStatistics", {
        RegionId: "cn-shanghai",
        "SmartAGIds.1": "sag-acct0001",
      }),
    );
    assert.deepEqual(sag.SagStatistics, {
      Statistics: [{ SmartAGId: "sag-acct0001", OnlineCount: "5" }],
    });
    const users = ok(
      await callV2(emu.url, "DescribeUserOnlineClientStatistics", {
        RegionId: "cn-shanghai",
        SmartAGId: "sag-acct0001",
        "UserNames.1": "erin.ops",
        "UserNames.2": "frank-ro",
      }),
    );
    assert.deepEqual((users.UserStatistics as { Statistics: unknown }).Statistics, [
      { UserName: "erin.ops", OnlineCount: "2" },
      { UserName: "frank-ro", OnlineCount: "0" },
    ]);
  });
});
