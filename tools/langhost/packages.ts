// What a program depends on, read from the file system rather than from a package manager:
// - plugin packages: every package.json under a node_modules below the program directory that
//   says `"pulumi": {"resource": true}` (the engine installs/loads those providers up front);
// - program dependencies for `pulumi about`: the installed versions of what package.json lists.
// Like the official host, the plugin scan only looks *below* the program directory; a package
// reachable only through a parent's node_modules is loaded lazily by the engine instead.

import { existsSync, promises as fs, readFileSync } from "node:fs";
import * as path from "node:path";
import type { PackageManager } from "./options";

export interface PluginPackage {
  name: string;
  kind: "resource";
  version: string;
  server: string;
  parameterization?: { name: string; version: string; value: Uint8Array };
}

export interface PluginScan {
  packages: PluginPackage[];
  /** package.json path -> version, for every @pulumi/pulumi found: mixing majors breaks programs. */
  pulumiVersions: Map<string, string>;
  errors: string[];
}

interface PulumiSection {
  resource?: boolean;
  name?: string;
  version?: string;
  server?: string;
  parameterization?: { name?: string; version?: string; value?: string };
}

interface PackageJson {
  name?: string;
  version?: string;
  pulumi?: PulumiSection;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export async function scanPluginPackages(programDirectory: string): Promise<PluginScan> {
  const scan: PluginScan = { packages: [], pulumiVersions: new Map(), errors: [] };
  await walk(path.resolve(programDirectory), false, new Set(), scan);
  return scan;
}

async function walk(dir: string, inNodeModules: boolean, visited: Set<string>, scan: PluginScan) {
  let real: string;
  try {
    real = await fs.realpath(dir);
  } catch (err) {
    scan.errors.push(`resolving ${dir}: ${(err as Error).message}`);
    return;
  }
  if (visited.has(real)) return;
  visited.add(real);

  let entries: import("node:fs").Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    scan.errors.push(`reading plugin dir ${dir}: ${(err as Error).message}`);
    return;
  }
  const below = inNodeModules || path.basename(dir) === "node_modules";
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    let isDir = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      try {
        isDir = (await fs.stat(full)).isDirectory();
      } catch {
        continue; // dangling links are common in node_modules/.bin; they hold no packages
      }
    }
    if (isDir) {
      if (entry.name === ".git") continue;
      // A nested policy pack's plugins belong to the pack, not to this program.
      if (existsSync(path.join(full, "PulumiPolicy.yaml"))) continue;
      await walk(full, below, visited, scan);
    } else if (inNodeModules && entry.name === "package.json") {
      await readPluginPackage(full, scan);
    }
  }
}

async function readPluginPackage(file: string, scan: PluginScan) {
  let info: PackageJson;
  try {
    info = JSON.parse(await fs.readFile(file, "utf8")) as PackageJson;
  } catch (err) {
    scan.errors.push(`unmarshaling package.json ${file}: ${(err as Error).message}`);
    return;
  }
  if (info.name === "@pulumi/pulumi" && typeof info.version === "string") {
    scan.pulumiVersions.set(file, info.version);
  }
  const section = info.pulumi;
  if (!section?.resource) return;
  let name = section.name;
  if (!name) {
    if (info.name?.startsWith("@pulumi/")) {
      name = info.name.slice("@pulumi/".length);
    } else {
      scan.errors.push(
        `Missing property "name" for the third-party plugin '${info.name}' inside package.json under the "pulumi" section.`,
      );
      return;
    }
  }
  let version = section.version || info.version;
  if (!version) {
    scan.errors.push(`Missing expected "version" property in ${file}`);
    return;
  }
  if (!version.startsWith("v")) version = `v${version}`;
  const pkg: PluginPackage = { name, kind: "resource", version, server: section.server ?? "" };
  if (section.parameterization) {
    pkg.parameterization = {
      name: section.parameterization.name ?? "",
      version: section.parameterization.version ?? "",
      // Go marshals []byte as base64 in JSON, and package.json files are written by Go codegen.
      value: Buffer.from(section.parameterization.value ?? "", "base64"),
    };
  }
  scan.packages.push(pkg);
}

/** Same rule as the official host: beyond major 2 the majors must match. */
export function incompatiblePulumiVersions(versions: Map<string, string>): string | undefined {
  const list = [...versions.entries()];
  const first = list[0];
  if (!first) return undefined;
  const major = (v: string) => Number.parseInt(v.split(".")[0] ?? "", 10);
  for (const [file, version] of list.slice(1)) {
    const a = major(first[1]);
    const b = major(version);
    if ((a > 2 || b > 2) && a !== b) {
      return (
        "Found incompatible versions of @pulumi/pulumi. Differing major versions are not supported.\n" +
        `  Version ${first[1]} referenced at ${first[0]}\n  Version ${version} referenced at ${file}\n`
      );
    }
  }
  return undefined;
}

export interface Dependency {
  name: string;
  version: string;
}

/** Installed versions of the program's declared dependencies, optionally with theirs. */
export async function programDependencies(
  programDirectory: string,
  transitive: boolean,
): Promise<Dependency[]> {
  const manifest = findUp(path.resolve(programDirectory), "package.json");
  if (!manifest) throw new Error(`no package.json found in or above ${programDirectory}`);
  const root = JSON.parse(await fs.readFile(manifest, "utf8")) as PackageJson;
  const result: Dependency[] = [];
  const seen = new Set<string>();
  const queue: Array<{ name: string; from: string }> = Object.keys({
    ...root.dependencies,
    ...root.devDependencies,
  }).map((name) => ({ name, from: path.dirname(manifest) }));
  while (queue.length > 0) {
    const { name, from } = queue.shift() as { name: string; from: string };
    const installed = findInstalled(from, name);
    if (!installed) continue;
    const key = `${name}@${installed.dir}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push({ name, version: installed.json.version ?? "" });
    if (transitive) {
      for (const dep of Object.keys(installed.json.dependencies ?? {})) {
        queue.push({ name: dep, from: installed.dir });
      }
    }
  }
  return result;
}

function findInstalled(from: string, name: string): { dir: string; json: PackageJson } | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name, "package.json");
    if (existsSync(candidate)) {
      try {
        const json = JSON.parse(readFileSync(candidate, "utf8")) as PackageJson;
        return { dir: path.dirname(candidate), json };
      } catch {
        return undefined;
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

export function findUp(start: string, name: string): string | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, name);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

const lockFiles: Array<[string, PackageManager]> = [
  ["bun.lockb", "bun"],
  ["bun.lock", "bun"],
  ["pnpm-lock.yaml", "pnpm"],
  ["yarn.lock", "yarn"],
  ["package-lock.json", "npm"],
];

/** `auto` means: whichever lock file sits nearest above the program, else npm. */
export function resolvePackageManager(
  choice: PackageManager | "auto",
  programDirectory: string,
): PackageManager {
  if (choice !== "auto") return choice;
  for (let dir = path.resolve(programDirectory); ; dir = path.dirname(dir)) {
    for (const [file, pm] of lockFiles) {
      if (existsSync(path.join(dir, file))) return pm;
    }
    if (path.dirname(dir) === dir) return "npm";
  }
}

/**
 * The nearest package.json above the program and which of its dependencies cannot be found by
 * Node's lookup. An empty `missing` list means a program can run without installing anything.
 */
export async function missingDependencies(
  programDirectory: string,
): Promise<{ manifest: string | undefined; missing: string[] }> {
  const manifest = findUp(path.resolve(programDirectory), "package.json");
  if (!manifest) return { manifest, missing: [] };
  const json = JSON.parse(await fs.readFile(manifest, "utf8")) as PackageJson;
  const names = Object.keys({ ...json.dependencies, ...json.devDependencies });
  const missing = names.filter((name) => !findInstalled(path.dirname(manifest), name));
  return { manifest, missing };
}
