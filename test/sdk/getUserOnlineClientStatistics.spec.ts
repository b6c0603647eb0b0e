import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as smartag from "pulumi-smartag";
import schema from "../../provider/schema.json";
import { installMocks, type Recorded, resolvedValue, resourcesOf } from "./mocks";

const token = "smartag:index:getUserOnlineClientStatistics";

const cannedResult: smartag.GetUserOnlineClientStatisticsResult = {
  regionId: "cn-shanghai",
  smartAgId: "sag-demo0001",
  userStatistics: [
    { userName: "doctest", onlineCount: 2 },
    { userName: "alice@example.com", onlineCount: 0 },
  ],
  totalOnlineCount: 2,
  requestIds: ["14846A6A-2192-4F6A-B272-B8BD68EBC89B"],
};

// A resource whose output feeds the invoke, to see dependencies travel.
class Gateway extends pulumi.CustomResource {
  // `declare` keeps the ES2022 class-field semantics from resetting what super() resolved.
  declare public readonly instanceId: pulumi.Output<string>;
  constructor(name: string) {
    super("test:index:Gateway", name, { instanceId: "sag-demo0001" });
  }
}

let recorded: Recorded;

const apiFailure =
  "SAG.InstanceNoFound: The specified SAG instance does not exist. (RequestId: 14846A6A-2192-4F6A-B272-B8BD68EBC89B)";

/**
 * Fails the invoke for instance "sag-missing" as the engine does when the plugin answers with an
 * error status: the runtime rejects with the gRPC error's `details`, which the engine words as
 * "invocation of <token> returned an error: <the plugin's message>".
 */
function failIfMissing(call: pulumi.runtime.MockCallArgs): void {
  if (call.inputs.smartAgId !== "sag-missing") return;
  const details = `invocation of ${token} returned an error: ${apiFailure}`;
  throw Object.assign(new Error(details), { details });
}

/** The failure a user should see: the function's token and the API's words, whole. */
function isApiFailure(e: unknown): boolean {
  assert.ok(e instanceof Error, `not an Error: ${String(e)}`);
  assert.ok(e.message.includes(token), e.message);
  assert.ok(e.message.includes(apiFailure), e.message);
  return true;
}

function onlyCall(): pulumi.runtime.MockCallArgs {
  assert.equal(recorded.calls.length, 1, "expected exactly one invoke");
  const [call] = recorded.calls;
  assert.ok(call);
  return call;
}

describe("getUserOnlineClientStatistics", () => {
  beforeEach(async () => {
    recorded = await installMocks((call) => {
      failIfMissing(call);
      return { ...cannedResult };
    });
  });

  it("sends the schema's function token", async () => {
    await smartag.getUserOnlineClientStatistics({
      smartAgId: "sag-demo0001",
      userNames: ["doctest"],
    });
    assert.ok(token in schema.functions);
    assert.equal(onlyCall().token, token);
  });

  it("sends regionId, smartAgId and userNames under the schema's names", async () => {
    await smartag.getUserOnlineClientStatistics({
      regionId: "cn-shanghai",
      smartAgId: "sag-demo0001",
      userNames: ["doctest", "alice@example.com"],
    });
    assert.deepEqual(onlyCall().inputs, {
      regionId: "cn-shanghai",
      smartAgId: "sag-demo0001",
      userNames: ["doctest", "alice@example.com"],
    });
  });

  it("leaves regionId out when the caller does not give one", async () => {
    await smartag.getUserOnlineClientStatistics({
      smartAgId: "sag-demo0001",
      userNames: ["doctest"],
    });
    assert.deepEqual(Object.keys(onlyCall().inputs).sort(), ["smartAgId", "userNames"]);
  });

  it("resolves to the provider's result as a typed value", async () => {
    const result = await smartag.getUserOnlineClientStatistics({
      smartAgId: "sag-demo0001",
      userNames: ["doctest", "alice@example.com"],
    });
    // The annotations make tsc check that the result's fields have the documented types.
    const total: number = result.totalOnlineCount;
    const first: smartag.types.output.UserStatistic | undefined = result.userStatistics[0];
    const ids: string[] = result.requestIds;
    assert.deepEqual(result, cannedResult);
    assert.equal(total, 2);
    assert.deepEqual(first, { userName: "doctest", onlineCount: 2 });
    assert.deepEqual(ids, ["14846A6A-2192-4F6A-B272-B8BD68EBC89B"]);
  });

  it("sends the invoke to an explicit provider when one is given", async () => {
    const provider = new smartag.Provider("hk", { region: "cn-hongkong" });
    await smartag.getUserOnlineClientStatistics(
      { smartAgId: "sag-demo0001", userNames: ["doctest"] },
      { provider },
    );
    const urn = await resolvedValue(provider.urn);
    assert.equal(onlyCall().provider, `${urn}::hk-id`);
  });

  it("rejects with the provider's message when the invoke fails", async () => {
    await assert.rejects(
      smartag.getUserOnlineClientStatistics({ smartAgId: "sag-missing", userNames: ["doctest"] }),
      isApiFailure,
    );
  });
});

describe("getUserOnlineClientStatisticsOutput", () => {
  beforeEach(async () => {
    recorded = await installMocks((call) => {
      failIfMissing(call);
      return { ...cannedResult };
    });
  });

  it("fails with the provider's message, through every field", async () => {
    const result = smartag.getUserOnlineClientStatisticsOutput({
      smartAgId: pulumi.secret("sag-missing"),
      userNames: ["doctest"],
    });
    await assert.rejects(resolvedValue(result), isApiFailure);
    await assert.rejects(resolvedValue(result.totalOnlineCount), isApiFailure);
  });

  it("sends the same token and argument names as the plain form, with Outputs resolved", async () => {
    const result = smartag.getUserOnlineClientStatisticsOutput({
      regionId: pulumi.output("cn-shanghai"),
      smartAgId: Promise.resolve("sag-demo0001"),
      userNames: [pulumi.output("doctest"), "alice@example.com"],
    });
    await resolvedValue(result);
    const call = onlyCall();
    assert.equal(call.token, token);
    assert.deepEqual(call.inputs, {
      regionId: "cn-shanghai",
      smartAgId: "sag-demo0001",
      userNames: ["doctest", "alice@example.com"],
    });
  });

  it("resolves to the provider's result", async () => {
    const result = smartag.getUserOnlineClientStatisticsOutput({
      smartAgId: "sag-demo0001",
      userNames: ["doctest"],
    });
    const total: pulumi.Output<number> = result.totalOnlineCount;
    assert.deepEqual(await resolvedValue(result), cannedResult);
    assert.equal(await resolvedValue(total), 2);
  });

  it("marks the result secret when an argument is secret", async () => {
    const result = smartag.getUserOnlineClientStatisticsOutput({
      smartAgId: pulumi.secret("sag-demo0001"),
      userNames: ["doctest"],
    });
    assert.equal(await pulumi.isSecret(result), true);
    assert.equal(await pulumi.isSecret(result.totalOnlineCount), true);
    // The provider itself sees the plain value; secrecy is the engine's and the SDK's business.
    assert.equal(onlyCall().inputs.smartAgId, "sag-demo0001");
  });

  it("leaves the result plain when no argument is secret", async () => {
    const result = smartag.getUserOnlineClientStatisticsOutput({
      smartAgId: "sag-demo0001",
      userNames: ["doctest"],
    });
    assert.equal(await pulumi.isSecret(result), false);
  });

  it("depends on the resource an argument came from", async () => {
    const gateway = new Gateway("gw");
    const result = smartag.getUserOnlineClientStatisticsOutput({
      smartAgId: gateway.instanceId,
      userNames: ["doctest"],
    });
    const dependencies = await resourcesOf(result);
    assert.ok(dependencies.has(gateway), "the result should depend on the gateway");
    assert.equal(onlyCall().inputs.smartAgId, "sag-demo0001");
  });

  it("depends on the resources named in dependsOn", async () => {
    const gateway = new Gateway("gw-explicit");
    const result = smartag.getUserOnlineClientStatisticsOutput(
      { smartAgId: "sag-demo0001", userNames: ["doctest"] },
      { dependsOn: [gateway] },
    );
    assert.ok((await resourcesOf(result)).has(gateway));
  });

  it("sends the invoke to an explicit provider when one is given", async () => {
    const provider = new smartag.Provider("sh", { region: "cn-shanghai" });
    const result = smartag.getUserOnlineClientStatisticsOutput(
      { smartAgId: "sag-demo0001", userNames: ["doctest"] },
      { provider },
    );
    await resolvedValue(result);
    const urn = await resolvedValue(provider.urn);
    assert.equal(onlyCall().provider, `${urn}::sh-id`);
  });
});
