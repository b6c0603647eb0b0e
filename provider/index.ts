/**
 * The plugin's entry point. The engine starts it, reads one line from stdout (the port), and
 * talks gRPC from then on; so stdout carries the port and nothing else, and logs go to stderr.
 */
import { serve } from "./server";

async function main(): Promise<void> {
  const verbose = /^(1|true|debug)$/i.test(process.env.SMARTAG_LOG ?? "");
  const { server, port } = await serve({
    log: (line) => {
      if (verbose) process.stderr.write(`[smartag] ${line}\n`);
    },
  });
  process.stdout.write(`${port}\n`);
  const stop = () => {
    // Give in-flight calls a moment to answer, then go regardless.
    server.tryShutdown(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((e: unknown) => {
  process.stderr.write(
    `pulumi-resource-smartag: failed to start: ${e instanceof Error ? e.message : String(e)}\n`,
  );
  process.exit(1);
});
