import assert from "node:assert/strict";
import {
  distinctTotal,
  findLimitViolations,
  formatLimitViolations,
  instanceLabel,
} from "@pulumi-smartag/limits";

const stats = {
  regionId: "cn-shanghai",
  smartAgId: "sag-demo0001",
  userStatistics: [
    { userName: "doctest", onlineCount: 2 },
    { userName: "bob.smith", onlineCount: 5 },
    { userName: "alice@example.com", onlineCount: 0 },
    { userName: "bob.smith", onlineCount: 5 },
  ],
  totalOnlineCount: 7,
};

describe("limits", () => {
  it("passes when every count is within its limit", () => {
    assert.deepEqual(findLimitViolations(stats, { maxOnlinePerUser: 5, maxTotalOnline: 7 }), []);
    assert.deepEqual(findLimitViolations(stats, {}), []);
  });

  it("names every user over the per-user limit once, and the total", () => {
    const v = findLimitViolations(stats, { maxOnlinePerUser: 1, maxTotalOnline: 6 });
    assert.deepEqual(v, [
      { kind: "maxOnlinePerUser", userName: "doctest", onlineCount: 2, limit: 1 },
      { kind: "maxOnlinePerUser", userName: "bob.smith", onlineCount: 5, limit: 1 },
      { kind: "maxTotalOnline", onlineCount: 7, limit: 6 },
    ]);
    assert.equal(
      formatLimitViolations(stats, v),
      "SAG instance sag-demo0001 (cn-shanghai): 3 limit violations:\n" +
        "  - doctest: 2 online, limit 1 per user\n" +
        "  - bob.smith: 5 online, limit 1 per user\n" +
        "  - total: 7 online, limit 6",
    );
  });

  it("requires nobody online when asked to", () => {
    assert.deepEqual(
      findLimitViolations(stats, { requireNoneOnline: true }).map(
        (v) => v.kind === "requireNoneOnline" && "userName" in v && v.userName,
      ),
      ["doctest", "bob.smith"],
    );
  });

  it("judges a name listed twice with different counts by its highest count, wherever it is", () => {
    const userStatistics = [
      { userName: "bob.smith", onlineCount: 1 },
      { userName: "doctest", onlineCount: 2 },
      { userName: "bob.smith", onlineCount: 9 },
    ];
    const expected = [
      { kind: "maxOnlinePerUser", userName: "bob.smith", onlineCount: 9, limit: 3 },
    ] as const;
    assert.deepEqual(
      findLimitViolations({ userStatistics, totalOnlineCount: 11 }, { maxOnlinePerUser: 3 }),
      expected,
    );
    assert.deepEqual(
      findLimitViolations(
        { userStatistics: [...userStatistics].reverse(), totalOnlineCount: 11 },
        { maxOnlinePerUser: 3 },
      ),
      expected,
    );
  });

  it("totals each distinct name once, by its highest count", () => {
    const twice = { userName: "doctest", onlineCount: 2 };
    assert.equal(distinctTotal([twice, twice, { userName: "bob.smith", onlineCount: 5 }]), 7);
    assert.equal(
      distinctTotal([
        { userName: "bob.smith", onlineCount: 1 },
        { userName: "bob.smith", onlineCount: 9 },
        { userName: "bob.smith", onlineCount: 3 },
      ]),
      9,
    );
    assert.equal(distinctTotal([]), 0);
  });

  it("names an instance by id and region, either alone, or as unknown", () => {
    assert.equal(
      instanceLabel({ smartAgId: "sag-demo0001", regionId: "cn-shanghai" }),
      "sag-demo0001 (cn-shanghai)",
    );
    assert.equal(instanceLabel({ smartAgId: "sag-demo0001" }), "sag-demo0001");
    assert.equal(instanceLabel({ regionId: "cn-shanghai" }), "(cn-shanghai)");
    assert.equal(instanceLabel({}), "(unknown)");
  });

  it("refuses limits that are not whole numbers of at least 0", () => {
    assert.throws(
      () => findLimitViolations(stats, { maxOnlinePerUser: -1, maxTotalOnline: 1.5 }),
      /invalid limits: maxOnlinePerUser must be a whole number of at least 0 \(got -1\); maxTotalOnline must be a whole number of at least 0 \(got 1.5\)/,
    );
  });
});
