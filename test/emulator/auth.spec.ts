import assert from "node:assert/strict";
import { type RunningEmulator, startEmulator } from "../../emulator";
import { NonceStore } from "../../emulator/nonces";
import {
  callDescribe,
  expectError,
  KEY1,
  KEY2,
  type Reply,
  STS_KEY,
  send,
  signedParams,
  userNames,
} from "./helpers";

const T0 = Date.parse("2026-11-30T03:33:28Z");
const MINUTE = 60_000;
const call = { region: "cn-shanghai", instance: "sag-demo0001", names: ["doctest"] };

function ok(reply: Reply): void {
  assert.equal(reply.status, 200, reply.text);
}

describe("emulator authentication", () => {
  let emu: RunningEmulator;
  let clock = T0;
  before(async () => {
    emu = await startEmulator({ now: () => clock });
  });
  after(() => emu.close());
  beforeEach(() => {
    clock += 60 * MINUTE; // a fresh window per test, so nonces from other tests are gone
  });

  it("accepts each fixture key signed with its own secret", async () => {
    ok(await callDescribe(emu.url, { ...call, at: clock, key: KEY1 }));
    ok(await callDescribe(emu.url, { ...call, at: clock, key: KEY2, method: "GET" }));
    ok(await callDescribe(emu.url, { ...call, at: clock, key: STS_KEY }));
  });

  it("answers SignatureDoesNotMatch (400) when signed with the wrong secret", async () => {
    const reply = await callDescribe(emu.url, { ...call, at: clock, secret: KEY2.secret });
    expectError(reply, 400, "SignatureDoesNotMatch");
  });

  it("answers SignatureDoesNotMatch when a param changed after signing", async () => {
    const params = signedParams({
      at: clock,
      params: { RegionId: "cn-shanghai", ...userNames(["doctest"]) },
    });
    const reply = await send(emu.url, { ...params, SmartAGId: "sag-demo0001" });
    expectError(reply, 400, "SignatureDoesNotMatch");
  });

  it("answers SignatureDoesNotMatch when a POST signature is replayed as GET", async () => {
    const params = signedParams({ at: clock, method: "POST", params: { RegionId: "cn-shanghai" } });
    expectError(await send(emu.url, params, { method: "GET" }), 400, "SignatureDoesNotMatch");
  });

  it("answers InvalidAccessKeyId.NotFound (404) for a key not in the fixture", async () => {
    const reply = await callDescribe(emu.url, {
      ...call,
      at: clock,
      key: { id: "LTAI5tNoSuchKey", secret: "whatever" },
    });
    expectError(reply, 404, "InvalidAccessKeyId.NotFound");
  });

  it("answers InvalidTimeStamp.Expired when the timestamp is over 15 minutes old or ahead", async () => {
    expectError(
      await callDescribe(emu.url, { ...call, at: clock - 16 * MINUTE }),
      400,
      "InvalidTimeStamp.Expired",
    );
    expectError(
      await callDescribe(emu.url, { ...call, at: clock + 16 * MINUTE }),
      400,
      "InvalidTimeStamp.Expired",
    );
    ok(await callDescribe(emu.url, { ...call, at: clock - 14 * MINUTE }));
  });

  for (const bad of [
    "2026-11-30 03:33:28",
    "2026-02-30T00:00:00Z",
    "yesterday",
    "2026-11-30T03:33:28+08:00",
    "2026-11-30T03:33:28.123Z",
  ]) {
    it(`answers InvalidTimeStamp.Format for ${JSON.stringify(bad)}`, async () => {
      const reply = await callDescribe(emu.url, { ...call, params: { Timestamp: bad } });
      expectError(reply, 400, "InvalidTimeStamp.Format");
    });
  }

  it("answers SignatureNonceUsed when a nonce comes back within the window", async () => {
    const params = signedParams({
      at: clock,
      params: { RegionId: "cn-shanghai", SmartAGId: "sag-demo0001", ...userNames(["doctest"]) },
    });
    ok(await send(emu.url, params));
    expectError(await send(emu.url, params), 400, "SignatureNonceUsed");
  });

  it("does not burn a nonce on a request that fails authentication", async () => {
    const nonce = `nonce-${clock}`;
    const base = { ...call, at: clock, params: { SignatureNonce: nonce } };
    expectError(
      await callDescribe(emu.url, { ...base, secret: "wrong" }),
      400,
      "SignatureDoesNotMatch",
    );
    ok(await callDescribe(emu.url, base));
  });

  it("answers InvalidParameter for a SignatureNonce over 128 characters, and takes 128", async () => {
    const long = { ...call, at: clock, params: { SignatureNonce: "n".repeat(129) } };
    const body = expectError(await callDescribe(emu.url, long), 400, "InvalidParameter");
    assert.equal(body.Message, "SignatureNonce must be at most 128 characters.");
    ok(
      await callDescribe(emu.url, {
        ...call,
        at: clock,
        params: { SignatureNonce: "n".repeat(128) },
      }),
    );
  });

  it("forgets a nonce once its request's timestamp has left the window", async () => {
    const nonce = `nonce-${clock}`;
    ok(await callDescribe(emu.url, { ...call, at: clock, params: { SignatureNonce: nonce } }));
    clock += 16 * MINUTE;
    ok(await callDescribe(emu.url, { ...call, at: clock, params: { SignatureNonce: nonce } }));
  });

  it("answers MissingSecurityToken when an STS key sends no token", async () => {
    const reply = await callDescribe(emu.url, {
      ...call,
      at: clock,
      key: { id: STS_KEY.id, secret: STS_KEY.secret },
    });
    expectError(reply, 400, "MissingSecurityToken");
  });

  it("answers InvalidSecurityToken.MismatchWithAccessKey for another token", async () => {
    const reply = await callDescribe(emu.url, {
      ...call,
      at: clock,
      key: { ...STS_KEY, securityToken: "someone-elses-token" },
    });
    expectError(reply, 400, "InvalidSecurityToken.MismatchWithAccessKey");
  });

  it("answers InvalidSecurityToken.MismatchWithAccessKey for a token sent with a long-term key", async () => {
    const reply = await callDescribe(emu.url, {
      ...call,
      at: clock,
      key: { ...KEY1, securityToken: STS_KEY.securityToken },
    });
    expectError(reply, 400, "InvalidSecurityToken.MismatchWithAccessKey");
  });

  for (const name of [
    "AccessKeyId",
    "Signature",
    "SignatureNonce",
    "Timestamp",
    "SignatureMethod",
  ]) {
    it(`answers Missing${name} when ${name} is absent`, async () => {
      const params = signedParams({ at: clock, params: { RegionId: "cn-shanghai" } });
      delete params[name];
      expectError(await send(emu.url, params), 400, `Missing${name}`);
    });
  }

  it("answers InvalidSignatureMethod for HMAC-SHA256", async () => {
    const reply = await callDescribe(emu.url, {
      ...call,
      at: clock,
      params: { SignatureMethod: "HMAC-SHA256" },
    });
    expectError(reply, 400, "InvalidSignatureMethod");
  });

  it("answers InvalidParameter when a param is sent in both query and body", async () => {
    const params = signedParams({ at: clock, params: { RegionId: "cn-shanghai" } });
    const reply = await send(emu.url, params, { path: "/?RegionId=cn-hongkong" });
    expectError(reply, 400, "InvalidParameter");
  });

  it("answers XML to a signed request without Format, XML being the protocol's default", async () => {
    const reply = await callDescribe(emu.url, {
      ...call,
      at: clock,
      params: { Format: undefined },
    });
    ok(reply);
    assert.match(String(reply.headers["content-type"]), /^text\/xml/);
    assert.match(
      reply.text,
      /^<\?xml version="1\.0" encoding="UTF-8"\?><DescribeUserOnlineClientStatisticsResponse><RequestId>[0-9A-F-]{36}<\/RequestId><UserStatistics><Statistics><UserName>doctest<\/UserName><OnlineCount>2<\/OnlineCount><\/Statistics><\/UserStatistics><\/DescribeUserOnlineClientStatisticsResponse>$/,
    );
  });
});

describe("emulator nonce store", () => {
  it("refuses a live nonce and accepts it again after it expires", () => {
    const store = new NonceStore();
    assert.equal(store.claim("a", 1000, 0), true);
    assert.equal(store.claim("a", 2000, 1000), false);
    assert.equal(store.claim("a", 3000, 1001), true);
  });

  it("drops expired entries, so memory follows traffic within the window", () => {
    const store = new NonceStore();
    for (let i = 0; i < 100; i++) store.claim(`n${i}`, i + 10, i);
    assert.ok(store.size <= 11, `size ${store.size}`);
  });

  it("never holds more than its cap", () => {
    const store = new NonceStore(5);
    for (let i = 0; i < 20; i++) store.claim(`n${i}`, 1_000_000, 0);
    assert.equal(store.size, 5);
    assert.equal(store.claim("n19", 1_000_000, 0), false);
  });
});
