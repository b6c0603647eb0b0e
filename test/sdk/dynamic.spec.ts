import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as smartag from "pulumi-smartag";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import { assertNoSecrets } from "../helpers/secrets";
import { resolvedValue } from "./mocks";

const ACCESS_KEY = "LTAI5tEmulatorKey01";
const SECRET = "emulator-secret-01";
const REPO = path.resolve(__dirname, "..", "..");
const provider = smartag.dynamic.userOnlineClientStatisticsProvider;

// The same instance a little later: bob.smith went offline, doctest connected two more devices.
const LATER = {
  accessKeys: [{ id: ACCESS_KEY, secret: SECRET }],
  regions: {
    "cn-shanghai": {
      "sag-demo0001": {
        users: { doctest: 4, "alice@example.com": 0, "bob.smith": 0, carol_01: 1 },
      },
    },
  },
};

/** The stack configuration as the engine hands it to a dynamic provider's `configure`. */
function stackConfig(values: Record<string, string>): pulumi.dynamic.ConfigureRequest {
  const get = (key: string) => values[key];
  return {
    config: {
      get,
      require(key: string) {
        const v = get(key);
        if (v === undefined) throw new Error(`Missing required configuration key: ${key}`);
        return v;
      },
    },
  };
}

function configFor(endpoint: string): pulumi.dynamic.ConfigureRequest {
  return stackConfig({
    "smartag:region": "cn-shanghai",
    "smartag:endpoint": endpoint,
    "smartag:accessKey": ACCESS_KEY,
    "smartag:secretKey": SECRET,
    "smartag:cacheTtlMs": "0",
    // Other packages' keys are in the same bag; they must be ignored.
    "aws:region": "us-east-1",
  });
}

/** What the dynamic provider process does with the `__provider` text: load it as a module. */
function loadSerialised(text: string): pulumi.dynamic.ResourceProvider {
  const requireFromString = require("require-from-string") as (
    code: string,
    filename: string,
  ) => { handler(): pulumi.dynamic.ResourceProvider };
  // Resolved from the program's directory, as in the engine's process: here, the repository.
  return requireFromString(text, path.join(REPO, "serialised-provider.js")).handler();
}

describe("smartag.dynamic.UserOnlineClientStatistics", () => {
  let emulator: RunningEmulator;
  let later: RunningEmulator;

  before(async () => {
    emulator = await startEmulator({ fixture: loadDefaultFixture() });
    later = await startEmulator({ fixture: LATER });
  });
  after(async () => {
    // Leave the shared run-time module without credentials for whatever runs next.
    await provider.configure?.(stackConfig({}));
    await Promise.all([emulator.close(), later.close()]);
  });

  const inputs = {
    smartAgId: "sag-demo0001",
    userNames: ["doctest", "alice@example.com", "bob.smith"],
    maxOnlinePerUser: 5,
  };

  it("checks, creates, refreshes, diffs, updates and deletes through its provider functions", async () => {
    await provider.configure?.(configFor(emulator.url));

    assert.deepEqual(await provider.check?.({}, inputs), { inputs, failures: [] });
    assert.deepEqual(
      (await provider.check?.({}, { ...inputs, userNames: ["bob"], maxOnlinePerUser: -1 }))
        ?.failures,
      [
        { property: "userNames[0]", reason: "must be at least 7 characters" },
        { property: "maxOnlinePerUser", reason: "must be a whole number of at least 0 (got -1)" },
      ],
    );

    const created = await provider.create(inputs);
    assert.equal(created.id, "cn-shanghai/sag-demo0001");
    assert.deepEqual(created.outs, {
      ...inputs,
      regionId: "cn-shanghai",
      userStatistics: [
        { userName: "doctest", onlineCount: 2 },
        { userName: "alice@example.com", onlineCount: 0 },
        { userName: "bob.smith", onlineCount: 5 },
      ],
      totalOnlineCount: 7,
      requestIds: created.outs.requestIds,
    });

    await assert.rejects(provider.create({ ...inputs, maxOnlinePerUser: 4 }), {
      message:
        "SAG instance sag-demo0001 (cn-shanghai): 1 limit violation:\n" +
        "  - bob.smith: 5 online, limit 4 per user",
    });

    // The dynamic provider passes the state, with its own __provider text, to read.
    const state = { ...created.outs, __provider: "(serialised provider)" };
    const idle = await provider.read?.(created.id, state);
    assert.deepEqual(
      idle,
      { id: created.id, props: created.outs },
      "an idle refresh changes nothing",
    );

    await provider.configure?.(configFor(later.url));
    const refreshed = await provider.read?.(created.id, state);
    assert.deepEqual(refreshed?.props?.userStatistics, [
      { userName: "doctest", onlineCount: 4 },
      { userName: "alice@example.com", onlineCount: 0 },
      { userName: "bob.smith", onlineCount: 0 },
    ]);
    assert.notDeepEqual(refreshed?.props?.requestIds, created.outs.requestIds);

    const olds = { ...refreshed?.props, __provider: "(serialised provider)" };
    assert.deepEqual(await provider.diff?.(created.id, olds, inputs), {
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    const news = { ...inputs, userNames: ["doctest", "carol_01"] };
    assert.deepEqual(await provider.diff?.(created.id, olds, news), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    assert.deepEqual(
      (await provider.diff?.(created.id, olds, { ...inputs, smartAgId: "sag-big0001" }))?.replaces,
      ["smartAgId"],
    );

    const updated = await provider.update?.(created.id, olds, news);
    assert.deepEqual(updated?.outs?.userStatistics, [
      { userName: "doctest", onlineCount: 4 },
      { userName: "carol_01", onlineCount: 1 },
    ]);
    assert.equal(updated?.outs?.totalOnlineCount, 5);

    const before = later.requests.length;
    await provider.delete?.(created.id, { ...updated?.outs });
    assert.equal(later.requests.length, before, "delete makes no API call");
  });

  it("takes credentials from the environment when the stack configuration has none", async () => {
    const env = {
      ALIBABA_CLOUD_REGION: "cn-hongkong",
      ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET,
      SMARTAG_ENDPOINT: emulator.url,
    };
    Object.assign(process.env, env);
    try {
      await provider.configure?.(stackConfig({}));
      const created = await provider.create({ smartAgId: "sag-hk000001", userNames: ["dave-hk"] });
      assert.equal(created.id, "cn-hongkong/sag-hk000001");
      assert.equal(created.outs.totalOnlineCount, 3);
    } finally {
      for (const name of Object.keys(env)) delete process.env[name];
    }
  });

  it("ignores PULUMI_CONFIG, which holds the pulumi-nodejs namespace in its process", async () => {
    // The engine fills a plugin's PULUMI_CONFIG from the plugin's own namespace by bare key, so
    // here `region` would be `pulumi-nodejs:region`, not `smartag:region`.
    process.env.PULUMI_CONFIG = JSON.stringify({ region: "cn-hongkong" });
    try {
      await provider.configure?.(stackConfig({}));
      const olds = { regionId: "cn-hongkong", smartAgId: "sag-hk000001", userNames: ["dave-hk"] };
      const news = { smartAgId: "sag-hk000001", userNames: ["dave-hk"] };
      assert.deepEqual((await provider.diff?.("cn-hongkong/sag-hk000001", olds, news))?.replaces, [
        "regionId",
      ]);
    } finally {
      delete process.env.PULUMI_CONFIG;
    }
  });

  it("serialises to text that holds no credential, even after it has used one", async () => {
    await provider.configure?.(configFor(emulator.url));
    const created = await provider.create(inputs);
    assertNoSecrets(JSON.stringify(created), [SECRET], "the recorded state");

    // What pulumi.dynamic.Resource puts into the state as __provider.
    const serialised = await pulumi.runtime.serializeFunction(() => provider, {
      allowSecrets: true,
    });
    assert.equal(serialised.containsSecrets, false);
    assertNoSecrets(serialised.text, [SECRET, ACCESS_KEY], "the serialised provider");
    assert.ok(!serialised.text.includes(emulator.url), "the configuration stays out of it too");
    assert.match(serialised.text, /pulumi-smartag\/dynamic\/runtime/);

    // The scan is not vacuous: a provider that captures the secret serialises it.
    const secretKey = SECRET;
    const leaky: pulumi.dynamic.ResourceProvider = {
      async create() {
        return { id: secretKey, outs: {} };
      },
    };
    const leaked = await pulumi.runtime.serializeFunction(() => leaky, { allowSecrets: true });
    assert.throws(() => assertNoSecrets(leaked.text, [SECRET], "the leaky provider"));
  });

  it("runs from its serialised text, loaded as the dynamic provider process loads it", async () => {
    const { text } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    const loaded = loadSerialised(text);
    await loaded.configure?.(configFor(emulator.url));
    const created = await loaded.create({ smartAgId: "sag-demo0001", userNames: ["carol_01"] });
    assert.equal(created.id, "cn-shanghai/sag-demo0001");
    assert.deepEqual(created.outs.userStatistics, [{ userName: "carol_01", onlineCount: 1 }]);
  });

  it("registers a dynamic resource whose inputs carry no credential", async () => {
    const registered: pulumi.runtime.MockResourceArgs[] = [];
    await pulumi.runtime.setMocks(
      {
        call: () => ({}),
        newResource(args) {
          registered.push(args);
          return {
            id: "cn-shanghai/sag-demo0001",
            state: { ...args.inputs, regionId: "cn-shanghai", totalOnlineCount: 2 },
          };
        },
      },
      "sdk-tests",
      "test",
      false,
    );
    // Credentials in the program's environment must not be picked up at serialisation time.
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = SECRET;
    try {
      const stats = new smartag.dynamic.UserOnlineClientStatistics("demo", {
        smartAgId: "sag-demo0001",
        userNames: ["doctest"],
        maxOnlinePerUser: 3,
      });
      assert.equal(await resolvedValue(stats.totalOnlineCount), 2);
      assert.equal(await resolvedValue(stats.regionId), "cn-shanghai");
    } finally {
      delete process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
    }
    assert.equal(registered.length, 1);
    const [args] = registered;
    assert.equal(args?.type, "pulumi-nodejs:dynamic/smartag:UserOnlineClientStatistics");
    const { __provider: serialisedProvider, ...rest } = args?.inputs ?? {};
    assert.deepEqual(rest, {
      smartAgId: "sag-demo0001",
      userNames: ["doctest"],
      maxOnlinePerUser: 3,
    });
    assert.equal(typeof serialisedProvider, "string");
    assertNoSecrets(JSON.stringify(args?.inputs), [SECRET, ACCESS_KEY], "the resource's inputs");
  });
});
