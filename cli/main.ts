/**
 * Entry point of smartag-stats (bin/smartag-stats loads the compiled file). Only process
 * wiring lives here: signals, streams and the exit code.
 */
import { escapeControls } from "./escape";
import { run } from "./run";
import { EXIT } from "./usage";

process.on("SIGINT", () => {
  // A progress line may be half drawn; start the message on a clean line.
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
  process.stderr.write("smartag-stats: interrupted\n");
  // Exit now: requests in flight would otherwise hold the process until their own timeout.
  process.exit(EXIT.interrupted);
});

/** The run's own exit code, once known, and whether stdout failed under it. */
let runCode: number | undefined;
let stdoutFailed = false;
function settle(): void {
  if (runCode === undefined) return;
  // A broken limit stays 3 and a failed query 1; only a clean run turns into an output error.
  process.exitCode = stdoutFailed && runCode === EXIT.ok ? EXIT.outputError : runCode;
}

process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  // `smartag-stats ... | head -1` closes stdout early; that is the reader's choice, not a crash.
  if (stdoutFailed || err.code === "EPIPE") return;
  stdoutFailed = true;
  process.stderr.write(`smartag-stats: cannot write to stdout: ${escapeControls(err.message)}\n`);
  settle();
});
// Nowhere is left to report a failing stderr; the exit code still tells.
process.stderr.on("error", () => undefined);

run({
  argv: process.argv.slice(2),
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
}).then(
  (code) => {
    runCode = code;
    settle();
  },
  (err: unknown) => {
    // A bug, not a user error: the message only, since a stack says nothing to a CI user.
    const text = err instanceof Error ? err.message : String(err);
    process.stderr.write(`smartag-stats: internal error: ${escapeControls(text)}\n`);
    runCode = EXIT.apiError;
    settle();
  },
);
