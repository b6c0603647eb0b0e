// The credential sources alicloud users know, through the client against the emulator over
// real HTTP: a shared credentials file, a credentials URI, the ECS role at the library's
// boundary, the environment of each key, and what their failures may say.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import {
  credentialsSourceFor,
  Redactor,
  resolveSettings,
  type SettingsInput,
  SmartagError,
  sourceReason,
  withEnvFallbacks,
} from "@pulumi-smartag/client";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import { clientFromSettings } from "../helpers/client";
import { assertNoSecrets } from "../helpers/secrets";

const STATS = { smartAgId: "sag-demo0001", userNames: ["doctest"] };
const STS_KEY = {
  AccessKeyId: "STS.EmulatorKey03",
  AccessKeySecret: "emulator-secret-03",
  SecurityToken: "emulator-sts-token-03",
};
const ROLE = "acs:ram::1234567890123456:role/smartag-reader";

describe("credential sources", () => {
  let emulator: RunningEmulator;
  let dir: string;
  before(async () => {
    emulator = await startEmulator({ fixture: loadDefaultFixture() });
    dir = mkdtempSync(path.join(os.tmpdir(), "smartag-sources-"));
  });
  after(async () => {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => emulator.resetLog());

  const call = (settings: SettingsInput) =>
    clientFromSettings(
      { region: "cn-shanghai", endpoint: emulator.url, maxAttempts: 1, ...settings },
      { env: {} },
    ).describeUserOnlineClientStatistics(STATS);
  const rejectsNaming = async (settings: SettingsInput, pattern: RegExp, secrets: string[]) => {
    await assert.rejects(call(settings), (e: unknown) => {
      assert.ok(SmartagError.isInstance(e));
      assert.equal(e.code, "NoCredentials");
      assert.match(e.message, pattern);
      assertNoSecrets(e, secrets, "the credential source's error");
      return true;
    });
    assert.equal(emulator.requests.length, 0, "no Smartag request without credentials");
  };

  describe("sharedCredentialsFile", () => {
    it("takes the named profile, or `default`, from an INI file at that path", async () => {
      const file = path.join(dir, "credentials");
      writeFileSync(
        file,
        "[default]\ntype = access_key\naccess_key_id = LTAI5tEmulatorKey01\naccess_key_secret = emulator-secret-01\n" +
          "[ops]\ntype = access_key\naccess_key_id = LTAI5tEmulatorKey02\naccess_key_secret = emulator-secret-02\n",
      );
      assert.equal(
        (await call({ sharedCredentialsFile: file, profile: "ops" })).totalOnlineCount,
        2,
      );
      await call({ sharedCredentialsFile: file });
      assert.deepEqual(
        emulator.requests.map((r) => r.params.AccessKeyId),
        ["LTAI5tEmulatorKey02", "LTAI5tEmulatorKey01"],
      );
    });

    it("names the file and says which format it takes when given the CLI's JSON", async () => {
      const file = path.join(dir, "config.json");
      writeFileSync(
        file,
        '{"profiles":[{"name":"default","mode":"AK","access_key_secret":"JSON-FILE-SECRET"}]}',
      );
      await rejectsNaming(
        { sharedCredentialsFile: file },
        /sharedCredentialsFile .*config\.json \(profile "default"\): the file is JSON: sharedCredentialsFile takes the INI credentials file/,
        ["JSON-FILE-SECRET"],
      );
    });

    it("names a missing file and profile", async () => {
      const file = path.join(dir, "credentials");
      await rejectsNaming(
        { sharedCredentialsFile: path.join(dir, "nope") },
        /sharedCredentialsFile .*nope \(profile "default"\): ENOENT/,
        [],
      );
      await rejectsNaming(
        { sharedCredentialsFile: file, profile: "absent" },
        /Can not find credential type for "absent"/,
        ["emulator-secret-01", "emulator-secret-02"],
      );
    });
  });

  describe("credentialsUri", () => {
    let server: Server;
    let answer: { status: number; body: string };
    let uri: string;
    before(async () => {
      server = createServer((_req, res) => {
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(answer.body);
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/credentials/0`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("signs with the temporary key and token the URI answers", async () => {
      const expiration = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, "Z");
      answer = {
        status: 200,
        body: JSON.stringify({ Code: "Success", ...STS_KEY, Expiration: expiration }),
      };
      assert.equal((await call({ credentialsUri: uri })).totalOnlineCount, 2);
      assert.equal(emulator.requests[0]?.params.AccessKeyId, STS_KEY.AccessKeyId);
      assert.equal(emulator.requests[0]?.params.SecurityToken, STS_KEY.SecurityToken);
    });

    it("names the URI's origin, not what a broken answer holds", async () => {
      answer = {
        status: 200,
        body: JSON.stringify({ AccessKeyId: "x", AccessKeySecret: "HALF-AN-ANSWER-SECRET" }),
      };
      await rejectsNaming(
        { credentialsUri: `${uri}?session=abc` },
        /credentialsUri http:\/\/127\.0\.0\.1:\d+: error retrieving credentials from credentialsURI result:$/,
        ["HALF-AN-ANSWER-SECRET", "session=abc"],
      );
      answer = { status: 500, body: '{"Code":"Internal","Message":"no key for you"}' };
      await rejectsNaming(
        { credentialsUri: uri },
        /get sts token failed, httpStatus: 500, message: Internal: no key for you$/,
        [],
      );
    });
  });

  describe("ecsRoleName", () => {
    // The library asks the metadata service at its own fixed address, so a test off ECS
    // sees the boundary: the role name reaches the ECS source, which reports it by that key.
    it("goes to the ECS metadata source with that role name, and says so when it fails", async () => {
      const { settings } = resolveSettings({ ecsRoleName: "smartag-ecs-role" });
      assert.ok(settings);
      const source = credentialsSourceFor(settings);
      assert.equal(source.description, 'ecsRoleName "smartag-ecs-role" (ECS metadata service)');
      const saved = process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED;
      process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = "true";
      try {
        await rejectsNaming(
          { ecsRoleName: "smartag-ecs-role" },
          /could not get credentials from ecsRoleName "smartag-ecs-role" \(ECS metadata service\): IMDS credentials is disabled/,
          [],
        );
      } finally {
        if (saved === undefined) delete process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED;
        else process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = saved;
      }
    });
  });

  describe("which source wins", () => {
    const from = (input: SettingsInput) => {
      const { settings, issues } = resolveSettings(input);
      assert.deepEqual(issues, []);
      assert.ok(settings);
      return credentialsSourceFor(settings).description;
    };
    const keys = { accessKey: "LTAI5tEmulatorKey01", secretKey: "emulator-secret-01" };
    const oidc = {
      oidcProviderArn: "acs:ram::1234567890123456:oidc-provider/ci",
      oidcTokenFile: "/var/run/token",
      roleArn: ROLE,
    };

    it("takes them in the documented order, and assumeRole on top of any", () => {
      assert.equal(from({ ...keys, assumeRoleWithOidc: oidc }), `assumeRoleWithOidc ${ROLE}`);
      assert.equal(from({ ...keys, credentialsUri: "http://127.0.0.1:9/c" }), "explicit AccessKey");
      assert.equal(
        from({ credentialsUri: "http://127.0.0.1:9/c", ecsRoleName: "r" }),
        "credentialsUri http://127.0.0.1:9",
      );
      assert.equal(
        from({ ecsRoleName: "r", profile: "p" }),
        'ecsRoleName "r" (ECS metadata service)',
      );
      assert.equal(from({ ...keys, assumeRole: { roleArn: ROLE } }), `assumeRole ${ROLE}`);
    });
  });

  describe("environment", () => {
    it("reads each key's alicloud variables, and ALICLOUD_ASSUME_ROLE_ARN alone configures assumeRole", () => {
      const env = {
        ALICLOUD_ASSUME_ROLE_ARN: ROLE,
        ALIBABA_CLOUD_ROLE_SESSION_NAME: "from-env",
        ALICLOUD_ASSUME_ROLE_SESSION_EXPIRATION: "1800",
        ALICLOUD_SHARED_CREDENTIALS_FILE: "/etc/smartag/credentials",
        ALIBABA_CLOUD_CREDENTIALS_FILE: "/the/default/chain/reads/this",
        ALICLOUD_CREDENTIALS_URI: "http://127.0.0.1:7002/c",
        ALIBABA_CLOUD_ECS_METADATA: "ecs-role",
        ALIBABA_CLOUD_STS_ENDPOINT: "sts-vpc.cn-shanghai.aliyuncs.com",
      };
      const { settings } = resolveSettings(withEnvFallbacks({}, env));
      assert.deepEqual(settings?.assumeRole, {
        roleArn: ROLE,
        sessionName: "from-env",
        sessionExpiration: 1800,
      });
      assert.equal(settings?.sharedCredentialsFile, "/etc/smartag/credentials");
      assert.equal(settings?.credentialsUri, "http://127.0.0.1:7002/c");
      assert.equal(settings?.ecsRoleName, "ecs-role");
      assert.equal(settings?.stsEndpoint, "sts-vpc.cn-shanghai.aliyuncs.com");
    });

    it("fills only the unset fields of a configured object, JSON text or not", () => {
      const env = {
        ALIBABA_CLOUD_ROLE_ARN: ROLE,
        ALIBABA_CLOUD_OIDC_PROVIDER_ARN: "acs:ram::1:oidc-provider/ci",
        ALIBABA_CLOUD_OIDC_TOKEN_FILE: "/from/env",
      };
      const input = { assumeRoleWithOidc: '{"oidcTokenFile":"/from/config"}' };
      assert.deepEqual(resolveSettings(withEnvFallbacks(input, env)).settings?.assumeRoleWithOidc, {
        oidcProviderArn: "acs:ram::1:oidc-provider/ci",
        oidcTokenFile: "/from/config",
        roleArn: ROLE,
      });
      // ALIBABA_CLOUD_ROLE_ARN belongs to OIDC as well: alone it configures no assumeRole.
      assert.equal(resolveSettings(withEnvFallbacks({}, env)).settings?.assumeRole, undefined);
      // ALIBABA_CLOUD_CREDENTIALS_FILE stays the default chain's, which skips a missing file.
      const chainFile = { ALIBABA_CLOUD_CREDENTIALS_FILE: "/nonexistent/credentials" };
      assert.equal(
        resolveSettings(withEnvFallbacks({}, chainFile)).settings?.sharedCredentialsFile,
        undefined,
      );
    });
  });

  describe("what a source's failure may say", () => {
    it("keeps STS's code, message and RequestId, and drops what it signed and every secret", () => {
      const redactor = new Redactor();
      redactor.add("SOURCE-SECRET-VALUE");
      const body = JSON.stringify({
        RequestId: "6894B13B-6D71-4EF5-88FA-F32781734A7F",
        Code: "SignatureDoesNotMatch",
        Message:
          "Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3DLTAI%26SecurityToken%3DSOURCE-SECRET-VALUE",
      });
      assert.equal(
        sourceReason(`refresh session token failed: ${body}`, redactor),
        "refresh session token failed: SignatureDoesNotMatch: Specified signature is not matched with our calculation. server string to sign is: [omitted] (RequestId: 6894B13B-6D71-4EF5-88FA-F32781734A7F)",
      );
    });
  });
});
