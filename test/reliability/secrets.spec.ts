/**
 * No credential reaches a user: across every fault, the AccessKey secret, the STS token and
 * every request signature are absent from client errors and events, from the plugin's debug
 * log, its gRPC errors and responses, and from the CLI's output of failing runs.
 *
 * A recording proxy sits between the callers and the emulator, so the signatures checked for
 * are the ones actually sent, including those of requests that timed out or were reset.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { type AddressInfo, createServer } from "node:net";
import type * as grpc from "@grpc/grpc-js";
import * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import { type ClientEvent, type SettingsInput, SmartagError } from "@pulumi-smartag/client";
import {
  type Faults,
  loadDefaultFixture,
  type RunningEmulator,
  startEmulator,
} from "../../emulator";
import { secret } from "../../provider/values";
import { baseEnv, ensureBuilt, runCli } from "../cli/helpers";
import { clientFromSettings } from "../helpers/client";
import { type RunningPlugin, startPlugin, struct } from "../helpers/plugin";
import { assertNoSecrets } from "../helpers/secrets";
import { noHang, type RecordingProxy, SECRETS, STS, startRecordingProxy } from "./helpers";

const WRONG_TOKEN = "wrong-sts-token-0042";
const WRONG_SECRET = "wrong-secret-0042";
const TOKEN = "smartag:index:getUserOnlineClientStatistics";

/** Each fault alone at full strength, then the mix of the fault suite. */
const FAULTS: readonly [string, Faults][] = [
  ["throttling", { throttleRate: 1 }],
  ["5xx answers", { serverErrorRate: 1 }],
  ["an HTML gateway page", { htmlRate: 1 }],
  ["connection resets", { resetRate: 1 }],
  ["answers slower than the read timeout", { latencyMs: 2_000 }],
];

async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("reliability: no credential in any error, log line or response", () => {
  let emulator: RunningEmulator;
  let proxy: RecordingProxy;
  /** Everything a user could see, with a label saying where it came from. */
  const exposed: { what: string; value: unknown }[] = [];
  const credentials = () => [...SECRETS, WRONG_TOKEN, WRONG_SECRET, ...proxy.signatures()];

  before(async () => {
    ensureBuilt();
    emulator = await startEmulator({ fixture: loadDefaultFixture() });
    proxy = await startRecordingProxy(emulator.url);
  });
  after(async () => {
    await proxy.close();
    await emulator.close();
  });
  beforeEach(() => emulator.setFaults({}));

  it("keeps client errors and events clean under every fault and every credential mistake", async () => {
    const events: ClientEvent[] = [];
    const call = async (what: string, settings: SettingsInput, smartAgId = "sag-demo0001") => {
      const client = clientFromSettings(
        {
          region: "cn-shanghai",
          endpoint: proxy.url,
          ...STS,
          maxAttempts: 2,
          retryBaseDelayMs: 1,
          retryMaxDelayMs: 5,
          readTimeoutMs: 200,
          cacheTtlMs: 0,
          ...settings,
        },
        { env: {}, onEvent: (e) => events.push(e) },
      );
      const outcome = await noHang(
        client.describeUserOnlineClientStatistics({ smartAgId, userNames: ["doctest"] }),
        what,
      );
      assert.equal(outcome.status, "rejected", `${what} should fail`);
      const e = "reason" in outcome ? outcome.reason : undefined;
      assert.ok(SmartagError.isInstance(e), `${what}: ${String(e)}`);
      exposed.push({ what: `client error (${what}, ${e.code})`, value: e });
    };
    for (const [what, faults] of FAULTS) {
      emulator.setFaults(faults);
      await call(what, {});
    }
    emulator.setFaults({ latencyMs: 600 });
    await call("the deadline", { readTimeoutMs: 1_000, deadlineMs: 300 });
    emulator.setFaults({});
    await call("a wrong secret", { secretKey: WRONG_SECRET });
    await call("a wrong STS token", { securityToken: WRONG_TOKEN });
    await call("an unknown instance", {}, "sag-unknown99");
    await call("a refused connection", { endpoint: `http://127.0.0.1:${await closedPort()}` });
    exposed.push({ what: "client events", value: events });

    assert.ok(proxy.signatures().length >= 10, "the proxy saw the signatures sent");
    assert.ok(proxy.sentText().includes(STS.securityToken), "the STS token was on the wire");
    for (const { what, value } of exposed) assertNoSecrets(value, credentials(), what);
  });

  it("keeps the plugin's debug log, gRPC errors and responses clean under every fault", async () => {
    const plugin: RunningPlugin = await startPlugin({ SMARTAG_LOG: "debug" });
    const seen: { what: string; value: unknown }[] = [];
    const grpcError = (what: string) => (e: grpc.ServiceError) => {
      seen.push({ what: `gRPC error (${what})`, value: e });
      seen.push({ what: `gRPC metadata (${what})`, value: e.metadata?.getMap() });
      return true;
    };
    const configure = async (args: Record<string, unknown>) => {
      const req = new providerPb.ConfigureRequest().setArgs(struct(args)).setAcceptsecrets(true);
      const res = await plugin.call<providerPb.ConfigureResponse>("configure", req);
      seen.push({ what: "Configure response", value: res.toObject() });
    };
    const invoke = async (what: string, smartAgId = "sag-demo0001") => {
      const req = new providerPb.InvokeRequest()
        .setTok(TOKEN)
        .setArgs(struct({ smartAgId, userNames: ["doctest", "bob.smith"] }));
      const res = await plugin.call<providerPb.InvokeResponse>("invoke", req);
      seen.push({ what: `Invoke response (${what})`, value: res.toObject() });
    };
    const settings = (overrides: Record<string, unknown> = {}) => ({
      region: "cn-shanghai",
      endpoint: proxy.url,
      accessKey: STS.accessKey,
      secretKey: secret(STS.secretKey),
      securityToken: secret(STS.securityToken),
      maxAttempts: "2",
      retryBaseDelayMs: "1",
      retryMaxDelayMs: "5",
      readTimeoutMs: "200",
      cacheTtlMs: "0",
      ...overrides,
    });
    try {
      await configure(settings());
      await invoke("no fault");
      for (const [what, faults] of FAULTS) {
        emulator.setFaults(faults);
        await assert.rejects(invoke(what), grpcError(what));
      }
      emulator.setFaults({});
      await assert.rejects(invoke("unknown instance", "sag-unknown99"), grpcError("unknown"));
      await configure(settings({ securityToken: secret(WRONG_TOKEN) }));
      await assert.rejects(invoke("wrong token"), grpcError("wrong token"));
      await configure(settings({ secretKey: secret(WRONG_SECRET) }));
      await assert.rejects(invoke("wrong secret"), grpcError("wrong secret"));
      // A configuration refused as a whole must not echo the secrets it was given.
      await assert.rejects(
        configure(settings({ region: "Shang Hai", endpoint: "ftp://127.0.0.1" })),
        grpcError("bad configuration"),
      );
    } finally {
      assert.equal(await plugin.stop(), 0);
    }
    assert.match(plugin.stderr(), /retrying in/, "debug logging was on and logged retries");
    assert.match(plugin.stderr(), /InvalidSecurityToken/, "errors were logged");
    seen.push({ what: "plugin stderr", value: plugin.stderr() });
    seen.push({ what: "plugin stdout", value: plugin.stdout() });
    for (const { what, value } of seen) assertNoSecrets(value, credentials(), what);
  });

  it("keeps the CLI's stdout and stderr clean in failing runs, even with a secret typed as a flag", async () => {
    const env = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: STS.accessKey,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: STS.secretKey,
      ALIBABA_CLOUD_SECURITY_TOKEN: STS.securityToken,
    };
    const common = ["--region", "cn-shanghai", "--endpoint", proxy.url, "--verbose"];
    const query = [...common, "--sag", "sag-demo0001", "--user", "doctest,bob.smith"];
    const runs: { what: string; args: string[]; env?: NodeJS.ProcessEnv; code: number }[] = [
      ...FAULTS.map(([what]) => ({ what, args: [...query, "--timeout-ms", "800"], code: 1 })),
      {
        what: "wrong token",
        args: query,
        env: { ALIBABA_CLOUD_SECURITY_TOKEN: WRONG_TOKEN },
        code: 1,
      },
      {
        what: "wrong secret",
        args: query,
        env: { ALIBABA_CLOUD_ACCESS_KEY_SECRET: WRONG_SECRET },
        code: 1,
      },
      {
        what: "unknown instance",
        args: [...common, "--sag", "sag-unknown99", "--user", "doctest"],
        code: 1,
      },
      {
        what: "a limit broken",
        args: [...query, "--max-online", "1", "--format", "json"],
        code: 3,
      },
      { what: "secret as a flag", args: [...query, "--secret-key", STS.secretKey], code: 2 },
      {
        what: "token as an inline flag",
        args: [...query, `--security-token=${STS.securityToken}`],
        code: 2,
      },
      { what: "secret as a stray word", args: [...query, STS.secretKey], code: 2 },
    ];
    const faultsFor = new Map(FAULTS);
    for (const run of runs) {
      emulator.setFaults(faultsFor.get(run.what) ?? {});
      const result = await noHang(
        runCli(run.args, { env: { ...baseEnv(), ...env, ...run.env } }),
        `smartag-stats (${run.what})`,
      );
      assert.equal(result.status, "fulfilled");
      const out = "value" in result ? result.value : undefined;
      assert.ok(out);
      assert.equal(out.code, run.code, `${run.what}: exit ${out.code}\n${out.stderr}`);
      assert.ok(out.stderr.length > 0, `${run.what}: says why on stderr`);
      assertNoSecrets(out.stdout, credentials(), `CLI stdout (${run.what})`);
      assertNoSecrets(out.stderr, credentials(), `CLI stderr (${run.what})`);
    }
  });
});
