/**
 * Entry point of smartag-stats (bin/smartag-stats loads the compiled file). Only process
 * wiring lives here: signals, streams and the exit code.
 */
import { run } from "./run";
import { EXIT } from "./usage";

process.on("SIGINT", () => {
  // A progress line may be half drawn; start the message on a clean line.
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
  process.stderr.write("smartag-stats: interrupted\n");
  // Exit now: requests in flight would otherwise hold the process until their own timeout.
  process.exit(EXIT.interrupted);
});

// `smartag-stats ... | head -1` closes stdout early; that is the reader's choice, not a crash.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? EXIT.ok);
  throw err;
});

run({
  argv: process.argv.slice(2),
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // A bug, not a user error: the message only, since a stack says nothing to a CI user.
    process.stderr.write(
      `smartag-stats: internal error: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exitCode = EXIT.apiError;
  },
);
