import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as smartag from "pulumi-smartag";
import { resolvedValue } from "./mocks";

// sag-demo0001 as the emulator's default fixture has it.
const users = [
  { userName: "doctest", onlineCount: 2 },
  { userName: "alice@example.com", onlineCount: 0 },
  { userName: "bob.smith", onlineCount: 5 },
  { userName: "carol_01", onlineCount: 1 },
];
const canned: smartag.GetUserOnlineClientStatisticsResult = {
  regionId: "cn-shanghai",
  smartAgId: "sag-demo0001",
  userStatistics: users,
  totalOnlineCount: 8,
  requestIds: ["14846A6A-2192-4F6A-B272-B8BD68EBC89B"],
};
const allUsers = users.map((u) => u.userName);
/** Every account of each instance, as getSagOnlineClientStatistics counts them. */
const instanceCounts: Record<string, number> = { "sag-demo0001": 8, "sag-idle0001": 0 };

const tooMany =
  "SAG instance sag-demo0001 (cn-shanghai): 3 limit violations:\n" +
  "  - doctest: 2 online, limit 1 per user\n" +
  "  - bob.smith: 5 online, limit 1 per user\n" +
  "  - total: 8 online, limit 7";
const anyoneOnline =
  "SAG instance sag-demo0001 (cn-shanghai): 3 limit violations:\n" +
  "  - doctest: 2 online, none allowed\n" +
  "  - bob.smith: 5 online, none allowed\n" +
  "  - carol_01: 1 online, none allowed";

/** A resource whose output is unknown during a preview: it has no value in the mock's state. */
class Gateway extends pulumi.CustomResource {
  declare public readonly instanceId: pulumi.Output<string>;
  constructor(name: string) {
    super("test:index:Gateway", name, { instanceId: undefined });
  }
}

let calls: pulumi.runtime.MockCallArgs[] = [];

/** Mocks answering the invoke with `canned` (only the users asked for), as a preview or not. */
async function mocks(preview: boolean): Promise<void> {
  calls = [];
  await pulumi.runtime.setMocks(
    {
      call(args) {
        calls.push(args);
        if (args.token === "smartag:index:getSagOnlineClientStatistics") {
          const statistics = (args.inputs.smartAgIds as string[]).map((smartAgId) => ({
            smartAgId,
            onlineCount: instanceCounts[smartAgId] as number,
          }));
          const total = statistics.reduce((sum, s) => sum + s.onlineCount, 0);
          return { ...canned, statistics, totalOnlineCount: total, smartAgId: undefined };
        }
        // Without userNames, every account of the instance.
        const asked = new Set((args.inputs.userNames as string[]) ?? allUsers);
        const userStatistics = users.filter((u) => asked.has(u.userName));
        return {
          ...canned,
          userStatistics,
          totalOnlineCount: userStatistics.reduce((sum, u) => sum + u.onlineCount, 0),
        };
      },
      newResource(args) {
        if (args.type === "smartag:index:UserOnlineClientStatistics") {
          const asked = new Set(args.inputs.userNames as string[]);
          const userStatistics = users.filter((u) => asked.has(u.userName));
          return {
            id: `cn-shanghai/${args.inputs.smartAgId}`,
            state: {
              ...args.inputs,
              regionId: "cn-shanghai",
              userStatistics,
              totalOnlineCount: userStatistics.reduce((sum, u) => sum + u.onlineCount, 0),
              requestIds: canned.requestIds,
            },
          };
        }
        // Nothing beyond the inputs: in a preview the other outputs stay unknown.
        return { id: `${args.name}-id`, state: {} };
      },
    },
    "sdk-tests",
    "test",
    preview,
  );
}

/** Rejections nobody handled while `during` ran, once every chain it started has settled. */
async function unhandledRejections(during: () => Promise<unknown>): Promise<unknown[]> {
  const seen = new Set<unknown>();
  const listener = (reason: unknown) => seen.add(reason);
  process.on("unhandledRejection", listener);
  try {
    await during().catch(() => undefined);
    // Node reports an unhandled rejection after the turn in which it settled.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off("unhandledRejection", listener);
  }
  return [...seen];
}

/** The next unhandled rejection that `matches`. */
function nextUnhandled(matches: (reason: unknown) => boolean): Promise<unknown> {
  return new Promise((resolve) => {
    const listener = (reason: unknown) => {
      if (!matches(reason)) return;
      process.off("unhandledRejection", listener);
      resolve(reason);
    };
    process.on("unhandledRejection", listener);
  });
}

function isLimitsError(message: string) {
  return (e: unknown) => {
    assert.ok(smartag.OnlineLimitsError.isInstance(e), `not an OnlineLimitsError: ${String(e)}`);
    // RunError is what the Node.js runtime prints as its message alone, without a stack trace.
    assert.ok(pulumi.RunError.isInstance(e));
    assert.equal((e as Error).message, message);
    return true;
  };
}

describe("assertOnlineLimits on plain statistics", () => {
  it("returns the same statistics when every count is within its limit", () => {
    assert.equal(
      smartag.assertOnlineLimits(canned, { maxOnlinePerUser: 5, maxTotalOnline: 8 }),
      canned,
    );
  });

  it("throws a RunError naming every offending user with count and limit", () => {
    assert.throws(
      () => smartag.assertOnlineLimits(canned, { maxOnlinePerUser: 1, maxTotalOnline: 7 }),
      isLimitsError(tooMany),
    );
    try {
      smartag.assertOnlineLimits(canned, { maxOnlinePerUser: 1 });
      assert.fail("should have thrown");
    } catch (e) {
      assert.ok(smartag.OnlineLimitsError.isInstance(e));
      assert.deepEqual(e.violations, [
        { kind: "maxOnlinePerUser", userName: "doctest", onlineCount: 2, limit: 1 },
        { kind: "maxOnlinePerUser", userName: "bob.smith", onlineCount: 5, limit: 1 },
      ]);
      assert.equal(e.smartAgId, "sag-demo0001");
      assert.equal(e.regionId, "cn-shanghai");
      assert.equal(e.name, "OnlineLimitsError");
      // No frames: Node 20's util.inspect loops on source-mapped node_modules frames.
      assert.equal(e.stack, `OnlineLimitsError: ${e.message}`);
    }
  });

  it("refuses limits that are not whole numbers, with a RunError at the call", () => {
    assert.throws(
      () => smartag.assertOnlineLimits(pulumi.output(canned), { maxOnlinePerUser: -1 }),
      (e: unknown) => {
        assert.ok(pulumi.RunError.isInstance(e));
        assert.equal(
          (e as Error).message,
          "invalid limits: maxOnlinePerUser must be a whole number of at least 0 (got -1)",
        );
        return true;
      },
    );
  });

  it("requireNobodyOnline passes an idle instance and names everyone online otherwise", () => {
    const idle = {
      ...canned,
      userStatistics: [users[1] as smartag.types.output.UserStatistic],
      totalOnlineCount: 0,
    };
    assert.equal(smartag.requireNobodyOnline(idle), idle);
    assert.throws(() => smartag.requireNobodyOnline(canned), isLimitsError(anyoneOnline));
  });
});

describe("assertOnlineLimits on getUserOnlineClientStatistics (a Promise)", () => {
  beforeEach(() => mocks(false));

  it("resolves to the statistics when they pass", async () => {
    const stats = await smartag.assertOnlineLimits(
      smartag.getUserOnlineClientStatistics({ smartAgId: "sag-demo0001", userNames: ["doctest"] }),
      { maxOnlinePerUser: 2 },
    );
    assert.deepEqual(stats.userStatistics, [{ userName: "doctest", onlineCount: 2 }]);
  });

  it("rejects with the limits message when they do not", async () => {
    await assert.rejects(
      smartag.assertOnlineLimits(
        smartag.getUserOnlineClientStatistics({ smartAgId: "sag-demo0001", userNames: allUsers }),
        { maxOnlinePerUser: 1, maxTotalOnline: 7 },
      ),
      isLimitsError(tooMany),
    );
    await assert.rejects(
      smartag.requireNobodyOnline(
        smartag.getUserOnlineClientStatistics({ smartAgId: "sag-demo0001", userNames: allUsers }),
      ),
      isLimitsError(anyoneOnline),
    );
  });
});

describe("assertOnlineLimits on getUserOnlineClientStatisticsOutput (an Output)", () => {
  beforeEach(() => mocks(false));

  it("resolves to the statistics when they pass, keeping secretness", async () => {
    const stats = smartag.assertOnlineLimits(
      smartag.getUserOnlineClientStatisticsOutput({
        smartAgId: pulumi.secret("sag-demo0001"),
        userNames: ["doctest", "carol_01"],
      }),
      pulumi.output({ maxOnlinePerUser: 2, maxTotalOnline: 3 }),
    );
    const total: pulumi.Output<number> = stats.totalOnlineCount;
    assert.equal(await resolvedValue(total), 3);
    assert.equal(await pulumi.isSecret(stats), true);
  });

  it("fails with the limits message", async () => {
    const gated = smartag.assertOnlineLimits(
      smartag.getUserOnlineClientStatisticsOutput({
        smartAgId: "sag-demo0001",
        userNames: allUsers,
      }),
      { maxOnlinePerUser: 1, maxTotalOnline: 7 },
    );
    await assert.rejects(resolvedValue(gated), isLimitsError(tooMany));
  });

  it("fails the deployment even when nobody uses the returned Output", async () => {
    // The runtime sees the error as an unhandled rejection, which it reports by message and
    // turns into a failed deployment.
    const reported = nextUnhandled((e) => (e as Error).message?.includes("carol_01: 1 online"));
    smartag.requireNobodyOnline(
      smartag.getUserOnlineClientStatisticsOutput({
        smartAgId: "sag-demo0001",
        userNames: allUsers,
      }),
    );
    isLimitsError(anyoneOnline)(await reported);
  });

  it("shows [secret] instead of names when the statistics are secret", async () => {
    const gated = smartag.assertOnlineLimits(
      smartag.getUserOnlineClientStatisticsOutput({
        smartAgId: "sag-demo0001",
        userNames: pulumi.secret(allUsers),
      }),
      { maxOnlinePerUser: 4 },
    );
    await assert.rejects(resolvedValue(gated), (e: unknown) => {
      isLimitsError(
        "SAG instance [secret]: 1 limit violation:\n  - [secret]: 5 online, limit 4 per user",
      )(e);
      assert.doesNotMatch(JSON.stringify((e as smartag.OnlineLimitsError).violations), /bob/);
      return true;
    });
  });
});

describe("assertOnlineLimits on a UserOnlineClientStatistics resource", () => {
  beforeEach(() => mocks(false));

  it("judges the recorded counts and resolves to them", async () => {
    const ok = new smartag.UserOnlineClientStatistics("ok", {
      smartAgId: "sag-demo0001",
      userNames: ["doctest", "carol_01"],
    });
    const recorded = smartag.assertOnlineLimits(ok, { maxOnlinePerUser: 2 });
    assert.deepEqual(await resolvedValue(recorded), {
      regionId: "cn-shanghai",
      smartAgId: "sag-demo0001",
      userStatistics: [
        { userName: "doctest", onlineCount: 2 },
        { userName: "carol_01", onlineCount: 1 },
      ],
      totalOnlineCount: 3,
    });

    const busy = new smartag.UserOnlineClientStatistics("busy", {
      smartAgId: "sag-demo0001",
      userNames: allUsers,
    });
    await assert.rejects(
      resolvedValue(smartag.requireNobodyOnline(busy)),
      isLimitsError(anyoneOnline),
    );
  });
});

describe("assertOnlineLimits during a preview", () => {
  beforeEach(() => mocks(true));

  it("does not judge statistics that are not known yet", async () => {
    const gateway = new Gateway("gw");
    // bob.smith alone is online, so a false failure would have a message no other test makes.
    const stats = smartag.getUserOnlineClientStatisticsOutput({
      smartAgId: gateway.instanceId,
      userNames: ["bob.smith"],
    });
    const unhandled = await unhandledRejections(async () => {
      const gated = smartag.requireNobodyOnline(stats);
      assert.equal(await resolvedValue(gated), undefined, "unknown, not judged");
    });
    assert.deepEqual(
      unhandled.filter((e) => String((e as Error)?.message).includes("bob.smith: 5 online")),
      [],
    );
    assert.equal(calls.length, 0, "the invoke waits for the update");
  });

  it("judges statistics that are known already, so the preview shows the failure", async () => {
    const gated = smartag.requireNobodyOnline(
      smartag.getUserOnlineClientStatisticsOutput({
        smartAgId: "sag-demo0001",
        userNames: allUsers,
      }),
    );
    await assert.rejects(resolvedValue(gated), isLimitsError(anyoneOnline));
  });
});

describe("the gates on a whole instance, with no list of accounts", () => {
  beforeEach(() => mocks(false));
  const demoOnline =
    "SAG instance sag-demo0001 (cn-shanghai): 1 limit violation:\n" +
    "  - sag-demo0001: 8 online, none allowed";

  it("requireNobodyOnline reads the instance's total in one invoke and names it while anyone is online", async () => {
    const gated = smartag.requireNobodyOnline({
      smartAgId: "sag-demo0001",
      regionId: "cn-shanghai",
    });
    await assert.rejects(resolvedValue(gated), (e: unknown) => {
      isLimitsError(demoOnline)(e);
      assert.equal((e as smartag.OnlineLimitsError).smartAgId, "sag-demo0001");
      return true;
    });
    assert.deepEqual(
      calls.map((c) => [c.token, c.inputs]),
      [
        [
          "smartag:index:getSagOnlineClientStatistics",
          { smartAgIds: ["sag-demo0001"], regionId: "cn-shanghai" },
        ],
      ],
    );
  });

  it("requireNobodyOnline passes an idle instance and resolves to its statistics", async () => {
    const idle = smartag.requireNobodyOnline({ smartAgId: pulumi.output("sag-idle0001") });
    const stats = await resolvedValue(idle);
    assert.deepEqual(stats.statistics, [{ smartAgId: "sag-idle0001", onlineCount: 0 }]);
    assert.equal(stats.totalOnlineCount, 0);
  });

  it("assertOnlineLimits judges the instance's total and a per-instance limit", async () => {
    const ok = smartag.assertOnlineLimits(
      { smartAgId: "sag-demo0001" },
      { maxTotalOnline: 8, maxOnlinePerInstance: 8 },
    );
    assert.equal(await resolvedValue(ok.totalOnlineCount), 8);
    await assert.rejects(
      resolvedValue(
        smartag.assertOnlineLimits({ smartAgId: "sag-demo0001" }, { maxTotalOnline: 7 }),
      ),
      isLimitsError(
        "SAG instance sag-demo0001 (cn-shanghai): 1 limit violation:\n  - total: 8 online, limit 7",
      ),
    );
  });

  it("reads every account, with no list, when the limits hold each account to maxOnlinePerUser", async () => {
    const gated = smartag.assertOnlineLimits(
      { smartAgId: "sag-demo0001" },
      { maxOnlinePerUser: 1, maxTotalOnline: 7 },
    );
    await assert.rejects(resolvedValue(gated), isLimitsError(tooMany));
    assert.deepEqual(
      calls.map((c) => [c.token, c.inputs]),
      [["smartag:index:getUserOnlineClientStatistics", { smartAgId: "sag-demo0001" }]],
    );
    const ok = smartag.assertOnlineLimits({ smartAgId: "sag-demo0001" }, { maxOnlinePerUser: 5 });
    assert.deepEqual(await resolvedValue(ok.userStatistics), users);
  });

  it("picks the read once limits given as an Output resolve", async () => {
    const perUser = smartag.assertOnlineLimits(
      { smartAgId: "sag-demo0001" },
      pulumi.output({ maxOnlinePerUser: 4 }),
    );
    await assert.rejects(
      resolvedValue(perUser),
      isLimitsError(
        "SAG instance sag-demo0001 (cn-shanghai): 1 limit violation:\n  - bob.smith: 5 online, limit 4 per user",
      ),
    );
    const total = smartag.assertOnlineLimits(
      { smartAgId: "sag-demo0001" },
      pulumi.output({ maxTotalOnline: 8 }),
    );
    assert.equal(await resolvedValue(total.totalOnlineCount), 8);
    assert.deepEqual(
      calls.map((c) => c.token),
      ["smartag:index:getUserOnlineClientStatistics", "smartag:index:getSagOnlineClientStatistics"],
    );
  });

  it("refuses at the call, before any read, a per-instance limit next to a per-user one", () => {
    assert.throws(
      () =>
        smartag.assertOnlineLimits(
          { smartAgId: "sag-demo0001" },
          { maxOnlinePerUser: 3, maxOnlinePerInstance: 3 },
        ),
      (e: unknown) => {
        assert.ok(pulumi.RunError.isInstance(e));
        assert.match(
          (e as Error).message,
          /^invalid limits: maxOnlinePerInstance must have instance totals to judge/,
        );
        return true;
      },
    );
    assert.equal(calls.length, 0, "nothing is read");
  });

  it("judges getSagOnlineClientStatistics results of several instances, naming each one online", async () => {
    const many = smartag.getSagOnlineClientStatisticsOutput({
      smartAgIds: ["sag-idle0001", "sag-demo0001"],
    });
    await assert.rejects(
      resolvedValue(smartag.requireNobodyOnline(many)),
      isLimitsError(
        "2 SAG instances (cn-shanghai): 1 limit violation:\n  - sag-demo0001: 8 online, none allowed",
      ),
    );
    const plain = await smartag.getSagOnlineClientStatistics({ smartAgIds: ["sag-demo0001"] });
    assert.throws(
      () => smartag.assertOnlineLimits(plain, { maxOnlinePerInstance: 7 }),
      isLimitsError(
        "SAG instance sag-demo0001 (cn-shanghai): 1 limit violation:\n  - sag-demo0001: 8 online, limit 7 per instance",
      ),
    );
  });

  it("shows [secret] for the instance when its id is secret", async () => {
    const gated = smartag.requireNobodyOnline({ smartAgId: pulumi.secret("sag-demo0001") });
    await assert.rejects(resolvedValue(gated), (e: unknown) => {
      isLimitsError(
        "SAG instance [secret]: 1 limit violation:\n  - [secret]: 8 online, none allowed",
      )(e);
      assert.doesNotMatch(JSON.stringify((e as smartag.OnlineLimitsError).violations), /demo/);
      return true;
    });
  });
});
