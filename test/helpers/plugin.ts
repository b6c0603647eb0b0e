/**
 * Talks to the provider plugin the way the engine does: spawn the built executable, read the
 * port from its first stdout line, then call it over gRPC.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as providerGrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as structPb from "google-protobuf/google/protobuf/struct_pb";

export const REPO = path.resolve(__dirname, "..", "..");
export const PLUGIN_BIN = path.join(REPO, "bin", "pulumi-resource-smartag");

export interface RunningPlugin {
  client: providerGrpc.ResourceProviderClient;
  port: number;
  process: ChildProcess;
  /** Everything the plugin wrote to stdout and stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Calls a unary method and resolves with its response (or rejects with the gRPC error). */
  call<Res>(method: string, request: unknown): Promise<Res>;
  stop(): Promise<number | null>;
}

/**
 * Starts bin/pulumi-resource-smartag, or `executable` (an installed plugin) when given, with
 * `engine` as the engine's address (by default one where nothing listens).
 */
export async function startPlugin(
  env: NodeJS.ProcessEnv = {},
  executable?: string,
  engine = "127.0.0.1:1",
): Promise<RunningPlugin> {
  const [command, args] = executable
    ? [executable, [engine]]
    : [process.execPath, [PLUGIN_BIN, engine]];
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n") && line !== undefined) resolve(Number(line));
    });
    child.once("exit", (code) =>
      reject(new Error(`plugin exited (${code}) before printing its port: ${err}`)),
    );
  });
  const client = new providerGrpc.ResourceProviderClient(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
  );
  return {
    client,
    port,
    process: child,
    stdout: () => out,
    stderr: () => err,
    call<Res>(method: string, request: unknown) {
      return new Promise<Res>((resolve, reject) => {
        type Unary = (req: unknown, cb: (e: grpc.ServiceError | null, res: Res) => void) => void;
        const fn = (client as unknown as Record<string, Unary | undefined>)[method];
        if (!fn) throw new Error(`no such method ${method}`);
        fn.call(client, request, (e: grpc.ServiceError | null, res: Res) =>
          e ? reject(e) : resolve(res),
        );
      });
    },
    async stop() {
      client.close();
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const [code] = await once(child, "exit");
      return code as number | null;
    },
  };
}

export function struct(value: Record<string, unknown>): structPb.Struct {
  return structPb.Struct.fromJavaScript(value as Record<string, structPb.JavaScriptValue>);
}
