import assert from "node:assert/strict";
import { type RunningEmulator, startEmulator } from "../../emulator";
import { expectError, KEY2, type Reply, STS_KEY, send, signedParams } from "./helpers";
import { describeQuery, sendV3 } from "./helpersV3";

const T0 = Date.parse("2026-11-30T03:33:28Z");
const MINUTE = 60_000;
const query = describeQuery(["doctest", "bob.smith"]);

function okCounts(reply: Reply): void {
  assert.equal(reply.status, 200, reply.text);
  assert.equal(reply.headers["content-type"], "application/json;charset=utf-8");
  const body = reply.json as { UserStatistics: { Statistics: unknown[] } };
  assert.deepEqual(body.UserStatistics.Statistics, [
    { UserName: "doctest", OnlineCount: "2" },
    { UserName: "bob.smith", OnlineCount: "5" },
  ]);
}

describe("emulator V3 signatures (ACS3-HMAC-SHA256)", () => {
  let emu: RunningEmulator;
  let clock = T0;
  before(async () => {
    emu = await startEmulator({ now: () => clock });
  });
  after(() => emu.close());
  beforeEach(() => {
    clock += 60 * MINUTE; // a fresh window per test, so nonces from other tests are gone
  });

  it("answers JSON counts to a POST with the params in the query and an empty body", async () => {
    okCounts(await sendV3(emu.url, { at: clock, query }));
    assert.equal(emu.requests.at(-1)?.action, "DescribeUserOnlineClientStatistics");
  });

  it("takes the params from a form body too, signed through its hash", async () => {
    okCounts(await sendV3(emu.url, { at: clock, form: query }));
  });

  it("takes GET, and params split between query and body", async () => {
    okCounts(await sendV3(emu.url, { at: clock, method: "GET", query }));
    const { SmartAGId, ...rest } = query;
    okCounts(
      await sendV3(emu.url, { at: clock, query: rest, form: { SmartAGId: String(SmartAGId) } }),
    );
  });

  it("answers XML when Format asks for it, in any case", async () => {
    const reply = await sendV3(emu.url, { at: clock, query: { ...query, Format: "xml" } });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers["content-type"], "text/xml;charset=utf-8");
    assert.match(reply.text, /<OnlineCount>5<\/OnlineCount>/);
  });

  it("accepts an STS key with its token in x-acs-security-token, and needs the token", async () => {
    okCounts(await sendV3(emu.url, { at: clock, key: STS_KEY, query }));
    const { securityToken: _, ...bare } = STS_KEY;
    expectError(
      await sendV3(emu.url, { at: clock, key: bare, query }),
      400,
      "MissingSecurityToken",
    );
    const other = { ...STS_KEY, securityToken: "someone-elses-token" };
    expectError(
      await sendV3(emu.url, { at: clock, key: other, query }),
      400,
      "InvalidSecurityToken.MismatchWithAccessKey",
    );
  });

  it("answers SignatureDoesNotMatch for a wrong secret, quoting only the string to sign", async () => {
    const reply = await sendV3(emu.url, { at: clock, key: STS_KEY, secret: KEY2.secret, query });
    const body = expectError(reply, 400, "SignatureDoesNotMatch");
    assert.match(body.Message, /server string to sign is:ACS3-HMAC-SHA256\n[0-9a-f]{64}$/);
    assert.doesNotMatch(reply.text, new RegExp(`${STS_KEY.securityToken}|${KEY2.secret}`));
  });

  it("answers SignatureDoesNotMatch when the query, the body or the method changed after signing", async () => {
    const changed = { at: clock, query, tamper: { query: { SmartAGId: "sag-big0001" } } };
    expectError(await sendV3(emu.url, changed), 400, "SignatureDoesNotMatch");
    const body = { at: clock, form: query, tamper: { body: "RegionId=cn-shanghai" } };
    expectError(await sendV3(emu.url, body), 400, "SignatureDoesNotMatch");
    const params = { ...query, "UserNames.2": "carol_01" };
    const form = { at: clock, form: params, headers: { "x-acs-content-sha256": "0".repeat(64) } };
    expectError(await sendV3(emu.url, form), 400, "SignatureDoesNotMatch");
  });

  it("answers InvalidAccessKeyId.NotFound (404) for a key not in the fixture", async () => {
    const key = { id: "LTAI5tNoSuchKey", secret: "whatever" };
    expectError(
      await sendV3(emu.url, { at: clock, key, query }),
      404,
      "InvalidAccessKeyId.NotFound",
    );
  });

  it("answers InvalidTimeStamp.Expired for an x-acs-date over 15 minutes off, either way", async () => {
    for (const at of [clock - 16 * MINUTE, clock + 16 * MINUTE]) {
      expectError(await sendV3(emu.url, { at, query }), 400, "InvalidTimeStamp.Expired");
    }
    okCounts(await sendV3(emu.url, { at: clock - 14 * MINUTE, query }));
  });

  it("answers InvalidTimeStamp.Format for an x-acs-date not in yyyy-MM-ddTHH:mm:ssZ", async () => {
    const headers = { "x-acs-date": "2026-11-30T03:33:28.123Z" };
    expectError(
      await sendV3(emu.url, { at: clock, query, headers }),
      400,
      "InvalidTimeStamp.Format",
    );
  });

  it("answers SignatureNonceUsed for a reused x-acs-signature-nonce, and a failed call burns none", async () => {
    const headers = { "x-acs-signature-nonce": `nonce-${clock}` };
    const wrong = { at: clock, query, headers, secret: "wrong" };
    expectError(await sendV3(emu.url, wrong), 400, "SignatureDoesNotMatch");
    okCounts(await sendV3(emu.url, { at: clock, query, headers }));
    expectError(await sendV3(emu.url, { at: clock, query, headers }), 400, "SignatureNonceUsed");
  });

  it("answers InvalidParameter for an x-acs-signature-nonce over 128 characters", async () => {
    const headers = { "x-acs-signature-nonce": "n".repeat(129) };
    const body = expectError(
      await sendV3(emu.url, { at: clock, query, headers }),
      400,
      "InvalidParameter",
    );
    assert.equal(body.Message, "x-acs-signature-nonce must be at most 128 characters.");
  });

  it("shares nonces with V2: a nonce used by one version is used for the other", async () => {
    const nonce = `shared-${clock}`;
    const v2 = signedParams({
      at: clock,
      params: { RegionId: "cn-shanghai", SignatureNonce: nonce },
    });
    assert.notEqual((await send(emu.url, v2)).json.Code, "SignatureNonceUsed");
    const headers = { "x-acs-signature-nonce": nonce };
    expectError(await sendV3(emu.url, { at: clock, query, headers }), 400, "SignatureNonceUsed");
  });

  for (const [header, code] of [
    ["x-acs-date", "MissingTimestamp"],
    ["x-acs-signature-nonce", "MissingSignatureNonce"],
    ["x-acs-content-sha256", "IncompleteSignature"],
  ] as const) {
    it(`answers ${code} when ${header} is absent`, async () => {
      const reply = await sendV3(emu.url, { at: clock, query, headers: { [header]: undefined } });
      const body = expectError(reply, 400, code);
      assert.match(body.Message, new RegExp(header));
    });
  }

  it("answers IncompleteSignature for an x-acs-* header or host left out of SignedHeaders", async () => {
    const unsigned = { "x-acs-extra": "1" };
    const reply = await sendV3(emu.url, { at: clock, query, unsigned });
    assert.match(
      expectError(reply, 400, "IncompleteSignature").Message,
      /x-acs-extra must be signed/,
    );
  });

  it("answers InvalidParameter for a signed header sent twice", async () => {
    const unsigned = { "x-acs-date": ["2026-11-30T03:33:28Z", "2026-11-30T03:33:29Z"] };
    const reply = await sendV3(emu.url, {
      at: clock,
      query,
      headers: { "x-acs-date": undefined },
      unsigned,
    });
    assert.match(expectError(reply, 400, "InvalidParameter").Message, /x-acs-date/);
  });

  it("serves every action through the same dispatch as V2: action and version errors", async () => {
    expectError(
      await sendV3(emu.url, { at: clock, query, action: "Nope" }),
      404,
      "InvalidAction.NotFound",
    );
    const noAction = { at: clock, query, headers: { "x-acs-action": undefined } };
    expectError(await sendV3(emu.url, noAction), 400, "MissingAction");
    const version = { at: clock, query, headers: { "x-acs-version": "2017-01-01" } };
    expectError(await sendV3(emu.url, version), 400, "InvalidVersion");
    const twice = { at: clock, query: { ...query, Action: "DescribeUserOnlineClientStatistics" } };
    expectError(await sendV3(emu.url, twice), 400, "InvalidParameter");
  });

  it("agrees with the test signer on awkward query and form values", async () => {
    const odd = "a b*'()!~+%/?&=é名🙂";
    const inQuery = await sendV3(emu.url, { at: clock, query: describeQuery([odd]) });
    // Past authentication: the name itself is what the action refuses.
    expectError(inQuery, 400, "ClientUser.NameInvalid");
    const inForm = await sendV3(emu.url, { at: clock, form: describeQuery(["doctest", odd]) });
    expectError(inForm, 400, "ClientUser.NameInvalid");
  });

  it("answers the action's own errors, as V2 does", async () => {
    const empty = { RegionId: "cn-shanghai", SmartAGId: "sag-demo0001" };
    expectError(await sendV3(emu.url, { at: clock, query: empty }), 400, "ClientUser.NameEmpty");
    const missing = describeQuery(["doctest"], "sag-missing");
    expectError(await sendV3(emu.url, { at: clock, query: missing }), 400, "SAG.InstanceNoFound");
  });
});

describe("emulator V3 hostile Authorization headers", () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator();
  });
  after(() => emu.close());

  const K = "LTAI5tEmulatorKey01";
  const sig = "a".repeat(64);
  const cases: Array<[string, string, string]> = [
    ["empty", "", "InvalidSignatureMethod"],
    ["an unknown scheme", "Bearer abc.def", "InvalidSignatureMethod"],
    ["a ROA-style V2 header", `acs ${K}:c2lnbmF0dXJl`, "InvalidSignatureMethod"],
    [
      "RSA, which needs a registered public key",
      `ACS3-RSA-SHA256 Credential=${K}`,
      "InvalidSignatureMethod",
    ],
    ["the algorithm alone", "ACS3-HMAC-SHA256", "IncompleteSignature"],
    ["the algorithm and a space", "ACS3-HMAC-SHA256 ", "IncompleteSignature"],
    ["only commas", "ACS3-HMAC-SHA256 ,,,", "IncompleteSignature"],
    ["no Signature", `ACS3-HMAC-SHA256 Credential=${K},SignedHeaders=host`, "IncompleteSignature"],
    [
      "an empty Credential",
      `ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=${sig}`,
      "MissingAccessKeyId",
    ],
    [
      "an empty Signature",
      `ACS3-HMAC-SHA256 Credential=${K},SignedHeaders=host,Signature=`,
      "IncompleteSignature",
    ],
    [
      "a repeated part",
      `ACS3-HMAC-SHA256 Credential=${K},Credential=${K},SignedHeaders=host,Signature=${sig}`,
      "IncompleteSignature",
    ],
    [
      "an unknown part",
      `ACS3-HMAC-SHA256 Credential=${K},Foo=bar,SignedHeaders=host,Signature=${sig}`,
      "IncompleteSignature",
    ],
    [
      "the secret where a part's name goes",
      "ACS3-HMAC-SHA256 emulator-secret-01",
      "IncompleteSignature",
    ],
    [
      "upper-case SignedHeaders",
      `ACS3-HMAC-SHA256 Credential=${K},SignedHeaders=Host,Signature=${sig}`,
      "IncompleteSignature",
    ],
    [
      "an empty SignedHeaders",
      `ACS3-HMAC-SHA256 Credential=${K},SignedHeaders=,Signature=${sig}`,
      "IncompleteSignature",
    ],
    [
      "a signed header not sent",
      `ACS3-HMAC-SHA256 Credential=${K},SignedHeaders=host;x-nope,Signature=${sig}`,
      "IncompleteSignature",
    ],
    [
      "a header signed twice",
      `ACS3-HMAC-SHA256 Credential=${K},SignedHeaders=host;host,Signature=${sig}`,
      "IncompleteSignature",
    ],
    [
      "an unsigned x-acs header",
      `ACS3-HMAC-SHA256 Credential=${K},SignedHeaders=host,Signature=${sig}`,
      "IncompleteSignature",
    ],
    [
      "a wrong signature",
      `ACS3-HMAC-SHA256 Credential=${K},SignedHeaders=${"host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"},Signature=${sig}`,
      "SignatureDoesNotMatch",
    ],
    [
      "Latin-1 bytes",
      "ACS3-HMAC-SHA256 Credential=\u00ff\u00fe,SignedHeaders=host,Signature=x",
      "IncompleteSignature",
    ],
    [
      "a 6 KB Credential",
      `ACS3-HMAC-SHA256 Credential=${"k".repeat(6000)},SignedHeaders=host,Signature=x`,
      "IncompleteSignature",
    ],
  ];
  for (const [what, authorization, code] of cases) {
    it(`answers ${code} to an Authorization with ${what}, and keeps serving`, async () => {
      const reply = await sendV3(emu.url, { query, authorization });
      const status = code === "InvalidAccessKeyId.NotFound" ? 404 : 400;
      const body = expectError(reply, status, code);
      assert.ok(body.Message.length < 300, body.Message);
      assert.ok(!reply.text.includes("emulator-secret-01"), "the answer echoes the secret");
      okCounts(await sendV3(emu.url, { query }));
    });
  }
});
