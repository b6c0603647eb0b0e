/**
 * `npm run dist` (after `npm run build`): writes dist-release/ with everything a release ships, all
 * of the one version in provider/schema.json: the plugin tarballs `pulumi plugin install` takes, the
 * Node.js SDK and the limits package it depends on as npm tarballs, the Python wheel and sdist, the
 * Go SDK, and checksums.txt.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stagePlugin } from "./release/bundle";
import { releaseVersion, versionMismatches } from "./release/versions";

const repo = path.resolve(__dirname, "..");
const out = path.join(repo, "dist-release");

/** The platforms Pulumi names plugin tarballs for; the bundle runs on any of them. */
const PLATFORMS = ["linux-amd64", "linux-arm64", "darwin-amd64", "darwin-arm64"] as const;

function run(command: string, args: string[], cwd = repo): void {
  execFileSync(command, args, { cwd, stdio: ["ignore", 2, 2] });
}

async function pluginTarballs(version: string): Promise<void> {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "smartag-plugin-"));
  try {
    await stagePlugin(repo, stage);
    for (const platform of PLATFORMS) {
      const tarball = path.join(out, `pulumi-resource-smartag-v${version}-${platform}.tar.gz`);
      run("tar", [
        "-czf",
        tarball,
        "-C",
        stage,
        "pulumi-resource-smartag",
        "pulumi-resource-smartag.js",
      ]);
    }
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

// The wheel is built from a copy, so no build/ or egg-info lands in the checkout.
function pythonPackages(): void {
  run("sh", ["scripts/python-venv.sh"]);
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), "smartag-python-"));
  try {
    fs.cpSync(path.join(repo, "sdk/python"), copy, {
      recursive: true,
      filter: (src) => !/(__pycache__|\.egg-info|[/\\]build)$/.test(src),
    });
    const python = path.join(repo, ".venv/sdk/bin/python");
    run(python, ["-m", "build", "--no-isolation", "--outdir", out, copy]);
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
}

function checksums(): void {
  const lines = fs
    .readdirSync(out)
    .filter((name) => name !== "checksums.txt")
    .sort()
    .map((name) => {
      const digest = createHash("sha256").update(fs.readFileSync(path.join(out, name)));
      return `${digest.digest("hex")}  ${name}\n`;
    });
  fs.writeFileSync(path.join(out, "checksums.txt"), lines.join(""));
}

async function main(): Promise<void> {
  const mismatches = versionMismatches(repo);
  if (mismatches.length > 0) {
    throw new Error(
      `versions disagree with provider/schema.json (change the schema's version, run ` +
        `\`npm run gen:sdk\`, and set the same version in the package.json files):\n  ${mismatches.join("\n  ")}`,
    );
  }
  const version = releaseVersion(repo);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out);
  await pluginTarballs(version);
  run("npm", ["pack", "--silent", "--pack-destination", out, "./sdk/nodejs/bin", "./limits"]);
  pythonPackages();
  const go = `pulumi-smartag-go-sdk-v${version}.tar.gz`;
  run("tar", ["-czf", path.join(out, go), "-C", "sdk/go", "go.mod", "go.sum", "smartag"]);
  checksums();
  process.stderr.write(`dist: ${fs.readdirSync(out).length} files in ${out}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`dist: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
