import assert from "node:assert/strict";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import { expectError, REQUEST_ID, type Reply, send, signedParams } from "./helpers";
import { sendV3 } from "./helpersV3";

const ids = (list: readonly string[]) =>
  Object.fromEntries(list.map((id, i) => [`SmartAGIds.${i + 1}`, id]));

/** A V2 call of `action` with these parameters. */
const callV2 = (url: string, action: string, params: Record<string, string | undefined>) =>
  send(url, signedParams({ params: { Action: action, ...params } }));

const sagStatistics = (reply: Reply) => {
  assert.equal(reply.status, 200, reply.text);
  assert.match(reply.json.RequestId as string, REQUEST_ID);
  return (reply.json.SagStatistics as { Statistics: unknown }).Statistics;
};

describe("emulator DescribeSagOnlineClientStatistics and DescribeRegions", () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator();
  });
  after(() => emu.close());

  describe("DescribeSagOnlineClientStatistics", () => {
    const call = (params: Record<string, string | undefined>) =>
      callV2(emu.url, "DescribeSagOnlineClientStatistics", params);

    it("answers each instance's count, the sum over its users, as a string in request order", async () => {
      const reply = await call({
        RegionId: "cn-shanghai",
        ...ids(["sag-big0001", "sag-demo0001", "sag-big0001"]),
      });
      assert.deepEqual(Object.keys(reply.json).sort(), ["RequestId", "SagStatistics"]);
      assert.deepEqual(sagStatistics(reply), [
        { SmartAGId: "sag-big0001", OnlineCount: "225" },
        { SmartAGId: "sag-demo0001", OnlineCount: "8" },
        { SmartAGId: "sag-big0001", OnlineCount: "225" },
      ]);
    });

    it("answers numbers when the fixture asks for them", async () => {
      const numeric = await startEmulator({
        fixture: { ...loadDefaultFixture(), onlineCountAsNumber: true },
      });
      try {
        const reply = await callV2(numeric.url, "DescribeSagOnlineClientStatistics", {
          RegionId: "cn-hongkong",
          ...ids(["sag-hk000001"]),
        });
        assert.deepEqual(sagStatistics(reply), [{ SmartAGId: "sag-hk000001", OnlineCount: 10 }]);
      } finally {
        await numeric.close();
      }
    });

    it("answers InvalidId.SMARTAG for an id unknown in the region, even among known ones", async () => {
      for (const [region, id] of [
        ["cn-shanghai", "sag-missing01"],
        ["cn-hongkong", "sag-demo0001"],
        ["cn-shanghai", "constructor"],
        ["eu-central-1", "sag-demo0001"],
      ]) {
        const reply = await call({ RegionId: region, ...ids(["sag-demo0001", id as string]) });
        const body = expectError(reply, 400, "InvalidId.SMARTAG");
        assert.equal(
          body.Message,
          "The specified smart access gateway instance ID does not exist.",
        );
      }
    });

    it("answers the parameter errors: region, empty list, over 50 ids, gaps", async () => {
      expectError(await call(ids(["sag-demo0001"])), 400, "MissingRegionId");
      expectError(await call({ RegionId: "cn-shanghai" }), 400, "MissingSmartAGIds");
      const many = Array.from({ length: 51 }, () => "sag-demo0001");
      const tooMany = expectError(
        await call({ RegionId: "cn-shanghai", ...ids(many) }),
        400,
        "InvalidParameter",
      );
      assert.match(tooMany.Message, /at most 50 ids per call; got 51/);
      const gap = await call({ RegionId: "cn-shanghai", "SmartAGIds.2": "sag-demo0001" });
      assert.match(expectError(gap, 400, "InvalidParameter").Message, /SmartAGIds\.1 is missing/);
    });

    it("is served under V3 signatures through the same dispatch", async () => {
      const query = { RegionId: "cn-shanghai", ...ids(["sag-demo0001"]) };
      const ok = await sendV3(emu.url, { action: "DescribeSagOnlineClientStatistics", query });
      assert.deepEqual(sagStatistics(ok), [{ SmartAGId: "sag-demo0001", OnlineCount: "8" }]);
      const unknown = await sendV3(emu.url, {
        action: "DescribeSagOnlineClientStatistics",
        query: { RegionId: "cn-shanghai", ...ids(["sag-nothere1"]) },
      });
      expectError(unknown, 400, "InvalidId.SMARTAG");
    });

    it("answers in XML when Format asks for it", async () => {
      const reply = await call({
        Format: "XML",
        RegionId: "cn-hongkong",
        ...ids(["sag-hk000001"]),
      });
      assert.equal(reply.status, 200);
      assert.match(
        reply.text,
        /<DescribeSagOnlineClientStatisticsResponse><RequestId>[0-9A-F-]{36}<\/RequestId><SagStatistics><Statistics><SmartAGId>sag-hk000001<\/SmartAGId><OnlineCount>10<\/OnlineCount><\/Statistics><\/SagStatistics><\/DescribeSagOnlineClientStatisticsResponse>$/,
      );
    });
  });

  describe("DescribeRegions", () => {
    const regions = (reply: Reply) => {
      assert.equal(reply.status, 200, reply.text);
      assert.match(reply.json.RequestId as string, REQUEST_ID);
      return (reply.json.Regions as { Region: unknown }).Region;
    };

    it("lists the fixture's regions with their public endpoints, named in Chinese by default", async () => {
      assert.deepEqual(regions(await callV2(emu.url, "DescribeRegions", {})), [
        {
          RegionId: "cn-shanghai",
          LocalName: "华东2（上海）",
          RegionEndpoint: "smartag.cn-shanghai.aliyuncs.com",
        },
        {
          RegionId: "cn-hongkong",
          LocalName: "中国香港",
          RegionEndpoint: "smartag.cn-hongkong.aliyuncs.com",
        },
      ]);
    });

    it("names regions in English for AcceptLanguage en-US (and ja), and by id when it knows no name", async () => {
      const fixture = loadDefaultFixture();
      const other = await startEmulator({
        fixture: { ...fixture, regions: { ...fixture.regions, "xx-test-1": {} } },
      });
      try {
        for (const AcceptLanguage of ["en-US", "ja"]) {
          const reply = await callV2(other.url, "DescribeRegions", { AcceptLanguage });
          assert.deepEqual(
            (regions(reply) as { LocalName: string }[]).map((r) => r.LocalName),
            ["China (Shanghai)", "China (Hong Kong)", "xx-test-1"],
          );
        }
      } finally {
        await other.close();
      }
    });

    it("answers InvalidParameter for another AcceptLanguage", async () => {
      const reply = await callV2(emu.url, "DescribeRegions", { AcceptLanguage: "fr-FR" });
      assert.match(expectError(reply, 400, "InvalidParameter").Message, /AcceptLanguage/);
    });

    it("is served under V3 signatures too", async () => {
      const reply = await sendV3(emu.url, { action: "DescribeRegions", query: {} });
      assert.equal((regions(reply) as unknown[]).length, 2);
    });
  });
});
