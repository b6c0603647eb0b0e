/**
 * The plugin's entry point. The engine starts it, reads one line from stdout (the port), and
 * talks gRPC from then on; so stdout carries the port and nothing else. Log lines go to the
 * engine's Log service (engineLog.ts), and to stderr with SMARTAG_LOG=debug.
 *
 * The port is printed as soon as it is bound (see grpcServer.ts): the provider (server.ts) and
 * its protobuf stubs load with the first call.
 */
import { engineAddressFromArgs, engineLogSink } from "./engineLog";
import { listen } from "./grpcServer";
import type { SmartagProvider } from "./server";

async function main(): Promise<void> {
  let provider: SmartagProvider | undefined;
  const server = await listen(0, (path) => {
    provider ??= newProvider();
    return provider.method(path);
  });
  const stop = () => {
    // Give in-flight calls a moment to answer, then go regardless.
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  // Handlers go in before the port is printed: the engine may signal as soon as it reads the
  // port, and a signal with no handler kills the process outright.
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.stdout.write(`${server.port}\n`);
}

function newProvider(): SmartagProvider {
  const verbose = /^(1|true|debug)$/i.test(process.env.SMARTAG_LOG ?? "");
  // The engine passes its address as the last argument.
  const address = engineAddressFromArgs(process.argv.slice(2));
  const engine = address ? engineLogSink(address) : undefined;
  const { SmartagProvider } = require("./server") as typeof import("./server");
  return new SmartagProvider({
    log: (line) => {
      engine?.(line);
      // Status messages are for the engine's display only.
      if (verbose && !line.ephemeral) process.stderr.write(`[smartag] ${line.message}\n`);
    },
  });
}

main().catch((e: unknown) => {
  process.stderr.write(
    `pulumi-resource-smartag: failed to start: ${e instanceof Error ? e.message : String(e)}\n`,
  );
  process.exit(1);
});
