// Starts our language host the way the engine does (exec the executable, engine address as the
// last argument, first stdout line is the port) and gives tests a gRPC client for it.

import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { LanguageRuntimeClient } from "@pulumi/pulumi/proto/language_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/language_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

export const repoRoot = path.resolve(__dirname, "..", "..");
export const hostExecutable = path.join(repoRoot, "tools", "langhost", "pulumi-language-nodejs");
export const fixtures = path.join(__dirname, "fixtures");

export interface HostProcess {
  child: ChildProcessWithoutNullStreams;
  port: number;
  client: LanguageRuntimeClient;
  /** Everything written to stdout so far, including the port line. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once the host has exited. */
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

export async function startHost(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<HostProcess> {
  const child = spawn(hostExecutable, args, { env, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => {
    out += s;
  });
  child.stderr.setEncoding("utf8").on("data", (s: string) => {
    err += s;
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  while (!out.includes("\n")) {
    const [ended] = await Promise.race([
      once(child.stdout, "data").then(() => [false]),
      exited.then(() => [true]),
    ]);
    if (ended && !out.includes("\n")) {
      throw new Error(`language host exited before printing its port; stderr:\n${err}`);
    }
  }
  const port = Number.parseInt(out.slice(0, out.indexOf("\n")), 10);
  const client = new LanguageRuntimeClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return {
    child,
    port,
    client,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop() {
      client.close();
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
      return exited;
    },
  };
}

type Callback<Res> = (err: grpc.ServiceError | null, res: Res) => void;

/**
 * Promisified unary call: `await unary(client.about.bind(client), req)`. Typed against the last
 * overload of the generated methods, the one TypeScript infers from.
 */
export function unary<Req, Res>(
  method: (
    req: Req,
    metadata: grpc.Metadata,
    options: Partial<grpc.CallOptions>,
    callback: Callback<Res>,
  ) => unknown,
  req: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(req, new grpc.Metadata(), {}, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

export function programInfo(
  programDirectory: string,
  options: Record<string, unknown> = {},
  entryPoint = ".",
): pb.ProgramInfo {
  const info = new pb.ProgramInfo();
  info.setRootDirectory(programDirectory);
  info.setProgramDirectory(programDirectory);
  info.setEntryPoint(entryPoint);
  info.setOptions(Struct.fromJavaScript(options as Record<string, never>));
  return info;
}

export interface StreamResult {
  stdout: string;
  stderr: string;
  exitCode: number | undefined;
}

/** Collects a RunPlugin stream until the host ends it. */
export function collectPluginStream(
  stream: grpc.ClientReadableStream<pb.RunPluginResponse>,
): Promise<StreamResult> {
  const result: StreamResult = { stdout: "", stderr: "", exitCode: undefined };
  return new Promise((resolve, reject) => {
    stream.on("data", (msg: pb.RunPluginResponse) => {
      const out = msg.getStdout_asU8();
      const err = msg.getStderr_asU8();
      if (out.length > 0) result.stdout += Buffer.from(out).toString("utf8");
      if (err.length > 0) result.stderr += Buffer.from(err).toString("utf8");
      if (msg.getOutputCase() === pb.RunPluginResponse.OutputCase.EXITCODE) {
        result.exitCode = msg.getExitcode();
      }
    });
    stream.on("error", reject);
    stream.on("end", () => resolve(result));
  });
}
