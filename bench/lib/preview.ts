/**
 * `pulumi preview` of small JavaScript programs with the pinned CLI (.tools/bin), a throwaway
 * file backend and PULUMI_HOME, into which a release's plugin tarball can be installed. Programs live two levels below the repository (like examples/)
 * so Node finds @pulumi/pulumi, pulumi-smartag and @pulumi-smartag/client in its node_modules.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { releaseVersion } from "../../scripts/release/versions";
import { REPO } from "./proc";

export const PULUMI = path.join(REPO, ".tools", "bin", "pulumi");

export interface PreviewProject {
  /** Runs `pulumi preview` once; resolves with its wall time and stdout. */
  preview(): Promise<{ wallMs: number; stdout: string }>;
  remove(): void;
}

/** Why previews cannot run here, or undefined when they can. */
export function previewSkipReason(): string | undefined {
  if (!existsSync(PULUMI)) return `${PULUMI} is missing (run \`npm run tools:pulumi\`)`;
  if (!existsSync(path.join(REPO, "sdk", "nodejs", "bin", "index.js"))) {
    return "the Node.js SDK is not built (run `npm run build`)";
  }
  return undefined;
}

function run(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv) {
  return new Promise<{ wallMs: number; stdout: string }>((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(PULUMI, [...args, "--non-interactive", "--color", "never"], { cwd, env });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    // A hang guard, not a time limit: a preview here takes seconds.
    const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
    child.once("close", (code) => {
      clearTimeout(timer);
      const wallMs = performance.now() - t0;
      if (code === 0) resolve({ wallMs, stdout: out });
      else reject(new Error(`pulumi ${args.join(" ")} failed (${code}):\n${out.slice(-3000)}`));
    });
  });
}

const outsideRepo = (PATH = "") =>
  PATH.split(":").filter((p) => p !== "" && path.relative(REPO, p).startsWith(".."));

/**
 * A project whose index.js is `program`, with a stack `bench`; env reaches the program. With
 * `plugin` (a release tarball), that plugin is installed with `pulumi plugin install`.
 */
export async function previewProject(
  name: string,
  program: string,
  env: Record<string, string>,
  plugin?: string,
): Promise<PreviewProject> {
  const parent = path.join(REPO, ".bench-preview");
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, `${name}-`));
  const home = mkdtempSync(path.join(os.tmpdir(), "smartag-bench-pulumi-"));
  const remove = () => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
    try {
      rmdirSync(parent); // only once the last project is gone
    } catch {}
  };
  writeFileSync(path.join(dir, "Pulumi.yaml"), `name: ${name}\nruntime: nodejs\n`);
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, main: "index.js" }));
  writeFileSync(path.join(dir, "index.js"), program);
  mkdirSync(path.join(home, "state"));
  const fullEnv: NodeJS.ProcessEnv = {
    // The CLI and our language host, and no other folder of the checkout (bin/, node_modules/.bin
    // under `npm run`), whose plugin would win over the installed one.
    PATH: [path.join(REPO, ".tools", "bin"), ...outsideRepo(process.env.PATH)].join(":"),
    HOME: home,
    PULUMI_HOME: path.join(home, ".pulumi"),
    PULUMI_BACKEND_URL: `file://${path.join(home, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "bench",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    // The plugin is installed; never let a miss turn into a download attempt that is timed.
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    ...env,
  };
  try {
    await run(["stack", "init", "bench"], dir, fullEnv);
    if (plugin) {
      const version = releaseVersion(REPO);
      await run(
        ["plugin", "install", "resource", "smartag", version, "--file", plugin],
        dir,
        fullEnv,
      );
    }
  } catch (e) {
    remove();
    throw e;
  }
  return { preview: () => run(["preview", "--stack", "bench"], dir, fullEnv), remove };
}
