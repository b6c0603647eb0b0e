/**
 * Bundles the provider plugin into one JavaScript file with every dependency inside.
 *
 * provider/server.ts loads the client, zod, the config rules and the handlers on the first call
 * that needs them, so they are bundled apart (the lazy part) from what runs at start-up (the
 * main part). The file is loader.ts followed by both parts inside a comment, which V8 skips
 * unparsed: the loader reads them back and compiles each with a code cache when it first runs it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type BuildOptions, build, type Plugin } from "esbuild";

/** What server.ts requires lazily (see `lazy()` there), relative to provider/. */
const LAZY = ["./config", "@pulumi-smartag/client", "./functions", "./resources"];

/** What `*\/`, which would end the comment, becomes inside the parts; the loader turns it back. */
const ESCAPE = "*\x01/";
const TAIL = "*/\n";

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

async function text(options: BuildOptions): Promise<string> {
  return (await build({ ...common, ...options })).outputFiles?.[0]?.text ?? "";
}

/** A part to go inside the comment. */
async function part(options: BuildOptions): Promise<string> {
  const out = await text(options);
  // The loader reads the parts back byte for byte, as Latin-1; esbuild escapes non-ASCII.
  if (/[^\0-\x7f]/.test(out)) throw new Error("the bundle is not ASCII");
  if (out.includes(ESCAPE)) throw new Error(`the bundle contains ${JSON.stringify(ESCAPE)}`);
  return out.replaceAll("*/", ESCAPE);
}

/** Writes the plugin as its release tarballs hold it into `dir`: the bundle and the launcher. */
export async function stagePlugin(repo: string, dir: string): Promise<void> {
  await bundlePlugin(repo, path.join(dir, "pulumi-resource-smartag.js"));
  const launcher = path.join(dir, "pulumi-resource-smartag");
  fs.copyFileSync(path.join(repo, "scripts/release/launcher.sh"), launcher);
  fs.chmodSync(launcher, 0o755);
}

async function bundlePlugin(repo: string, outfile: string): Promise<void> {
  const provider = path.join(repo, "provider");
  const lazy = await part({
    stdin: {
      contents: `module.exports = {${LAZY.map((m, i) => `m${i}: require(${JSON.stringify(m)})`).join(", ")}};`,
      resolveDir: provider,
      loader: "js",
    },
  });
  const embedded = new Set<string>();
  const main = await part({
    entryPoints: [path.join(provider, "index.ts")],
    plugins: [lazyPart(path.join(provider, "server.ts"), embedded)],
  });
  // Were one renamed in server.ts, the bundle would still work, but load it at start-up.
  const missed = LAZY.filter((m) => !embedded.has(m));
  if (missed.length > 0)
    throw new Error(`server.ts no longer requires ${missed.join(", ")} lazily`);
  const loader = await text({
    entryPoints: [path.join(repo, "scripts/release/loader.ts")],
    define: {
      PARTS: JSON.stringify({
        main: main.length,
        lazy: lazy.length,
        tail: TAIL.length,
        escape: ESCAPE,
      }),
    },
    legalComments: "none",
    target: "node12", // so that an older Node.js reaches the version check (see loader.ts)
    keepNames: false,
  });
  fs.writeFileSync(outfile, `${loader}/*${main}${lazy}${TAIL}`);
}

// server.ts's lazy requires resolve to the lazy part, which the loader hands in as loadLazyPart.
function lazyPart(server: string, embedded: Set<string>): Plugin {
  return {
    name: "lazy-part",
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        const index = args.importer === server ? LAZY.indexOf(args.path) : -1;
        if (index >= 0) embedded.add(args.path);
        return index < 0 ? undefined : { path: String(index), namespace: "smartag-lazy" };
      });
      b.onLoad({ filter: /.*/, namespace: "smartag-lazy" }, (args) => ({
        loader: "js",
        contents: `module.exports = loadLazyPart().m${args.path};`,
      }));
    },
  };
}
