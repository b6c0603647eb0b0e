import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  type ClientEvent,
  type SettingsInput,
  SmartagApiError,
  SmartagDeadlineError,
  SmartagError,
  SmartagResponseError,
  SmartagValidationError,
} from "@pulumi-smartag/client";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import { callRaw, clientFromSettings } from "../helpers/client";
import { assertNoSecrets } from "../helpers/secrets";

const KEY1 = { accessKey: "LTAI5tEmulatorKey01", secretKey: "emulator-secret-01" };
const STS = {
  accessKey: "STS.EmulatorKey03",
  secretKey: "emulator-secret-03",
  securityToken: "emulator-sts-token-03",
};
const SECRETS = ["emulator-secret-01", "emulator-secret-03", "emulator-sts-token-03"];

/** user0001..user0150 on sag-big0001 answer i % 4 in the default fixture. */
const bigNames = (n: number) =>
  Array.from({ length: n }, (_, i) => `user${String(i + 1).padStart(4, "0")}`);
const bigCount = (name: string) => Number(name.slice(4)) % 4;

describe("SmartagClient against the emulator", () => {
  let emulator: RunningEmulator;
  before(async () => {
    emulator = await startEmulator({ fixture: loadDefaultFixture() });
  });
  after(async () => emulator.close());
  beforeEach(() => {
    emulator.setFaults({});
    emulator.resetLog();
  });

  const client = (extra: SettingsInput = {}, events?: ClientEvent[]) =>
    clientFromSettings(
      {
        region: "cn-shanghai",
        endpoint: emulator.url,
        ...KEY1,
        retryBaseDelayMs: 1,
        retryMaxDelayMs: 5,
        ...extra,
      },
      { env: {}, ...(events ? { onEvent: (e) => events.push(e) } : {}) },
    );

  it("answers one name with its count, as a number, via a single POST", async () => {
    const result = await client().describeUserOnlineClientStatistics({
      smartAgId: "sag-demo0001",
      userNames: ["doctest"],
    });
    assert.equal(result.regionId, "cn-shanghai");
    assert.equal(result.smartAgId, "sag-demo0001");
    assert.deepEqual(result.userStatistics, [{ userName: "doctest", onlineCount: 2 }]);
    assert.equal(result.totalOnlineCount, 2);
    assert.equal(result.requestIds.length, 1);
    assert.match(result.requestIds[0] ?? "", /^[0-9A-F-]{36}$/);
    assert.equal(emulator.requests.length, 1);
    assert.equal(emulator.requests[0]?.method, "POST");
    assert.equal(emulator.requests[0]?.params.Version, "2018-03-13");
  });

  it("answers 120 names with 3 requests of at most 50, in request order", async () => {
    const names = bigNames(120).reverse();
    const result = await client().describeUserOnlineClientStatistics({
      regionId: "cn-shanghai",
      smartAgId: "sag-big0001",
      userNames: names,
    });
    assert.deepEqual(
      result.userStatistics,
      names.map((userName) => ({ userName, onlineCount: bigCount(userName) })),
    );
    assert.equal(
      result.totalOnlineCount,
      names.reduce((s, n) => s + bigCount(n), 0),
    );
    assert.equal(result.requestIds.length, 3);
    assert.equal(new Set(result.requestIds).size, 3);
    const sizes = emulator.requests.map(
      (r) => Object.keys(r.params).filter((k) => k.startsWith("UserNames.")).length,
    );
    assert.deepEqual(
      sizes.sort((a, b) => a - b),
      [20, 50, 50],
    );
  });

  it("queries a repeated name once and answers it at every position, counting it once", async () => {
    const result = await client().describeUserOnlineClientStatistics({
      smartAgId: "sag-demo0001",
      userNames: ["bob.smith", "doctest", "bob.smith"],
    });
    assert.deepEqual(result.userStatistics, [
      { userName: "bob.smith", onlineCount: 5 },
      { userName: "doctest", onlineCount: 2 },
      { userName: "bob.smith", onlineCount: 5 },
    ]);
    assert.equal(result.totalOnlineCount, 7);
    const sent = Object.entries(emulator.requests[0]?.params ?? {}).filter(([k]) =>
      k.startsWith("UserNames."),
    );
    assert.deepEqual(sent.map(([, v]) => v).sort(), ["bob.smith", "doctest"]);
  });

  it("answers 0 for a name the instance does not know", async () => {
    const result = await client().describeUserOnlineClientStatistics({
      smartAgId: "sag-demo0001",
      userNames: ["nobody-here"],
    });
    assert.deepEqual(result.userStatistics, [{ userName: "nobody-here", onlineCount: 0 }]);
  });

  it("accepts counts sent as numbers (the old API sample) as well as strings", async () => {
    const numeric = await startEmulator({
      fixture: { ...loadDefaultFixture(), onlineCountAsNumber: true },
    });
    try {
      const result = await clientFromSettings(
        { region: "cn-hongkong", endpoint: numeric.url, ...KEY1 },
        { env: {} },
      ).describeUserOnlineClientStatistics({
        smartAgId: "sag-hk000001",
        userNames: ["doctest", "dave-hk"],
      });
      assert.deepEqual(result.userStatistics, [
        { userName: "doctest", onlineCount: 7 },
        { userName: "dave-hk", onlineCount: 3 },
      ]);
    } finally {
      await numeric.close();
    }
  });

  it("keeps at most `concurrency` requests in flight", async () => {
    emulator.setFaults({ latencyMs: 20 });
    await client({ concurrency: 2 }).describeUserOnlineClientStatistics({
      smartAgId: "sag-big0001",
      userNames: [...bigNames(150), ...Array.from({ length: 150 }, (_, i) => `extra-user-${i}`)],
    });
    assert.equal(emulator.requests.length, 6);
    assert.equal(emulator.maxInFlight, 2);
  });

  it("fails SAG.InstanceNoFound with its RequestId and a hint, without retrying", async () => {
    await assert.rejects(
      client().describeUserOnlineClientStatistics({
        smartAgId: "sag-missing01",
        userNames: ["doctest"],
      }),
      (e: unknown) => {
        assert.ok(e instanceof SmartagApiError);
        assert.equal(e.code, "SAG.InstanceNoFound");
        assert.equal(e.httpStatus, 400);
        assert.equal(e.apiMessage, "The specified SAG instance does not exist.");
        assert.match(e.requestId ?? "", /^[0-9A-F-]{36}$/);
        assert.equal(e.retryable, false);
        assert.ok(e.message.includes(`RequestId: ${e.requestId}`));
        assert.match(e.message, /hint: check smartAgId and regionId/);
        return true;
      },
    );
    assert.equal(emulator.requests.length, 1);
  });

  it("maps the API's documented input errors, which the client's own checks normally pre-empt", async () => {
    const c = client();
    const cases: [Record<string, unknown>, string][] = [
      [{ RegionId: "cn-shanghai", SmartAGId: "sag-demo0001" }, "ClientUser.NameEmpty"],
      [
        { RegionId: "cn-shanghai", SmartAGId: "sag-demo0001", UserNames: ["x"] },
        "ClientUser.NameInvalid",
      ],
      [{ RegionId: "cn-shanghai", UserNames: ["doctest"] }, "SAG.InstanceIdEmpty"],
      [
        { RegionId: "cn-shanghai", SmartAGId: "sag-nothere1", UserNames: ["doctest"] },
        "SAG.InstanceNoFound",
      ],
    ];
    for (const [params, code] of cases) {
      await assert.rejects(callRaw(c, "cn-shanghai", params), (e: unknown) => {
        assert.ok(e instanceof SmartagApiError, `${code}: ${String(e)}`);
        assert.equal(e.code, code);
        assert.equal(e.httpStatus, 400);
        assert.ok(e.requestId);
        assert.ok(e.hint, `no hint for ${code}`);
        return true;
      });
    }
    assert.equal(emulator.requests.length, cases.length, "user errors are not retried");
  });

  it("rejects bad input before any request, naming every field", async () => {
    await assert.rejects(
      client().describeUserOnlineClientStatistics({
        smartAgId: "bad",
        userNames: ["doctest", "x"],
      }),
      (e: unknown) => {
        assert.ok(e instanceof SmartagValidationError);
        assert.deepEqual(
          e.issues.map((i) => i.property),
          ["smartAgId", "userNames[1]"],
        );
        return true;
      },
    );
    await assert.rejects(
      clientFromSettings(
        { endpoint: emulator.url, ...KEY1 },
        { env: {} },
      ).describeUserOnlineClientStatistics({
        smartAgId: "sag-demo0001",
        userNames: ["doctest"],
      }),
      /regionId: is required when the provider has no region/,
    );
    assert.equal(emulator.requests.length, 0);
  });

  it("retries injected throttling and 5xx answers and still returns every count correctly", async () => {
    emulator.setFaults({ throttleRate: 0.3, serverErrorRate: 0.1, seed: 42 });
    const events: ClientEvent[] = [];
    const names = [...bigNames(150), ...Array.from({ length: 350 }, (_, i) => `unknown-user-${i}`)];
    const result = await client({ maxAttempts: 10 }, events).describeUserOnlineClientStatistics({
      smartAgId: "sag-big0001",
      userNames: names,
    });
    assert.deepEqual(
      result.userStatistics,
      names.map((userName) => ({
        userName,
        onlineCount: userName.startsWith("user") ? bigCount(userName) : 0,
      })),
    );
    const codes = new Set(emulator.requests.map((r) => r.code).filter(Boolean));
    assert.ok(codes.has("Throttling.User"), "the fault run should have throttled something");
    const retries = events.filter((e) => e.type === "retry");
    assert.equal(retries.length, emulator.requests.length - 10);
  });

  it("retries a gateway's HTML page and gives a clear error when it persists", async () => {
    emulator.setFaults({ htmlRate: 1 });
    await assert.rejects(
      client({ maxAttempts: 3 }).describeUserOnlineClientStatistics({
        smartAgId: "sag-demo0001",
        userNames: ["doctest"],
      }),
      (e: unknown) => {
        assert.ok(e instanceof SmartagResponseError);
        assert.equal(e.code, "InvalidResponse.NotJson");
        assert.match(e.message, /not JSON/);
        return true;
      },
    );
    assert.equal(emulator.requests.length, 3);
  });

  it("retries reset connections", async () => {
    emulator.setFaults({ resetRate: 0.5, seed: 3 });
    const result = await client({ maxAttempts: 10 }).describeUserOnlineClientStatistics({
      smartAgId: "sag-demo0001",
      userNames: ["carol_01"],
    });
    assert.deepEqual(result.userStatistics, [{ userName: "carol_01", onlineCount: 1 }]);
    emulator.setFaults({ resetRate: 1 });
    await assert.rejects(
      client({ maxAttempts: 2 }).describeUserOnlineClientStatistics({
        smartAgId: "sag-demo0001",
        userNames: ["carol_01"],
      }),
      (e: unknown) => SmartagError.isInstance(e) && e.name === "SmartagNetworkError" && e.retryable,
    );
  });

  it("times out a slow answer and stops at the total deadline", async () => {
    emulator.setFaults({ latencyMs: 1_000 });
    await assert.rejects(
      client({
        readTimeoutMs: 100,
        deadlineMs: 400,
        maxAttempts: 20,
      }).describeUserOnlineClientStatistics({
        smartAgId: "sag-demo0001",
        userNames: ["doctest"],
      }),
      (e: unknown) => {
        assert.ok(
          e instanceof SmartagDeadlineError ||
            (SmartagError.isInstance(e) && e.code === "RequestTimeout"),
        );
        return true;
      },
    );
  });

  it("is rejected by the emulator with a wrong secret, not retried, and says which key to check", async () => {
    await assert.rejects(
      client({ secretKey: "not-the-secret" }).describeUserOnlineClientStatistics({
        smartAgId: "sag-demo0001",
        userNames: ["doctest"],
      }),
      (e: unknown) => {
        assert.ok(e instanceof SmartagApiError);
        assert.equal(e.code, "SignatureDoesNotMatch");
        assert.match(e.message, /hint: the AccessKey secret does not match/);
        assertNoSecrets(e, ["not-the-secret"]);
        return true;
      },
    );
    assert.equal(emulator.requests.length, 1);
  });

  it("passes an STS token through and is refused without it", async () => {
    const result = await client(STS).describeUserOnlineClientStatistics({
      smartAgId: "sag-demo0001",
      userNames: ["doctest"],
    });
    assert.equal(result.totalOnlineCount, 2);
    assert.equal(emulator.requests[0]?.params.SecurityToken, "emulator-sts-token-03");
    await assert.rejects(
      client({ ...STS, securityToken: "some-other-token" }).describeUserOnlineClientStatistics({
        smartAgId: "sag-demo0001",
        userNames: ["doctest"],
      }),
      (e: unknown) =>
        e instanceof SmartagApiError && e.code === "InvalidSecurityToken.MismatchWithAccessKey",
    );
  });

  it("reuses an identical call's answer within the cache TTL, and not when the cache is off", async () => {
    const cached = client({ cacheTtlMs: 60_000 });
    const args = { smartAgId: "sag-demo0001", userNames: ["doctest", "bob.smith"] };
    const [a, b] = await Promise.all([
      cached.describeUserOnlineClientStatistics(args),
      cached.describeUserOnlineClientStatistics(args),
    ]);
    const c = await cached.describeUserOnlineClientStatistics(args);
    assert.deepEqual(a, b);
    assert.deepEqual(a, c);
    assert.equal(
      emulator.requests.length,
      1,
      "concurrent and later identical calls share one request",
    );
    a.userStatistics[0] = { userName: "mutated", onlineCount: 99 };
    assert.equal(
      (await cached.describeUserOnlineClientStatistics(args)).userStatistics[0]?.userName,
      "doctest",
    );

    emulator.resetLog();
    const uncached = client({ cacheTtlMs: 0 });
    await uncached.describeUserOnlineClientStatistics(args);
    await uncached.describeUserOnlineClientStatistics(args);
    assert.equal(emulator.requests.length, 2);
  });

  it("does not cache a failure", async () => {
    const c = client({ cacheTtlMs: 60_000, maxAttempts: 1 });
    emulator.setFaults({ serverErrorRate: 1 });
    await assert.rejects(
      c.describeUserOnlineClientStatistics({ smartAgId: "sag-demo0001", userNames: ["doctest"] }),
    );
    emulator.setFaults({});
    const ok = await c.describeUserOnlineClientStatistics({
      smartAgId: "sag-demo0001",
      userNames: ["doctest"],
    });
    assert.equal(ok.totalOnlineCount, 2);
  });

  it("stays under the API's rate cap when told the rate, instead of being throttled", async () => {
    const names = Array.from({ length: 500 }, (_, i) => `rate-user-${i}`);
    emulator.setFaults({ qps: 4 });
    const result = await client({
      maxRequestsPerSecond: 4,
      concurrency: 8,
      maxAttempts: 1,
    }).describeUserOnlineClientStatistics({
      smartAgId: "sag-demo0001",
      userNames: names,
    });
    assert.equal(result.userStatistics.length, 500);
    assert.equal(emulator.requests.length, 10);
    assert.deepEqual(
      emulator.requests.filter((r) => r.code === "Throttling.User"),
      [],
    );

    emulator.resetLog();
    await assert.rejects(
      client({ concurrency: 8, maxAttempts: 1, cacheTtlMs: 0 }).describeUserOnlineClientStatistics({
        smartAgId: "sag-demo0001",
        userNames: names,
      }),
      (e: unknown) => e instanceof SmartagApiError && e.code === "Throttling.User",
      "without the limit the same burst is throttled",
    );
  });

  it("ends at the deadline while waiting for the rate limit, without sending a doomed request", async () => {
    const names = Array.from({ length: 1_000 }, (_, i) => `limited-user-${i}`);
    await assert.rejects(
      client({
        maxRequestsPerSecond: 2,
        concurrency: 4,
        deadlineMs: 700,
        cacheTtlMs: 0,
      }).describeUserOnlineClientStatistics({
        smartAgId: "sag-demo0001",
        userNames: names,
      }),
      (e: unknown) => {
        assert.ok(e instanceof SmartagDeadlineError);
        assert.match(
          e.message,
          /deadline of 700 ms would pass before another attempt, after 0 attempt\(s\); last error: still waiting for a turn under maxRequestsPerSecond/,
        );
        return true;
      },
    );
    assert.ok(emulator.requests.length <= 2, `${emulator.requests.length} requests sent`);
  });

  it("reports a cancellation while waiting for the rate limit as Cancelled", async () => {
    const controller = new AbortController();
    const call = client({
      maxRequestsPerSecond: 1,
      concurrency: 2,
      cacheTtlMs: 0,
    }).describeUserOnlineClientStatistics(
      {
        smartAgId: "sag-demo0001",
        userNames: Array.from({ length: 300 }, (_, i) => `cancel-user-${i}`),
      },
      { signal: controller.signal },
    );
    await new Promise<void>((resolve) => {
      const check = () => (emulator.requests.length >= 1 ? resolve() : setImmediate(check));
      check();
    });
    controller.abort();
    await assert.rejects(
      call,
      (e: unknown) => SmartagError.isInstance(e) && e.code === "Cancelled",
    );
  });

  describe("credential chain", () => {
    let dir: string;
    const saved = { ...process.env };
    before(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), "smartag-creds-"));
      writeFileSync(
        path.join(dir, "credentials"),
        "[ci]\ntype = access_key\naccess_key_id = LTAI5tEmulatorKey02\naccess_key_secret = emulator-secret-02\n",
      );
    });
    after(() => {
      process.env = saved;
      rmSync(dir, { recursive: true, force: true });
    });

    it("takes the keys of a named profile from the credentials file", async () => {
      process.env.ALIBABA_CLOUD_CREDENTIALS_FILE = path.join(dir, "credentials");
      const result = await clientFromSettings(
        { region: "cn-hongkong", endpoint: emulator.url, profile: "ci" },
        { env: {} },
      ).describeUserOnlineClientStatistics({ smartAgId: "sag-hk000001", userNames: ["dave-hk"] });
      assert.equal(result.totalOnlineCount, 3);
      assert.equal(emulator.requests[0]?.params.AccessKeyId, "LTAI5tEmulatorKey02");
    });

    it("says how to provide credentials when there are none, before any request", async () => {
      process.env.ALIBABA_CLOUD_CREDENTIALS_FILE = path.join(dir, "missing");
      await assert.rejects(
        clientFromSettings(
          { region: "cn-hongkong", endpoint: emulator.url },
          { env: {} },
        ).describeUserOnlineClientStatistics({ smartAgId: "sag-hk000001", userNames: ["dave-hk"] }),
        (e: unknown) => {
          assert.ok(SmartagError.isInstance(e));
          assert.equal(e.code, "NoCredentials");
          assert.match(
            e.message,
            /no Alibaba Cloud credentials found \(default credential chain\)/,
          );
          assert.doesNotMatch(e.message, /undefined/, "no source was tried with an unset address");
          return true;
        },
      );
      assert.equal(emulator.requests.length, 0);
    });
  });

  it("exposes no secret, STS token or signature in any error it raises", async () => {
    const errors: unknown[] = [];
    const tryCall = async (settings: SettingsInput) => {
      try {
        await client(settings).describeUserOnlineClientStatistics({
          smartAgId: "sag-demo0001",
          userNames: ["doctest"],
        });
      } catch (e) {
        errors.push(e);
      }
    };
    await tryCall({ secretKey: "emulator-secret-03" }); // wrong secret for key 1
    await tryCall({ ...STS, securityToken: "emulator-sts-token-03x" });
    emulator.setFaults({ htmlRate: 1 });
    await tryCall({ ...STS, maxAttempts: 1 });
    emulator.setFaults({ resetRate: 1 });
    await tryCall({ ...STS, maxAttempts: 1 });
    emulator.setFaults({ latencyMs: 500 });
    await tryCall({ ...STS, readTimeoutMs: 100, maxAttempts: 1 });
    emulator.setFaults({});
    await tryCall({ ...STS, endpoint: "http://127.0.0.1:1", maxAttempts: 1 });
    assert.equal(errors.length, 6);
    const signatures = emulator.requests
      .map((r) => r.params.Signature)
      .filter((s): s is string => !!s);
    for (const e of errors)
      assertNoSecrets(e, [...SECRETS, "emulator-sts-token-03x", ...signatures], String(e));
  });
});
