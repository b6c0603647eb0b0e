import assert from "node:assert/strict";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import type * as pluginPb from "@pulumi/pulumi/proto/plugin_pb";
import * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import { SETTING_KEYS } from "@pulumi-smartag/client";
import * as emptyPb from "google-protobuf/google/protobuf/empty_pb";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import { SECRET_SIG, SIG_KEY, UNKNOWN } from "../../provider/values";
import { REPO, type RunningPlugin, startPlugin, struct } from "../helpers/plugin";
import { assertNoSecrets } from "../helpers/secrets";

const SECRET = "emulator-secret-01";
const KEY1 = { accessKey: "LTAI5tEmulatorKey01", secretKey: SECRET };
const TOKEN = "smartag:index:getUserOnlineClientStatistics";
const schemaText = readFileSync(path.join(REPO, "provider", "schema.json"), "utf8");

function invokeRequest(args: Record<string, unknown>, tok = TOKEN) {
  return new providerPb.InvokeRequest().setTok(tok).setArgs(struct(args));
}

function failuresOf(res: providerPb.InvokeResponse | providerPb.CheckResponse) {
  return res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() }));
}

describe("provider plugin over gRPC", () => {
  let emulator: RunningEmulator;
  const plugins: RunningPlugin[] = [];
  const responses: unknown[] = [];

  const start = async (env: NodeJS.ProcessEnv = {}) => {
    const p = await startPlugin({ SMARTAG_LOG: "debug", ...env });
    plugins.push(p);
    return p;
  };
  const configure = async (
    p: RunningPlugin,
    args: Record<string, unknown>,
    variables: Record<string, string> = {},
  ) => {
    const req = new providerPb.ConfigureRequest().setArgs(struct(args)).setAcceptsecrets(true);
    for (const [k, v] of Object.entries(variables)) req.getVariablesMap().set(k, v);
    const res = await p.call<providerPb.ConfigureResponse>("configure", req);
    responses.push(res.toObject());
    return res;
  };
  const invoke = async (p: RunningPlugin, args: Record<string, unknown>, tok = TOKEN) => {
    const res = await p.call<providerPb.InvokeResponse>("invoke", invokeRequest(args, tok));
    responses.push(res.toObject());
    return res;
  };

  before(async () => {
    emulator = await startEmulator({ fixture: loadDefaultFixture() });
  });
  after(async () => {
    // Stop everything before asserting, so a failed check cannot leave processes running.
    await Promise.all(plugins.map((p) => p.stop()));
    await emulator.close();
    for (const p of plugins) {
      assertNoSecrets(p.stderr(), [SECRET], "plugin stderr");
      assertNoSecrets(p.stdout(), [SECRET], "plugin stdout");
    }
    for (const r of responses) assertNoSecrets(JSON.stringify(r), [SECRET], "a gRPC response");
  });

  it("prints only its port on stdout and exits cleanly on SIGTERM", async () => {
    const p = await start();
    assert.match(p.stdout(), /^\d+\n$/);
    assert.equal(await p.stop(), 0);
  });

  it("returns the package schema and a matching plugin version", async () => {
    const p = await start();
    const schema = await p.call<providerPb.GetSchemaResponse>(
      "getSchema",
      new providerPb.GetSchemaRequest(),
    );
    assert.deepEqual(JSON.parse(schema.getSchema()), JSON.parse(schemaText));
    const info = await p.call<pluginPb.PluginInfo>(
      "getPluginInfo",
      new (require("google-protobuf/google/protobuf/empty_pb").Empty)(),
    );
    assert.equal(info.getVersion(), JSON.parse(schemaText).version);
  });

  it("declares in the schema exactly the configuration keys the provider reads", () => {
    const schema = JSON.parse(schemaText);
    assert.deepEqual(Object.keys(schema.config.variables).sort(), [...SETTING_KEYS].sort());
    assert.deepEqual(Object.keys(schema.provider.inputProperties).sort(), [...SETTING_KEYS].sort());
  });

  it("CheckConfig names a bad region and a missing secret key, and passes good config through", async () => {
    const p = await start();
    const bad = await p.call<providerPb.CheckResponse>(
      "checkConfig",
      new providerPb.CheckRequest().setNews(
        struct({ region: "Shanghai", accessKey: "LTAI5tEmulatorKey01", regoin: "x" }),
      ),
    );
    assert.deepEqual(failuresOf(bad), [
      {
        property: "regoin",
        reason: `is not a configuration key of the smartag provider (known: ${SETTING_KEYS.join(", ")})`,
      },
      { property: "region", reason: "must be a region id such as cn-shanghai" },
      { property: "secretKey", reason: "is required when accessKey is set" },
    ]);
    const missing = await p.call<providerPb.CheckResponse>(
      "checkConfig",
      new providerPb.CheckRequest().setNews(
        struct({ region: "cn-shanghai", accessKey: "LTAI5tEmulatorKey01" }),
      ),
    );
    assert.deepEqual(failuresOf(missing), [
      { property: "secretKey", reason: "is required when accessKey is set" },
    ]);
    const good = await p.call<providerPb.CheckResponse>(
      "checkConfig",
      new providerPb.CheckRequest().setNews(
        struct({ region: "cn-shanghai", ...KEY1, version: "0.1.0" }),
      ),
    );
    assert.deepEqual(failuresOf(good), []);
    assert.equal(good.getInputs()?.toJavaScript().region, "cn-shanghai");
  });

  it("CheckConfig names a region without a VPC endpoint when endpointType is vpc", async () => {
    const p = await start();
    const vpc = await p.call<providerPb.CheckResponse>(
      "checkConfig",
      new providerPb.CheckRequest().setNews(
        struct({ region: "cn-hangzhou", endpointType: "vpc", ...KEY1 }),
      ),
    );
    assert.deepEqual(failuresOf(vpc), [
      {
        property: "region",
        reason:
          "has no VPC endpoint: cn-hangzhou (China (Hangzhou)) has only a public endpoint; use endpointType public, or set endpoint",
      },
    ]);
  });

  it("CheckConfig in a preview judges only known values and the rules among them", async () => {
    const p = await start();
    const check = async (news: Record<string, unknown>) =>
      failuresOf(
        await p.call<providerPb.CheckResponse>(
          "checkConfig",
          new providerPb.CheckRequest()
            .setUrn("urn:pulumi:dev::proj::pulumi:providers:smartag::hk")
            .setType("pulumi:providers:smartag")
            .setNews(struct(news)),
        ),
      );
    // A secret from another resource's output is unknown in a preview: it may well be set.
    assert.deepEqual(
      await check({
        region: "cn-hongkong",
        accessKey: KEY1.accessKey,
        secretKey: UNKNOWN,
        version: "0.1.0",
      }),
      [],
    );
    assert.deepEqual(
      await check({ accessKey: { [SIG_KEY]: SECRET_SIG, value: UNKNOWN }, secretKey: SECRET }),
      [],
    );
    assert.deepEqual(
      await check({ accessKey: UNKNOWN, secretKey: UNKNOWN, securityToken: "sts-token" }),
      [],
    );
    assert.deepEqual(
      await check({ region: UNKNOWN, endpoint: "http://10.0.0.1:80", allowInsecureHttp: UNKNOWN }),
      [],
    );
    assert.deepEqual(await check({ retryBaseDelayMs: UNKNOWN, retryMaxDelayMs: "100" }), []);
    // What is known is still judged, the unknown key's other rules included.
    assert.deepEqual(
      await check({
        region: "Shanghai",
        accessKey: KEY1.accessKey,
        secretKey: UNKNOWN,
        endpoint: "http://10.0.0.1:80/path",
        allowInsecureHttp: UNKNOWN,
        regoin: UNKNOWN,
      }),
      [
        {
          property: "regoin",
          reason: `is not a configuration key of the smartag provider (known: ${SETTING_KEYS.join(", ")})`,
        },
        { property: "region", reason: "must be a region id such as cn-shanghai" },
        { property: "endpoint", reason: "must be an origin only, without path, query or fragment" },
      ],
    );
  });

  it("DiffConfig reports the keys that changed", async () => {
    const p = await start();
    const res = await p.call<providerPb.DiffResponse>(
      "diffConfig",
      new providerPb.DiffRequest()
        .setOlds(struct({ region: "cn-shanghai", endpoint: "http://127.0.0.1:1" }))
        .setNews(struct({ region: "cn-hongkong", endpoint: "http://127.0.0.1:1" })),
    );
    assert.equal(res.getChanges(), providerPb.DiffResponse.DiffChanges.DIFF_SOME);
    assert.deepEqual(res.getDiffsList(), ["region"]);
  });

  it("DiffConfig counts a key added or set as a value not known yet as changed", async () => {
    const p = await start();
    const res = await p.call<providerPb.DiffResponse>(
      "diffConfig",
      new providerPb.DiffRequest()
        .setOldInputs(struct({ version: "0.1.0", endpoint: "http://127.0.0.1:1" }))
        .setOlds(struct({ version: "0.1.0", endpoint: "http://127.0.0.1:1" }))
        .setNews(struct({ version: "0.1.0", region: UNKNOWN, endpoint: UNKNOWN })),
    );
    assert.equal(res.getChanges(), providerPb.DiffResponse.DiffChanges.DIFF_SOME);
    assert.deepEqual(res.getDiffsList(), ["endpoint", "region"]);
  });

  it("answers 1 and 120 names from the fixture after Configure with explicit config", async () => {
    const p = await start();
    const conf = await configure(p, { region: "cn-shanghai", endpoint: emulator.url, ...KEY1 });
    assert.equal(conf.getAcceptsecrets(), true);
    const one = (await invoke(p, { smartAgId: "sag-demo0001", userNames: ["doctest"] }))
      .getReturn()
      ?.toJavaScript();
    assert.deepEqual(one?.userStatistics, [{ userName: "doctest", onlineCount: 2 }]);
    assert.equal(one?.totalOnlineCount, 2);
    assert.equal(one?.regionId, "cn-shanghai");
    assert.equal(one?.smartAgId, "sag-demo0001");
    assert.equal((one?.requestIds as string[] | undefined)?.length, 1);

    const names = Array.from({ length: 120 }, (_, i) => `user${String(i + 1).padStart(4, "0")}`);
    const many = (await invoke(p, { smartAgId: "sag-big0001", userNames: names }))
      .getReturn()
      ?.toJavaScript();
    assert.deepEqual(
      many?.userStatistics,
      names.map((userName, i) => ({ userName, onlineCount: (i + 1) % 4 })),
    );
    assert.equal((many?.requestIds as string[] | undefined)?.length, 3);
  });

  it("totals a name listed twice once, as the schema and the SDK describe totalOnlineCount", async () => {
    const p = await start();
    await configure(p, { region: "cn-shanghai", endpoint: emulator.url, ...KEY1 });
    const res = (
      await invoke(p, { smartAgId: "sag-demo0001", userNames: ["doctest", "bob.smith", "doctest"] })
    )
      .getReturn()
      ?.toJavaScript();
    assert.deepEqual(res?.userStatistics, [
      { userName: "doctest", onlineCount: 2 },
      { userName: "bob.smith", onlineCount: 5 },
      { userName: "doctest", onlineCount: 2 },
    ]);
    assert.equal(res?.totalOnlineCount, 7, "not 9, the sum over userStatistics");
    const fn = JSON.parse(schemaText).functions[TOKEN];
    const description: string = fn.outputs.properties.totalOnlineCount.description;
    assert.match(description, /over the distinct user names/);
    const sdk = readFileSync(
      path.join(REPO, "sdk", "nodejs", "getUserOnlineClientStatistics.ts"),
      "utf8",
    );
    const docOf = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*readonly totalOnlineCount/.exec(sdk)?.[1];
    assert.equal(docOf?.replace(/\s*\n\s*\*\s*/g, " ").trim(), description);
  });

  it("unwraps secret-wrapped config and arguments as the engine sends them", async () => {
    const p = await start();
    await configure(p, {
      region: "cn-shanghai",
      endpoint: emulator.url,
      accessKey: KEY1.accessKey,
      secretKey: { [SIG_KEY]: SECRET_SIG, value: SECRET },
      maxAttempts: "3",
    });
    const res = await invoke(p, {
      smartAgId: { [SIG_KEY]: SECRET_SIG, value: "sag-demo0001" },
      userNames: ["bob.smith"],
    });
    // A secret argument makes every result field secret: the engine leaves that to a provider
    // that accepts secrets, and a caller other than Node's invokeOutput relies on it.
    const result = res.getReturn()?.toJavaScript() ?? {};
    assert.deepEqual(Object.keys(result).sort(), [
      "regionId",
      "requestIds",
      "smartAgId",
      "totalOnlineCount",
      "userStatistics",
    ]);
    for (const [key, field] of Object.entries(result)) {
      assert.equal((field as Record<string, unknown>)?.[SIG_KEY], SECRET_SIG, `${key} is secret`);
    }
    assert.deepEqual((result.userStatistics as { value: unknown }).value, [
      { userName: "bob.smith", onlineCount: 5 },
    ]);
    assert.equal((result.smartAgId as { value: unknown }).value, "sag-demo0001");
  });

  it("returns plain results for plain arguments", async () => {
    const p = await start();
    await configure(p, { region: "cn-shanghai", endpoint: emulator.url, ...KEY1 });
    const res = await invoke(p, { smartAgId: "sag-demo0001", userNames: ["bob.smith"] });
    assert.deepEqual(res.getReturn()?.toJavaScript().userStatistics, [
      { userName: "bob.smith", onlineCount: 5 },
    ]);
  });

  it("reads legacy config variables, then PULUMI_CONFIG, then the environment", async () => {
    const viaVariables = await start();
    await configure(
      viaVariables,
      {},
      {
        "smartag:config:region": "cn-hongkong",
        "smartag:config:endpoint": emulator.url,
        "smartag:config:accessKey": KEY1.accessKey,
        "smartag:config:secretKey": SECRET,
      },
    );
    const a = await invoke(viaVariables, { smartAgId: "sag-hk000001", userNames: ["dave-hk"] });
    assert.deepEqual(a.getReturn()?.toJavaScript().userStatistics, [
      { userName: "dave-hk", onlineCount: 3 },
    ]);

    // As the engine writes it: the `smartag` namespace's keys, by their bare names.
    const viaEnv = await start({
      PULUMI_CONFIG: JSON.stringify({ region: "cn-hongkong", endpoint: emulator.url }),
      ALICLOUD_ACCESS_KEY: KEY1.accessKey,
      ALICLOUD_SECRET_KEY: SECRET,
    });
    await configure(viaEnv, {});
    const b = await invoke(viaEnv, { smartAgId: "sag-hk000001", userNames: ["doctest"] });
    assert.deepEqual(b.getReturn()?.toJavaScript().userStatistics, [
      { userName: "doctest", onlineCount: 7 },
    ]);
  });

  it("reads PULUMI_CONFIG for a default provider only, as the engine gives it to every provider", async () => {
    const config = { region: "cn-hongkong", endpoint: emulator.url, ...KEY1 };
    const configureAs = (p: RunningPlugin, name: string) =>
      p.call<providerPb.ConfigureResponse>(
        "configure",
        new providerPb.ConfigureRequest()
          .setUrn(`urn:pulumi:dev::proj::pulumi:providers:smartag::${name}`)
          .setType("pulumi:providers:smartag")
          .setName(name)
          .setArgs(struct({ version: "0.1.0" }))
          .setAcceptsecrets(true),
      );
    const byDefault = await start({ PULUMI_CONFIG: JSON.stringify(config) });
    // The name the engine gives a default provider whose SDK names a plugin download URL.
    await configureAs(
      byDefault,
      "default_0_1_0_github_/api.github.com/pulumi-smartag/pulumi-smartag",
    );
    const a = await invoke(byDefault, { smartAgId: "sag-hk000001", userNames: ["dave-hk"] });
    assert.deepEqual(failuresOf(a), []);
    assert.deepEqual(a.getReturn()?.toJavaScript().userStatistics, [
      { userName: "dave-hk", onlineCount: 3 },
    ]);

    // An explicit provider takes its arguments and the environment, not the stack's region.
    const explicit = await start({
      PULUMI_CONFIG: JSON.stringify({ region: "cn-hongkong" }),
      SMARTAG_ENDPOINT: emulator.url,
      ALICLOUD_ACCESS_KEY: KEY1.accessKey,
      ALICLOUD_SECRET_KEY: SECRET,
    });
    await configureAs(explicit, "hk");
    emulator.resetLog();
    const b = await invoke(explicit, { smartAgId: "sag-hk000001", userNames: ["dave-hk"] });
    assert.deepEqual(failuresOf(b), [
      {
        property: "regionId",
        reason: "is required when the provider has no region (set regionId or smartag:region)",
      },
    ]);
    assert.equal(emulator.requests.length, 0);
  });

  it("refuses invalid configuration at Configure with every bad key named", async () => {
    const p = await start();
    await assert.rejects(
      configure(p, { region: "nowhere", endpoint: "http://example.com", accessKey: "x" }),
      (e: grpc.ServiceError) => {
        assert.equal(e.code, grpc.status.INVALID_ARGUMENT);
        assert.match(e.details, /smartag:region: must be a region id/);
        assert.match(e.details, /smartag:secretKey: is required when accessKey is set/);
        assert.match(e.details, /smartag:endpoint: must use https/);
        return true;
      },
    );
  });

  it("returns bad arguments as failures, without calling the API", async () => {
    const p = await start();
    await configure(p, { endpoint: emulator.url, ...KEY1 });
    emulator.resetLog();
    const res = await invoke(p, { smartAgId: "nope", userNames: ["ok-name-1", "bad"] });
    assert.deepEqual(failuresOf(res), [
      { property: "smartAgId", reason: "must be a SAG instance id such as sag-sfjg1234" },
      { property: "userNames[1]", reason: "must be at least 7 characters" },
      {
        property: "regionId",
        reason: "is required when the provider has no region (set regionId or smartag:region)",
      },
    ]);
    assert.equal(res.hasReturn(), false);
    assert.equal(emulator.requests.length, 0);
  });

  it("in a preview, says that a missing argument may be one not known yet", async () => {
    const p = await start();
    await configure(p, { region: "cn-shanghai", endpoint: emulator.url, ...KEY1 });
    emulator.resetLog();
    // As the engine sends unknown arguments: left out, or null in place of a list element.
    const args = { userNames: ["bad", null] };
    const note =
      " (in a preview, an argument that depends on a value not known until the update arrives empty)";
    const preview = await p.call<providerPb.InvokeResponse>(
      "invoke",
      invokeRequest(args).setPreview(true),
    );
    assert.deepEqual(failuresOf(preview), [
      {
        property: "smartAgId",
        reason: `is required: the SAG APP instance id, such as sag-sfjg1234${note}`,
      },
      { property: "userNames[0]", reason: "must be at least 7 characters" },
      { property: "userNames[1]", reason: `must be a string${note}` },
    ]);
    const update = await invoke(p, args);
    assert.deepEqual(failuresOf(update), [
      {
        property: "smartAgId",
        reason: "is required: the SAG APP instance id, such as sag-sfjg1234",
      },
      { property: "userNames[0]", reason: "must be at least 7 characters" },
      { property: "userNames[1]", reason: "must be a string" },
    ]);
    assert.equal(emulator.requests.length, 0);
  });

  it("turns an API error into a gRPC error with the code, message, RequestId and a hint", async () => {
    const p = await start();
    await configure(p, { region: "cn-shanghai", endpoint: emulator.url, ...KEY1 });
    emulator.resetLog();
    await assert.rejects(
      invoke(p, { smartAgId: "sag-unknown01", userNames: ["doctest"] }),
      (e: grpc.ServiceError) => {
        assert.equal(e.code, grpc.status.UNKNOWN);
        const requestId =
          emulator.requests[0]?.code === "SAG.InstanceNoFound"
            ? /RequestId: [0-9A-F-]{36}/
            : /never/;
        assert.match(
          e.details,
          /^SAG\.InstanceNoFound: The specified SAG instance does not exist\./,
        );
        assert.match(e.details, requestId);
        assert.match(e.details, /hint: check smartAgId and regionId/);
        return true;
      },
    );
  });

  it("names the token it does not know", async () => {
    const p = await start();
    await assert.rejects(invoke(p, {}, "smartag:index:getNothing"), (e: grpc.ServiceError) => {
      assert.equal(e.code, grpc.status.INVALID_ARGUMENT);
      assert.equal(
        e.details,
        'unknown function token "smartag:index:getNothing"; the smartag provider serves: smartag:index:getUserOnlineClientStatistics, smartag:index:getSagOnlineClientStatistics, smartag:index:getClientUsers, smartag:index:getUserOnlineClients',
      );
      return true;
    });
  });

  it("answers from two regions independently in two plugin processes", async () => {
    const [sh, hk] = await Promise.all([start(), start()]);
    await configure(sh as RunningPlugin, {
      region: "cn-shanghai",
      endpoint: emulator.url,
      ...KEY1,
    });
    await configure(hk as RunningPlugin, {
      region: "cn-hongkong",
      endpoint: emulator.url,
      accessKey: "LTAI5tEmulatorKey02",
      secretKey: "emulator-secret-02",
    });
    const [a, b] = await Promise.all([
      invoke(sh as RunningPlugin, { smartAgId: "sag-demo0001", userNames: ["doctest"] }),
      invoke(hk as RunningPlugin, { smartAgId: "sag-hk000001", userNames: ["doctest"] }),
    ]);
    assert.deepEqual(a.getReturn()?.toJavaScript().userStatistics, [
      { userName: "doctest", onlineCount: 2 },
    ]);
    assert.deepEqual(b.getReturn()?.toJavaScript().userStatistics, [
      { userName: "doctest", onlineCount: 7 },
    ]);
    await assert.rejects(
      invoke(hk as RunningPlugin, { smartAgId: "sag-demo0001", userNames: ["doctest"] }),
      /SAG\.InstanceNoFound/,
    );
  });

  it("keeps the secret out of errors and logs when the key is wrong", async () => {
    const p = await start();
    await configure(p, {
      region: "cn-shanghai",
      endpoint: emulator.url,
      accessKey: KEY1.accessKey,
      secretKey: "wrong-secret-123",
    });
    await assert.rejects(
      invoke(p, { smartAgId: "sag-demo0001", userNames: ["doctest"] }),
      (e: grpc.ServiceError) => {
        assert.match(e.details, /SignatureDoesNotMatch/);
        assertNoSecrets(e.details, ["wrong-secret-123"], "the gRPC error");
        return true;
      },
    );
    await p.stop();
    assert.match(p.stderr(), /SignatureDoesNotMatch/, "the error is logged with SMARTAG_LOG=debug");
    assertNoSecrets(p.stderr(), ["wrong-secret-123"], "plugin stderr");
  });

  it("answers UNIMPLEMENTED for resource methods it does not serve", async () => {
    const p = await start();
    await assert.rejects(
      p.call("construct", new providerPb.ConstructRequest()),
      (e: grpc.ServiceError) => e.code === grpc.status.UNIMPLEMENTED,
    );
  });

  it("answers UNIMPLEMENTED for the streaming List and keeps serving", async () => {
    const p = await start();
    const stream = p.client.list(new providerPb.ListRequest());
    stream.on("data", () => assert.fail("List sent a resource"));
    const [error] = (await once(stream, "error")) as [grpc.ServiceError];
    assert.equal(error.code, grpc.status.UNIMPLEMENTED);
    assert.equal(error.details, "list is not implemented by the smartag provider");
    const info = await p.call<pluginPb.PluginInfo>("getPluginInfo", new emptyPb.Empty());
    assert.equal(info.getVersion(), JSON.parse(schemaText).version);
    assert.equal(p.process.exitCode, null);
  });
});
