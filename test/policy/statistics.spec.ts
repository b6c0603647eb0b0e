// Where the policy pack finds counts in a stack, and what it does with values a preview cannot
// know yet.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { PolicyResource } from "@pulumi/policy";
import * as smartag from "pulumi-smartag";
import {
  DYNAMIC_RESOURCE_TYPE,
  findStatistics,
  MAX_EXPORT_DEPTH,
  PLUGIN_RESOURCE_TYPE,
  readKnown,
} from "../../examples/policy-pack/statistics";
import { repoRoot } from "../helpers/pulumiCli";
import { installMocks, resolvedValue } from "../sdk/mocks";
import {
  type FakeResource,
  previewedGate,
  proxied,
  recordedGate,
  stack,
  stackUrn,
  unknown,
  urnOf,
  validate,
} from "./helpers";

const basicOutputs = {
  regionId: "cn-shanghai",
  instance: "sag-demo0001",
  userStatistics: [
    { userName: "doctest", onlineCount: 2 },
    { userName: "bob.smith", onlineCount: 5 },
  ],
  totalOnlineCount: 7,
  requestIds: ["A"],
};

/**
 * Runs findStatistics inside a stack policy, so that it reads the resources through the same
 * unknown-checking proxy as in a real preview.
 */
async function scan(resources: FakeResource[]) {
  let result: ReturnType<typeof findStatistics> | undefined;
  await validate(
    {
      name: "probe",
      description: "hands the proxied resources to findStatistics",
      validateStack: (args) => {
        result = findStatistics(args.resources as PolicyResource[]);
      },
    },
    resources,
  );
  assert.ok(result);
  return result;
}

describe("policy pack: finding statistics in a stack", () => {
  it("reads the counts a statistics resource recorded, naming its instance", async () => {
    const gate = recordedGate();
    const { observed, unknown: notKnown } = await scan([gate]);
    assert.deepEqual(notKnown, []);
    assert.equal(observed.length, 1);
    assert.deepEqual(observed[0], {
      where: 'resource "gate"',
      urn: urnOf(gate),
      fromResource: true,
      perInstance: false,
      regionId: "cn-shanghai",
      smartAgId: "sag-demo0001",
      userStatistics: [
        { userName: "doctest", onlineCount: 2 },
        { userName: "alice@example.com", onlineCount: 0 },
        { userName: "bob.smith", onlineCount: 5 },
        { userName: "carol_01", onlineCount: 1 },
      ],
      totalOnlineCount: 8,
      partlyUnknown: false,
      unreadableEntries: [],
    });
  });

  it("reads the dynamic-provider form too, and nothing of other types", async () => {
    const dynamic = { ...recordedGate(), type: DYNAMIC_RESOURCE_TYPE, name: "dyn" };
    const other = { ...recordedGate(), type: "alicloud:ecs/instance:Instance", name: "vm" };
    const { observed } = await scan([dynamic, other]);
    assert.deepEqual(
      observed.map((o) => o.where),
      ['resource "dyn"'],
    );
  });

  it("counts a resource about to be created as unknown, not as statistics", async () => {
    const noOutputs = {
      type: DYNAMIC_RESOURCE_TYPE,
      name: "fresh",
      props: { smartAgId: "sag-demo0001", userNames: ["doctest"] },
    };
    const { observed, unknown: notKnown } = await scan([previewedGate(), noOutputs]);
    assert.deepEqual(observed, []);
    assert.deepEqual(notKnown, ['resource "gate"', 'resource "fresh"']);
  });

  it("keeps the known entries of a partly unknown list, and no total it cannot know", async () => {
    const gate = recordedGate({
      userStatistics: [
        { userName: "doctest", onlineCount: unknown.number },
        unknown.object,
        { userName: "bob.smith", onlineCount: 5 },
      ],
      totalOnlineCount: unknown.number,
    });
    const [found] = (await scan([gate])).observed;
    assert.ok(found);
    assert.deepEqual(found.userStatistics, [{ userName: "bob.smith", onlineCount: 5 }]);
    assert.equal(found.totalOnlineCount, undefined);
    assert.equal(found.partlyUnknown, true);
  });

  it("reads the stack's own outputs when they carry userStatistics (examples/basic)", async () => {
    const { observed } = await scan([stack(basicOutputs)]);
    assert.equal(observed.length, 1);
    assert.deepEqual(observed[0], {
      where: "stack outputs",
      urn: stackUrn,
      fromResource: false,
      perInstance: false,
      regionId: "cn-shanghai",
      smartAgId: "sag-demo0001",
      userStatistics: basicOutputs.userStatistics,
      totalOnlineCount: 7,
      partlyUnknown: false,
      unreadableEntries: [],
    });
  });

  it("reads exported lists (examples/multi-region) and whole exported results", async () => {
    const { observed } = await scan([
      stack({
        shanghaiUsers: [
          { userName: "doctest", onlineCount: 2 },
          { userName: "bob.smith", onlineCount: 5 },
          // The same name twice counts once in the total, as the API counts it.
          { userName: "doctest", onlineCount: 2 },
        ],
        hongkong: {
          regionId: "cn-hongkong",
          smartAgId: "sag-hk000001",
          userStatistics: [{ userName: "dave-hk", onlineCount: 3 }],
          totalOnlineCount: 3,
        },
      }),
    ]);
    assert.deepEqual(
      observed.map((o) => [o.where, o.smartAgId, o.totalOnlineCount]),
      [
        ['stack output "shanghaiUsers"', undefined, 7],
        ['stack output "hongkong"', "sag-hk000001", 3],
      ],
    );
  });

  it("finds records and lists nested in exported objects and lists, named by their path", async () => {
    const result = (smartAgId: string, userName: string, onlineCount: number) => ({
      regionId: "cn-shanghai",
      smartAgId,
      userStatistics: [{ userName, onlineCount }],
      totalOnlineCount: onlineCount,
    });
    const { observed } = await scan([
      stack({
        byRegion: { shanghai: result("sag-a0000001", "bob.smith", 9) },
        all: [result("sag-a0000001", "bob.smith", 9), result("sag-b0000001", "dave-hk", 1)],
        report: { "per user": [{ userName: "carol_01", onlineCount: 4 }], later: unknown.object },
      }),
    ]);
    assert.deepEqual(
      observed.map((o) => [o.where, o.smartAgId, o.userStatistics, o.totalOnlineCount]),
      [
        [
          'stack output "byRegion.shanghai"',
          "sag-a0000001",
          [{ userName: "bob.smith", onlineCount: 9 }],
          9,
        ],
        ['stack output "all[0]"', "sag-a0000001", [{ userName: "bob.smith", onlineCount: 9 }], 9],
        ['stack output "all[1]"', "sag-b0000001", [{ userName: "dave-hk", onlineCount: 1 }], 1],
        [
          'stack output "report["per user"]"',
          undefined,
          [{ userName: "carol_01", onlineCount: 4 }],
          4,
        ],
      ],
    );
  });

  it(`searches exports ${MAX_EXPORT_DEPTH} levels deep, and no deeper`, async () => {
    const list = [{ userName: "bob.smith", onlineCount: 9 }];
    const nest = (levels: number): unknown => (levels === 1 ? list : { down: nest(levels - 1) });
    const { observed } = await scan([
      stack({ deepest: nest(MAX_EXPORT_DEPTH), tooDeep: nest(MAX_EXPORT_DEPTH + 1) }),
    ]);
    assert.deepEqual(
      observed.map((o) => o.where),
      [`stack output "deepest${".down".repeat(MAX_EXPORT_DEPTH - 1)}"`],
    );
  });

  it("ignores exports that are not statistics", async () => {
    const { observed, unknown: notKnown } = await scan([
      stack({
        empty: [],
        names: ["doctest", "bob.smith"],
        counts: [2, 5],
        other: [{ userName: "doctest", role: "admin" }],
        mixed: [{ userName: "doctest", onlineCount: 2 }, "bob.smith"],
        record: { userStatistics: "none" },
        total: 8,
        nested: { names: ["doctest"], deeper: [[2, 5], { role: "admin" }] },
        later: unknown.array,
      }),
    ]);
    assert.deepEqual(observed, []);
    assert.deepEqual(notKnown, []);
  });

  it("tells data it cannot read from values not known yet, and keeps what it can read", async () => {
    const gate = recordedGate({
      userStatistics: [
        { userName: "bob.smith", onlineCount: 9 },
        { userName: "x", onlineCount: "2" },
        { userName: "doctest", onlineCount: unknown.number },
        { userName: 7, onlineCount: -1 },
        "carol_01",
      ],
      totalOnlineCount: "11",
    });
    const { observed, unknown: notKnown } = await scan([
      gate,
      stack({ text: [{ userName: "doctest", onlineCount: "5" }] }),
    ]);
    assert.deepEqual(notKnown, []);
    assert.deepEqual(
      observed.map((o) => [
        o.where,
        o.userStatistics,
        o.totalOnlineCount,
        o.partlyUnknown,
        o.unreadableEntries,
        o.unreadableTotal,
      ]),
      [
        [
          'resource "gate"',
          [{ userName: "bob.smith", onlineCount: 9 }],
          undefined,
          true,
          [
            'userStatistics[1] (x): onlineCount is "2", not a count of at least 0',
            "userStatistics[3]: userName is 7, not a name; onlineCount is -1, not a count of at least 0",
            'userStatistics[4] is "carol_01", not a {userName, onlineCount}',
          ],
          'totalOnlineCount is "11", not a count of at least 0',
        ],
        [
          'stack output "text"',
          [],
          undefined,
          false,
          ['text[0] (doctest): onlineCount is "5", not a count of at least 0'],
          undefined,
        ],
      ],
    );
  });

  it("does not list again an export that repeats a resource's counts", async () => {
    const gate = recordedGate();
    const props = gate.props;
    const { observed } = await scan([
      gate,
      stack({
        userStatistics: props.userStatistics,
        totalOnlineCount: props.totalOnlineCount,
        wholeResource: { ...props, urn: urnOf(gate) },
      }),
    ]);
    assert.deepEqual(
      observed.map((o) => o.where),
      ['resource "gate"'],
    );
  });

  it("lists an export of another instance or region even when its counts match a resource's", async () => {
    const gate = recordedGate();
    const { userStatistics, totalOnlineCount } = gate.props;
    const { observed } = await scan([
      gate,
      stack({
        otherInstance: { smartAgId: "sag-other001", userStatistics, totalOnlineCount },
        otherRegion: { regionId: "cn-hongkong", userStatistics, totalOnlineCount },
        sameInstance: { smartAgId: "sag-demo0001", userStatistics, totalOnlineCount },
      }),
    ]);
    assert.deepEqual(
      observed.map((o) => [o.where, o.smartAgId, o.regionId]),
      [
        ['resource "gate"', "sag-demo0001", "cn-shanghai"],
        ['stack output "otherInstance"', "sag-other001", undefined],
        ['stack output "otherRegion"', undefined, "cn-hongkong"],
      ],
    );
  });

  it("reads unknowns as unknown and lets every other error through", () => {
    const props = proxied({ a: unknown.number, b: 3 });
    // The proxy throws on the unknown; readKnown answers its own marker instead.
    assert.throws(() => props.a, /can't be known during preview/);
    assert.equal(typeof readKnown(props, "a"), "symbol");
    assert.equal(readKnown(props, "b"), 3);
    assert.equal(typeof readKnown({ raw: unknown.string }, "raw"), "symbol");
    const broken = new Proxy(
      {},
      {
        get: () => {
          throw new TypeError("boom");
        },
      },
    );
    assert.throws(() => readKnown(broken, "x"), /boom/);
  });

  describe("type tokens", () => {
    it("names the plugin resource as provider/schema.json and the SDK do", () => {
      const schema = JSON.parse(
        fs.readFileSync(path.join(repoRoot, "provider", "schema.json"), "utf8"),
      ) as { resources: Record<string, unknown> };
      assert.ok(PLUGIN_RESOURCE_TYPE in schema.resources);
      const sdkToken = (smartag.UserOnlineClientStatistics as unknown as { __pulumiType: string })
        .__pulumiType;
      assert.equal(PLUGIN_RESOURCE_TYPE, sdkToken);
    });

    it("names both forms as the SDK registers them", async () => {
      const recorded = await installMocks(() => ({}));
      const args = { smartAgId: "sag-demo0001", userNames: ["doctest"] };
      const plugin = new smartag.UserOnlineClientStatistics("p", args);
      const dynamic = new smartag.dynamic.UserOnlineClientStatistics("d", args);
      await Promise.all([resolvedValue(plugin.urn), resolvedValue(dynamic.urn)]);
      assert.deepEqual(
        recorded.resources.map((r) => r.type).sort(),
        [DYNAMIC_RESOURCE_TYPE, PLUGIN_RESOURCE_TYPE].sort(),
      );
    });
  });
});
