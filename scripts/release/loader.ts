/**
 * The head of the release's pulumi-resource-smartag.js; the plugin's two bundles follow it in a
 * comment (see bundle.ts). It compiles them with V8's code cache, written beside the file per
 * Node.js version on the first run's exit, so later starts skip parsing and compiling them.
 *
 * Compiled for old Node.js too: the version check comes first, before anything newer runs.
 */
const major = Number(process.versions.node.split(".")[0]);
if (major < 20) {
  process.stderr.write(
    `pulumi-resource-smartag: Node.js 20 or newer is required, but 'node' on PATH is ${process.version}\n`,
  );
  process.exit(1);
}

const fs: typeof import("node:fs") = require("node:fs");
const vm: typeof import("node:vm") = require("node:vm");

/** Set by bundle.ts: the length of each part, and what `*\/` became inside them. */
declare const PARTS: { main: number; lazy: number; tail: number; escape: string };

const fd = fs.openSync(__filename, "r");
const end = fs.fstatSync(fd).size - PARTS.tail;

function read(from: number, length: number): string {
  const bytes = Buffer.allocUnsafe(length);
  fs.readSync(fd, bytes, 0, length, from);
  return bytes.toString("latin1").replaceAll(PARTS.escape, "*/");
}

const saves: (() => void)[] = [];
process.once("exit", () => {
  for (const save of saves) save();
});

/** Runs `source` as a CommonJS module, with the cache when there is a usable one. */
function run(name: string, source: string, extra: Record<string, unknown> = {}): unknown {
  const cache = `${__filename}.${name}-${process.version}.cache`;
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cache);
  } catch {}
  const params = ["exports", "require", "module", "__filename", "__dirname", ...Object.keys(extra)];
  const script = new vm.Script(`(function (${params}) {${source}\n})`, {
    filename: `${__filename} (${name})`,
    cachedData,
  });
  if (!cachedData || script.cachedDataRejected) saves.push(() => save(cache, script));
  const module = { exports: {} };
  const args = [module.exports, require, module, __filename, __dirname, ...Object.values(extra)];
  script.runInThisContext()(...args);
  return module.exports;
}

// Another process may write at the same time: each writes its own file and renames it into place.
// Where the folder is read-only the plugin just runs without a cache.
function save(file: string, script: import("node:vm").Script): void {
  const own = `${file}.${process.pid}`;
  try {
    fs.writeFileSync(own, script.createCachedData());
    fs.renameSync(own, file);
  } catch {
    try {
      fs.unlinkSync(own);
    } catch {}
  }
}

let lazyPart: unknown;
const loadLazyPart = () => {
  lazyPart ??= run("lazy", read(end - PARTS.lazy, PARTS.lazy));
  return lazyPart;
};
run("main", read(end - PARTS.lazy - PARTS.main, PARTS.main), { loadLazyPart });
