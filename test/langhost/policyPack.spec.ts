// Policy packs go through a proxy in the host (see tools/langhost/policyProxy.ts). @pulumi/policy
// is not a dependency here, so a stand-in run-policy-pack script is installed where the host
// resolves it from (the pack's node_modules): a bare Analyzer that reports what it was started
// with, and that predates ConfigureStack, like packs built on older @pulumi/policy releases.

import * as assert from "node:assert/strict";
import { promises as fs } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import * as pb from "@pulumi/pulumi/proto/language_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { type HostProcess, programInfo, repoRoot, startHost, unary } from "./hostProcess";

const fakeRunPolicyPack = (modules: string) => `
const grpc = require(${JSON.stringify(path.join(modules, "@grpc", "grpc-js"))});
const services = require(${JSON.stringify(path.join(modules, "@pulumi", "pulumi", "proto", "analyzer_grpc_pb"))});
const messages = require(${JSON.stringify(path.join(modules, "@pulumi", "pulumi", "proto", "analyzer_pb"))});
const args = process.argv.slice(2);
const config = JSON.parse(process.env.PULUMI_CONFIG || "{}");
const server = new grpc.Server();
server.addService(services.AnalyzerService, {
  getAnalyzerInfo: (_call, cb) => {
    const info = new messages.AnalyzerInfo();
    info.setName([process.env.PULUMI_NODEJS_STACK, config["pack:threshold"], process.cwd(), ...args].join("|"));
    cb(null, info);
  },
  configureStack: (_call, cb) => cb({ code: grpc.status.UNIMPLEMENTED, details: "predates ConfigureStack" }),
});
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err;
  process.stdout.write(port + "\\n");
  process.stdout.write("pack is ready\\n");
});
`;

describe("policy packs through RunPlugin", () => {
  let host: HostProcess;
  let pack: string;

  before(async () => {
    host = await startHost([]);
    pack = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), "langhost-policy-")));
    const sdk = path.join(pack, "node_modules", "@pulumi", "pulumi");
    await fs.mkdir(path.join(sdk, "cmd", "run-policy-pack"), { recursive: true });
    await fs.writeFile(
      path.join(sdk, "package.json"),
      JSON.stringify({ name: "@pulumi/pulumi", version: "3.0.0" }),
    );
    await fs.writeFile(
      path.join(sdk, "cmd", "run-policy-pack", "index.js"),
      fakeRunPolicyPack(path.join(repoRoot, "node_modules")),
    );
    await fs.writeFile(path.join(pack, "PulumiPolicy.yaml"), "runtime: nodejs\n");
  });

  after(async () => {
    await host.stop();
    await fs.rm(pack, { recursive: true, force: true });
  });

  it("starts the pack only once configured and hands it the stack's identity and config", async () => {
    const req = new pb.RunPluginRequest();
    req.setInfo(programInfo(pack));
    req.setPwd(os.tmpdir());
    req.setKind("analyzer");
    req.setName("pack");
    req.setArgsList(["127.0.0.1:9"]);
    req.setEnvList(Object.entries(process.env).map(([k, v]) => `${k}=${v}`));
    const stream = host.client.runPlugin(req);

    let stdout = "";
    const waiters: Array<() => void> = [];
    stream.on("data", (msg: pb.RunPluginResponse) => {
      stdout += Buffer.from(msg.getStdout_asU8()).toString("utf8");
      for (const w of waiters.splice(0)) w();
    });
    const ended = new Promise<grpc.ServiceError | undefined>((resolve) => {
      stream.on("error", (err: grpc.ServiceError) => resolve(err));
      stream.on("end", () => resolve(undefined));
    });
    const outputMatching = async (re: RegExp) => {
      while (!re.test(stdout)) await new Promise<void>((resolve) => waiters.push(resolve));
    };

    // The engine reads the proxy's port, then talks Analyzer to it.
    await outputMatching(/^\d+\n/);
    const port = Number.parseInt(stdout, 10);
    const analyzer = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    await unary(analyzer.handshake.bind(analyzer), new analyzerPb.AnalyzerHandshakeRequest());
    const configure = new analyzerPb.AnalyzerStackConfigureRequest();
    configure.setStack("dev");
    configure.setProject("proj");
    configure.getConfigMap().set("pack:threshold", "5");
    await unary(analyzer.configureStack.bind(analyzer), configure);

    const info = await unary(analyzer.getAnalyzerInfo.bind(analyzer), new Empty());
    assert.equal(info.getName(), ["dev", "5", pack, "127.0.0.1:9", pack].join("|"));

    // The pack's own port line is the proxy's business; the rest is the user's output.
    await outputMatching(/pack is ready\n/);
    assert.equal(stdout, `${port}\npack is ready\n`);

    analyzer.close();
    stream.cancel();
    const err = await ended;
    assert.equal(err?.code, grpc.status.CANCELLED);
  });
});
