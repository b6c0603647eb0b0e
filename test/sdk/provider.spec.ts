import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as smartag from "pulumi-smartag";
import { installMocks, type Recorded, resolvedValue } from "./mocks";

let recorded: Recorded;

/** The registered inputs of `keys` only: the generated Provider also sends the schema's defaults. */
async function sent(provider: smartag.Provider, keys: string[]): Promise<Record<string, unknown>> {
  const inputs = await registeredInputs(provider);
  return Object.fromEntries(keys.filter((k) => k in inputs).map((k) => [k, inputs[k]]));
}

async function registeredInputs(provider: smartag.Provider): Promise<Record<string, unknown>> {
  const urn = await resolvedValue(provider.urn);
  const name = urn.split("::").pop();
  const registration = recorded.resources.find((r) => r.name === name);
  assert.ok(registration, "the provider was not registered");
  assert.equal(registration.type, "pulumi:providers:smartag");
  assert.equal(registration.custom, true);
  return registration.inputs;
}

describe("Provider", () => {
  beforeEach(async () => {
    recorded = await installMocks(() => ({}));
  });

  it("registers pulumi:providers:smartag with every string input as given", async () => {
    const provider = new smartag.Provider("strings", {
      region: "cn-hongkong",
      accessKey: "LTAI5tEmulatorKey01",
      profile: "ci",
      endpoint: pulumi.output("http://127.0.0.1:8080"),
    });
    assert.deepEqual(await sent(provider, ["region", "accessKey", "profile", "endpoint"]), {
      region: "cn-hongkong",
      accessKey: "LTAI5tEmulatorKey01",
      profile: "ci",
      endpoint: "http://127.0.0.1:8080",
    });
  });

  it("marks secretKey and securityToken secret even when given as plain text", async () => {
    const provider = new smartag.Provider("secrets", {
      accessKey: "LTAI5tEmulatorKey01",
      secretKey: "emulator-secret-01",
      securityToken: pulumi.output("sts-token"),
    });
    const inputs = await registeredInputs(provider);
    assert.equal(pulumi.runtime.isRpcSecret(inputs.secretKey), true);
    assert.equal(pulumi.runtime.unwrapRpcSecret(inputs.secretKey), "emulator-secret-01");
    assert.equal(pulumi.runtime.isRpcSecret(inputs.securityToken), true);
    assert.equal(pulumi.runtime.unwrapRpcSecret(inputs.securityToken), "sts-token");
    assert.equal(pulumi.runtime.isRpcSecret(inputs.accessKey), false);
  });

  it("sends booleans and integers as JSON text", async () => {
    const provider = new smartag.Provider("numbers", {
      allowInsecureHttp: true,
      connectTimeoutMs: 1500,
      readTimeoutMs: pulumi.output(2500),
      maxAttempts: 3,
      retryBaseDelayMs: 100,
      retryMaxDelayMs: 2000,
      deadlineMs: 30000,
      concurrency: Promise.resolve(2),
    });
    const keys = ["allowInsecureHttp", "connectTimeoutMs", "readTimeoutMs", "maxAttempts"];
    keys.push("retryBaseDelayMs", "retryMaxDelayMs", "deadlineMs", "concurrency");
    assert.deepEqual(await sent(provider, keys), {
      allowInsecureHttp: "true",
      connectTimeoutMs: "1500",
      readTimeoutMs: "2500",
      maxAttempts: "3",
      retryBaseDelayMs: "100",
      retryMaxDelayMs: "2000",
      deadlineMs: "30000",
      concurrency: "2",
    });
  });

  it("sends false as the text false rather than dropping it", async () => {
    const provider = new smartag.Provider("false", { allowInsecureHttp: false });
    assert.deepEqual(await sent(provider, ["allowInsecureHttp"]), { allowInsecureHttp: "false" });
  });

  it("fills a key the caller did not set from its environment variable, else the schema default", async () => {
    const saved = process.env.ALIBABA_CLOUD_REGION;
    process.env.ALIBABA_CLOUD_REGION = "cn-beijing";
    try {
      const provider = new smartag.Provider("empty");
      const inputs = await registeredInputs(provider);
      assert.equal(inputs.region, "cn-beijing");
      assert.equal(inputs.maxAttempts, "5");
      assert.equal("accessKey" in inputs, false);
    } finally {
      if (saved === undefined) {
        delete process.env.ALIBABA_CLOUD_REGION;
      } else {
        process.env.ALIBABA_CLOUD_REGION = saved;
      }
    }
  });

  it("keeps a secret that arrives as a secret Output secret", async () => {
    const provider = new smartag.Provider("secret-output", {
      secretKey: pulumi.secret("emulator-secret-01"),
    });
    const inputs = await registeredInputs(provider);
    assert.equal(pulumi.runtime.isRpcSecret(inputs.secretKey), true);
    assert.equal(pulumi.runtime.unwrapRpcSecret(inputs.secretKey), "emulator-secret-01");
  });

  it("is recognised by isInstance, unlike other providers and plain objects", () => {
    const provider = new smartag.Provider("mine");
    class OtherProvider extends pulumi.ProviderResource {
      constructor(name: string) {
        super("other", name, {});
      }
    }
    assert.equal(smartag.Provider.isInstance(provider), true);
    assert.equal(smartag.Provider.isInstance(new OtherProvider("theirs")), false);
    assert.equal(smartag.Provider.isInstance({ region: "cn-shanghai" }), false);
    assert.equal(smartag.Provider.isInstance(undefined), false);
    assert.equal(smartag.Provider.isInstance(null), false);
    // Another copy of the SDK makes another class; the type token is what they share.
    assert.equal(smartag.Provider.isInstance({ __pulumiType: "pulumi:providers:smartag" }), true);
  });
});
