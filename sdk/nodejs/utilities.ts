import * as fs from "node:fs";
import * as path from "node:path";

const packageName = "pulumi-smartag";
let cachedVersion: string | undefined;

/**
 * The version of this SDK, read from its package.json. Invokes and explicit providers ask the
 * engine for the plugin of the same version, so SDK and plugin move together.
 *
 * @internal
 */
export function getVersion(): string {
  if (cachedVersion === undefined) {
    cachedVersion = readOwnPackageVersion();
  }
  return cachedVersion;
}

// Compiled code runs from bin/ (package.json one level up) while tests load the sources with
// ts-node (package.json next to them); the name check keeps us from picking up a stranger's file.
function readOwnPackageVersion(): string {
  for (const dir of [__dirname, path.dirname(__dirname)]) {
    const file = path.join(dir, "package.json");
    if (!fs.existsSync(file)) {
      continue;
    }
    const parsed: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    if (isOwnPackage(parsed)) {
      // semver has no leading "v", but npm tolerates one.
      return parsed.version.replace(/^v/, "");
    }
  }
  throw new Error(`${packageName}: cannot find its own package.json near ${__dirname}`);
}

function isOwnPackage(value: unknown): value is { name: string; version: string } {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const pkg = value as { name?: unknown; version?: unknown };
  return pkg.name === packageName && typeof pkg.version === "string";
}

/**
 * Options every invoke and explicit provider of this package starts from; the caller's options
 * are merged over them.
 *
 * @internal
 */
export function resourceOptsDefaults(): { version: string } {
  return { version: getVersion() };
}
