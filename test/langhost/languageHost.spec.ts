// The language host as the engine sees it: a process that prints a port, then answers gRPC.

import * as assert from "node:assert/strict";
import { once } from "node:events";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as pb from "@pulumi/pulumi/proto/language_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import {
  collectPluginStream,
  fixtures,
  type HostProcess,
  programInfo,
  repoRoot,
  startHost,
  unary,
} from "./hostProcess";

const sdkVersion = (require("@pulumi/pulumi/package.json") as { version: string }).version;

async function writeJson(file: string, value: unknown) {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify(value));
}

/** A gRPC server with no services: enough of an "engine" for the host's health check. */
async function startFakeEngine(): Promise<{ address: string; server: grpc.Server }> {
  const server = new grpc.Server();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { address: `127.0.0.1:${port}`, server };
}

describe("language host process", () => {
  let engine: { address: string; server: grpc.Server };
  let host: HostProcess;
  let scratch: string;

  before(async () => {
    engine = await startFakeEngine();
    host = await startHost(["--logtostderr", "-v=0", engine.address]);
    scratch = await fs.mkdtemp(path.join(os.tmpdir(), "langhost-spec-"));
  });

  after(async () => {
    await host.stop();
    engine.server.forceShutdown();
    await fs.rm(scratch, { recursive: true, force: true });
  });

  it("prints only its port on stdout when started with the engine address", async () => {
    await unary(host.client.getPluginInfo.bind(host.client), new Empty());
    assert.match(host.stdout(), /^\d+\n$/);
    assert.equal(host.stdout(), `${host.port}\n`);
  });

  it("reports the @pulumi/pulumi version it speaks when asked for plugin info", async () => {
    const info = await unary(host.client.getPluginInfo.bind(host.client), new Empty());
    assert.equal(info.getVersion(), sdkVersion);
  });

  it("accepts a handshake that carries the engine address", async () => {
    const req = new pb.LanguageHandshakeRequest();
    req.setEngineAddress(engine.address);
    req.setRootDirectory(scratch);
    req.setProgramDirectory(scratch);
    const res = await unary(host.client.handshake.bind(host.client), req);
    assert.ok(res instanceof pb.LanguageHandshakeResponse);
  });

  describe("required packages", () => {
    let program: string;

    before(async () => {
      program = path.join(scratch, "packages");
      const modules = path.join(program, "node_modules");
      await writeJson(path.join(modules, "@pulumi", "aws", "package.json"), {
        name: "@pulumi/aws",
        version: "6.1.0",
        pulumi: { resource: true },
      });
      await writeJson(path.join(modules, "third-party", "package.json"), {
        name: "third-party",
        version: "1.0.0",
        pulumi: {
          resource: true,
          name: "thirdy",
          version: "2.0.0",
          server: "https://example.invalid",
        },
      });
      await writeJson(path.join(modules, "plain", "package.json"), {
        name: "plain",
        version: "1.0.0",
      });
      // A policy pack's own plugins are not the program's.
      const pack = path.join(program, "policy");
      await fs.mkdir(pack, { recursive: true });
      await fs.writeFile(path.join(pack, "PulumiPolicy.yaml"), "runtime: nodejs\n");
      await writeJson(path.join(pack, "node_modules", "@pulumi", "gcp", "package.json"), {
        name: "@pulumi/gcp",
        version: "7.0.0",
        pulumi: { resource: true },
      });
    });

    it("lists resource plugin packages below the program's node_modules", async () => {
      const req = new pb.GetRequiredPackagesRequest();
      req.setInfo(programInfo(program));
      const res = await unary(host.client.getRequiredPackages.bind(host.client), req);
      const found = res
        .getPackagesList()
        .map((p) => ({
          name: p.getName(),
          kind: p.getKind(),
          version: p.getVersion(),
          server: p.getServer(),
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
      assert.deepEqual(found, [
        { name: "aws", kind: "resource", version: "v6.1.0", server: "" },
        { name: "thirdy", kind: "resource", version: "v2.0.0", server: "https://example.invalid" },
      ]);
    });

    it("answers the legacy GetRequiredPlugins with the same plugins", async () => {
      const req = new pb.GetRequiredPluginsRequest();
      req.setInfo(programInfo(program));
      const res = await unary(host.client.getRequiredPlugins.bind(host.client), req);
      assert.deepEqual(
        res
          .getPluginsList()
          .map((p) => p.getName())
          .sort(),
        ["aws", "thirdy"],
      );
    });

    it("finds no packages when the program has no node_modules of its own", async () => {
      const req = new pb.GetRequiredPackagesRequest();
      req.setInfo(programInfo(path.join(fixtures, "config-outputs")));
      const res = await unary(host.client.getRequiredPackages.bind(host.client), req);
      assert.deepEqual(res.getPackagesList(), []);
    });
  });

  it("describes the node runtime and the package manager chosen by the lock file in About", async () => {
    const program = path.join(scratch, "about");
    await fs.mkdir(program, { recursive: true });
    await fs.writeFile(path.join(program, "yarn.lock"), "");
    const req = new pb.AboutRequest();
    req.setInfo(programInfo(program));
    const res = await unary(host.client.about.bind(host.client), req);
    assert.equal(res.getVersion(), process.version);
    assert.match(path.basename(res.getExecutable()), /^node/);
    assert.equal(res.getMetadataMap().get("packagemanager"), "yarn");
  });

  it("lists the installed versions of the program's dependencies", async () => {
    const req = new pb.GetProgramDependenciesRequest();
    req.setInfo(programInfo(path.join(fixtures, "config-outputs")));
    const res = await unary(host.client.getProgramDependencies.bind(host.client), req);
    const deps = new Map(res.getDependenciesList().map((d) => [d.getName(), d.getVersion()]));
    assert.equal(deps.get("@pulumi/pulumi"), sdkVersion);
  });

  it("prompts for a package manager only when the project has not chosen one", async () => {
    const ask = async (options: Record<string, unknown>) => {
      const req = new pb.RuntimeOptionsRequest();
      req.setInfo(programInfo(scratch, options));
      const res = await unary(host.client.runtimeOptionsPrompts.bind(host.client), req);
      return res.getPromptsList();
    };
    const prompts = await ask({});
    assert.deepEqual(
      prompts.map((p) => p.getKey()),
      ["packagemanager"],
    );
    assert.ok(prompts[0]?.getChoicesList().some((c) => c.getStringvalue() === "npm"));
    assert.deepEqual(await ask({ packagemanager: "npm" }), []);
  });

  it("reports dependencies as installed without running a package manager when they resolve", async () => {
    const req = new pb.InstallDependenciesRequest();
    req.setInfo(programInfo(path.join(fixtures, "config-outputs")));
    const stream = host.client.installDependencies(req);
    let stdout = "";
    stream.on("data", (msg: pb.InstallDependenciesResponse) => {
      stdout += Buffer.from(msg.getStdout_asU8()).toString("utf8");
    });
    await once(stream, "end");
    assert.match(stdout, /already installed/);
    assert.ok(stdout.includes(path.join(repoRoot, "package.json")), stdout);
  });

  describe("Run", () => {
    const run = (programDir: string, config: Record<string, string> = {}) => {
      const req = new pb.RunRequest();
      req.setInfo(programInfo(programDir));
      req.setMonitorAddress("127.0.0.1:1");
      req.setProject("p");
      req.setStack("s");
      for (const [k, v] of Object.entries(config)) req.getConfigMap().set(k, v);
      return unary(host.client.run.bind(host.client), req);
    };

    it("answers with an install hint when the program cannot find @pulumi/pulumi", async () => {
      const lonely = path.join(scratch, "no-sdk");
      await fs.mkdir(lonely, { recursive: true });
      const res = await run(lonely);
      assert.match(res.getError(), /Pulumi SDK has not been installed/);
      assert.equal(res.getBail(), false);
    });

    it("rejects configuration keys that are not <namespace>:<name>", async () => {
      const res = await run(path.join(fixtures, "config-outputs"), { "no-namespace": "x" });
      assert.match(res.getError(), /could not parse no-namespace as a configuration key/);
    });
  });

  describe("RunPlugin", () => {
    const runPlugin = (env: string[]) => {
      const req = new pb.RunPluginRequest();
      const dir = path.join(fixtures, "echo-plugin");
      req.setInfo(programInfo(dir));
      req.setPwd(scratch);
      req.setKind("resource");
      req.setName("echo");
      req.setArgsList(["127.0.0.1:9", "extra"]);
      req.setEnvList(env);
      return collectPluginStream(host.client.runPlugin(req));
    };
    const baseEnv = Object.entries(process.env).map(([k, v]) => `${k}=${v}`);

    it("streams the plugin's output and exit code, running it in the engine's directory", async () => {
      const result = await runPlugin([...baseEnv, "ECHO_PLUGIN_MARKER=from-request"]);
      assert.equal(result.exitCode, 0);
      assert.match(result.stdout, /^4242\n/);
      assert.ok(result.stdout.includes('args=["127.0.0.1:9","extra"]'), result.stdout);
      assert.ok(result.stderr.includes(`cwd=${await fs.realpath(scratch)}`), result.stderr);
      assert.ok(result.stderr.includes("typescript=true"), result.stderr);
      assert.ok(result.stderr.includes("marker=from-request"), result.stderr);
    });

    it("reports a failing plugin's exit code", async () => {
      const result = await runPlugin([...baseEnv, "ECHO_PLUGIN_EXIT=3"]);
      assert.equal(result.exitCode, 3);
    });
  });

  it("leaves unported features as UNIMPLEMENTED so the engine can say so", async () => {
    const err = await unary(
      host.client.generateProgram.bind(host.client),
      new pb.GenerateProgramRequest(),
    ).then(
      () => undefined,
      (e: grpc.ServiceError) => e,
    );
    assert.equal(err?.code, grpc.status.UNIMPLEMENTED);
  });
});

describe("language host lifetime", () => {
  it("exits when the engine it was started for goes away", async () => {
    const engine = await startFakeEngine();
    const host = await startHost([engine.address], {
      ...process.env,
      PULUMI_LANGHOST_HEALTHCHECK_INTERVAL_MS: "50",
    });
    engine.server.forceShutdown();
    assert.equal(await host.exited, 0);
  });

  it("stops a running program when the engine sends Cancel", async () => {
    const scratch = await fs.mkdtemp(path.join(os.tmpdir(), "langhost-cancel-"));
    const fakeRun = path.join(scratch, "fake-run.js");
    // Stands in for @pulumi/pulumi/cmd/run: announces itself, then runs until interrupted.
    await fs.writeFile(
      fakeRun,
      'process.stderr.write("fake program started\\n"); setInterval(() => {}, 60_000);\n',
    );
    const host = await startHost([], { ...process.env, PULUMI_LANGUAGE_NODEJS_RUN_PATH: fakeRun });
    try {
      const req = new pb.RunRequest();
      req.setInfo(programInfo(scratch));
      req.setMonitorAddress("127.0.0.1:1");
      const response = unary(host.client.run.bind(host.client), req);
      while (!host.stderr().includes("fake program started")) await once(host.child.stderr, "data");
      await unary(host.client.cancel.bind(host.client), new Empty());
      const res = await response;
      assert.match(res.getError(), /killed by signal SIGINT/);
      assert.equal(res.getBail(), false);
    } finally {
      await host.stop();
      await fs.rm(scratch, { recursive: true, force: true });
    }
  });

  it("exits cleanly on SIGINT, as the engine stops plugins", async () => {
    const host = await startHost([]);
    host.child.kill("SIGINT");
    assert.equal(await host.exited, 0);
  });

  it("prints its version and exits for --version", async () => {
    const { spawnSync } = await import("node:child_process");
    const res = spawnSync(
      path.join(repoRoot, "tools", "langhost", "pulumi-language-nodejs"),
      ["-version"],
      {
        encoding: "utf8",
        cwd: os.tmpdir(),
      },
    );
    assert.equal(res.status, 0);
    assert.equal(res.stdout, `${sdkVersion}\n`);
  });
});
