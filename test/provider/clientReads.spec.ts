// getClientUsers, getUserOnlineClients and getUserOnlineClientStatistics without userNames, as
// the engine invokes them: over gRPC, against the emulator.
import assert from "node:assert/strict";
import type * as grpc from "@grpc/grpc-js";
import * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import { type RunningEmulator, startEmulator } from "../../emulator";
import { SECRET_SIG, SIG_KEY } from "../../provider/values";
import { fixtureWithManyAccounts, MANY_ACCOUNTS_INSTANCE } from "../helpers/manyAccounts";
import { type RunningPlugin, startPlugin, struct } from "../helpers/plugin";
import { assertNoSecrets } from "../helpers/secrets";

const SECRET = "emulator-secret-01";
const ACCT = "sag-acct0001";
const secret = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });

describe("provider plugin: account and device reads over gRPC", () => {
  let emulator: RunningEmulator;
  let plugin: RunningPlugin;
  const responses: unknown[] = [];

  const invoke = async (tok: string, args: Record<string, unknown>) => {
    const req = new providerPb.InvokeRequest().setTok(tok).setArgs(struct(args));
    const res = await plugin.call<providerPb.InvokeResponse>("invoke", req);
    responses.push(res.toObject());
    return res;
  };
  const result = async (tok: string, args: Record<string, unknown>) =>
    (await invoke(tok, args)).getReturn()?.toJavaScript() ?? {};
  const failures = (res: providerPb.InvokeResponse) =>
    res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() }));

  before(async () => {
    emulator = await startEmulator({ fixture: fixtureWithManyAccounts(120) });
    plugin = await startPlugin({ SMARTAG_LOG: "debug" });
    const config = {
      region: "cn-shanghai",
      endpoint: emulator.url,
      accessKey: "LTAI5tEmulatorKey01",
      secretKey: secret(SECRET),
      cacheTtlMs: "0",
    };
    const req = new providerPb.ConfigureRequest().setArgs(struct(config)).setAcceptsecrets(true);
    await plugin.call<providerPb.ConfigureResponse>("configure", req);
  });
  beforeEach(() => emulator.resetLog());
  after(async () => {
    await plugin.stop();
    await emulator.close();
    assertNoSecrets(plugin.stderr(), [SECRET], "plugin stderr");
    for (const r of responses) assertNoSecrets(JSON.stringify(r), [SECRET], "a gRPC response");
  });

  it("getClientUsers answers every account of every page, booleans and all", async () => {
    const all = await result("smartag:index:getClientUsers", { smartAgId: MANY_ACCOUNTS_INSTANCE });
    const users = all.users as Array<Record<string, unknown>>;
    assert.equal(users.length, 120);
    assert.equal(all.totalCount, 120);
    assert.equal((all.requestIds as string[]).length, 3);
    assert.deepEqual(users[2], {
      userName: "account0003",
      userMail: "account0003@example.com",
      clientIp: "10.20.0.3",
      bandwidth: 30,
      accelerateBandwidth: 0,
      enabled: false,
      isStaticIp: false,
    });
    const one = await result("smartag:index:getClientUsers", {
      smartAgId: ACCT,
      userMail: "erin@example.com",
    });
    assert.deepEqual(Object.keys(one).sort(), [
      "regionId",
      "requestIds",
      "smartAgId",
      "totalCount",
      "users",
    ]);
    assert.deepEqual(
      (one.users as Array<Record<string, unknown>>).map((u) => [u.userName, u.isStaticIp]),
      [["erin.ops", true]],
    );
  });

  it("getUserOnlineClients answers each device with both times", async () => {
    const res = await result("smartag:index:getUserOnlineClients", {
      smartAgId: ACCT,
      userName: "erin.ops",
    });
    assert.deepEqual(res.clients, [
      { clientIp: "10.10.0.2", onlineTime: 1559125519, onlineSince: "2019-05-29T10:25:19.000Z" },
      { clientIp: "192.168.7.20", onlineTime: 1559129000, onlineSince: "2019-05-29T11:23:20.000Z" },
    ]);
    assert.equal(res.userName, "erin.ops");
    assert.equal(res.regionId, "cn-shanghai");
    assert.equal((res.requestIds as string[]).length, 1);
  });

  it("getUserOnlineClientStatistics without userNames counts all 120 accounts", async () => {
    const res = await result("smartag:index:getUserOnlineClientStatistics", {
      smartAgId: MANY_ACCOUNTS_INSTANCE,
    });
    const stats = res.userStatistics as Array<{ userName: string; onlineCount: number }>;
    assert.equal(stats.length, 120);
    assert.deepEqual(stats[0], { userName: "account0001", onlineCount: 1 });
    assert.deepEqual(stats[119], { userName: "account0120", onlineCount: 0 });
    assert.equal(res.totalOnlineCount, 120);
    assert.equal((res.requestIds as string[]).length, 6);
    assert.equal(emulator.requests.length, 6);
  });

  it("makes every result field secret when an argument is secret", async () => {
    for (const [tok, args] of [
      ["smartag:index:getClientUsers", { smartAgId: secret(ACCT) }],
      ["smartag:index:getUserOnlineClients", { smartAgId: ACCT, userName: secret("erin.ops") }],
      ["smartag:index:getUserOnlineClientStatistics", { smartAgId: secret(ACCT) }],
    ] as const) {
      const res = await result(tok, args);
      assert.ok(Object.keys(res).length >= 4, tok);
      for (const [key, field] of Object.entries(res)) {
        assert.equal(
          (field as Record<string, unknown>)?.[SIG_KEY],
          SECRET_SIG,
          `${tok}: ${key} is secret`,
        );
      }
    }
    const devices = await result("smartag:index:getUserOnlineClients", {
      smartAgId: ACCT,
      userName: secret("erin.ops"),
    });
    assert.equal((devices.clients as { value: unknown[] }).value.length, 2);
  });

  it("returns bad arguments as failures, without calling the API", async () => {
    const users = await invoke("smartag:index:getClientUsers", {
      smartAgId: ACCT,
      userMail: "erin at example",
    });
    assert.deepEqual(failures(users), [
      { property: "userMail", reason: "must be an email address such as alice@example.com" },
    ]);
    const devices = await invoke("smartag:index:getUserOnlineClients", { smartAgId: ACCT });
    assert.deepEqual(failures(devices), [
      { property: "userName", reason: "is required: a username" },
    ]);
    const stats = await invoke("smartag:index:getUserOnlineClientStatistics", {
      smartAgId: ACCT,
      userNames: [],
    });
    assert.deepEqual(failures(stats), [
      {
        property: "userNames",
        reason: "must list at least one username (leave it out to count every account)",
      },
    ]);
    for (const res of [users, devices, stats]) assert.equal(res.hasReturn(), false);
    assert.equal(emulator.requests.length, 0);
  });

  it("fails with the API's code and RequestId for an unknown instance", async () => {
    for (const [tok, args] of [
      ["smartag:index:getClientUsers", { smartAgId: "sag-gone0001" }],
      ["smartag:index:getUserOnlineClients", { smartAgId: "sag-gone0001", userName: "erin.ops" }],
    ] as const) {
      await assert.rejects(invoke(tok, args), (e: grpc.ServiceError) => {
        assert.match(e.details, /^SAG\.InstanceNoFound: .* \(RequestId: [0-9A-F-]{36}\)/);
        return true;
      });
    }
  });
});
