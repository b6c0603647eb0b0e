import assert from "node:assert/strict";
import {
  checkEndpoint,
  checkStatisticsRequest,
  endpointFor,
  type ResolvedSettings,
  resolveSettings,
  SmartagClient,
  SmartagValidationError,
  withEnvFallbacks,
} from "@pulumi-smartag/client";

/** How the client turns the problems of a request into one error. */
function checkOrThrow(input: unknown): void {
  const issues = checkStatisticsRequest(input);
  if (issues.length > 0) throw new SmartagValidationError(issues);
}

describe("request validation", () => {
  it("accepts a well-formed request", () => {
    const req = { regionId: "cn-shanghai", smartAgId: "sag-demo0001", userNames: ["doctest"] };
    assert.deepEqual(checkStatisticsRequest(req), []);
  });

  it("accepts every character class the create-user API allows", () => {
    const names = [
      "alice@example.com",
      "bob.smith",
      "carol_01",
      "dave-hk",
      "1234567",
      "a".repeat(33),
    ];
    assert.deepEqual(checkStatisticsRequest({ smartAgId: "sag-abc123", userNames: names }), []);
  });

  it("reports every bad field at once, each named with the rule it breaks", () => {
    const issues = checkStatisticsRequest({
      regionId: "Shanghai",
      smartAgId: "i-123",
      userNames: ["ok-name-1", "short", "_leading", "has space x", "b".repeat(34)],
    });
    assert.deepEqual(issues, [
      { property: "regionId", reason: "must be a region id such as cn-shanghai" },
      { property: "smartAgId", reason: "must be a SAG instance id such as sag-sfjg1234" },
      { property: "userNames[1]", reason: "must be at least 7 characters" },
      {
        property: "userNames[2]",
        reason:
          "must start with a letter or digit and contain only letters, digits, and the characters _ @ . -",
      },
      {
        property: "userNames[3]",
        reason:
          "must start with a letter or digit and contain only letters, digits, and the characters _ @ . -",
      },
      { property: "userNames[4]", reason: "must be at most 33 characters" },
    ]);
  });

  it("names missing required fields and unknown ones", () => {
    const issues = checkStatisticsRequest({ userName: ["doctest"] });
    assert.deepEqual(
      issues.map((i) => i.property),
      ["smartAgId", "userName"],
    );
    assert.match(issues[1]?.reason ?? "", /not a known argument/);
  });

  it("rejects an empty list and wrong types", () => {
    assert.deepEqual(checkStatisticsRequest({ smartAgId: "sag-a1", userNames: [] }), [
      {
        property: "userNames",
        reason: "must list at least one username (leave it out to count every account)",
      },
    ]);
    assert.deepEqual(checkStatisticsRequest({ smartAgId: 7, userNames: "doctest" }), [
      {
        property: "smartAgId",
        reason: "is required: the SAG APP instance id, such as sag-sfjg1234",
      },
      { property: "userNames", reason: "must be a list of usernames" },
    ]);
    assert.deepEqual(checkStatisticsRequest(null), [
      { property: "(input)", reason: "must be an object" },
    ]);
  });

  it("refuses more than 10,000 names in one call", () => {
    const names = Array.from({ length: 10_001 }, (_, i) => `user${String(i).padStart(5, "0")}`);
    assert.deepEqual(checkStatisticsRequest({ smartAgId: "sag-a1", userNames: names }), [
      { property: "userNames", reason: "must list at most 10000 usernames" },
    ]);
  });

  it("throws one error whose message lists every problem", () => {
    assert.throws(
      () => checkOrThrow({ smartAgId: "nope", userNames: ["x"] }),
      (e: unknown) => {
        assert.ok(e instanceof SmartagValidationError);
        assert.equal(e.code, "InvalidInput");
        assert.equal(e.issues.length, 2);
        assert.match(e.message, /2 problems/);
        assert.match(e.message, /smartAgId: must be a SAG instance id/);
        assert.match(e.message, /userNames\[0\]: must be at least 7 characters/);
        return true;
      },
    );
  });

  it("lists at most 20 problems in the message but keeps them all on the error", () => {
    const names = Array.from({ length: 30 }, () => "bad");
    try {
      checkOrThrow({ smartAgId: "sag-a1", userNames: names });
      assert.fail("expected a validation error");
    } catch (e) {
      assert.ok(e instanceof SmartagValidationError);
      assert.equal(e.issues.length, 30);
      assert.match(e.message, /\.\.\. and 10 more/);
    }
  });
});

describe("settings", () => {
  it("applies defaults suited to a cloud API", () => {
    const { settings, issues } = resolveSettings({ region: "cn-shanghai" });
    assert.deepEqual(issues, []);
    assert.equal(settings?.readTimeoutMs, 10_000);
    assert.equal(settings?.connectTimeoutMs, 5_000);
    assert.equal(settings?.maxAttempts, 5);
    assert.equal(settings?.concurrency, 4);
  });

  it("accepts numbers and booleans given as strings, as Pulumi config sends them", () => {
    const { settings } = resolveSettings({
      readTimeoutMs: "2500",
      allowInsecureHttp: "true",
      endpoint: "http://10.0.0.5:8080",
    });
    assert.equal(settings?.readTimeoutMs, 2500);
    assert.equal(settings?.allowInsecureHttp, true);
    assert.equal(settings?.endpoint, "http://10.0.0.5:8080");
  });

  it("reports every bad setting by name", () => {
    const { settings, issues } = resolveSettings({
      region: "Shanghai",
      maxAttempts: 0,
      concurrency: "many",
      allowInsecureHttp: "yes",
    });
    assert.equal(settings, undefined);
    assert.deepEqual(
      issues.map((i) => i.property),
      ["region", "allowInsecureHttp", "maxAttempts", "concurrency"],
    );
  });

  it("requires both halves of an AccessKey and the pair an STS token belongs to", () => {
    assert.deepEqual(resolveSettings({ accessKey: "LTAI" }).issues, [
      {
        property: "secretKey",
        reason: "is required when accessKey is set",
        dependsOn: ["accessKey"],
      },
    ]);
    assert.deepEqual(
      resolveSettings({ securityToken: "tok-123456" }).issues.map((i) => i.property),
      ["securityToken"],
    );
  });

  it("falls back to the environment, ALIBABA_CLOUD_* before ALICLOUD_*", () => {
    const merged = withEnvFallbacks(
      { region: "cn-hongkong" },
      {
        ALIBABA_CLOUD_REGION: "cn-beijing",
        ALICLOUD_ACCESS_KEY: "old-style-id",
        ALIBABA_CLOUD_ACCESS_KEY_ID: "new-style-id",
        ALICLOUD_SECRET_KEY: "old-style-secret",
        SMARTAG_ENDPOINT: "http://127.0.0.1:9",
      },
    );
    assert.deepEqual(merged, {
      region: "cn-hongkong",
      accessKey: "new-style-id",
      secretKey: "old-style-secret",
      endpoint: "http://127.0.0.1:9",
    });
  });
});

describe("endpoint checks", () => {
  it("allows http only on loopback unless forced", () => {
    assert.deepEqual(checkEndpoint("http://127.0.0.1:8080/", false), {
      endpoint: "http://127.0.0.1:8080",
      issues: [],
    });
    assert.equal(checkEndpoint("http://localhost:1", false).endpoint, "http://localhost:1");
    assert.equal(checkEndpoint("http://[::1]:1", false).endpoint, "http://[::1]:1");
    const refused = checkEndpoint("http://smartag.example.com", false);
    assert.equal(refused.endpoint, undefined);
    assert.match(refused.issues[0]?.reason ?? "", /must use https:\/\/ for a non-loopback host/);
    assert.equal(checkEndpoint("http://smartag.example.com", true).issues.length, 0);
  });

  it("rejects URLs with credentials, paths or other schemes", () => {
    assert.deepEqual(
      checkEndpoint("ftp://user:pw@host/path?q=1", false).issues.map((i) => i.reason),
      [
        "must use https:// (or http:// for a local emulator)",
        "must not contain credentials",
        "must be an origin only, without path, query or fragment",
      ],
    );
    assert.match(checkEndpoint("not a url", false).issues[0]?.reason ?? "", /must be a URL/);
  });
});

describe("endpointType", () => {
  const vpc = (extra: Record<string, unknown> = {}) =>
    resolveSettings({ region: "cn-shanghai", endpointType: "vpc", ...extra });

  it("picks the region's VPC endpoint, and the public one by default", () => {
    const { settings } = vpc();
    assert.equal(settings?.endpointType, "vpc");
    assert.equal(
      endpointFor(settings as ResolvedSettings, "eu-central-1"),
      "https://smartag-vpc.eu-central-1.aliyuncs.com",
    );
    const plain = resolveSettings({ region: "cn-hangzhou" }).settings as ResolvedSettings;
    assert.equal(plain.endpointType, "public");
    assert.equal(endpointFor(plain, "cn-hangzhou"), "https://smartag.cn-hangzhou.aliyuncs.com");
    assert.equal(withEnvFallbacks({}, { SMARTAG_ENDPOINT_TYPE: "vpc" }).endpointType, "vpc");
  });

  it("names the region that has no VPC endpoint, and a bad type", () => {
    assert.deepEqual(vpc({ region: "cn-hangzhou" }).issues, [
      {
        property: "region",
        reason:
          "has no VPC endpoint: cn-hangzhou (China (Hangzhou)) has only a public endpoint; use endpointType public, or set endpoint",
        dependsOn: ["endpointType"],
      },
    ]);
    assert.match(
      vpc({ region: "xx-nowhere-1" }).issues[0]?.reason ?? "",
      /xx-nowhere-1 is not in Smartag's endpoint table/,
    );
    assert.deepEqual(resolveSettings({ endpointType: "private" }).issues, [
      { property: "endpointType", reason: "must be public or vpc" },
    ]);
    // An explicit endpoint wins, so the region's endpoints do not matter.
    assert.deepEqual(vpc({ region: "cn-hangzhou", endpoint: "http://127.0.0.1:1" }).issues, []);
  });

  it("refuses a closed region, and a call's region without a VPC endpoint, before any request", async () => {
    assert.match(
      resolveSettings({ region: "ap-southeast-2" }).issues[0]?.reason ?? "",
      /where Smartag is closed/,
    );
    const client = new SmartagClient(vpc().settings as ResolvedSettings, {
      credentials: {
        description: "test",
        getCredentials: async () => assert.fail("no request may be sent"),
      },
    });
    await assert.rejects(
      client.describeSagOnlineClientStatistics({
        regionId: "cn-hangzhou",
        smartAgIds: ["sag-demo0001"],
      }),
      (e: Error) =>
        e instanceof SmartagValidationError &&
        /regionId: has no VPC endpoint: cn-hangzhou/.test(e.message),
    );
  });
});
