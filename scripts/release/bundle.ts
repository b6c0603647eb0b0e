/**
 * Bundles the provider plugin into one JavaScript file with every dependency inside.
 *
 * provider/server.ts loads the client, zod, the config rules and the handlers on the first call
 * that needs them. A bundle would still make V8 parse all of that at start-up (about half the
 * file), so that part is bundled on its own and embedded as a string, compiled on first use.
 */
import * as path from "node:path";
import { type BuildOptions, build, type Plugin } from "esbuild";

/** What server.ts requires lazily (see `lazy()` there), relative to provider/. */
const LAZY = ["./config", "@pulumi-smartag/client", "./functions", "./resources"];

const common: BuildOptions = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  minify: true,
  keepNames: true,
  legalComments: "eof",
  logLevel: "warning",
  write: false,
};

export async function bundlePlugin(repo: string, outfile: string): Promise<void> {
  const provider = path.join(repo, "provider");
  const lazyPart = await build({
    ...common,
    stdin: {
      contents: `module.exports = {${LAZY.map((m, i) => `m${i}: require(${JSON.stringify(m)})`).join(", ")}};`,
      resolveDir: provider,
      loader: "js",
    },
  });
  const source = lazyPart.outputFiles?.[0]?.text ?? "";
  const embedded = new Set<string>();
  await build({
    ...common,
    entryPoints: [path.join(provider, "index.ts")],
    outfile,
    write: true,
    plugins: [embedLazy(path.join(provider, "server.ts"), source, embedded)],
  });
  // Were one renamed in server.ts, the bundle would still work, but load it at start-up.
  const missed = LAZY.filter((m) => !embedded.has(m));
  if (missed.length > 0)
    throw new Error(`server.ts no longer requires ${missed.join(", ")} lazily`);
}

// server.ts's lazy requires resolve to one shared module that compiles the embedded source.
function embedLazy(server: string, source: string, embedded: Set<string>): Plugin {
  return {
    name: "embed-lazy",
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.path === "smartag:lazy") return { path: "part", namespace: "smartag-lazy" };
        const index = args.importer === server ? LAZY.indexOf(args.path) : -1;
        if (index >= 0) embedded.add(args.path);
        return index < 0 ? undefined : { path: String(index), namespace: "smartag-lazy" };
      });
      b.onLoad({ filter: /.*/, namespace: "smartag-lazy" }, (args) => ({
        loader: "js",
        resolveDir: path.dirname(server),
        contents:
          args.path === "part"
            ? `const m = { exports: {} };
require("node:vm").runInThisContext(
  "(function (exports, require, module, __filename, __dirname) {" + ${JSON.stringify(source)} + "\\n})",
  { filename: __filename + " (lazy part)" },
)(m.exports, require, m, __filename, __dirname);
module.exports = m.exports;`
            : `module.exports = require("smartag:lazy").m${args.path};`,
      }));
    },
  };
}
