// Entry point of our `pulumi-language-nodejs`. The engine execs it with Go-style flags and its own
// gRPC address, reads one line from stdout (our port), and talks gRPC from then on. So stdout gets
// exactly that line; all else goes to stderr, and only when the user asked for plugin logs.
//
// Start-up is on the critical path of every `pulumi` command, so this file loads only grpc-js and
// the generated stubs, never the @pulumi/pulumi entry point.

import * as grpc from "@grpc/grpc-js";
import { LanguageRuntimeService } from "@pulumi/pulumi/proto/language_grpc_pb";
import { parseFlags } from "./flags";
import { debug, setVerbosity } from "./log";
import { NodeLanguageHost } from "./server";

// The engine allows messages up to 400 MiB (large stack states, big configs); match it.
const maxMessageBytes = 400 * 1024 * 1024;
const defaultHealthCheckMs = 5 * 60 * 1000;

function sdkVersion(): string {
  // The protocol we speak is the one of the SDK we were built against.
  return (require("@pulumi/pulumi/package.json") as { version: string }).version;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  if (flags.showVersion) {
    process.stdout.write(`${sdkVersion()}\n`);
    return;
  }
  if (flags.logToStderr) setVerbosity(flags.verbosity);
  if (flags.runtime !== "nodejs") {
    process.stderr.write(`pulumi-language-nodejs: unsupported runtime: ${flags.runtime}\n`);
    process.exitCode = 1;
    return;
  }
  for (const flag of flags.unknown) debug(1, `ignoring unknown flag ${flag}`);

  const server = new grpc.Server({
    "grpc.max_receive_message_length": maxMessageBytes,
    "grpc.max_send_message_length": maxMessageBytes,
  });
  let shuttingDown = false;
  const shutdown = () => {
    if (shuttingDown) return;
    shuttingDown = true;
    host.close();
    server.forceShutdown();
    // Children still running keep the event loop (and so us) alive until they have exited.
  };
  const host = new NodeLanguageHost({
    engineAddress: flags.engineAddress,
    tracing: flags.tracing,
    version: sdkVersion(),
    healthCheckIntervalMs:
      Number(process.env.PULUMI_LANGHOST_HEALTHCHECK_INTERVAL_MS) || defaultHealthCheckMs,
    onEngineGone: shutdown,
  });
  server.addService(LanguageRuntimeService, host.implementation());

  // The engine stops plugins with SIGINT to their process group, then SIGKILL after 5 s.
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  process.stdout.write(`${port}\n`);
  debug(3, `listening on 127.0.0.1:${port}; engine ${flags.engineAddress || "(via Handshake)"}`);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `pulumi-language-nodejs: could not start the language host: ${err instanceof Error ? err.message : err}\n`,
  );
  process.exitCode = 1;
});
