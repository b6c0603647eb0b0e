import assert from "node:assert/strict";
import type * as grpc from "@grpc/grpc-js";
import * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import { type RunningEmulator, startEmulator } from "../../emulator";
import { SECRET_SIG, SIG_KEY } from "../../provider/values";
import { fixtureWithManyInstances, manyCount, manyIds } from "../helpers/manyInstances";
import { type RunningPlugin, startPlugin, struct } from "../helpers/plugin";
import { assertNoSecrets } from "../helpers/secrets";

const SECRET = "emulator-secret-01";
const TOKEN = "smartag:index:getSagOnlineClientStatistics";

describe("provider plugin: getSagOnlineClientStatistics over gRPC", () => {
  let emulator: RunningEmulator;
  let plugin: RunningPlugin;
  const responses: unknown[] = [];

  const invoke = async (args: Record<string, unknown>) => {
    const req = new providerPb.InvokeRequest().setTok(TOKEN).setArgs(struct(args));
    const res = await plugin.call<providerPb.InvokeResponse>("invoke", req);
    responses.push(res.toObject());
    return res;
  };

  before(async () => {
    emulator = await startEmulator({ fixture: fixtureWithManyInstances() });
    plugin = await startPlugin({ SMARTAG_LOG: "debug" });
    const config = {
      region: "cn-shanghai",
      endpoint: emulator.url,
      accessKey: "LTAI5tEmulatorKey01",
      secretKey: { [SIG_KEY]: SECRET_SIG, value: SECRET },
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

  it("answers 120 ids and a repeat in request order, in 3 requests, the repeat counted once", async () => {
    const ids = [...manyIds(120), "sag-many007"];
    const result = (await invoke({ smartAgIds: ids })).getReturn()?.toJavaScript();
    assert.deepEqual(
      result?.statistics,
      ids.map((smartAgId) => ({ smartAgId, onlineCount: manyCount(smartAgId) })),
    );
    assert.equal(
      result?.totalOnlineCount,
      manyIds(120).reduce((sum, id) => sum + manyCount(id), 0),
    );
    assert.equal(result?.regionId, "cn-shanghai");
    assert.equal((result?.requestIds as string[] | undefined)?.length, 3);
    assert.equal(emulator.requests.length, 3);
  });

  it("makes every result field secret when an argument is secret", async () => {
    const res = await invoke({
      regionId: { [SIG_KEY]: SECRET_SIG, value: "cn-hongkong" },
      smartAgIds: ["sag-hk000001"],
    });
    const result = res.getReturn()?.toJavaScript() ?? {};
    assert.deepEqual(Object.keys(result).sort(), [
      "regionId",
      "requestIds",
      "statistics",
      "totalOnlineCount",
    ]);
    for (const [key, field] of Object.entries(result)) {
      assert.equal((field as Record<string, unknown>)?.[SIG_KEY], SECRET_SIG, `${key} is secret`);
    }
    assert.deepEqual((result.statistics as { value: unknown }).value, [
      { smartAgId: "sag-hk000001", onlineCount: 10 },
    ]);
  });

  it("returns bad arguments as failures, without calling the API", async () => {
    const res = await invoke({ regionId: "Shanghai", smartAgIds: ["sag-demo0001", "nope"] });
    assert.deepEqual(
      res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
      [
        { property: "regionId", reason: "must be a region id such as cn-shanghai" },
        { property: "smartAgIds[1]", reason: "must be a SAG instance id such as sag-sfjg1234" },
      ],
    );
    assert.equal(res.hasReturn(), false);
    assert.equal(emulator.requests.length, 0);
  });

  it("fails whole with InvalidId.SMARTAG naming the unknown id, with RequestId and hint", async () => {
    await assert.rejects(
      invoke({ smartAgIds: ["sag-demo0001", "sag-nothere1", "sag-big0001"] }),
      (e: grpc.ServiceError) => {
        assert.match(
          e.details,
          /^InvalidId\.SMARTAG: The specified smart access gateway instance ID does not exist\. \(smartAgId sag-nothere1\) \(RequestId: [0-9A-F-]{36}\)\nhint: check smartAgIds and regionId/,
        );
        return true;
      },
    );
  });
});
