import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  defaultFixturePath,
  FixtureError,
  loadDefaultFixture,
  loadFixtureFile,
  onlineCountOf,
  parseFixture,
  startEmulator,
} from "../../emulator";
import { clientFromSettings } from "../helpers/client";

const minimal = {
  accessKeys: [{ id: "LTAI5tEmulatorKey01", secret: "emulator-secret-01" }],
  regions: { "cn-shanghai": { "sag-demo0001": { users: { doctest: 2 } } } },
};

function fixtureError(value: unknown): string {
  try {
    parseFixture(value, "test.json");
  } catch (err) {
    assert.ok(err instanceof FixtureError);
    return err.message;
  }
  assert.fail("expected a FixtureError");
}

describe("emulator fixture", () => {
  it("ships the documented keys, regions, instances and users in the default fixture", () => {
    const f = loadDefaultFixture();
    assert.deepEqual(
      f.accessKeys.map((k) => k.id),
      ["LTAI5tEmulatorKey01", "LTAI5tEmulatorKey02", "STS.EmulatorKey03"],
    );
    assert.equal(f.accessKeys[2]?.securityToken, "emulator-sts-token-03");
    assert.deepEqual(f.regions["cn-shanghai"]?.["sag-demo0001"]?.users, {
      doctest: 2,
      "alice@example.com": 0,
      "bob.smith": 5,
      carol_01: 1,
    });
    assert.deepEqual(f.regions["cn-hongkong"]?.["sag-hk000001"]?.users, {
      doctest: 7,
      "dave-hk": 3,
    });
    const big = f.regions["cn-shanghai"]?.["sag-big0001"]?.users ?? {};
    assert.equal(Object.keys(big).length, 150);
    assert.equal(big.user0001, 1);
    assert.equal(big.user0004, 0);
    assert.equal(big.user0150, 150 % 4);
  });

  it("finds the default fixture from the compiled dist/ tree too", () => {
    const root = resolve(__dirname, "..", "..");
    assert.equal(defaultFixturePath(), join(root, "emulator", "fixtures", "default.json"));
    // dist/ exists after `npm run build`; without it there is nothing compiled to check.
    let compiled: { defaultFixturePath(): string } | undefined;
    try {
      compiled = require(join(root, "dist", "emulator", "fixture.js"));
    } catch {
      compiled = undefined;
    }
    if (compiled !== undefined) assert.equal(compiled.defaultFixturePath(), defaultFixturePath());
  });

  it("accepts the minimal fixture from the design", () => {
    assert.deepEqual(parseFixture(minimal), minimal);
  });

  it("names the bad path when a secret is missing", () => {
    const message = fixtureError({ ...minimal, accessKeys: [{ id: "k" }] });
    assert.match(message, /test\.json/);
    assert.match(message, /accessKeys\[0\]\.secret/);
  });

  it("names the region, instance and user when a count is not a non-negative integer", () => {
    const message = fixtureError({
      ...minimal,
      regions: { "cn-shanghai": { "sag-demo0001": { users: { doctest: -1, bob1234: 1.5 } } } },
    });
    assert.match(message, /regions\["cn-shanghai"\]\["sag-demo0001"\]\.users\.doctest/);
    assert.match(message, /users\.bob1234/);
  });

  it("accepts users in object form beside number-form ones, unchanged", () => {
    const users = {
      doctest: 2,
      "erin.ops": {
        clients: [{ clientIp: "10.0.0.7", onlineTime: 1559125519 }],
        userMail: "e@x.io",
      },
      "frank-ro": { state: 1, onlineCount: 0, isStaticIp: true },
      grace001: {},
    };
    const fixture = { ...minimal, regions: { "cn-shanghai": { "sag-demo0001": { users } } } };
    assert.deepEqual(parseFixture(fixture), fixture);
    assert.deepEqual(Object.values(users).map(onlineCountOf), [2, 1, 0, 0]);
    const shipped = loadDefaultFixture().regions["cn-shanghai"]?.["sag-acct0001"]?.users ?? {};
    assert.deepEqual(Object.values(shipped).map(onlineCountOf), [2, 0, 3]);
  });

  it("names the account when onlineCount disagrees with the clients listed", () => {
    const message = fixtureError({
      ...minimal,
      regions: {
        "cn-shanghai": {
          "sag-demo0001": {
            users: {
              doctest: { onlineCount: 2, clients: [{ clientIp: "10.0.0.7", onlineTime: 1 }] },
            },
          },
        },
      },
    });
    assert.match(message, /test\.json/);
    assert.match(
      message,
      /regions\["cn-shanghai"\]\["sag-demo0001"\]\.users\.doctest\.onlineCount: onlineCount 2 disagrees with the 1 clients listed/,
    );
  });

  it("names a disabled account that has clients online, by count or by list", () => {
    for (const user of [
      { state: 1, onlineCount: 1 },
      { state: 1, clients: [{ clientIp: "10.0.0.7", onlineTime: 1 }] },
      { state: 1, onlineCount: 0, clients: [{ clientIp: "10.0.0.7", onlineTime: 1 }] },
    ]) {
      const message = fixtureError({
        ...minimal,
        regions: { "cn-shanghai": { "sag-demo0001": { users: { "frank-ro": user } } } },
      });
      assert.match(
        message,
        /users\["frank-ro"\]\.state: a disabled account \(state 1\) cannot have clients online/,
      );
    }
  });

  it("names a bad field of an account object", () => {
    const message = fixtureError({
      ...minimal,
      regions: {
        "cn-shanghai": { "sag-demo0001": { users: { doctest: { state: 2, mail: "x" } } } },
      },
    });
    assert.match(message, /users\.doctest\.state: Too big: expected number to be <=1/);
    assert.match(message, /users\.doctest: Unrecognized key: "mail"/);
    assert.match(
      fixtureError({ ...minimal, regions: { r: { i: { users: { u: "3" } } } } }),
      /users\.u: Invalid input: expected number or object/,
    );
  });

  it("rejects unknown keys, so a misspelt field is not silently ignored", () => {
    const message = fixtureError({ ...minimal, onlineCountAsNumbers: true });
    assert.match(message, /onlineCountAsNumbers/);
  });

  it("rejects duplicate access key ids", () => {
    const key = { id: "dup", secret: "s" };
    assert.match(fixtureError({ ...minimal, accessKeys: [key, key] }), /accessKeys\[1\]\.id.*dup/);
  });

  it("reports a file that is not JSON with its path", () => {
    const file = join(mkdtempSync(join(tmpdir(), "smartag-fixture-")), "broken.json");
    writeFileSync(file, "{ not json");
    assert.throws(
      () => loadFixtureFile(file),
      (err: Error) => {
        assert.ok(err instanceof FixtureError);
        assert.match(err.message, /broken\.json is not valid JSON/);
        return true;
      },
    );
  });

  it("refuses to start with an invalid fixture", async () => {
    await assert.rejects(startEmulator({ fixture: { accessKeys: [], regions: {} } }), /accessKeys/);
  });

  it("answers from a new fixture at the same address, and keeps the old one when the new is bad", async () => {
    const emu = await startEmulator({ fixture: minimal });
    try {
      const client = clientFromSettings(
        {
          region: "cn-shanghai",
          endpoint: emu.url,
          accessKey: "LTAI5tEmulatorKey01",
          secretKey: "emulator-secret-01",
          cacheTtlMs: 0,
        },
        { env: {} },
      );
      const count = async () =>
        (
          await client.describeUserOnlineClientStatistics({
            smartAgId: "sag-demo0001",
            userNames: ["doctest"],
          })
        ).totalOnlineCount;
      assert.equal(await count(), 2);
      emu.setFixture({
        ...minimal,
        regions: { "cn-shanghai": { "sag-demo0001": { users: { doctest: 6 } } } },
      });
      assert.equal(await count(), 6);
      assert.throws(() => emu.setFixture({ accessKeys: [], regions: {} }), /accessKeys/);
      assert.equal(await count(), 6);
    } finally {
      await emu.close();
    }
  });
});
