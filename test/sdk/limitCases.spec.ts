// The limit cases both SDKs are held to (test/fixtures/limit-cases.json); the Python SDK's gates
// read the same file in test/python/test_limit_cases.py.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
  findLimitViolations,
  formatLimitViolations,
  type LimitViolation,
  type OnlineLimits,
  type StatisticsLike,
} from "@pulumi-smartag/limits";

interface LimitCase {
  name: string;
  stats: StatisticsLike;
  limits: OnlineLimits;
  violations?: LimitViolation[];
  message?: string;
  invalid?: string[];
}

const file = path.join(__dirname, "..", "fixtures", "limit-cases.json");
const { cases } = JSON.parse(readFileSync(file, "utf8")) as { cases: LimitCase[] };

describe("limit cases shared with the Python SDK", () => {
  it("has cases of every kind", () => {
    const kinds = new Set(cases.flatMap((c) => (c.violations ?? []).map((v) => v.kind)));
    assert.deepEqual([...kinds].sort(), [
      "maxOnlinePerInstance",
      "maxOnlinePerUser",
      "maxTotalOnline",
      "requireNoneOnline",
    ]);
    assert.ok(cases.some((c) => c.invalid));
    assert.ok(cases.some((c) => "statistics" in c.stats && c.violations?.length));
  });

  for (const c of cases) {
    it(c.name, () => {
      if (c.invalid) {
        assert.throws(
          () => findLimitViolations(c.stats, c.limits),
          (e: Error) => c.invalid?.every((key) => e.message.includes(`${key} must`)) ?? false,
        );
        return;
      }
      const violations = findLimitViolations(c.stats, c.limits);
      assert.deepEqual(violations, c.violations);
      if (c.message !== undefined) {
        assert.equal(formatLimitViolations(c.stats, violations), c.message);
      }
    });
  }
});
