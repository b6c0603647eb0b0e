import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as smartag from "pulumi-smartag";
import schema from "../../provider/schema.json";
import { installMocks, type Recorded, resolvedValue, resourcesOf } from "./mocks";

const token = "smartag:index:getSagOnlineClientStatistics";

const cannedResult: smartag.GetSagOnlineClientStatisticsResult = {
  regionId: "cn-shanghai",
  statistics: [
    { smartAgId: "sag-demo0001", onlineCount: 8 },
    { smartAgId: "sag-big0001", onlineCount: 225 },
  ],
  totalOnlineCount: 233,
  requestIds: ["14846A6A-2192-4F6A-B272-B8BD68EBC89B"],
};

const apiFailure =
  "InvalidId.SMARTAG: The specified smart access gateway instance ID does not exist. (smartAgId sag-missing) (RequestId: 14846A6A-2192-4F6A-B272-B8BD68EBC89B)";

/** Fails the invoke naming "sag-missing", as the engine reports a plugin's error status. */
function failIfMissing(call: pulumi.runtime.MockCallArgs): void {
  if (!(call.inputs.smartAgIds as string[]).includes("sag-missing")) return;
  const details = `invocation of ${token} returned an error: ${apiFailure}`;
  throw Object.assign(new Error(details), { details });
}

function isApiFailure(e: unknown): boolean {
  assert.ok(e instanceof Error, `not an Error: ${String(e)}`);
  assert.ok(e.message.includes(apiFailure), e.message);
  return true;
}

class Gateway extends pulumi.CustomResource {
  declare public readonly instanceId: pulumi.Output<string>;
  constructor(name: string) {
    super("test:index:Gateway", name, { instanceId: "sag-demo0001" });
  }
}

let recorded: Recorded;

function onlyCall(): pulumi.runtime.MockCallArgs {
  assert.equal(recorded.calls.length, 1, "expected exactly one invoke");
  const [call] = recorded.calls;
  assert.ok(call);
  return call;
}

describe("getSagOnlineClientStatistics", () => {
  beforeEach(async () => {
    recorded = await installMocks((call) => {
      failIfMissing(call);
      return { ...cannedResult };
    });
  });

  it("sends the schema's token with regionId and smartAgIds under the schema's names", async () => {
    await smartag.getSagOnlineClientStatistics({
      regionId: "cn-shanghai",
      smartAgIds: ["sag-demo0001", "sag-big0001"],
    });
    assert.ok(token in schema.functions);
    assert.equal(onlyCall().token, token);
    assert.deepEqual(onlyCall().inputs, {
      regionId: "cn-shanghai",
      smartAgIds: ["sag-demo0001", "sag-big0001"],
    });
  });

  it("resolves to the provider's result as a typed value", async () => {
    const result = await smartag.getSagOnlineClientStatistics({ smartAgIds: ["sag-demo0001"] });
    const first: smartag.types.output.SagStatistic | undefined = result.statistics[0];
    const total: number = result.totalOnlineCount;
    assert.deepEqual(result, cannedResult);
    assert.deepEqual(first, { smartAgId: "sag-demo0001", onlineCount: 8 });
    assert.equal(total, 233);
    assert.deepEqual(Object.keys(onlyCall().inputs), ["smartAgIds"]);
  });

  it("rejects with the provider's message, the unknown id named", async () => {
    await assert.rejects(
      smartag.getSagOnlineClientStatistics({ smartAgIds: ["sag-demo0001", "sag-missing"] }),
      isApiFailure,
    );
  });
});

describe("getSagOnlineClientStatisticsOutput", () => {
  beforeEach(async () => {
    recorded = await installMocks((call) => {
      failIfMissing(call);
      return { ...cannedResult };
    });
  });

  it("resolves Outputs in the ids and marks the result secret when an id is secret", async () => {
    const result = smartag.getSagOnlineClientStatisticsOutput({
      smartAgIds: [pulumi.secret("sag-demo0001"), Promise.resolve("sag-big0001")],
    });
    assert.equal(await pulumi.isSecret(result.totalOnlineCount), true);
    assert.equal(await resolvedValue(result.totalOnlineCount), 233);
    assert.deepEqual(onlyCall().inputs.smartAgIds, ["sag-demo0001", "sag-big0001"]);
  });

  it("leaves the result plain when no argument is secret", async () => {
    const result = smartag.getSagOnlineClientStatisticsOutput({ smartAgIds: ["sag-demo0001"] });
    assert.equal(await pulumi.isSecret(result), false);
  });

  it("depends on the resource an id came from", async () => {
    const gateway = new Gateway("gw");
    const result = smartag.getSagOnlineClientStatisticsOutput({
      smartAgIds: [gateway.instanceId],
    });
    assert.ok((await resourcesOf(result)).has(gateway));
  });

  it("sends the invoke to an explicit provider when one is given", async () => {
    const provider = new smartag.Provider("hk", { region: "cn-hongkong" });
    await resolvedValue(
      smartag.getSagOnlineClientStatisticsOutput({ smartAgIds: ["sag-hk000001"] }, { provider }),
    );
    assert.equal(onlyCall().provider, `${await resolvedValue(provider.urn)}::hk-id`);
  });

  it("fails with the provider's message through every field", async () => {
    const result = smartag.getSagOnlineClientStatisticsOutput({ smartAgIds: ["sag-missing"] });
    await assert.rejects(resolvedValue(result.statistics), isApiFailure);
  });
});
