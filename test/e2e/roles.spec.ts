// Two explicit providers with two RAM roles in one program, under the real Pulumi CLI: the
// generated Node.js Provider sends `assumeRole` as JSON text, the YAML host as an object, the
// engine starts one plugin per provider, and each assumes its own role at the emulator's STS
// stand-in (HTTPS, trusted through NODE_EXTRA_CA_CERTS, which the plugins inherit from the CLI).
import assert from "node:assert/strict";
import * as path from "node:path";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import {
  configureForEmulator,
  createPulumiWorkspace,
  describeRun,
  EMULATOR_KEY,
  type PulumiWorkspace,
  repoRoot,
} from "../helpers/pulumiCli";
import { assertNoSecrets } from "../helpers/secrets";
import { makeTestCertificate, type TestCertificate } from "../helpers/tls";

const READER = "acs:ram::1234567890123456:role/smartag-reader";
const AUDITOR = "acs:ram::6543210987654321:role/smartag-auditor";

describe("two providers with two roles under the real Pulumi CLI", () => {
  let emulator: RunningEmulator;
  let certificate: TestCertificate;
  const workspaces: PulumiWorkspace[] = [];
  const workspace = async (fixture: string) => {
    const ws = await createPulumiWorkspace({
      fixture,
      env: { PULUMI_NODEJS_TRANSPILE_ONLY: "true", NODE_EXTRA_CA_CERTS: certificate.certFile },
    });
    workspaces.push(ws);
    await ws.runOk(["stack", "init", "dev"]);
    return ws;
  };
  const secrets = () => [
    EMULATOR_KEY.secret,
    ...emulator.stsSessions.flatMap((s) => [s.accessKeySecret, s.securityToken]),
  ];

  before(async () => {
    certificate = makeTestCertificate();
    emulator = await startEmulator({
      fixture: loadDefaultFixture(),
      sts: { cert: certificate.cert, key: certificate.key, roles: [READER, AUDITOR] },
    });
  });
  after(async () => {
    await Promise.all(workspaces.map((ws) => ws.cleanup()));
    await emulator.close();
    certificate.remove();
  });

  for (const [language, fixture, form] of [
    ["TypeScript (assumeRole as JSON text)", "two-roles", "string"],
    ["YAML (assumeRole as an object)", "two-roles-yaml", "object"],
  ]) {
    it(`answers each provider's call with its own role's temporary key, in ${language}`, async () => {
      emulator.resetLog();
      const ws = await workspace(path.join(__dirname, "fixtures", fixture as string));
      const config = {
        endpoint: emulator.url,
        stsEndpoint: emulator.stsEndpoint as string,
        accessKey: EMULATOR_KEY.id,
        readerRole: READER,
        auditorRole: AUDITOR,
      };
      for (const [k, v] of Object.entries(config)) await ws.runOk(["config", "set", k, v]);
      await ws.runOk(["config", "set", "--secret", "secretKey"], { input: EMULATOR_KEY.secret });
      const earlier = emulator.stsSessions.length;
      const up = await ws.run(["up", "--yes"]);
      assert.equal(up.code, 0, describeRun(["up"], up));

      const outputs = JSON.parse((await ws.runOk(["stack", "output", "--json"])).stdout);
      assert.deepEqual(outputs, { readerTotal: 2, auditorTotal: 2 });
      // `up` previews first, so each provider's plugin runs (and assumes its role) twice.
      const sessions = emulator.stsSessions.slice(earlier);
      const roleOf = new Map(sessions.map((s) => [s.accessKeyId, s]));
      const used = emulator.requests
        .filter((r) => r.action === "DescribeUserOnlineClientStatistics")
        .map((r) => roleOf.get(r.params.AccessKeyId as string));
      assert.ok(
        used.length >= 2 && used.every((s) => s !== undefined),
        "every call signed by a role",
      );
      assert.deepEqual([...new Set(used.map((s) => s?.roleArn))].sort(), [READER, AUDITOR].sort());
      for (const s of sessions) {
        assert.equal(s.sourceAccessKeyId, EMULATOR_KEY.id);
        if (s.roleArn === READER) assert.equal(s.roleSessionName, "reader");
        else assert.equal(s.externalId, "abcd-1234");
      }
      assertNoSecrets(up.stdout + up.stderr, secrets(), "pulumi up");
      const state = (await ws.runOk(["stack", "export"])).stdout;
      assertNoSecrets(state, secrets(), "pulumi stack export");
      type State = { type: string; inputs?: { assumeRole?: unknown } };
      const providers = (JSON.parse(state).deployment.resources as State[]).filter(
        (r) => r.type === "pulumi:providers:smartag",
      );
      // The form the plugin was sent.
      assert.deepEqual(
        providers.map((p) => typeof p.inputs?.assumeRole),
        [form, form],
      );
    });
  }

  it("takes assumeRole set by path in the stack configuration of the default provider", async () => {
    emulator.resetLog();
    const ws = await workspace(path.join(repoRoot, "examples", "basic"));
    await configureForEmulator(ws, emulator.url);
    await ws.runOk(["config", "set", "--path", "smartag:assumeRole.roleArn", READER]);
    await ws.runOk(["config", "set", "--path", "smartag:assumeRole.sessionName", "by-path"]);
    await ws.runOk(["config", "set", "smartag:stsEndpoint", emulator.stsEndpoint as string]);
    const up = await ws.run(["up", "--yes"]);
    assert.equal(up.code, 0, describeRun(["up"], up));
    const byPath = emulator.stsSessions.filter((s) => s.roleSessionName === "by-path");
    assert.ok(byPath.length > 0 && byPath.every((s) => s.roleArn === READER));
    const keys = new Set(byPath.map((s) => s.accessKeyId));
    const calls = emulator.requests.filter(
      (r) => r.action === "DescribeUserOnlineClientStatistics",
    );
    assert.ok(calls.length > 0 && calls.every((r) => keys.has(r.params.AccessKeyId as string)));
    assertNoSecrets(up.stdout + up.stderr, secrets(), "pulumi up");
    assertNoSecrets((await ws.runOk(["stack", "export"])).stdout, secrets(), "pulumi stack export");
  });
});
