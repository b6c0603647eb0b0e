/**
 * The provider plugin as the engine sees it: spawn the built executable, read the port line,
 * talk gRPC. (test/helpers/plugin.ts does the same for tests; it locates the repository from
 * its own folder, which does not hold once the bench is compiled to dist/bench.)
 */
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as providerGrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import * as emptyPb from "google-protobuf/google/protobuf/empty_pb";
import * as structPb from "google-protobuf/google/protobuf/struct_pb";
import { REPO, type Started, spawnUntilLine } from "./proc";

export const PLUGIN_BIN = path.join(REPO, "bin", "pulumi-resource-smartag");
export const TOKEN = "smartag:index:getUserOnlineClientStatistics";

export function struct(value: Record<string, unknown>): structPb.Struct {
  return structPb.Struct.fromJavaScript(value as Record<string, structPb.JavaScriptValue>);
}

/** Spawns the plugin and resolves once it printed its port; startMs is spawn to port line. */
export function spawnPlugin(): Promise<Started> {
  return spawnUntilLine([PLUGIN_BIN, "127.0.0.1:1"]);
}

export class PluginClient {
  private readonly client: providerGrpc.ResourceProviderClient;

  private constructor(
    readonly started: Started,
    readonly port: number,
  ) {
    this.client = new providerGrpc.ResourceProviderClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
      { "grpc.max_receive_message_length": 1 << 30 },
    );
  }

  static async start(): Promise<PluginClient> {
    const started = await spawnPlugin();
    const port = Number(started.line);
    if (!Number.isInteger(port) || port <= 0) {
      await started.stop();
      throw new Error(`unexpected plugin output: ${started.line}`);
    }
    return new PluginClient(started, port);
  }

  get pid(): number {
    return this.started.child.pid ?? -1;
  }

  configure(args: Record<string, unknown>): Promise<providerPb.ConfigureResponse> {
    const req = new providerPb.ConfigureRequest().setArgs(struct(args)).setAcceptsecrets(true);
    return new Promise((resolve, reject) =>
      this.client.configure(req, (e, res) => (e ? reject(e) : resolve(res))),
    );
  }

  /** Invokes the statistics function; rejects on a gRPC error or returned failures. */
  invoke(args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const req = new providerPb.InvokeRequest().setTok(TOKEN).setArgs(struct(args));
    return new Promise((resolve, reject) =>
      this.client.invoke(req, (e, res) => {
        if (e) return reject(e);
        const failures = res.getFailuresList();
        if (failures.length > 0) {
          return reject(
            new Error(`invoke failed: ${failures.map((f) => f.getReason()).join("; ")}`),
          );
        }
        resolve(res.getReturn()?.toJavaScript() ?? {});
      }),
    );
  }

  /** GetPluginInfo: a gRPC round trip that does no work in the plugin. */
  pluginInfo(): Promise<unknown> {
    return new Promise((resolve, reject) =>
      this.client.getPluginInfo(new emptyPb.Empty(), (e, res) => (e ? reject(e) : resolve(res))),
    );
  }

  async stop(): Promise<void> {
    this.client.close();
    await this.started.stop();
  }
}
