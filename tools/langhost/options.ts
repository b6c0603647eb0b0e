// Runtime options come from `runtime.options` in Pulumi.yaml / PulumiPlugin.yaml and reach us as a
// protobuf Struct inside ProgramInfo. The official host accepts exactly these four keys; we keep
// the same names, defaults and error messages so a project behaves the same under either host.

export type PackageManager = "npm" | "yarn" | "pnpm" | "bun";

export interface NodeOptions {
  typescript: boolean;
  tsconfigPath: string;
  nodeArgs: string[];
  packageManager: PackageManager | "auto";
}

const packageManagers: readonly string[] = ["auto", "npm", "yarn", "pnpm", "bun"];

export function parseOptions(raw: Record<string, unknown> | undefined): NodeOptions {
  const options: NodeOptions = {
    typescript: true,
    tsconfigPath: "",
    nodeArgs: [],
    packageManager: "auto",
  };
  if (!raw) return options;
  if ("typescript" in raw) {
    if (typeof raw.typescript !== "boolean") throw new Error("typescript option must be a boolean");
    options.typescript = raw.typescript;
  }
  if ("tsconfig" in raw) {
    if (typeof raw.tsconfig !== "string") throw new Error("tsconfigpath option must be a string");
    options.tsconfigPath = raw.tsconfig;
  }
  if ("nodeargs" in raw) {
    if (typeof raw.nodeargs !== "string") throw new Error("nodeargs option must be a string");
    options.nodeArgs = splitShellWords(raw.nodeargs);
  }
  if ("packagemanager" in raw) {
    const pm = raw.packagemanager;
    if (typeof pm !== "string") throw new Error("packagemanager option must be a string");
    if (!packageManagers.includes(pm)) {
      throw new Error(
        `packagemanager option must be one of auto, npm, yarn, pnpm or bun, got "${pm}"`,
      );
    }
    options.packageManager = pm as NodeOptions["packageManager"];
  }
  return options;
}

/**
 * Splits `nodeargs` the way a POSIX shell would (quotes and backslashes), because users write it
 * as they would on a command line, e.g. `--max-old-space-size=4096 --title "my program"`.
 */
export function splitShellWords(input: string): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < input.length; i++) {
    const c = input[i] as string;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else current += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && i + 1 < input.length && '"\\$`'.includes(input[i + 1] as string)) {
        current += input[++i];
      } else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < input.length) {
      current += input[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`nodeargs: unterminated ${quote} quote in ${JSON.stringify(input)}`);
  if (inWord) words.push(current);
  return words;
}
