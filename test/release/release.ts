/**
 * Shared by the release tests: the artifacts `npm run dist` wrote, a loopback server for them, and
 * a Pulumi environment that can reach nothing of this checkout but the CLI and its language hosts.
 */
import { existsSync, promises as fs } from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { releaseVersion } from "../../scripts/release/versions";
import { pulumiEnvironment, repoRoot, toolsBin } from "../helpers/pulumiCli";

export const releaseDir = path.join(repoRoot, "dist-release");
export const version = releaseVersion(repoRoot);

/** This machine's platform in the plugin tarballs' names (linux-amd64, darwin-arm64, ...). */
export const platform = `${process.platform}-${process.arch === "x64" ? "amd64" : process.arch}`;

export function artifact(name: string): string {
  const file = path.join(releaseDir, name);
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run \`npm run dist\` (npm test runs it first)`);
  }
  return file;
}

export const pluginTarball = (p = platform) =>
  artifact(`pulumi-resource-smartag-v${version}-${p}.tar.gz`);

export interface ReleaseServer {
  url: string;
  /** Paths requested so far, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves dist-release/ on 127.0.0.1, as a release page would. */
export async function serveRelease(): Promise<ReleaseServer> {
  const requests: string[] = [];
  const server = http.createServer(async (req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname.slice(1));
    requests.push(`/${name}`);
    try {
      if (name.includes("/")) throw new Error("no folders");
      const body = await fs.readFile(path.join(releaseDir, name));
      res.writeHead(200, { "content-length": body.length }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface Scratch {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** The file backend's state and PULUMI_HOME (logs, plugins), as text: no secret belongs there. */
  written(): Promise<string>;
  cleanup(): Promise<void>;
}

async function textBelow(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile())
      parts.push(await fs.readFile(path.join(entry.parentPath, entry.name), "utf8"));
  }
  return parts.join("\n");
}

/**
 * A fresh temporary folder with its own PULUMI_HOME and file backend. PATH keeps .tools/bin (the
 * CLI and language hosts) and drops every other folder of the checkout, so no plugin of ours is
 * found there.
 */
export async function scratch(extra: Record<string, string> = {}): Promise<Scratch> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "smartag-release-"));
  const home = path.join(dir, "home");
  const stateDir = path.join(dir, "state");
  await fs.mkdir(home);
  await fs.mkdir(stateDir);
  const outside = (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((p) => p !== "" && path.relative(repoRoot, p).startsWith(".."));
  const env = pulumiEnvironment(
    { stateDir, home, passphrase: "release-passphrase" },
    { PATH: [toolsBin, ...outside].join(path.delimiter), ...extra },
  );
  return {
    dir,
    env,
    written: async () => `${await textBelow(stateDir)}\n${await textBelow(home)}`,
    cleanup: () => fs.rm(dir, { recursive: true, force: true }),
  };
}
