import assert from "node:assert/strict";
import {
  SAG_ACTION,
  type SettingsInput,
  SmartagApiError,
  SmartagValidationError,
} from "@pulumi-smartag/client";
import { type RunningEmulator, startEmulator } from "../../emulator";
import { clientFromSettings } from "../helpers/client";
import { fixtureWithManyInstances, manyCount, manyIds } from "../helpers/manyInstances";

const KEY1 = { accessKey: "LTAI5tEmulatorKey01", secretKey: "emulator-secret-01" };

const idsSent = (params: Record<string, string>) =>
  Object.keys(params)
    .filter((k) => k.startsWith("SmartAGIds."))
    .sort((a, b) => Number(a.slice(11)) - Number(b.slice(11)))
    .map((k) => params[k]);

describe("SmartagClient.describeSagOnlineClientStatistics against the emulator", () => {
  let emulator: RunningEmulator;
  before(async () => {
    emulator = await startEmulator({ fixture: fixtureWithManyInstances() });
  });
  after(async () => emulator.close());
  beforeEach(() => {
    emulator.setFaults({});
    emulator.resetLog();
  });

  const client = (extra: SettingsInput = {}) =>
    clientFromSettings(
      {
        region: "cn-shanghai",
        endpoint: emulator.url,
        ...KEY1,
        retryBaseDelayMs: 1,
        retryMaxDelayMs: 5,
        ...extra,
      },
      { env: {} },
    );

  it("answers an instance's count as the sum over its users, in one POST", async () => {
    const result = await client().describeSagOnlineClientStatistics({
      smartAgIds: ["sag-demo0001"],
    });
    assert.deepEqual(result.statistics, [{ smartAgId: "sag-demo0001", onlineCount: 8 }]);
    assert.equal(result.totalOnlineCount, 8);
    assert.equal(result.regionId, "cn-shanghai");
    assert.equal(result.requestIds.length, 1);
    assert.match(result.requestIds[0] ?? "", /^[0-9A-F-]{36}$/);
    assert.equal(emulator.requests.length, 1);
    assert.equal(emulator.requests[0]?.method, "POST");
    assert.equal(emulator.requests[0]?.action, SAG_ACTION);
  });

  it("answers 120 ids with 3 requests of at most 50, in request order", async () => {
    const ids = manyIds(120).reverse();
    const result = await client().describeSagOnlineClientStatistics({ smartAgIds: ids });
    assert.deepEqual(
      result.statistics,
      ids.map((smartAgId) => ({ smartAgId, onlineCount: manyCount(smartAgId) })),
    );
    assert.equal(
      result.totalOnlineCount,
      ids.reduce((sum, id) => sum + manyCount(id), 0),
    );
    assert.equal(result.requestIds.length, 3);
    const sent = emulator.requests.map((r) => idsSent(r.params));
    assert.deepEqual(
      sent.map((s) => s.length).sort((a, b) => a - b),
      [20, 50, 50],
    );
    assert.deepEqual(new Set(sent.flat()), new Set(ids));
  });

  it("queries a repeated id once, answers it at each position and counts it once", async () => {
    const ids = ["sag-demo0001", "sag-big0001", "sag-demo0001"];
    const result = await client().describeSagOnlineClientStatistics({ smartAgIds: ids });
    assert.deepEqual(result.statistics, [
      { smartAgId: "sag-demo0001", onlineCount: 8 },
      { smartAgId: "sag-big0001", onlineCount: 225 },
      { smartAgId: "sag-demo0001", onlineCount: 8 },
    ]);
    assert.equal(result.totalOnlineCount, 233);
    assert.deepEqual(idsSent(emulator.requests[0]?.params ?? {}), ["sag-demo0001", "sag-big0001"]);
  });

  it("asks the region given in the call over the client's region", async () => {
    const result = await client().describeSagOnlineClientStatistics({
      regionId: "cn-hongkong",
      smartAgIds: ["sag-hk000001"],
    });
    assert.deepEqual(result.statistics, [{ smartAgId: "sag-hk000001", onlineCount: 10 }]);
    assert.equal(result.regionId, "cn-hongkong");
    assert.equal(emulator.requests[0]?.params.RegionId, "cn-hongkong");
  });

  it("fails whole with InvalidId.SMARTAG naming the unknown id, its RequestId and a hint", async () => {
    const ids = [...manyIds(60), "sag-nothere1", "sag-demo0001"];
    await assert.rejects(client().describeSagOnlineClientStatistics({ smartAgIds: ids }), (e) => {
      assert.ok(e instanceof SmartagApiError, String(e));
      assert.equal(e.code, "InvalidId.SMARTAG");
      assert.equal(e.httpStatus, 400);
      assert.equal(e.retryable, false);
      assert.equal(e.about, "smartAgId sag-nothere1");
      assert.match(e.requestId ?? "", /^[0-9A-F-]{36}$/);
      assert.match(
        e.message,
        /^InvalidId\.SMARTAG: The specified smart access gateway instance ID does not exist\. \(smartAgId sag-nothere1\) \(RequestId: [0-9A-F-]{36}\)\nhint: check smartAgIds and regionId/,
      );
      return true;
    });
    // Nothing is retried: the failing batch was asked once, then its ids one by one until the
    // unknown one answered the error.
    const codes = emulator.requests.map((r) => r.code).filter((c) => c !== undefined);
    assert.ok(codes.every((c) => c === "InvalidId.SMARTAG"));
    assert.equal(codes.length, 2);
  });

  it("counts an instance of another region as unknown", async () => {
    await assert.rejects(
      client().describeSagOnlineClientStatistics({ smartAgIds: ["sag-hk000001"] }),
      (e) => e instanceof SmartagApiError && e.about === "smartAgId sag-hk000001",
    );
    assert.equal(emulator.requests.length, 1, "a batch of one is not asked again");
  });

  it("retries throttling and server errors and still answers every count", async () => {
    emulator.setFaults({ throttleRate: 0.3, serverErrorRate: 0.1, seed: 7 });
    const ids = manyIds(120);
    const result = await client({ maxAttempts: 10 }).describeSagOnlineClientStatistics({
      smartAgIds: ids,
    });
    assert.deepEqual(
      result.statistics.map((s) => s.onlineCount),
      ids.map(manyCount),
    );
    assert.ok(emulator.requests.length > 3, "some requests were retried");
  });

  it("shares an identical call within the cache TTL, apart from the per-user read", async () => {
    const cached = client({ cacheTtlMs: 60_000 });
    const args = { smartAgIds: ["sag-demo0001"] };
    const [a, b] = await Promise.all([
      cached.describeSagOnlineClientStatistics(args),
      cached.describeSagOnlineClientStatistics(args),
    ]);
    assert.deepEqual(a, b);
    a.statistics[0] = { smartAgId: "sag-mutated1", onlineCount: 99 };
    const c = await cached.describeSagOnlineClientStatistics(args);
    assert.deepEqual(c.statistics, [{ smartAgId: "sag-demo0001", onlineCount: 8 }]);
    await cached.describeUserOnlineClientStatistics({
      smartAgId: "sag-demo0001",
      userNames: ["doctest"],
    });
    assert.deepEqual(
      emulator.requests.map((r) => r.action),
      [SAG_ACTION, "DescribeUserOnlineClientStatistics"],
    );
  });

  it("rejects bad input before any request, naming every field and rule", async () => {
    const cases: [unknown, { property: string; reason: string }[]][] = [
      [
        { smartAgIds: ["sag-demo0001", "i-123", 7] },
        [
          { property: "smartAgIds[1]", reason: "must be a SAG instance id such as sag-sfjg1234" },
          { property: "smartAgIds[2]", reason: "must be a string" },
        ],
      ],
      [
        { smartAgIds: [] },
        [{ property: "smartAgIds", reason: "must list at least one SAG instance id" }],
      ],
      [
        { smartAgIds: manyIds(120).concat(Array(900).fill("sag-demo0001")) },
        [{ property: "smartAgIds", reason: "must list at most 1000 SAG instance ids" }],
      ],
      [
        { regionId: "Shanghai", smartAgId: "sag-demo0001" },
        [
          { property: "regionId", reason: "must be a region id such as cn-shanghai" },
          { property: "smartAgIds", reason: "is required: a list of SAG APP instance ids" },
          {
            property: "smartAgId",
            reason: "is not a known argument (expected regionId, smartAgIds)",
          },
        ],
      ],
    ];
    for (const [input, issues] of cases) {
      await assert.rejects(
        client().describeSagOnlineClientStatistics(input as { smartAgIds: string[] }),
        (e) => {
          assert.ok(e instanceof SmartagValidationError, String(e));
          assert.deepEqual(
            [...e.issues].sort((a, b) => a.property.localeCompare(b.property)),
            [...issues].sort((a, b) => a.property.localeCompare(b.property)),
          );
          return true;
        },
      );
    }
    await assert.rejects(
      clientFromSettings(
        { endpoint: emulator.url, ...KEY1 },
        { env: {} },
      ).describeSagOnlineClientStatistics({
        smartAgIds: ["sag-demo0001"],
      }),
      /regionId: is required when the provider has no region/,
    );
    assert.equal(emulator.requests.length, 0);
  });
});
