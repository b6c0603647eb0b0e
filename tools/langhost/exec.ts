import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import * as path from "node:path";

/** Like exec.LookPath: the first executable with this name on PATH. */
export function findExecutable(name: string, envPath = process.env.PATH ?? ""): string | undefined {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}

/** `<tool> --version`, trimmed; undefined when the tool is missing or fails. */
export function toolVersion(tool: string, cwd: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(tool, ["--version"], { cwd, timeout: 30_000 }, (err, stdout) =>
      resolve(err ? undefined : stdout.trim()),
    );
  });
}
