/**
 * The release version is written once, as provider/schema.json's `version`. The SDKs are generated
 * with it; the workspace packages and their references carry it too, and must agree.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";

const LIMITS = "@pulumi-smartag/limits";
const CLIENT = "@pulumi-smartag/client";

/** The value at `keys` inside a JSON file of the repository, or undefined. */
function read(repo: string, file: string, ...keys: string[]): unknown {
  let value: unknown = JSON.parse(readFileSync(path.join(repo, file), "utf8"));
  for (const key of keys) value = (value as Record<string, unknown> | undefined)?.[key];
  return value;
}

export function releaseVersion(repo: string): string {
  return String(read(repo, "provider/schema.json", "version"));
}

/** Each place whose version differs from the schema's, as a line naming the file and field. */
export function versionMismatches(repo: string): string[] {
  const version = releaseVersion(repo);
  const pyproject = readFileSync(path.join(repo, "sdk/python/pyproject.toml"), "utf8");
  const places: [string, unknown][] = [
    ["package.json version", read(repo, "package.json", "version")],
    [`package.json dependencies["${CLIENT}"]`, read(repo, "package.json", "dependencies", CLIENT)],
    [`package.json dependencies["${LIMITS}"]`, read(repo, "package.json", "dependencies", LIMITS)],
    ["client/package.json version", read(repo, "client/package.json", "version")],
    ["limits/package.json version", read(repo, "limits/package.json", "version")],
    [
      `provider/schema.json language.nodejs.dependencies["${LIMITS}"]`,
      read(repo, "provider/schema.json", "language", "nodejs", "dependencies", LIMITS),
    ],
    ["sdk/nodejs/package.json version", read(repo, "sdk/nodejs/package.json", "version")],
    [
      "sdk/nodejs/package.json pulumi.version",
      read(repo, "sdk/nodejs/package.json", "pulumi", "version"),
    ],
    ["sdk/python/pyproject.toml version", /^\s*version = "([^"]*)"/m.exec(pyproject)?.[1]],
    [
      "sdk/go/smartag/pulumi-plugin.json version",
      read(repo, "sdk/go/smartag/pulumi-plugin.json", "version"),
    ],
  ];
  return places
    .filter(([, value]) => value !== version)
    .map(([where, value]) => `${where} is ${JSON.stringify(value)}, not ${version}`);
}
