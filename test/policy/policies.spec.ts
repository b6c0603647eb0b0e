// The pack's policies called directly, as @pulumi/policy calls them for AnalyzeStack: pass and
// fail, values a preview cannot know, and the policy config.
import assert from "node:assert/strict";
import {
  maxOnlinePerInstancePolicy,
  maxOnlinePerUserPolicy,
  maxTotalOnlinePolicy,
  nobodyOnlinePolicy,
  PACK_NAME,
  policies,
} from "../../examples/policy-pack/policies";
import { DYNAMIC_RESOURCE_TYPE } from "../../examples/policy-pack/statistics";
import { previewedGate, recordedGate, stack, stackUrn, unknown, urnOf, validate } from "./helpers";

const basicOutputs = {
  regionId: "cn-shanghai",
  instance: "sag-demo0001",
  userStatistics: [
    { userName: "doctest", onlineCount: 2 },
    { userName: "alice@example.com", onlineCount: 0 },
    { userName: "bob.smith", onlineCount: 5 },
    { userName: "carol_01", onlineCount: 1 },
  ],
  totalOnlineCount: 8,
};

describe("policy pack: the policies", () => {
  describe("smartag-max-online-per-user", () => {
    it("reports the account above the limit, with its count and the limit, on the resource", async () => {
      const gate = recordedGate();
      const { violations } = await validate(maxOnlinePerUserPolicy, [gate], {
        maxOnlinePerUser: 3,
      });
      assert.deepEqual(violations, [
        {
          urn: urnOf(gate),
          message:
            'resource "gate": SAG instance sag-demo0001 (cn-shanghai): 1 limit violation:\n' +
            "  - bob.smith: 5 online, limit 3 per user",
        },
      ]);
    });

    it("names every offending account in one message", async () => {
      const { violations } = await validate(maxOnlinePerUserPolicy, [recordedGate()], {
        maxOnlinePerUser: 1,
      });
      assert.equal(violations.length, 1);
      const message = violations[0]?.message ?? "";
      assert.match(message, /2 limit violations/);
      assert.match(message, /- doctest: 2 online, limit 1 per user/);
      assert.match(message, /- bob\.smith: 5 online, limit 1 per user/);
      assert.doesNotMatch(message, /carol_01|alice@example\.com/);
    });

    it("passes at the limit: only more than the limit is a violation", async () => {
      const outcome = await validate(maxOnlinePerUserPolicy, [recordedGate()], {
        maxOnlinePerUser: 5,
      });
      assert.deepEqual(outcome, { violations: [], notApplicable: undefined });
    });

    it("reads the dynamic form's recorded counts", async () => {
      const dynamic = { ...recordedGate(), type: DYNAMIC_RESOURCE_TYPE };
      const { violations } = await validate(maxOnlinePerUserPolicy, [dynamic], {
        maxOnlinePerUser: 4,
      });
      assert.equal(violations.length, 1);
      assert.equal(violations[0]?.urn, urnOf(dynamic));
      assert.match(violations[0]?.message ?? "", /bob\.smith: 5 online, limit 4 per user/);
    });

    it("judges the statistics a stack exports, against the stack", async () => {
      const { violations } = await validate(maxOnlinePerUserPolicy, [stack(basicOutputs)], {
        maxOnlinePerUser: 3,
      });
      assert.deepEqual(violations, [
        {
          urn: stackUrn,
          message:
            "stack outputs: SAG instance sag-demo0001 (cn-shanghai): 1 limit violation:\n" +
            "  - bob.smith: 5 online, limit 3 per user",
        },
      ]);
    });

    it("judges statistics exported inside objects and lists, naming the export path", async () => {
      const result = (smartAgId: string, userName: string, onlineCount: number) => ({
        regionId: "cn-shanghai",
        smartAgId,
        userStatistics: [{ userName, onlineCount }],
        totalOnlineCount: onlineCount,
        requestIds: ["r"],
      });
      const cases: [Record<string, unknown>, string[]][] = [
        [
          { byRegion: { shanghai: result("sag-a0000001", "bob.smith", 9) } },
          ['stack output "byRegion.shanghai": SAG instance sag-a0000001 (cn-shanghai)'],
        ],
        [
          { all: [result("sag-a0000001", "bob.smith", 9), result("sag-b0000001", "dave-hk", 1)] },
          ['stack output "all[0]": SAG instance sag-a0000001 (cn-shanghai)'],
        ],
        [
          { report: { users: [{ userName: "bob.smith", onlineCount: 9 }] } },
          ['stack output "report.users": SAG instance (unknown)'],
        ],
      ];
      for (const [outputs, headings] of cases) {
        const { violations } = await validate(maxOnlinePerUserPolicy, [stack(outputs)], {
          maxOnlinePerUser: 3,
        });
        assert.deepEqual(
          violations.map((v) => [v.urn, v.message]),
          headings.map((heading) => [
            stackUrn,
            `${heading}: 1 limit violation:\n  - bob.smith: 9 online, limit 3 per user`,
          ]),
          JSON.stringify(outputs),
        );
      }
    });

    it("reports an excess once when the stack exports the resource's counts", async () => {
      const gate = recordedGate();
      const { violations } = await validate(
        maxOnlinePerUserPolicy,
        [
          gate,
          stack({
            userStatistics: gate.props.userStatistics,
            totalOnlineCount: gate.props.totalOnlineCount,
          }),
        ],
        { maxOnlinePerUser: 3 },
      );
      assert.deepEqual(
        violations.map((v) => v.urn),
        [urnOf(gate)],
      );
    });

    it("reports another instance's export with the same counts as the resource, on the stack", async () => {
      const gate = recordedGate();
      const other = { ...gate.props, smartAgId: "sag-other001" };
      const { violations } = await validate(maxOnlinePerUserPolicy, [gate, stack({ other })], {
        maxOnlinePerUser: 3,
      });
      assert.deepEqual(
        violations.map((v) => [v.urn, v.message.split(":")[0]]),
        [
          [urnOf(gate), 'resource "gate"'],
          [stackUrn, 'stack output "other"'],
        ],
      );
      assert.match(violations[1]?.message ?? "", /SAG instance sag-other001 \(cn-shanghai\)/);
    });

    it("reports nothing on counts a preview cannot know, and says why", async () => {
      const outcome = await validate(
        maxOnlinePerUserPolicy,
        [
          previewedGate(),
          stack({ userStatistics: unknown.array, totalOnlineCount: unknown.number }),
        ],
        { maxOnlinePerUser: 0 },
      );
      assert.deepEqual(outcome.violations, []);
      assert.match(outcome.notApplicable ?? "", /not known until the update/);
    });

    it("still reports a known excess next to unknown counts, and says the rest is unknown", async () => {
      const gate = recordedGate({
        userStatistics: [
          { userName: "doctest", onlineCount: unknown.number },
          { userName: "bob.smith", onlineCount: 5 },
        ],
        totalOnlineCount: unknown.number,
      });
      const { violations } = await validate(maxOnlinePerUserPolicy, [gate], {
        maxOnlinePerUser: 3,
      });
      assert.equal(violations.length, 1);
      assert.match(violations[0]?.message ?? "", /bob\.smith: 5 online, limit 3 per user/);
      assert.match(
        violations[0]?.message ?? "",
        /other counts here are not known until the update/,
      );
      assert.doesNotMatch(violations[0]?.message ?? "", /doctest/);
    });

    it("judges a name listed twice with different counts by its highest count", async () => {
      for (const counts of [
        [1, 9],
        [9, 1],
      ]) {
        const everyone = counts.map((onlineCount) => ({ userName: "bob.smith", onlineCount }));
        const { violations } = await validate(maxOnlinePerUserPolicy, [stack({ everyone })], {
          maxOnlinePerUser: 3,
        });
        assert.deepEqual(
          violations.map((v) => v.message),
          [
            'stack output "everyone": SAG instance (unknown): 1 limit violation:\n' +
              "  - bob.smith: 9 online, limit 3 per user",
          ],
          `counts ${counts.join(", ")}`,
        );
      }
    });

    it("fails on entries it cannot read, naming them, and judges the entries it can", async () => {
      const gate = recordedGate({
        userStatistics: [
          { userName: "bob.smith", onlineCount: 9 },
          { userName: "x", onlineCount: "2" },
        ],
      });
      const { violations, notApplicable } = await validate(maxOnlinePerUserPolicy, [gate], {
        maxOnlinePerUser: 3,
      });
      assert.equal(notApplicable, undefined);
      assert.deepEqual(violations, [
        {
          urn: urnOf(gate),
          message:
            'resource "gate": SAG instance sag-demo0001 (cn-shanghai): 1 limit violation:\n' +
            "  - bob.smith: 9 online, limit 3 per user\n" +
            "  and cannot read 1 part of these statistics, so they cannot pass:\n" +
            '  - userStatistics[1] (x): onlineCount is "2", not a count of at least 0',
        },
      ]);
    });

    it("fails on a list it cannot read even when every readable count is within the limit", async () => {
      for (const userStatistics of [[{ userName: "x", onlineCount: "2" }], "none"]) {
        const gate = recordedGate({ userStatistics });
        const { violations } = await validate(maxOnlinePerUserPolicy, [gate], {
          maxOnlinePerUser: 3,
        });
        assert.equal(violations.length, 1, JSON.stringify(userStatistics));
        assert.match(
          violations[0]?.message ?? "",
          /^resource "gate": SAG instance sag-demo0001 \(cn-shanghai\): cannot read 1 part of these statistics, so they cannot pass:\n {2}- userStatistics/,
        );
        assert.doesNotMatch(violations[0]?.message ?? "", /not known until the update/);
      }
    });

    it("checks nothing without a configured limit", async () => {
      const outcome = await validate(maxOnlinePerUserPolicy, [recordedGate()], {
        enforcementLevel: "mandatory",
      });
      assert.deepEqual(outcome, {
        violations: [],
        notApplicable: "maxOnlinePerUser is not configured",
      });
    });

    it("says so when the stack has no statistics at all", async () => {
      const outcome = await validate(maxOnlinePerUserPolicy, [stack({ url: "https://x" })], {
        maxOnlinePerUser: 3,
      });
      assert.deepEqual(outcome.violations, []);
      assert.match(outcome.notApplicable ?? "", /no SAG online-client statistics/);
    });

    it("refuses a limit that is not a whole number of at least 0, naming it", async () => {
      for (const bad of [-1, 2.5, "3", true]) {
        await assert.rejects(
          validate(maxOnlinePerUserPolicy, [recordedGate()], { maxOnlinePerUser: bad }),
          /invalid policy config: maxOnlinePerUser must be a whole number of at least 0/,
        );
      }
    });
  });

  describe("smartag-max-total-online", () => {
    it("reports the total above the limit", async () => {
      const gate = recordedGate();
      const { violations } = await validate(maxTotalOnlinePolicy, [gate], { maxTotalOnline: 5 });
      assert.deepEqual(violations, [
        {
          urn: urnOf(gate),
          message:
            'resource "gate": SAG instance sag-demo0001 (cn-shanghai): 1 limit violation:\n' +
            "  - total: 8 online, limit 5",
        },
      ]);
    });

    it("passes at the limit", async () => {
      const { violations } = await validate(maxTotalOnlinePolicy, [recordedGate()], {
        maxTotalOnline: 8,
      });
      assert.deepEqual(violations, []);
    });

    it("sums an exported list over distinct accounts", async () => {
      const { violations } = await validate(
        maxTotalOnlinePolicy,
        [
          stack({
            hongkongUsers: [
              { userName: "doctest", onlineCount: 7 },
              { userName: "dave-hk", onlineCount: 3 },
              { userName: "doctest", onlineCount: 7 },
            ],
          }),
        ],
        { maxTotalOnline: 9 },
      );
      assert.equal(violations.length, 1);
      assert.match(violations[0]?.message ?? "", /^stack output "hongkongUsers": /);
      assert.match(violations[0]?.message ?? "", /total: 10 online, limit 9/);
    });

    it("counts a name listed twice with different counts once, by its highest count", async () => {
      for (const counts of [
        [9, 1],
        [1, 9],
      ]) {
        const everyone = counts.map((onlineCount) => ({ userName: "bob.smith", onlineCount }));
        const { violations } = await validate(maxTotalOnlinePolicy, [stack({ everyone })], {
          maxTotalOnline: 5,
        });
        assert.equal(violations.length, 1, `counts ${counts.join(", ")}`);
        assert.match(violations[0]?.message ?? "", /total: 9 online, limit 5/);
      }
    });

    it("judges a readable recorded total, and fails when neither total nor entries can be read", async () => {
      const readableTotal = recordedGate({
        userStatistics: [{ userName: "x", onlineCount: "2" }],
        totalOnlineCount: 3,
      });
      assert.deepEqual(
        await validate(maxTotalOnlinePolicy, [readableTotal], { maxTotalOnline: 5 }),
        { violations: [], notApplicable: undefined },
      );
      const unreadable = recordedGate({
        userStatistics: [{ userName: "x", onlineCount: "2" }],
        totalOnlineCount: "2",
      });
      const { violations } = await validate(maxTotalOnlinePolicy, [unreadable], {
        maxTotalOnline: 5,
      });
      assert.deepEqual(
        violations.map((v) => v.message),
        [
          'resource "gate": SAG instance sag-demo0001 (cn-shanghai): cannot read 2 parts of these statistics, so they cannot pass:\n' +
            '  - totalOnlineCount is "2", not a count of at least 0\n' +
            '  - userStatistics[0] (x): onlineCount is "2", not a count of at least 0',
        ],
      );
    });

    it("does not guess a total it cannot know while its known part is within the limit", async () => {
      const gate = recordedGate({
        userStatistics: [
          { userName: "doctest", onlineCount: 9 },
          { userName: "bob.smith", onlineCount: unknown.number },
        ],
        totalOnlineCount: unknown.number,
      });
      const outcome = await validate(maxTotalOnlinePolicy, [gate], { maxTotalOnline: 9 });
      assert.deepEqual(outcome.violations, []);
      assert.match(outcome.notApplicable ?? "", /not known until the update/);
    });

    it("reports a total whose known part is already above the limit, as a lower bound", async () => {
      const users = [
        { userName: "bob.smith", onlineCount: 9 },
        { userName: "carol_01", onlineCount: unknown.number },
        { userName: "bob.smith", onlineCount: 9 },
      ];
      const { violations, notApplicable } = await validate(
        maxTotalOnlinePolicy,
        [stack({ users })],
        { maxTotalOnline: 5 },
      );
      assert.equal(notApplicable, undefined);
      assert.deepEqual(
        violations.map((v) => v.message),
        [
          'stack output "users": SAG instance (unknown): 1 limit violation:\n' +
            "  - total: at least 9 online, limit 5\n" +
            "  (other counts here are not known until the update)",
        ],
      );
    });

    it("checks nothing without a configured limit", async () => {
      const outcome = await validate(maxTotalOnlinePolicy, [recordedGate()]);
      assert.equal(outcome.notApplicable, "maxTotalOnline is not configured");
    });
  });

  describe("smartag-nobody-online", () => {
    const enabled = { enabled: true };

    it("judges nothing unless enabled by its own config, whatever its enforcement level", async () => {
      // `"all": "mandatory"` in a pack config sets this policy's level too, and keeps its
      // properties: the policy then runs with its schema's default, enabled false.
      for (const config of [{}, { enforcementLevel: "mandatory" }, { enabled: false }]) {
        const outcome = await validate(nobodyOnlinePolicy, [recordedGate()], config);
        assert.deepEqual(
          outcome,
          { violations: [], notApplicable: "smartag-nobody-online is not enabled" },
          JSON.stringify(config),
        );
      }
    });

    it("refuses an enabled that is not true or false", async () => {
      await assert.rejects(
        validate(nobodyOnlinePolicy, [recordedGate()], { enabled: "yes" }),
        /invalid policy config: enabled must be true or false \(got yes\)/,
      );
    });

    it("names everyone who is online, and nobody who is not", async () => {
      const { violations } = await validate(nobodyOnlinePolicy, [recordedGate()], enabled);
      assert.equal(violations.length, 1);
      const message = violations[0]?.message ?? "";
      assert.match(message, /3 limit violations/);
      for (const line of [
        "- doctest: 2 online, none allowed",
        "- bob.smith: 5 online, none allowed",
        "- carol_01: 1 online, none allowed",
      ]) {
        assert.ok(message.includes(line), message);
      }
      assert.doesNotMatch(message, /alice@example\.com/);
    });

    it("passes when nobody is online", async () => {
      const nobody = recordedGate({
        userStatistics: [
          { userName: "doctest", onlineCount: 0 },
          { userName: "alice@example.com", onlineCount: 0 },
        ],
        totalOnlineCount: 0,
      });
      assert.deepEqual(await validate(nobodyOnlinePolicy, [nobody], enabled), {
        violations: [],
        notApplicable: undefined,
      });
    });

    it("does not pass a list whose every entry is unknown: it has judged nothing", async () => {
      const gate = recordedGate({
        userStatistics: [unknown.object, { userName: "doctest", onlineCount: unknown.number }],
        totalOnlineCount: unknown.number,
      });
      for (const [policy, config] of [
        [nobodyOnlinePolicy, enabled],
        [maxOnlinePerUserPolicy, { maxOnlinePerUser: 0 }],
      ] as const) {
        const outcome = await validate(policy, [gate], config);
        assert.deepEqual(outcome.violations, [], policy.name);
        assert.match(outcome.notApplicable ?? "", /not known until the update/, policy.name);
      }
    });

    it("does not claim anyone is online when the counts are unknown", async () => {
      const outcome = await validate(nobodyOnlinePolicy, [previewedGate()], enabled);
      assert.deepEqual(outcome.violations, []);
      assert.match(outcome.notApplicable ?? "", /not known until the update/);
    });
  });

  describe("instance totals (getSagOnlineClientStatistics exported)", () => {
    const totals = {
      regionId: "cn-shanghai",
      statistics: [
        { smartAgId: "sag-demo0001", onlineCount: 8 },
        { smartAgId: "sag-idle0001", onlineCount: 0 },
        { smartAgId: "sag-big0001", onlineCount: 225 },
      ],
      totalOnlineCount: 233,
      requestIds: ["0F4C0C48-5B0A-4E3B-9D34-2E6B1D0B4C11"],
    };

    it("smartag-max-online-per-instance names each instance above the limit, on the stack", async () => {
      const { violations } = await validate(
        maxOnlinePerInstancePolicy,
        [stack({ online: totals })],
        {
          maxOnlinePerInstance: 8,
        },
      );
      assert.deepEqual(violations, [
        {
          message:
            'stack output "online": 3 SAG instances (cn-shanghai): 1 limit violation:\n' +
            "  - sag-big0001: 225 online, limit 8 per instance",
          urn: stackUrn,
        },
      ]);
      const atLimit = await validate(maxOnlinePerInstancePolicy, [stack({ online: totals })], {
        maxOnlinePerInstance: 225,
      });
      assert.deepEqual(atLimit.violations, []);
      assert.equal(atLimit.notApplicable, undefined, "it judged the totals");
    });

    it("smartag-nobody-online names every instance online and no idle one", async () => {
      const { violations } = await validate(nobodyOnlinePolicy, [stack({ online: totals })], {
        enabled: true,
      });
      assert.equal(violations.length, 1);
      assert.equal(
        violations[0]?.message,
        'stack output "online": 3 SAG instances (cn-shanghai): 2 limit violations:\n' +
          "  - sag-demo0001: 8 online, none allowed\n" +
          "  - sag-big0001: 225 online, none allowed",
      );
      const idle = {
        regionId: "cn-shanghai",
        statistics: [{ smartAgId: "sag-idle0001", onlineCount: 0 }],
        totalOnlineCount: 0,
      };
      const passed = await validate(nobodyOnlinePolicy, [stack({ idle })], { enabled: true });
      assert.deepEqual(passed.violations, []);
      assert.equal(passed.notApplicable, undefined, "it judged the idle instance");
    });

    it("smartag-max-total-online holds the instances' total, from the stack's own fields too", async () => {
      const { violations } = await validate(maxTotalOnlinePolicy, [stack(totals)], {
        maxTotalOnline: 200,
      });
      assert.deepEqual(violations, [
        {
          message:
            "stack outputs: 3 SAG instances (cn-shanghai): 1 limit violation:\n" +
            "  - total: 233 online, limit 200",
          urn: stackUrn,
        },
      ]);
    });

    it("judges a bare [{smartAgId, onlineCount}] list, naming one instance alone", async () => {
      const { violations } = await validate(
        nobodyOnlinePolicy,
        [stack({ report: { perInstance: [{ smartAgId: "sag-demo0001", onlineCount: 8 }] } })],
        { enabled: true },
      );
      assert.deepEqual(
        violations.map((v) => v.message),
        [
          'stack output "report.perInstance": SAG instance sag-demo0001: 1 limit violation:\n' +
            "  - sag-demo0001: 8 online, none allowed",
        ],
      );
    });

    it("keeps per-account and per-instance limits to their own kind of statistics", async () => {
      const both = [recordedGate(), stack({ online: totals })];
      const perUser = await validate(maxOnlinePerUserPolicy, both, { maxOnlinePerUser: 3 });
      assert.deepEqual(
        perUser.violations.map((v) => v.message),
        [
          'resource "gate": SAG instance sag-demo0001 (cn-shanghai): 1 limit violation:\n' +
            "  - bob.smith: 5 online, limit 3 per user",
        ],
      );
      const onlyTotals = await validate(maxOnlinePerUserPolicy, [stack({ online: totals })], {
        maxOnlinePerUser: 3,
      });
      assert.deepEqual(onlyTotals.violations, []);
      assert.match(onlyTotals.notApplicable ?? "", /no SAG online-client statistics/);
      const onlyAccounts = await validate(maxOnlinePerInstancePolicy, [recordedGate()], {
        maxOnlinePerInstance: 3,
      });
      assert.deepEqual(onlyAccounts.violations, []);
      assert.equal(
        onlyAccounts.notApplicable,
        "the stack has no SAG instance totals (no exported getSagOnlineClientStatistics result)",
      );
    });

    it("reports nothing on instance totals a preview cannot know, and fails on ones it cannot read", async () => {
      const previewed = await validate(
        maxOnlinePerInstancePolicy,
        [
          stack({
            online: { ...totals, statistics: unknown.array, totalOnlineCount: unknown.number },
          }),
        ],
        { maxOnlinePerInstance: 1 },
      );
      assert.deepEqual(previewed.violations, []);
      assert.match(previewed.notApplicable ?? "", /not known until the update/);
      const garbled = await validate(
        nobodyOnlinePolicy,
        [
          stack({
            online: { ...totals, statistics: [{ smartAgId: "sag-demo0001", onlineCount: "8" }] },
          }),
        ],
        { enabled: true },
      );
      assert.deepEqual(
        garbled.violations.map((v) => v.message),
        [
          'stack output "online": SAG instances (cn-shanghai): cannot read 1 part of these statistics, so they cannot pass:\n' +
            '  - statistics[0] (sag-demo0001): onlineCount is "8", not a count of at least 0',
        ],
      );
    });
  });

  describe("the pack's shape", () => {
    it("offers four stack policies with the documented names", () => {
      assert.equal(PACK_NAME, "smartag-online-clients");
      assert.deepEqual(
        policies.map((p) => p.name),
        [
          "smartag-max-online-per-user",
          "smartag-max-online-per-instance",
          "smartag-max-total-online",
          "smartag-nobody-online",
        ],
      );
      for (const p of policies) assert.equal(typeof p.validateStack, "function");
    });

    it("takes each limit from the config as a whole number >= 0 with no default", () => {
      assert.deepEqual(maxOnlinePerUserPolicy.configSchema?.properties, {
        maxOnlinePerUser: {
          type: "integer",
          minimum: 0,
          description:
            "The most clients one client account may have online at once. Unset: not checked.",
        },
      });
      const total = maxTotalOnlinePolicy.configSchema?.properties.maxTotalOnline;
      assert.equal(total?.type, "integer");
      assert.equal(total?.minimum, 0);
      assert.equal(total && "default" in total, false);
      assert.equal(maxOnlinePerUserPolicy.configSchema?.required, undefined);
    });

    it("leaves the enforcement level to the pack (mandatory) and the config, nobody-online off", () => {
      for (const p of policies) assert.equal(p.enforcementLevel, undefined, p.name);
      // Off by its own property, which the engine's "all" level never overwrites.
      assert.deepEqual(nobodyOnlinePolicy.configSchema?.properties.enabled, {
        type: "boolean",
        default: false,
        description:
          "Judge the stack: fail it when any listed account or instance has a client online. Default false.",
      });
      // @pulumi/policy refuses to serve a pack whose schema claims enforcementLevel.
      for (const p of policies) {
        assert.equal(p.configSchema?.properties.enforcementLevel, undefined);
      }
    });
  });
});
