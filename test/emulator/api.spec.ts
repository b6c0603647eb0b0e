import assert from "node:assert/strict";
import RPCClient from "@alicloud/pop-core";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import {
  callDescribe,
  expectError,
  KEY1,
  REQUEST_ID,
  type Reply,
  STS_KEY,
  send,
  signedParams,
} from "./helpers";

function statistics(reply: Reply): unknown {
  assert.equal(reply.status, 200, reply.text);
  return (reply.json.UserStatistics as { Statistics: unknown }).Statistics;
}

const shanghai = { region: "cn-shanghai", instance: "sag-demo0001" };

describe("emulator DescribeUserOnlineClientStatistics", () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator();
  });
  after(() => emu.close());
  beforeEach(() => emu.resetLog());

  it("answers string counts in request order when the names are known", async () => {
    const reply = await callDescribe(emu.url, {
      ...shanghai,
      names: ["bob.smith", "doctest", "alice@example.com", "carol_01"],
    });
    assert.equal(reply.headers["content-type"], "application/json;charset=utf-8");
    assert.deepEqual(Object.keys(reply.json).sort(), ["RequestId", "UserStatistics"]);
    assert.match(reply.json.RequestId as string, REQUEST_ID);
    assert.deepEqual(statistics(reply), [
      { UserName: "bob.smith", OnlineCount: "5" },
      { UserName: "doctest", OnlineCount: "2" },
      { UserName: "alice@example.com", OnlineCount: "0" },
      { UserName: "carol_01", OnlineCount: "1" },
    ]);
  });

  it("answers 0 for unknown names and repeats duplicates as sent", async () => {
    const reply = await callDescribe(emu.url, {
      ...shanghai,
      names: ["doctest", "nobody123", "doctest"],
    });
    assert.deepEqual(statistics(reply), [
      { UserName: "doctest", OnlineCount: "2" },
      { UserName: "nobody123", OnlineCount: "0" },
      { UserName: "doctest", OnlineCount: "2" },
    ]);
  });

  it("answers from the requested region when an instance id exists in another", async () => {
    const reply = await callDescribe(emu.url, {
      region: "cn-hongkong",
      instance: "sag-hk000001",
      names: ["doctest", "dave-hk"],
    });
    assert.deepEqual(statistics(reply), [
      { UserName: "doctest", OnlineCount: "7" },
      { UserName: "dave-hk", OnlineCount: "3" },
    ]);
  });

  it("answers 50 names at once from the big instance", async () => {
    const names = Array.from({ length: 50 }, (_, i) => `user${String(i + 101).padStart(4, "0")}`);
    const reply = await callDescribe(emu.url, {
      region: "cn-shanghai",
      instance: "sag-big0001",
      names,
    });
    assert.deepEqual(
      statistics(reply),
      names.map((n, i) => ({ UserName: n, OnlineCount: String((i + 101) % 4) })),
    );
  });

  it("answers numbers when the fixture sets onlineCountAsNumber", async () => {
    const numeric = await startEmulator({
      fixture: { ...loadDefaultFixture(), onlineCountAsNumber: true },
    });
    try {
      const reply = await callDescribe(numeric.url, { ...shanghai, names: ["doctest", "zed0000"] });
      assert.deepEqual(statistics(reply), [
        { UserName: "doctest", OnlineCount: 2 },
        { UserName: "zed0000", OnlineCount: 0 },
      ]);
    } finally {
      await numeric.close();
    }
  });

  it("accepts GET with the query, POST with the body and POST split across both", async () => {
    const get = await callDescribe(emu.url, { ...shanghai, names: ["doctest"], method: "GET" });
    const post = await callDescribe(emu.url, { ...shanghai, names: ["doctest"] });
    const split = await callDescribe(
      emu.url,
      { ...shanghai, names: ["doctest"] },
      { placement: "split" },
    );
    for (const reply of [get, post, split]) {
      assert.deepEqual(statistics(reply), [{ UserName: "doctest", OnlineCount: "2" }]);
    }
    assert.deepEqual(
      emu.requests.map((r) => r.method),
      ["GET", "POST", "POST"],
    );
  });

  it("records every param but the signature, with status and code", async () => {
    await callDescribe(emu.url, { ...shanghai, names: ["doctest"], key: STS_KEY });
    await callDescribe(emu.url, { ...shanghai, names: ["x"] });
    assert.equal(emu.requests.length, 2);
    const [ok, bad] = emu.requests;
    assert.equal(ok?.action, "DescribeUserOnlineClientStatistics");
    assert.equal(ok?.status, 200);
    assert.equal(ok?.code, undefined);
    assert.equal(ok?.params.AccessKeyId, STS_KEY.id);
    assert.equal(ok?.params.SecurityToken, STS_KEY.securityToken);
    assert.equal(ok?.params["UserNames.1"], "doctest");
    assert.equal("Signature" in (ok?.params ?? {}), false);
    assert.equal(typeof ok?.at, "number");
    assert.equal(bad?.status, 400);
    assert.equal(bad?.code, "ClientUser.NameInvalid");
  });

  describe("errors", () => {
    it("answers MissingRegionId when RegionId is absent", async () => {
      const reply = await callDescribe(emu.url, { instance: "sag-demo0001", names: ["doctest"] });
      const body = expectError(reply, 400, "MissingRegionId");
      assert.match(body.HostId, /^127\.0\.0\.1:\d+$/);
    });

    it("answers SAG.InstanceIdEmpty when SmartAGId is absent or empty", async () => {
      expectError(
        await callDescribe(emu.url, { region: "cn-shanghai", names: ["doctest"] }),
        400,
        "SAG.InstanceIdEmpty",
      );
      const body = expectError(
        await callDescribe(emu.url, { region: "cn-shanghai", instance: "", names: ["doctest"] }),
        400,
        "SAG.InstanceIdEmpty",
      );
      assert.equal(body.Message, "You must specify the SAG instance ID.");
      assert.equal(body.HostId, "smartag.cn-shanghai.aliyuncs.com");
    });

    it("answers ClientUser.NameEmpty when no name or an empty name is sent", async () => {
      expectError(await callDescribe(emu.url, { ...shanghai }), 400, "ClientUser.NameEmpty");
      expectError(
        await callDescribe(emu.url, { ...shanghai, names: ["doctest", ""] }),
        400,
        "ClientUser.NameEmpty",
      );
    });

    it("answers InvalidParameter when more than 50 names are sent", async () => {
      const names = Array.from({ length: 51 }, (_, i) => `user${String(i + 1).padStart(4, "0")}`);
      const body = expectError(
        await callDescribe(emu.url, { ...shanghai, names }),
        400,
        "InvalidParameter",
      );
      assert.match(body.Message, /at most 50/);
    });

    it("answers InvalidParameter when UserNames.N has a gap", async () => {
      const body = expectError(
        await callDescribe(emu.url, {
          ...shanghai,
          params: { "UserNames.1": "doctest", "UserNames.3": "bob.smith" },
        }),
        400,
        "InvalidParameter",
      );
      assert.match(body.Message, /UserNames\.2/);
    });

    for (const bad of ["short1", "_leading", "a".repeat(34), "has space1", "comma,name"]) {
      it(`answers ClientUser.NameInvalid naming ${JSON.stringify(bad)}`, async () => {
        const body = expectError(
          await callDescribe(emu.url, { ...shanghai, names: ["doctest", bad] }),
          400,
          "ClientUser.NameInvalid",
        );
        assert.ok(body.Message.includes(JSON.stringify(bad)), body.Message);
      });
    }

    it("accepts names of exactly 7 and 33 characters", async () => {
      const names = ["abcdefg", `a${"b".repeat(32)}`];
      assert.equal((await callDescribe(emu.url, { ...shanghai, names })).status, 200);
    });

    for (const [region, instance] of [
      ["cn-beijing", "sag-demo0001"],
      ["cn-hongkong", "sag-demo0001"],
      ["cn-shanghai", "sag-missing01"],
      ["cn-shanghai", "constructor"],
    ] as const) {
      it(`answers SAG.InstanceNoFound for ${instance} in ${region}`, async () => {
        const body = expectError(
          await callDescribe(emu.url, { region, instance, names: ["doctest"] }),
          400,
          "SAG.InstanceNoFound",
        );
        assert.equal(body.Message, "The specified SAG instance does not exist.");
        assert.equal(body.HostId, `smartag.${region}.aliyuncs.com`);
      });
    }

    it("answers InvalidAction.NotFound (404) for an action it does not implement", async () => {
      const reply = await callDescribe(emu.url, {
        ...shanghai,
        names: ["doctest"],
        params: { Action: "DescribeSmartAccessGateways" },
      });
      expectError(reply, 404, "InvalidAction.NotFound");
    });

    it("answers InvalidVersion for another API version", async () => {
      const reply = await callDescribe(emu.url, {
        ...shanghai,
        names: ["doctest"],
        params: { Version: "2017-01-01" },
      });
      expectError(reply, 400, "InvalidVersion");
    });

    it("answers InvalidAction.NotFound for a path other than /", async () => {
      for (const path of ["/v1/stats", "//v1"]) {
        expectError(await send(emu.url, signedParams(), { path }), 404, "InvalidAction.NotFound");
      }
    });

    it("answers 405 for a method other than GET and POST", async () => {
      const reply = await send(emu.url, signedParams({ method: "GET" }), {
        method: "PUT",
        placement: "query",
      });
      expectError(reply, 405, "UnsupportedHTTPMethod");
    });

    it("answers errors in XML too when Format asks for XML", async () => {
      const reply = await callDescribe(emu.url, {
        ...shanghai,
        instance: "sag-unknown99",
        names: ["doctest"],
        params: { Format: "XML" },
      });
      assert.equal(reply.status, 400);
      assert.match(String(reply.headers["content-type"]), /^text\/xml/);
      assert.match(
        reply.text,
        /<Error><RequestId>[0-9A-F-]{36}<\/RequestId>.*<Code>SAG\.InstanceNoFound<\/Code>/,
      );
    });

    it("reads Format in any case, as Alibaba's Python SDK sends json", async () => {
      const json = await callDescribe(emu.url, {
        ...shanghai,
        names: ["doctest"],
        params: { Format: "json" },
      });
      assert.equal(json.status, 200, json.text);
      assert.equal(json.headers["content-type"], "application/json;charset=utf-8");
      const xml = await callDescribe(emu.url, {
        ...shanghai,
        names: ["doctest"],
        params: { Format: "Xml" },
      });
      assert.match(xml.text, /<OnlineCount>2<\/OnlineCount>/);
    });

    it("answers InvalidParameter for a Format other than JSON and XML", async () => {
      const reply = await callDescribe(emu.url, {
        ...shanghai,
        names: ["doctest"],
        params: { Format: "YAML" },
      });
      expectError(reply, 400, "InvalidParameter");
    });
  });

  describe("with @alicloud/pop-core as the client", () => {
    for (const method of ["POST", "GET"] as const) {
      it(`answers a ${method} request signed by pop-core, STS token included`, async () => {
        const client = new RPCClient({
          endpoint: emu.url,
          apiVersion: "2018-03-13",
          accessKeyId: STS_KEY.id,
          accessKeySecret: STS_KEY.secret,
          securityToken: STS_KEY.securityToken,
        });
        const result = (await client.request(
          "DescribeUserOnlineClientStatistics",
          {
            RegionId: "cn-shanghai",
            SmartAGId: "sag-demo0001",
            UserNames: ["doctest", "carol_01"],
          },
          { method },
        )) as { UserStatistics: { Statistics: unknown } };
        // pop-core parses with json-bigint, which builds null-prototype objects.
        const plain = JSON.parse(JSON.stringify(result.UserStatistics.Statistics));
        assert.deepEqual(plain, [
          { UserName: "doctest", OnlineCount: "2" },
          { UserName: "carol_01", OnlineCount: "1" },
        ]);
        assert.equal(emu.requests[0]?.method, method);
      });
    }

    it("surfaces the error code to pop-core", async () => {
      const client = new RPCClient({
        endpoint: emu.url,
        apiVersion: "2018-03-13",
        accessKeyId: KEY1.id,
        accessKeySecret: KEY1.secret,
      });
      await assert.rejects(
        client.request(
          "DescribeUserOnlineClientStatistics",
          { RegionId: "cn-shanghai", SmartAGId: "sag-nope0001", UserNames: ["doctest"] },
          { method: "POST" },
        ),
        (err: { code?: string }) => err.code === "SAG.InstanceNoFound",
      );
    });
  });
});
