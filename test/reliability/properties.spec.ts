/**
 * Property-based checks that the client's input rules and the emulator's agree, and that the
 * signatures the client computes verify on the emulator for any parameters and any keys.
 *
 * Every property runs a bounded number of cases from a fixed seed, so a failure reproduces
 * with the same inputs; fast-check shrinks it to a small counterexample first.
 */
import assert from "node:assert/strict";
import {
  REGION_PATTERN,
  SAG_ID_PATTERN,
  type SettingsInput,
  SmartagApiError,
  SmartagError,
  SmartagValidationError,
  USER_NAME_PATTERN,
} from "@pulumi-smartag/client";
import fc from "fast-check";
import {
  type Fixture,
  loadDefaultFixture,
  type RunningEmulator,
  startEmulator,
} from "../../emulator";
import { clip } from "../../emulator/errors";
import { userNamesOf } from "../cli/helpers";
import { callRaw, clientFromSettings } from "../helpers/client";
import { KEY1 } from "./helpers";

const SEED = 20_240_611;
const RUNS = 150;

const LOWER = [..."abcdefghijklmnopqrstuvwxyz"];
const DIGITS = [..."0123456789"];
const ALNUM = [...LOWER, ...LOWER.map((c) => c.toUpperCase()), ...DIGITS];
const NAME_CHARS = [...ALNUM, "_", "@", ".", "-"];
/** Characters with a meaning in URLs, forms, JSON or shells, plus space. */
const RESERVED_CHARS = [..." !\"#$%&'()*+,/:;<=>?@[\\]^`{|}~-._\t\r\n\u0000"];

/** One character: reserved, ASCII, any Unicode code point (no lone surrogates), or a grapheme. */
const anyChar = fc.oneof(
  fc.constantFrom(...RESERVED_CHARS),
  fc.constantFrom(...ALNUM),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
);

const validName = fc
  .tuple(
    fc.constantFrom(...ALNUM),
    fc.string({ unit: fc.constantFrom(...NAME_CHARS), minLength: 6, maxLength: 32 }),
  )
  .map(([head, tail]) => head + tail);

/** Names from the allowed alphabet and a few strangers, around the 7 and 33 length limits. */
const nearMissName = fc.string({
  unit: fc.constantFrom(...NAME_CHARS, " ", "#", "+", "é", "名"),
  minLength: 0,
  maxLength: 40,
});

const fixtureNames = fc.constantFrom("doctest", "alice@example.com", "bob.smith", "carol_01");

const anyName = fc.oneof(
  validName,
  nearMissName,
  fixtureNames,
  fc.string({ unit: anyChar, maxLength: 40 }),
);

const CALL_PARAMS = [
  "Action",
  "Version",
  "Format",
  "AccessKeyId",
  "SignatureMethod",
  "SignatureVersion",
  "SignatureNonce",
  "Timestamp",
  "Signature",
  "SecurityToken",
  "RegionId",
  "SmartAGId",
  "UserNames",
];

describe("reliability: properties of validation and signing", () => {
  let emulator: RunningEmulator;
  const fixture = loadDefaultFixture();
  const demoCounts = new Map(
    Object.entries(fixture.regions["cn-shanghai"]?.["sag-demo0001"]?.users ?? {}),
  );
  const shanghaiInstances = new Set(Object.keys(fixture.regions["cn-shanghai"] ?? {}));

  before(async () => {
    emulator = await startEmulator({ fixture });
  });
  after(async () => emulator.close());

  const client = (extra: SettingsInput = {}) =>
    clientFromSettings(
      {
        region: "cn-shanghai",
        endpoint: emulator.url,
        ...KEY1,
        maxAttempts: 1,
        cacheTtlMs: 0,
        ...extra,
      },
      { env: {} },
    );

  /** Rejects with an API error and returns its code. */
  const apiCode = async (p: Promise<unknown>): Promise<string> => {
    try {
      await p;
    } catch (e) {
      assert.ok(e instanceof SmartagApiError, `expected an API error, got ${String(e)}`);
      return e.code;
    }
    assert.fail("the emulator accepted the request");
  };

  it("accepts at the emulator every name list the client accepts, and the emulator refuses every name the client refuses", async () => {
    const c = client();
    await fc.assert(
      fc.asyncProperty(fc.array(anyName, { minLength: 1, maxLength: 6 }), async (names) => {
        const request = { smartAgId: "sag-demo0001", userNames: names };
        const issues = c.check(request);
        // Exactly the names the pattern refuses are named, each as userNames[i].
        assert.deepEqual(
          issues.map((i) => i.property),
          names.flatMap((n, i) => (USER_NAME_PATTERN.test(n) ? [] : [`userNames[${i}]`])),
        );
        if (issues.length === 0) {
          const result = await c.describeUserOnlineClientStatistics(request);
          assert.deepEqual(
            result.userStatistics,
            names.map((userName) => ({ userName, onlineCount: demoCounts.get(userName) ?? 0 })),
          );
          return;
        }
        const before = emulator.requests.length;
        await assert.rejects(c.describeUserOnlineClientStatistics(request), (e: unknown) => {
          assert.ok(e instanceof SmartagValidationError);
          assert.deepEqual(e.issues, issues);
          for (const i of issues) assert.ok(e.message.includes(i.property), e.message);
          return true;
        });
        assert.equal(emulator.requests.length, before, "a refused request was sent");
        // The emulator, asked directly, refuses the same list.
        const raw = callRaw(c, "cn-shanghai", {
          RegionId: "cn-shanghai",
          SmartAGId: "sag-demo0001",
          UserNames: names,
        });
        if (names.includes("")) {
          assert.equal(await apiCode(raw), "ClientUser.NameEmpty");
        } else {
          await assert.rejects(raw, (e: unknown) => {
            assert.ok(e instanceof SmartagApiError);
            assert.equal(e.code, "ClientUser.NameInvalid");
            // The name arrived intact: the emulator quotes the first bad one.
            const firstBad = names.find((n) => !USER_NAME_PATTERN.test(n)) as string;
            assert.ok(
              e.apiMessage.includes(JSON.stringify(clip(firstBad))),
              `${e.apiMessage} should quote ${JSON.stringify(firstBad)}`,
            );
            return true;
          });
        }
      }),
      { numRuns: 200, seed: SEED },
    );
  });

  it("answers any list, duplicates included, once per name in request order, under throttling and 5xx, with at most `concurrency` requests in flight", async () => {
    const pad = (i: number) => String(i).padStart(4, "0");
    const name = fc.oneof(
      fc.integer({ min: 1, max: 150 }).map((i) => `user${pad(i)}`),
      fc.integer({ min: 1, max: 60 }).map((i) => `nobody-${pad(i)}`),
    );
    const countOf = (n: string) => (n.startsWith("user") ? Number(n.slice(4)) % 4 : 0);
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(name, { minLength: 1, maxLength: 260 }),
          fc.integer({ min: 1, max: 8 }),
          fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          async (names, concurrency, seed) => {
            emulator.setFaults({ throttleRate: 0.3, serverErrorRate: 0.1, seed });
            emulator.resetLog();
            const c = client({
              concurrency,
              maxAttempts: 20,
              retryBaseDelayMs: 1,
              retryMaxDelayMs: 5,
            });
            const result = await c.describeUserOnlineClientStatistics({
              smartAgId: "sag-big0001",
              userNames: names,
            });
            const distinct = [...new Set(names)];
            assert.deepEqual(
              result.userStatistics,
              names.map((userName) => ({ userName, onlineCount: countOf(userName) })),
            );
            assert.equal(
              result.totalOnlineCount,
              distinct.reduce((sum, n) => sum + countOf(n), 0),
            );
            assert.equal(result.requestIds.length, Math.ceil(distinct.length / 50));
            // Each distinct name was answered exactly once, in requests of at most 50.
            const answered = emulator.requests
              .filter((r) => r.status === 200)
              .map((r) => userNamesOf(r.params));
            assert.ok(answered.every((batch) => batch.length <= 50));
            assert.deepEqual(answered.flat().sort(), [...distinct].sort());
            assert.ok(
              emulator.maxInFlight <= concurrency,
              `${emulator.maxInFlight} > ${concurrency}`,
            );
          },
        ),
        { numRuns: 60, seed: SEED + 5 },
      );
    } finally {
      emulator.setFaults({});
    }
  });

  it("refuses a name with a lone surrogate before any request, naming its index", async () => {
    const c = client();
    const before = emulator.requests.length;
    const names = ["doctest", "user\ud800name", "bob.smith"];
    await assert.rejects(
      c.describeUserOnlineClientStatistics({ smartAgId: "sag-demo0001", userNames: names }),
      (e: unknown) =>
        e instanceof SmartagValidationError &&
        e.issues.length === 1 &&
        e.issues[0]?.property === "userNames[1]",
    );
    assert.equal(emulator.requests.length, before);
  });

  it("sends every region id the client accepts intact, and the emulator refuses the ones it refuses", async () => {
    const validRegion = fc
      .tuple(
        fc.string({ unit: fc.constantFrom(...LOWER), minLength: 2, maxLength: 6 }),
        fc.array(
          fc.string({ unit: fc.constantFrom(...LOWER, ...DIGITS), minLength: 1, maxLength: 6 }),
          { minLength: 1, maxLength: 3 },
        ),
      )
      .map(([head, parts]) => [head, ...parts].join("-"));
    const region = fc.oneof(
      validRegion,
      fc.constantFrom("cn-shanghai", "cn-hongkong"),
      fc.string({
        unit: fc.constantFrom(...LOWER.slice(0, 4), "0", "-", "A", "_", " ", "."),
        maxLength: 16,
      }),
      fc.string({ unit: anyChar, maxLength: 16 }),
    );
    const c = client();
    await fc.assert(
      fc.asyncProperty(region, async (regionId) => {
        const request = { regionId, smartAgId: "sag-demo0001", userNames: ["doctest"] };
        const issues = c.check(request);
        const accepted = REGION_PATTERN.test(regionId);
        assert.deepEqual(
          issues.map((i) => i.property),
          accepted ? [] : ["regionId"],
        );
        if (accepted) {
          if (regionId === "cn-shanghai") {
            const result = await c.describeUserOnlineClientStatistics(request);
            assert.equal(result.regionId, regionId);
            assert.equal(result.totalOnlineCount, 2);
          } else {
            // Signed and delivered: the emulator looked for the instance in that region.
            assert.equal(
              await apiCode(c.describeUserOnlineClientStatistics(request)),
              "SAG.InstanceNoFound",
            );
          }
          return;
        }
        await assert.rejects(c.describeUserOnlineClientStatistics(request), SmartagValidationError);
        const raw = callRaw(c, regionId === "" ? "cn-shanghai" : regionId, {
          RegionId: regionId,
          SmartAGId: "sag-demo0001",
          UserNames: ["doctest"],
        });
        assert.equal(
          await apiCode(raw),
          regionId === "" ? "MissingRegionId" : "SAG.InstanceNoFound",
        );
      }),
      { numRuns: RUNS, seed: SEED + 1 },
    );
  });

  it("sends every instance id the client accepts intact, and the emulator refuses the ones it refuses", async () => {
    const validSag = fc
      .tuple(
        fc.constantFrom("sag-", "SAG-", "Sag-"),
        fc.string({ unit: fc.constantFrom(...ALNUM), minLength: 1, maxLength: 12 }),
      )
      .map(([head, tail]) => head + tail);
    const sagId = fc.oneof(
      validSag,
      fc.constantFrom("sag-demo0001", "sag-big0001", "SAG-DEMO0001", "sag-hk000001"),
      fc.string({ unit: fc.constantFrom(..."sag-SAG0xyz_. "), maxLength: 14 }),
      fc.string({ unit: anyChar, maxLength: 16 }),
    );
    const c = client();
    await fc.assert(
      fc.asyncProperty(sagId, async (smartAgId) => {
        const request = { smartAgId, userNames: ["doctest"] };
        const accepted = SAG_ID_PATTERN.test(smartAgId);
        assert.deepEqual(
          c.check(request).map((i) => i.property),
          accepted ? [] : ["smartAgId"],
        );
        if (accepted) {
          if (shanghaiInstances.has(smartAgId)) {
            const result = await c.describeUserOnlineClientStatistics(request);
            assert.equal(result.smartAgId, smartAgId);
          } else {
            assert.equal(
              await apiCode(c.describeUserOnlineClientStatistics(request)),
              "SAG.InstanceNoFound",
            );
          }
          return;
        }
        await assert.rejects(c.describeUserOnlineClientStatistics(request), SmartagValidationError);
        const raw = callRaw(c, "cn-shanghai", {
          RegionId: "cn-shanghai",
          SmartAGId: smartAgId,
          UserNames: ["doctest"],
        });
        assert.equal(
          await apiCode(raw),
          smartAgId === "" ? "SAG.InstanceIdEmpty" : "SAG.InstanceNoFound",
        );
      }),
      { numRuns: RUNS, seed: SEED + 2 },
    );
  });

  it("signs any extra parameters, with Unicode, spaces and reserved characters, so that the emulator verifies them", async () => {
    // The emulator ignores parameters it does not know, so they only take part in the
    // signature: any slip in the client's encoding or sorting shows as SignatureDoesNotMatch.
    const key = fc
      .string({ unit: anyChar, minLength: 1, maxLength: 12 })
      .filter((k) => !CALL_PARAMS.includes(k) && !k.startsWith("UserNames.") && k !== "__proto__");
    const value = fc.string({ unit: anyChar, maxLength: 40 });
    const c = client();
    await fc.assert(
      fc.asyncProperty(fc.dictionary(key, value, { minKeys: 1, maxKeys: 6 }), async (extras) => {
        const body = await callRaw(c, "cn-shanghai", {
          RegionId: "cn-shanghai",
          SmartAGId: "sag-demo0001",
          UserNames: ["doctest"],
          ...extras,
        });
        assert.deepEqual((body as { UserStatistics: unknown }).UserStatistics, {
          Statistics: [{ UserName: "doctest", OnlineCount: "2" }],
        });
        // ...and every extra parameter reached the emulator exactly as given.
        const received = emulator.requests.at(-1)?.params ?? {};
        for (const [k, v] of Object.entries(extras)) assert.equal(received[k], v, `param ${k}`);
      }),
      { numRuns: RUNS, seed: SEED + 3 },
    );
  });

  it("signs with any AccessKey id, secret and STS token so that the emulator verifies it, and a different secret does not", async () => {
    const text = (min: number, max: number) =>
      fc.string({ unit: anyChar, minLength: min, maxLength: max });
    const credentials = fc.record({
      id: text(1, 24),
      secret: text(1, 40),
      token: fc.option(text(1, 40), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(credentials, async ({ id, secret, token }) => {
        const generated: Fixture = {
          accessKeys: [{ id, secret, ...(token === undefined ? {} : { securityToken: token }) }],
          regions: { "cn-shanghai": { "sag-demo0001": { users: { doctest: 2 } } } },
        };
        const own = await startEmulator({ fixture: generated });
        try {
          const make = (secretKey: string) =>
            clientFromSettings(
              {
                region: "cn-shanghai",
                endpoint: own.url,
                accessKey: id,
                secretKey,
                ...(token === undefined ? {} : { securityToken: token }),
                maxAttempts: 1,
                cacheTtlMs: 0,
              },
              { env: {} },
            );
          const request = { smartAgId: "sag-demo0001", userNames: ["doctest"] };
          const result = await make(secret).describeUserOnlineClientStatistics(request);
          assert.equal(result.totalOnlineCount, 2);
          await assert.rejects(
            make(`${secret}x`).describeUserOnlineClientStatistics(request),
            (e: unknown) => SmartagError.isInstance(e) && e.code === "SignatureDoesNotMatch",
          );
        } finally {
          await own.close();
        }
      }),
      { numRuns: 100, seed: SEED + 4 },
    );
  });
});
