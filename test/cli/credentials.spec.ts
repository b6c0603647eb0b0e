// smartag-stats with a role from the environment, as a CI job sets it: the AccessKey variables
// are the source, ALICLOUD_ASSUME_ROLE_ARN the role, and the emulator's STS stand-in answers.
import assert from "node:assert/strict";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import { assertNoSecrets } from "../helpers/secrets";
import { makeTestCertificate, type TestCertificate } from "../helpers/tls";
import { ensureBuilt, KEY1, keyEnv, runCli, SECRETS } from "./helpers";

const ROLE = "acs:ram::1234567890123456:role/smartag-ci";

describe("smartag-stats credentials from the environment", () => {
  let emulator: RunningEmulator;
  let certificate: TestCertificate;
  before(async () => {
    ensureBuilt();
    certificate = makeTestCertificate();
    emulator = await startEmulator({
      fixture: loadDefaultFixture(),
      sts: { cert: certificate.cert, key: certificate.key, roles: [ROLE] },
    });
  });
  after(async () => {
    await emulator.close();
    certificate.remove();
  });

  it("assumes ALICLOUD_ASSUME_ROLE_ARN with the AccessKey variables and never shows its keys", async () => {
    const r = await runCli(
      ["--region", "cn-shanghai", "--sag", "sag-demo0001", "--user", "doctest", "--format", "json"],
      {
        env: {
          ...keyEnv(),
          SMARTAG_ENDPOINT: emulator.url,
          ALICLOUD_ASSUME_ROLE_ARN: ROLE,
          ALICLOUD_ASSUME_ROLE_SESSION_NAME: "ci-job",
          ALIBABA_CLOUD_STS_ENDPOINT: emulator.stsEndpoint,
          NODE_EXTRA_CA_CERTS: certificate.certFile,
        },
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).totalOnlineCount, 2);
    const [session] = emulator.stsSessions;
    assert.deepEqual(
      [session?.roleArn, session?.roleSessionName, session?.sourceAccessKeyId],
      [ROLE, "ci-job", KEY1.id],
    );
    const smartag = emulator.requests.filter(
      (q) => q.action === "DescribeUserOnlineClientStatistics",
    );
    assert.deepEqual(
      smartag.map((q) => q.params.AccessKeyId),
      [session?.accessKeyId],
    );
    const secrets = [...SECRETS, session?.accessKeySecret ?? "", session?.securityToken ?? ""];
    assertNoSecrets(r.stdout + r.stderr, secrets, "smartag-stats output");
  });
});
