// Policy packs written with @pulumi/policy predate the Analyzer's Handshake/ConfigureStack calls:
// they expect the stack's identity and configuration in PULUMI_NODEJS_* / PULUMI_CONFIG when they
// start. The engine, though, starts an analyzer first and configures it afterwards. So, as the
// official host does, we put an Analyzer server in front: the engine talks to it, it waits for
// ConfigureStack (or any other call), only then starts the real policy pack with that
// configuration in its environment, and from there forwards every call unchanged.
//
// Forwarding is done on raw bytes, so fields newer than the stubs we were built with pass through.

import * as grpc from "@grpc/grpc-js";
import { AnalyzerService } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { AnalyzerStackConfigureRequest } from "@pulumi/pulumi/proto/analyzer_pb";

export interface StackConfiguration {
  organization: string;
  project: string;
  stack: string;
  dryRun: boolean;
  config: Record<string, string>;
  configSecretKeys: string[];
}

const identity = (b: Buffer) => b;
const empty = Buffer.alloc(0);

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Nobody may be waiting when the proxy is torn down; that must not crash the host.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

export class PolicyProxy {
  private readonly configuration = deferred<Buffer | undefined>();
  private readonly client = deferred<grpc.Client>();
  private attachedClient: grpc.Client | undefined;

  private constructor(
    private readonly server: grpc.Server,
    readonly port: number,
  ) {}

  static async start(): Promise<PolicyProxy> {
    const server = new grpc.Server();
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
        err ? reject(err) : resolve(p),
      ),
    );
    const proxy = new PolicyProxy(server, port);
    proxy.registerHandlers();
    return proxy;
  }

  private registerHandlers() {
    for (const method of Object.values(AnalyzerService)) {
      const name = method.path.slice(method.path.lastIndexOf("/") + 1);
      const handler: grpc.handleUnaryCall<Buffer, Buffer> = (call, callback) => {
        if (name === "Handshake") {
          callback(null, empty);
        } else if (name === "ConfigureStack") {
          this.configuration.resolve(call.request);
          callback(null, empty);
        } else {
          // Some commands (e.g. `pulumi policy publish`) never configure a stack: start unconfigured.
          this.configuration.resolve(undefined);
          this.client.promise.then(
            (client) =>
              client.makeUnaryRequest(
                method.path,
                identity,
                identity,
                call.request,
                call.metadata,
                (err, res) => (err ? callback(err) : callback(null, res ?? empty)),
              ),
            (err: Error) =>
              callback({
                code: grpc.status.UNAVAILABLE,
                details: `policy pack not started: ${err.message}`,
              }),
          );
        }
      };
      this.server.register(method.path, handler, identity, identity, "unary");
    }
  }

  /** Resolves once the engine has configured the stack (undefined if it went straight to work). */
  async awaitConfiguration(): Promise<StackConfiguration | undefined> {
    const raw = await this.configuration.promise;
    if (!raw) return undefined;
    const req = AnalyzerStackConfigureRequest.deserializeBinary(raw);
    const config: Record<string, string> = {};
    req.getConfigMap().forEach((value, key) => {
      config[key] = value;
    });
    return {
      organization: req.getOrganization(),
      project: req.getProject(),
      stack: req.getStack(),
      dryRun: req.getDryRun(),
      config,
      configSecretKeys: req.getConfigSecretKeysList(),
    };
  }

  /** Connects to the real policy pack and replays the configuration it missed. */
  async attach(address: string): Promise<void> {
    const client = new grpc.Client(address, grpc.credentials.createInsecure());
    this.attachedClient = client;
    const raw = await this.configuration.promise;
    if (raw) {
      try {
        await new Promise<void>((resolve, reject) =>
          client.makeUnaryRequest(
            "/pulumirpc.Analyzer/ConfigureStack",
            identity,
            identity,
            raw,
            (err) => (err ? reject(err) : resolve()),
          ),
        );
      } catch (err) {
        // Older policy packs have no ConfigureStack: they already got it all from the environment.
        if ((err as grpc.ServiceError).code !== grpc.status.UNIMPLEMENTED) {
          const e = new Error(`policy pack configuration failed: ${(err as Error).message}`);
          this.client.reject(e);
          throw e;
        }
      }
    }
    this.client.resolve(client);
  }

  abort(err: Error): void {
    this.configuration.reject(err);
    this.client.reject(new Error(`policy pack failed to start: ${err.message}`));
  }

  shutdown(): void {
    this.abort(new Error("the policy pack has exited"));
    this.attachedClient?.close();
    this.server.forceShutdown();
  }
}
