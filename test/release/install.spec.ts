// `pulumi plugin install resource smartag <version> --file <tarball>` into a fresh PULUMI_HOME, then
// the installed plugin started the way the engine starts it, and asked for real statistics.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import * as path from "node:path";
import type * as pluginPb from "@pulumi/pulumi/proto/plugin_pb";
import * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import * as emptyPb from "google-protobuf/google/protobuf/empty_pb";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import { type RunningPlugin, startPlugin, struct } from "../helpers/plugin";
import { describeRun, EMULATOR_KEY, runPulumi } from "../helpers/pulumiCli";
import { platform, pluginTarball, type Scratch, scratch, serveRelease, version } from "./release";

describe("the plugin installed from its release tarball", () => {
  let emulator: RunningEmulator;
  let place: Scratch;
  let plugin: RunningPlugin | undefined;

  before(async () => {
    emulator = await startEmulator({ fixture: loadDefaultFixture() });
    place = await scratch();
  });
  after(async () => {
    await plugin?.stop();
    await emulator.close();
    await place.cleanup();
  });

  it("installs with `pulumi plugin install --file` and answers over gRPC", async () => {
    const args = ["plugin", "install", "resource", "smartag", version, "--file", pluginTarball()];
    const installed = await runPulumi(args, place.dir, place.env);
    assert.equal(installed.code, 0, describeRun(args, installed));
    const list = await runPulumi(["plugin", "ls", "--json"], place.dir, place.env);
    const plugins = JSON.parse(list.stdout) as { name: string; kind: string; version: string }[];
    assert.deepEqual(
      plugins.map((p) => `${p.kind}/${p.name}@${p.version}`),
      [`resource/smartag@${version}`],
    );

    const home = place.env.PULUMI_HOME ?? "";
    const executable = path.join(
      home,
      "plugins",
      `resource-smartag-v${version}`,
      "pulumi-resource-smartag",
    );
    assert.ok(existsSync(executable), executable);
    plugin = await startPlugin({}, executable);
    const info = await plugin.call<pluginPb.PluginInfo>("getPluginInfo", new emptyPb.Empty());
    assert.equal(info.getVersion(), version);

    const configure = new providerPb.ConfigureRequest().setAcceptsecrets(true).setArgs(
      struct({
        region: "cn-shanghai",
        endpoint: emulator.url,
        accessKey: EMULATOR_KEY.id,
        secretKey: EMULATOR_KEY.secret,
      }),
    );
    await plugin.call("configure", configure);
    const invoke = new providerPb.InvokeRequest()
      .setTok("smartag:index:getUserOnlineClientStatistics")
      .setArgs(struct({ smartAgId: "sag-demo0001", userNames: ["doctest", "bob.smith"] }));
    const res = await plugin.call<providerPb.InvokeResponse>("invoke", invoke);
    assert.deepEqual(res.getFailuresList(), []);
    assert.equal(res.getReturn()?.toJavaScript().totalOnlineCount, 7);
  });

  it("installs with `pulumi plugin install --server` from a folder of release files", async () => {
    const server = await serveRelease();
    const other = await scratch();
    try {
      const args = ["plugin", "install", "resource", "smartag", version, "--server", server.url];
      const installed = await runPulumi(args, other.dir, other.env);
      assert.equal(installed.code, 0, describeRun(args, installed));
      assert.deepEqual(server.requests, [
        `/pulumi-resource-smartag-v${version}-${platform}.tar.gz`,
      ]);
      const home = other.env.PULUMI_HOME ?? "";
      const dir = path.join(home, "plugins", `resource-smartag-v${version}`);
      assert.ok(existsSync(path.join(dir, "pulumi-resource-smartag.js")), dir);
    } finally {
      await server.close();
      await other.cleanup();
    }
  });
});
