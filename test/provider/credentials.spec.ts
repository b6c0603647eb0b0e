// Credentials per provider through the plugin over gRPC: assumeRole and assumeRoleWithOidc
// against the emulator's STS stand-in (HTTPS with a certificate made for this run), each
// plugin process configured on its own, as the engine runs one per explicit provider.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import { type RunningPlugin, startPlugin, struct } from "../helpers/plugin";
import { assertNoSecrets } from "../helpers/secrets";
import { makeTestCertificate, type TestCertificate } from "../helpers/tls";

const SOURCE = { accessKey: "LTAI5tEmulatorKey01", secretKey: "emulator-secret-01" };
const ROLE_A = "acs:ram::1234567890123456:role/smartag-reader";
const ROLE_B = "acs:ram::6543210987654321:role/smartag-auditor";
const OIDC_ARN = "acs:ram::1234567890123456:oidc-provider/ci";
const OIDC_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaSJ9.c2lnbmF0dXJl";
const TOKEN = "smartag:index:getUserOnlineClientStatistics";
const STATS = { smartAgId: "sag-demo0001", userNames: ["doctest"] };

describe("credentials per provider, over gRPC", () => {
  let emulator: RunningEmulator;
  let certificate: TestCertificate;
  let dir: string;
  const plugins: RunningPlugin[] = [];
  const responses: unknown[] = [];

  const start = async () => {
    // Nothing of the test's own environment: the keys come from the configuration alone.
    const p = await startPlugin({ NODE_EXTRA_CA_CERTS: certificate.certFile });
    plugins.push(p);
    return p;
  };
  const base = () => ({
    region: "cn-shanghai",
    endpoint: emulator.url,
    stsEndpoint: emulator.stsEndpoint,
    maxAttempts: 1,
  });
  const configure = async (p: RunningPlugin, args: Record<string, unknown>) => {
    const req = new providerPb.ConfigureRequest().setArgs(struct(args)).setAcceptsecrets(true);
    responses.push((await p.call<providerPb.ConfigureResponse>("configure", req)).toObject());
  };
  const invoke = async (p: RunningPlugin, tok = TOKEN, args: object = STATS) => {
    const req = new providerPb.InvokeRequest().setTok(tok).setArgs(struct({ ...args }));
    const res = await p.call<providerPb.InvokeResponse>("invoke", req);
    responses.push(res.toObject());
    return res;
  };
  const smartagKeys = () =>
    emulator.requests
      .filter((r) => r.action === "DescribeUserOnlineClientStatistics" && r.status === 200)
      .map((r) => r.params.AccessKeyId);

  before(async () => {
    certificate = makeTestCertificate();
    dir = mkdtempSync(path.join(tmpdir(), "smartag-oidc-"));
    emulator = await startEmulator({
      fixture: loadDefaultFixture(),
      sts: {
        cert: certificate.cert,
        key: certificate.key,
        roles: [ROLE_A, ROLE_B],
        oidcProviders: { [OIDC_ARN]: OIDC_TOKEN },
      },
    });
  });
  beforeEach(() => emulator.resetLog());
  after(async () => {
    await Promise.all(plugins.map((p) => p.stop()));
    await emulator.close();
    certificate.remove();
    rmSync(dir, { recursive: true, force: true });
    const secrets = [
      SOURCE.secretKey,
      OIDC_TOKEN,
      ...emulator.stsSessions.flatMap((s) => [s.accessKeySecret, s.securityToken]),
    ];
    for (const p of plugins) {
      assertNoSecrets(p.stderr(), secrets, "plugin stderr");
      assertNoSecrets(p.stdout(), secrets, "plugin stdout");
    }
    for (const r of responses) assertNoSecrets(JSON.stringify(r), secrets, "a gRPC response");
  });

  it("runs two providers with two different roles side by side", async () => {
    const [a, b] = await Promise.all([start(), start()]);
    // One as the generated Node.js Provider sends it (JSON text), one as an object.
    await configure(a, {
      ...base(),
      ...SOURCE,
      assumeRole: JSON.stringify({ roleArn: ROLE_A, sessionName: "alpha" }),
    });
    await configure(b, {
      ...base(),
      ...SOURCE,
      assumeRole: { roleArn: ROLE_B, externalId: "abcd-1234", sessionExpiration: 900 },
    });
    const [ra, rb] = await Promise.all([invoke(a as RunningPlugin), invoke(b as RunningPlugin)]);
    assert.deepEqual(ra.getFailuresList(), []);
    assert.deepEqual(rb.getFailuresList(), []);
    assert.equal(ra.getReturn()?.toJavaScript().totalOnlineCount, 2);
    assert.equal(rb.getReturn()?.toJavaScript().totalOnlineCount, 2);

    const session = (role: string) => {
      const found = emulator.stsSessions.find((s) => s.roleArn === role);
      assert.ok(found, `no STS session for ${role}`);
      return found;
    };
    const [sa, sb] = [session(ROLE_A), session(ROLE_B)];
    assert.deepEqual(
      [sa.roleArn, sa.roleSessionName, sa.sourceAccessKeyId, sa.durationSeconds, sa.externalId],
      [ROLE_A, "alpha", SOURCE.accessKey, 3600, undefined],
    );
    assert.deepEqual(
      [sb.roleArn, sb.roleSessionName, sb.sourceAccessKeyId, sb.durationSeconds, sb.externalId],
      [ROLE_B, "pulumi-smartag", SOURCE.accessKey, 900, "abcd-1234"],
    );
    // Each provider signed its Smartag call with its own role's temporary key.
    assert.deepEqual(smartagKeys().sort(), [sa.accessKeyId, sb.accessKeyId].sort());
    assert.ok(sa.accessKeyId.startsWith("STS."));
  });

  it("reuses the role's temporary key until it is due for renewal", async () => {
    const p = await start();
    await configure(p, { ...base(), ...SOURCE, assumeRole: { roleArn: ROLE_A }, cacheTtlMs: 0 });
    const before = emulator.stsSessions.length;
    await invoke(p);
    await invoke(p);
    assert.equal(emulator.stsSessions.length, before + 1);
    const keys = smartagKeys();
    assert.equal(keys.length, 2);
    assert.equal(keys[0], keys[1]);
  });

  it("assumes the role once for a call of several batches sent in parallel", async () => {
    const p = await start();
    await configure(p, { ...base(), ...SOURCE, assumeRole: { roleArn: ROLE_B }, concurrency: 4 });
    const before = emulator.stsSessions.length;
    const names = Array.from({ length: 150 }, (_, i) => `user${String(i + 1).padStart(4, "0")}`);
    const res = await invoke(p, TOKEN, { smartAgId: "sag-big0001", userNames: names });
    assert.deepEqual(res.getFailuresList(), []);
    assert.equal(emulator.stsSessions.length, before + 1);
    assert.deepEqual([...new Set(smartagKeys())], [emulator.stsSessions.at(-1)?.accessKeyId]);
    assert.equal(smartagKeys().length, 3);
  });

  it("assumes a role with an OIDC token, without any AccessKey", async () => {
    const tokenFile = path.join(dir, "token");
    writeFileSync(tokenFile, `${OIDC_TOKEN}\n`);
    const p = await start();
    await configure(p, {
      ...base(),
      assumeRoleWithOidc: {
        oidcProviderArn: OIDC_ARN,
        oidcTokenFile: tokenFile,
        roleArn: ROLE_B,
        roleSessionName: "ci-run-7",
      },
    });
    const res = await invoke(p);
    assert.deepEqual(res.getFailuresList(), []);
    const session = emulator.stsSessions.at(-1);
    assert.equal(session?.action, "AssumeRoleWithOIDC");
    assert.equal(session?.roleSessionName, "ci-run-7");
    assert.deepEqual(smartagKeys(), [session?.accessKeyId]);
  });

  it("fails naming assumeRole, with STS's code and RequestId, when the role does not exist", async () => {
    const p = await start();
    const missing = "acs:ram::1234567890123456:role/no-such-role";
    await configure(p, { ...base(), ...SOURCE, assumeRole: { roleArn: missing } });
    await assert.rejects(invoke(p), (e: Error) => {
      assert.match(e.message, new RegExp(`assumeRole ${missing}`));
      assert.match(
        e.message,
        /EntityNotExist\.Role: The role not exists\. \(RequestId: [0-9A-F-]{36}\)/,
      );
      return true;
    });
    assert.deepEqual(smartagKeys(), []);
  });

  it("says the source secret was refused without quoting what STS signed", async () => {
    const p = await start();
    await configure(p, {
      ...base(),
      accessKey: SOURCE.accessKey,
      secretKey: "not-the-right-secret",
      assumeRole: { roleArn: ROLE_A },
    });
    await assert.rejects(invoke(p), (e: Error) => {
      // The library compares what it signed with what STS quotes, and says which it was.
      assert.match(e.message, /assumeRole \S+: the access key secret is invalid$/);
      assert.doesNotMatch(e.message, /POST&|AccessKeyId%3D|not-the-right-secret/);
      return true;
    });
  });

  it("names a wrong OIDC token without showing it", async () => {
    const tokenFile = path.join(dir, "wrong-token");
    writeFileSync(tokenFile, "eyJ.wrong.token-value");
    const p = await start();
    await configure(p, {
      ...base(),
      assumeRoleWithOidc: { oidcProviderArn: OIDC_ARN, oidcTokenFile: tokenFile, roleArn: ROLE_A },
    });
    await assert.rejects(invoke(p), (e: Error) => {
      assert.match(e.message, /assumeRoleWithOidc .*AuthenticationFail\.OIDCToken\.Invalid/);
      assert.doesNotMatch(e.message, /wrong\.token-value/);
      return true;
    });
  });

  it("refuses bad role settings in CheckConfig, naming each field", async () => {
    const p = await start();
    const check = async (news: Record<string, unknown>) => {
      const req = new providerPb.CheckRequest()
        .setUrn("urn:pulumi:dev::proj::pulumi:providers:smartag::explicit")
        .setNews(struct(news));
      const res = await p.call<providerPb.CheckResponse>("checkConfig", req);
      return res.getFailuresList().map((f) => `${f.getProperty()}: ${f.getReason()}`);
    };
    assert.deepEqual(
      await check({
        assumeRole: JSON.stringify({ roleArn: "arn:aws:iam::1:role/x", sessionExpiration: 60 }),
        assumeRoleWithOidc: { roleArn: ROLE_A, policy: "[1]", color: "red" },
        stsEndpoint: "http://sts.example.com",
      }),
      [
        "assumeRole.roleArn: must look like acs:ram::<account id>:role/<role name>",
        "assumeRole.sessionExpiration: must be at least 900",
        "assumeRoleWithOidc.oidcProviderArn: is required",
        "assumeRoleWithOidc.oidcTokenFile: is required",
        "assumeRoleWithOidc.policy: must be a JSON policy document (an object)",
        "stsEndpoint: must be a host, or host:port, such as sts.cn-hangzhou.aliyuncs.com (STS is always called over https)",
        "assumeRoleWithOidc.color: is not a field of assumeRoleWithOidc (known: oidcProviderArn, oidcTokenFile, roleArn, roleSessionName, policy, sessionExpiration)",
      ],
    );
    assert.deepEqual(await check({ assumeRole: "{roleArn:" }), [
      "assumeRole: must be an object (or its JSON text)",
    ]);
    assert.deepEqual(await check({ assumeRole: { roleArn: ROLE_A, sessionExpiration: 43_201 } }), [
      "assumeRole.sessionExpiration: must be at most 43200",
    ]);
  });
});
