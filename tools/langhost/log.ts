// The engine shows everything a language host writes to stderr to the user, and reads the port
// from stdout. So diagnostics stay silent unless the user asked for plugin logs (`pulumi -v=N
// --logflow --logtostderr`), and they never touch stdout.

let verbosity = 0;

export function setVerbosity(level: number): void {
  verbosity = level;
}

export function debug(level: number, message: string): void {
  if (verbosity >= level) {
    process.stderr.write(`pulumi-language-nodejs: ${message}\n`);
  }
}
