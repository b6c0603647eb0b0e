// The emulator's STS stand-in over HTTPS: AssumeRole is signed by a fixture key and checked;
// the temporary key it answers signs Smartag calls until the session expires.
import assert from "node:assert/strict";
import { request } from "node:https";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import { makeTestCertificate, type TestCertificate } from "../helpers/tls";
import { callDescribe, KEY1, type Reply, signedParams } from "./helpers";

const ROLE = "acs:ram::1234567890123456:role/smartag-reader";
const OIDC_ARN = "acs:ram::1234567890123456:oidc-provider/ci";

describe("emulator STS stand-in", () => {
  let emulator: RunningEmulator;
  let certificate: TestCertificate;
  let clock = Date.now();

  before(async () => {
    certificate = makeTestCertificate();
    emulator = await startEmulator({
      fixture: loadDefaultFixture(),
      now: () => clock,
      sts: { cert: certificate.cert, key: certificate.key, oidcProviders: { [OIDC_ARN]: "tok" } },
    });
  });
  after(async () => {
    await emulator.close();
    certificate.remove();
  });

  /** One POST to the STS listener, trusting only the certificate made for this run. */
  const sts = (params: Record<string, string>): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const [host, port] = (emulator.stsEndpoint as string).split(":");
      const body = new URLSearchParams(params).toString();
      const req = request(
        {
          host,
          port,
          method: "POST",
          path: "/",
          ca: certificate.cert,
          agent: false,
          headers: { "content-type": "application/x-www-form-urlencoded" },
        },
        (res) => {
          let text = "";
          res.on("data", (c: Buffer) => {
            text += c.toString();
          });
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text,
              json: JSON.parse(text),
            }),
          );
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  const assumeRole = (extra: Record<string, string | undefined> = {}, secret?: string) =>
    sts(
      signedParams({
        at: clock,
        ...(secret === undefined ? {} : { secret }),
        params: {
          Action: "AssumeRole",
          Version: "2015-04-01",
          RoleArn: ROLE,
          RoleSessionName: "t1",
          ...extra,
        },
      }),
    );

  it("answers a temporary key that the Smartag actions accept until it expires", async () => {
    const reply = await assumeRole({ DurationSeconds: "900" });
    assert.equal(reply.status, 200, reply.text);
    const creds = reply.json.Credentials as Record<string, string>;
    assert.match(creds.AccessKeyId as string, /^STS\./);
    assert.equal(creds.Expiration, new Date(clock + 900_000).toISOString().replace(/\.\d+Z$/, "Z"));
    assert.equal((reply.json.AssumedRoleUser as { Arn: string }).Arn, `${ROLE}/t1`);
    const key = {
      id: creds.AccessKeyId as string,
      secret: creds.AccessKeySecret as string,
      securityToken: creds.SecurityToken as string,
    };
    const call = () =>
      callDescribe(emulator.url, {
        key,
        at: clock,
        region: "cn-shanghai",
        instance: "sag-demo0001",
        names: ["doctest"],
      });
    assert.equal((await call()).status, 200);
    clock += 900_000;
    const late = await call();
    assert.equal(late.json.Code, "InvalidSecurityToken.Expired");
  });

  it("checks the signature of AssumeRole, and the fields STS checks", async () => {
    assert.equal((await assumeRole({}, "wrong-secret")).json.Code, "SignatureDoesNotMatch");
    assert.equal(
      (await assumeRole({ Signature: undefined, AccessKeyId: undefined })).json.Code,
      "MissingAccessKeyId",
    );
    assert.equal(
      (await assumeRole({ RoleArn: "arn:aws:iam::1:role/x" })).json.Code,
      "InvalidParameter.RoleArn",
    );
    assert.equal(
      (await assumeRole({ DurationSeconds: "899" })).json.Code,
      "InvalidParameter.DurationSeconds",
    );
    assert.equal((await assumeRole({ Policy: "[]" })).json.Code, "InvalidParameter.PolicyGrammar");
    assert.equal((await assumeRole({ Version: "2018-03-13" })).json.Code, "InvalidVersion");
  });

  it("answers AssumeRoleWithOIDC for the token its provider accepts only", async () => {
    const oidc = (token: string, arn = OIDC_ARN) =>
      sts({
        Action: "AssumeRoleWithOIDC",
        Version: "2015-04-01",
        Format: "JSON",
        Timestamp: new Date(clock).toISOString(),
        OIDCProviderArn: arn,
        OIDCToken: token,
        RoleArn: ROLE,
        RoleSessionName: "ci",
      });
    assert.equal((await oidc("tok")).status, 200);
    assert.equal((await oidc("other")).json.Code, "AuthenticationFail.OIDCToken.Invalid");
    assert.equal(
      (await oidc("tok", "acs:ram::1:oidc-provider/x")).json.Code,
      "EntityNotExist.OIDCProvider",
    );
    assert.deepEqual(
      emulator.stsSessions.map((s) => [s.action, s.sourceAccessKeyId]),
      [
        ["AssumeRole", KEY1.id],
        ["AssumeRoleWithOIDC", undefined],
      ],
    );
  });
});
