import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as smartag from "pulumi-smartag";
import schema from "../../provider/schema.json";
import { resolvedValue } from "./mocks";

const TYPE = "smartag:index:UserOnlineClientStatistics";
const recorded = {
  regionId: "cn-shanghai",
  userStatistics: [
    { userName: "doctest", onlineCount: 2 },
    { userName: "carol_01", onlineCount: 1 },
  ],
  totalOnlineCount: 3,
  requestIds: ["14846A6A-2192-4F6A-B272-B8BD68EBC89B"],
};

let registered: pulumi.runtime.MockResourceArgs[] = [];

describe("UserOnlineClientStatistics", () => {
  beforeEach(async () => {
    registered = [];
    await pulumi.runtime.setMocks(
      {
        call: () => ({}),
        newResource(args) {
          registered.push(args);
          return {
            id: `cn-shanghai/${args.inputs.smartAgId}`,
            state: { ...args.inputs, ...recorded },
          };
        },
      },
      "sdk-tests",
      "test",
      false,
    );
  });

  it("registers the schema's type token with the inputs under the schema's names", async () => {
    const stats = new smartag.UserOnlineClientStatistics("demo", {
      smartAgId: "sag-demo0001",
      userNames: ["doctest", pulumi.output("carol_01")],
      maxOnlinePerUser: 3,
      requireNoneOnline: false,
    });
    await resolvedValue(stats.id);
    assert.ok(TYPE in schema.resources);
    assert.equal(registered.length, 1);
    const [args] = registered;
    assert.equal(args?.type, TYPE);
    assert.deepEqual(args?.inputs, {
      smartAgId: "sag-demo0001",
      userNames: ["doctest", "carol_01"],
      maxOnlinePerUser: 3,
      requireNoneOnline: false,
    });
  });

  it("resolves every output from the recorded state", async () => {
    const stats = new smartag.UserOnlineClientStatistics("demo", {
      smartAgId: "sag-demo0001",
      userNames: ["doctest", "carol_01"],
    });
    // Annotations make tsc check the documented output types.
    const total: pulumi.Output<number> = stats.totalOnlineCount;
    const perUser: pulumi.Output<smartag.types.output.UserStatistic[]> = stats.userStatistics;
    assert.equal(await resolvedValue(stats.id), "cn-shanghai/sag-demo0001");
    assert.equal(await resolvedValue(total), 3);
    assert.deepEqual(await resolvedValue(perUser), recorded.userStatistics);
    assert.equal(await resolvedValue(stats.regionId), "cn-shanghai");
    assert.deepEqual(await resolvedValue(stats.requestIds), recorded.requestIds);
    assert.deepEqual(await resolvedValue(stats.userNames), ["doctest", "carol_01"]);
  });

  it("refuses to construct without smartAgId", () => {
    assert.throws(
      () =>
        new smartag.UserOnlineClientStatistics("bad", {
          userNames: ["doctest"],
        } as unknown as smartag.UserOnlineClientStatisticsArgs),
      /Missing required property 'smartAgId'/,
    );
  });

  it("registers without userNames, which counts every account", async () => {
    const stats = new smartag.UserOnlineClientStatistics("all", { smartAgId: "sag-demo0001" });
    await resolvedValue(stats.id);
    assert.deepEqual(registered[0]?.inputs, { smartAgId: "sag-demo0001" });
    assert.equal(await resolvedValue(stats.userNames), undefined);
  });

  it("get() reads an existing record by id, with the state naming instance and users", async () => {
    const seen = smartag.UserOnlineClientStatistics.get("seen", "cn-shanghai/sag-demo0001", {
      smartAgId: "sag-demo0001",
      userNames: ["doctest"],
    });
    assert.equal(await resolvedValue(seen.totalOnlineCount), 3);
    assert.ok(smartag.UserOnlineClientStatistics.isInstance(seen));
    assert.equal(smartag.UserOnlineClientStatistics.isInstance(new smartag.Provider("p")), false);
    assert.equal(smartag.UserOnlineClientStatistics.isInstance({}), false);
  });
});
