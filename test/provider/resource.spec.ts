import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import type * as structPb from "google-protobuf/google/protobuf/struct_pb";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import { SECRET_SIG, SIG_KEY, UNKNOWN } from "../../provider/values";
import { type RunningPlugin, startPlugin, struct } from "../helpers/plugin";
import { assertNoSecrets } from "../helpers/secrets";

const SECRET = "emulator-secret-01";
const KEY1 = { accessKey: "LTAI5tEmulatorKey01", secretKey: SECRET };
const TYPE = "smartag:index:UserOnlineClientStatistics";
const URN = `urn:pulumi:dev::gate::${TYPE}::demo`;
const ID = "cn-shanghai/sag-demo0001";
const { DiffChanges } = providerPb.DiffResponse;
const { Kind } = providerPb.PropertyDiff;

// The same instance a little later: bob.smith went offline, doctest connected two more devices.
const LATER = {
  accessKeys: [{ id: KEY1.accessKey, secret: SECRET }],
  regions: {
    "cn-shanghai": {
      "sag-demo0001": {
        users: { doctest: 4, "alice@example.com": 0, "bob.smith": 0, carol_01: 1 },
      },
    },
  },
};

const secret = (value: unknown) => ({ [SIG_KEY]: SECRET_SIG, value });
const js = (s: structPb.Struct | undefined) => s?.toJavaScript() ?? {};

function failuresOf(res: providerPb.CheckResponse) {
  return res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() }));
}

function detailedDiff(res: providerPb.DiffResponse): Record<string, providerPb.PropertyDiff.Kind> {
  const out: Record<string, providerPb.PropertyDiff.Kind> = {};
  res.getDetaileddiffMap().forEach((v, k) => {
    out[k] = v.getKind();
  });
  return out;
}

describe("UserOnlineClientStatistics resource over gRPC", () => {
  let emulator: RunningEmulator;
  let later: RunningEmulator;
  const plugins: RunningPlugin[] = [];
  const responses: unknown[] = [];

  /** A plugin configured as the engine would, against `endpoint`. */
  const start = async (endpoint: string, extra: Record<string, unknown> = {}) => {
    const p = await startPlugin({ SMARTAG_LOG: "debug" });
    plugins.push(p);
    await p.call(
      "configure",
      new providerPb.ConfigureRequest()
        .setArgs(struct({ region: "cn-shanghai", endpoint, ...KEY1, cacheTtlMs: "0", ...extra }))
        .setAcceptsecrets(true),
    );
    return p;
  };
  const call = async <Res extends { toObject(): unknown }>(
    p: RunningPlugin,
    method: string,
    req: unknown,
  ): Promise<Res> => {
    const res = await p.call<Res>(method, req);
    responses.push(res.toObject());
    return res;
  };
  const check = (p: RunningPlugin, news: Record<string, unknown>) =>
    call<providerPb.CheckResponse>(
      p,
      "check",
      new providerPb.CheckRequest().setUrn(URN).setType(TYPE).setNews(struct(news)),
    );
  const create = (p: RunningPlugin, props: Record<string, unknown>, preview = false) =>
    call<providerPb.CreateResponse>(
      p,
      "create",
      new providerPb.CreateRequest()
        .setUrn(URN)
        .setType(TYPE)
        .setProperties(struct(props))
        .setPreview(preview),
    );
  const read = (p: RunningPlugin, id: string, inputs: object, state: object) =>
    call<providerPb.ReadResponse>(
      p,
      "read",
      new providerPb.ReadRequest()
        .setId(id)
        .setUrn(URN)
        .setType(TYPE)
        .setInputs(struct(inputs as Record<string, unknown>))
        .setProperties(struct(state as Record<string, unknown>)),
    );
  const diff = (p: RunningPlugin, oldInputs: object, olds: object, news: object) =>
    call<providerPb.DiffResponse>(
      p,
      "diff",
      new providerPb.DiffRequest()
        .setId(ID)
        .setUrn(URN)
        .setType(TYPE)
        .setOldInputs(struct(oldInputs as Record<string, unknown>))
        .setOlds(struct(olds as Record<string, unknown>))
        .setNews(struct(news as Record<string, unknown>)),
    );
  const update = (p: RunningPlugin, olds: object, news: object, preview = false) =>
    call<providerPb.UpdateResponse>(
      p,
      "update",
      new providerPb.UpdateRequest()
        .setId(ID)
        .setUrn(URN)
        .setType(TYPE)
        .setOlds(struct(olds as Record<string, unknown>))
        .setNews(struct(news as Record<string, unknown>))
        .setPreview(preview),
    );
  /** Requests that reached `e` while `action` ran. */
  const requestsDuring = async (e: RunningEmulator, action: () => Promise<unknown>) => {
    const before = e.requests.length;
    await action();
    return e.requests.slice(before);
  };

  before(async () => {
    emulator = await startEmulator({ fixture: loadDefaultFixture() });
    later = await startEmulator({ fixture: LATER });
  });
  after(async () => {
    await Promise.all(plugins.map((p) => p.stop()));
    await Promise.all([emulator.close(), later.close()]);
    for (const p of plugins) assertNoSecrets(p.stderr(), [SECRET], "plugin stderr");
    for (const r of responses) assertNoSecrets(JSON.stringify(r), [SECRET], "a gRPC response");
  });

  const inputs = {
    smartAgId: "sag-demo0001",
    userNames: ["doctest", "alice@example.com", "bob.smith"],
    maxOnlinePerUser: 5,
  };

  it("lives through check, create, refresh, diff, update and delete as the engine drives it", async () => {
    const p = await start(emulator.url);

    const checked = await check(p, inputs);
    assert.deepEqual(failuresOf(checked), []);
    assert.deepEqual(js(checked.getInputs()), inputs);

    const preview = await create(p, inputs, true);
    assert.deepEqual(js(preview.getProperties()), {
      ...inputs,
      regionId: "cn-shanghai",
      userStatistics: UNKNOWN,
      totalOnlineCount: UNKNOWN,
      requestIds: UNKNOWN,
    });

    let created: providerPb.CreateResponse | undefined;
    const createCalls = await requestsDuring(emulator, async () => {
      created = await create(p, inputs);
    });
    assert.equal(createCalls.length, 1);
    assert.equal(created?.getId(), ID);
    const state = js(created?.getProperties());
    assert.deepEqual(state, {
      ...inputs,
      regionId: "cn-shanghai",
      userStatistics: [
        { userName: "doctest", onlineCount: 2 },
        { userName: "alice@example.com", onlineCount: 0 },
        { userName: "bob.smith", onlineCount: 5 },
      ],
      totalOnlineCount: 7,
      requestIds: state.requestIds,
    });
    assert.equal((state.requestIds as string[]).length, 1);

    // `pulumi refresh` with nothing changed: same counts, same state (request ids included).
    const idle = await read(p, ID, inputs, state);
    assert.equal(idle.getId(), ID);
    assert.deepEqual(js(idle.getProperties()), state);
    assert.deepEqual(js(idle.getInputs()), inputs);

    // Later, against the same instance with other counts: refresh records them, and does not
    // judge them (limits are for create and update).
    const afterwards = await start(later.url);
    const refreshed = js((await read(afterwards, ID, inputs, state)).getProperties());
    assert.deepEqual(refreshed.userStatistics, [
      { userName: "doctest", onlineCount: 4 },
      { userName: "alice@example.com", onlineCount: 0 },
      { userName: "bob.smith", onlineCount: 0 },
    ]);
    assert.equal(refreshed.totalOnlineCount, 4);
    assert.notDeepEqual(refreshed.requestIds, state.requestIds);

    // The counts changed, the inputs did not: nothing to do on the next `pulumi up`.
    const same = await diff(afterwards, inputs, refreshed, inputs);
    assert.equal(same.getChanges(), DiffChanges.DIFF_NONE);

    const news = { ...inputs, userNames: ["doctest", "carol_01"], maxOnlinePerUser: 4 };
    const changed = await diff(afterwards, inputs, refreshed, news);
    assert.equal(changed.getChanges(), DiffChanges.DIFF_SOME);
    assert.deepEqual(changed.getDiffsList(), ["userNames", "maxOnlinePerUser"]);
    assert.deepEqual(changed.getReplacesList(), []);
    assert.deepEqual(detailedDiff(changed), {
      userNames: Kind.UPDATE,
      maxOnlinePerUser: Kind.UPDATE,
    });

    const updated = js((await update(afterwards, refreshed, news)).getProperties());
    assert.deepEqual(updated.userStatistics, [
      { userName: "doctest", onlineCount: 4 },
      { userName: "carol_01", onlineCount: 1 },
    ]);
    assert.equal(updated.totalOnlineCount, 5);
    assert.equal(updated.maxOnlinePerUser, 4);

    const deleteCalls = await requestsDuring(later, () =>
      call(
        afterwards,
        "delete",
        new providerPb.DeleteRequest()
          .setId(ID)
          .setUrn(URN)
          .setType(TYPE)
          .setProperties(struct(updated)),
      ),
    );
    assert.deepEqual(deleteCalls, [], "Delete makes no API call");
  });

  it("Check names every bad input with a reason, without calling the API", async () => {
    const p = await start(emulator.url);
    let res: providerPb.CheckResponse | undefined;
    const calls = await requestsDuring(emulator, async () => {
      res = await check(p, {
        regionId: "Shanghai",
        smartAgId: "demo0001",
        userNames: ["doctest", "bob"],
        maxOnlinePerUser: -1,
        maxTotalOnline: 2.5,
        requireNoneOnline: "yes",
        maxOnline: 3,
      });
    });
    assert.deepEqual(calls, []);
    assert.ok(res);
    assert.deepEqual(failuresOf(res), [
      {
        property: "maxOnline",
        reason:
          "is not an input of UserOnlineClientStatistics (expected regionId, smartAgId, " +
          "userNames, maxOnlinePerUser, maxTotalOnline, requireNoneOnline)",
      },
      { property: "regionId", reason: "must be a region id such as cn-shanghai" },
      { property: "smartAgId", reason: "must be a SAG instance id such as sag-sfjg1234" },
      { property: "userNames[1]", reason: "must be at least 7 characters" },
      { property: "maxOnlinePerUser", reason: "must be a whole number of at least 0 (got -1)" },
      { property: "maxTotalOnline", reason: "must be a whole number of at least 0 (got 2.5)" },
      { property: "requireNoneOnline", reason: "must be true or false (got yes)" },
    ]);

    // userNames may be left out (every account); an empty list may not.
    const missing = await check(p, { userNames: [] });
    assert.deepEqual(
      failuresOf(missing).map((f) => f.property),
      ["smartAgId", "userNames"],
    );
  });

  it("counts every account without userNames, on create, refresh and an update to a list", async () => {
    const p = await start(emulator.url);
    const all = { smartAgId: "sag-acct0001", maxOnlinePerUser: 3 };
    const acctId = "cn-shanghai/sag-acct0001";
    assert.deepEqual(failuresOf(await check(p, all)), []);
    const created = await create(p, all);
    assert.equal(created.getId(), acctId);
    const state = js(created.getProperties());
    assert.deepEqual(state, {
      ...all,
      regionId: "cn-shanghai",
      userStatistics: [
        { userName: "erin.ops", onlineCount: 2 },
        { userName: "frank-ro", onlineCount: 0 },
        { userName: "grace001", onlineCount: 3 },
      ],
      totalOnlineCount: 5,
      requestIds: state.requestIds,
    });
    assert.equal((state.requestIds as string[]).length, 2, "one page of accounts, one batch");

    // Refresh lists the accounts again; the recorded ones are kept when nothing changed.
    const idle = await read(p, acctId, all, state);
    assert.deepEqual(js(idle.getProperties()), state);
    assert.deepEqual(js(idle.getInputs()), all);
    const fromState = await read(p, acctId, {}, state);
    assert.deepEqual(js(fromState.getProperties()), state);

    // Over the limit: the account is named, as with a list.
    await assert.rejects(create(p, { ...all, maxOnlinePerUser: 2 }), /grace001/);

    const listed = { ...all, userNames: ["erin.ops"] };
    const toList = await diff(p, all, state, listed);
    assert.deepEqual(toList.getDiffsList(), ["userNames"]);
    assert.deepEqual(detailedDiff(toList), { userNames: Kind.ADD });
    assert.deepEqual(toList.getReplacesList(), []);
    const back = await diff(p, listed, state, all);
    assert.deepEqual(detailedDiff(back), { userNames: Kind.DELETE });
  });

  it("Check judges only what is known during a preview", async () => {
    const p = await start(emulator.url);
    const res = await check(p, {
      smartAgId: UNKNOWN,
      userNames: ["doctest", UNKNOWN, "bob"],
      maxOnlinePerUser: UNKNOWN,
    });
    assert.deepEqual(failuresOf(res), [
      { property: "userNames[2]", reason: "must be at least 7 characters" },
    ]);
    const noRegion = await startPlugin({});
    plugins.push(noRegion);
    await noRegion.call(
      "configure",
      new providerPb.ConfigureRequest().setArgs(struct({ endpoint: emulator.url, ...KEY1 })),
    );
    assert.deepEqual(failuresOf(await check(noRegion, { ...inputs, regionId: UNKNOWN })), []);
    assert.deepEqual(failuresOf(await check(noRegion, inputs)), [
      {
        property: "regionId",
        reason: "is required when the provider has no region (set regionId or smartag:region)",
      },
    ]);
  });

  it("fails Create and Update when limits are broken, naming every offending user", async () => {
    const p = await start(emulator.url);
    const strict = {
      smartAgId: "sag-demo0001",
      userNames: ["doctest", "alice@example.com", "bob.smith", "carol_01"],
      maxOnlinePerUser: 1,
      maxTotalOnline: 6,
    };
    const expected =
      "SAG instance sag-demo0001 (cn-shanghai): 3 limit violations:\n" +
      "  - doctest: 2 online, limit 1 per user\n" +
      "  - bob.smith: 5 online, limit 1 per user\n" +
      "  - total: 8 online, limit 6";
    await assert.rejects(create(p, strict), (e: grpc.ServiceError) => {
      assert.equal(e.code, grpc.status.UNKNOWN);
      assert.equal(e.details, expected);
      return true;
    });
    const fine = js((await create(p, inputs)).getProperties());
    await assert.rejects(update(p, fine, { ...inputs, requireNoneOnline: true }), {
      details:
        "SAG instance sag-demo0001 (cn-shanghai): 2 limit violations:\n" +
        "  - doctest: 2 online, none allowed\n" +
        "  - bob.smith: 5 online, none allowed",
    });
  });

  it("keeps secret inputs secret in the state and out of a limits message", async () => {
    const p = await start(emulator.url);
    const props = {
      smartAgId: "sag-demo0001",
      userNames: secret(["doctest", "carol_01"]),
    };
    const state = js((await create(p, props)).getProperties());
    assert.equal(state.smartAgId, "sag-demo0001");
    assert.deepEqual(state.userNames, secret(["doctest", "carol_01"]));
    assert.deepEqual(
      state.userStatistics,
      secret([
        { userName: "doctest", onlineCount: 2 },
        { userName: "carol_01", onlineCount: 1 },
      ]),
    );
    assert.deepEqual(state.totalOnlineCount, secret(3));
    await assert.rejects(create(p, { ...props, maxOnlinePerUser: 1 }), {
      details:
        "SAG instance [secret]: 1 limit violation:\n  - [secret]: 2 online, limit 1 per user",
    });
  });

  it("gives a record of a secret instance or region an id that shows neither, and keeps it on refresh", async () => {
    const p = await start(emulator.url);
    const plain = await create(p, inputs);
    assert.equal(plain.getId(), "cn-shanghai/sag-demo0001");
    for (const hidden of [
      { ...inputs, smartAgId: secret(inputs.smartAgId) },
      { ...inputs, regionId: secret("cn-shanghai") },
    ]) {
      const created = await create(p, hidden);
      const id = created.getId();
      assert.match(id, /^secret-[0-9a-f-]{36}$/);
      const state = js(created.getProperties());
      const refreshed = await read(p, id, hidden, state);
      assert.equal(refreshed.getId(), id, "refresh keeps the id");
    }
    const other = await create(p, { ...inputs, smartAgId: secret(inputs.smartAgId) });
    assert.notEqual(
      other.getId(),
      (await create(p, { ...inputs, smartAgId: secret(inputs.smartAgId) })).getId(),
    );
  });

  it("Diff replaces only when the record is about another instance or region", async () => {
    const p = await start(emulator.url);
    const state = js((await create(p, inputs)).getProperties());

    const explicit = await diff(p, inputs, state, { ...inputs, regionId: "cn-shanghai" });
    assert.equal(explicit.getChanges(), DiffChanges.DIFF_NONE, "spelling out the same region");

    const moved = await diff(p, inputs, state, { ...inputs, regionId: "cn-hongkong" });
    assert.deepEqual(moved.getReplacesList(), ["regionId"]);
    assert.deepEqual(detailedDiff(moved), { regionId: Kind.ADD_REPLACE });

    const other = await diff(p, inputs, state, { ...inputs, smartAgId: "sag-big0001" });
    assert.deepEqual(other.getReplacesList(), ["smartAgId"]);
    assert.deepEqual(detailedDiff(other), { smartAgId: Kind.UPDATE_REPLACE });

    const { maxOnlinePerUser: _dropped, ...unlimited } = inputs;
    const relaxed = await diff(p, inputs, state, unlimited);
    assert.deepEqual(relaxed.getReplacesList(), []);
    assert.deepEqual(detailedDiff(relaxed), { maxOnlinePerUser: Kind.DELETE });

    const pending = await diff(p, inputs, state, { ...inputs, userNames: UNKNOWN });
    assert.equal(pending.getChanges(), DiffChanges.DIFF_SOME);
    assert.deepEqual(pending.getDiffsList(), ["userNames"]);

    // A new provider region moves a resource that never named one.
    const hk = await start(emulator.url, { region: "cn-hongkong" });
    const regionMoved = await diff(hk, inputs, state, inputs);
    assert.deepEqual(regionMoved.getReplacesList(), ["regionId"]);
  });

  it("Diff updates when an input only becomes secret or stops being one, replacing for the id's parts", async () => {
    const p = await start(emulator.url);
    const state = js((await create(p, inputs)).getProperties());
    const hidden = { ...inputs, userNames: secret(inputs.userNames) };

    // No diff would be a Same step: the engine would keep userNames and the counts in clear.
    const names = await diff(p, inputs, state, hidden);
    assert.equal(names.getChanges(), DiffChanges.DIFF_SOME);
    assert.deepEqual(names.getDiffsList(), ["userNames"]);
    assert.deepEqual(names.getReplacesList(), []);
    assert.deepEqual(detailedDiff(names), { userNames: Kind.UPDATE });

    // The id shows the instance and the region while they are plain: a new id, a replacement.
    const id = await diff(p, inputs, state, { ...inputs, smartAgId: secret(inputs.smartAgId) });
    assert.deepEqual(id.getReplacesList(), ["smartAgId"]);
    assert.deepEqual(detailedDiff(id), { smartAgId: Kind.UPDATE_REPLACE });

    const region = await diff(p, inputs, state, { ...inputs, regionId: secret("cn-shanghai") });
    assert.deepEqual(region.getReplacesList(), ["regionId"]);
    assert.deepEqual(detailedDiff(region), { regionId: Kind.ADD_REPLACE });

    // The update records the same counts, secret now.
    const updated = js((await update(p, state, hidden)).getProperties());
    assert.deepEqual(updated.userNames, secret(inputs.userNames));
    assert.deepEqual(updated.totalOnlineCount, secret(7));

    const same = await diff(p, hidden, updated, hidden);
    assert.equal(same.getChanges(), DiffChanges.DIFF_NONE);
    // Against the state alone (no old inputs), and back to plain text.
    const plain = await diff(p, {}, updated, inputs);
    assert.deepEqual(detailedDiff(plain), { userNames: Kind.UPDATE });
  });

  it("previews an update without calling the API", async () => {
    const p = await start(emulator.url);
    const state = js((await create(p, inputs)).getProperties());
    const news = { ...inputs, userNames: ["doctest", UNKNOWN] };
    let res: providerPb.UpdateResponse | undefined;
    const calls = await requestsDuring(emulator, async () => {
      res = await update(p, state, news, true);
    });
    assert.deepEqual(calls, []);
    assert.deepEqual(js(res?.getProperties()), {
      ...news,
      regionId: "cn-shanghai",
      userStatistics: UNKNOWN,
      totalOnlineCount: UNKNOWN,
      requestIds: UNKNOWN,
    });
  });

  it("Read reports the record gone when the instance no longer exists", async () => {
    const p = await start(emulator.url);
    const state = { ...inputs, smartAgId: "sag-gone0001", regionId: "cn-shanghai" };
    const res = await read(p, "cn-shanghai/sag-gone0001", state, state);
    assert.equal(res.getId(), "");
  });

  it("Read without inputs takes the instance from the state, and refuses an id alone", async () => {
    const p = await start(emulator.url);
    const state = js((await create(p, inputs)).getProperties());
    const res = await read(p, ID, {}, state);
    assert.equal(res.getId(), ID);
    assert.deepEqual(js(res.getInputs()), { ...inputs, regionId: "cn-shanghai" });
    await assert.rejects(read(p, ID, {}, {}), (e: grpc.ServiceError) => {
      assert.equal(e.code, grpc.status.INVALID_ARGUMENT);
      assert.match(e.details, /cannot be read from its id alone/);
      return true;
    });
  });

  it("names the resource type it does not know", async () => {
    const p = await start(emulator.url);
    await assert.rejects(
      p.call(
        "check",
        new providerPb.CheckRequest()
          .setUrn("urn:pulumi:dev::gate::smartag:index:Gateway::g")
          .setNews(struct({})),
      ),
      {
        code: grpc.status.INVALID_ARGUMENT,
        details: `unknown resource type "smartag:index:Gateway"; the smartag provider serves: ${TYPE}`,
      },
    );
  });
});
