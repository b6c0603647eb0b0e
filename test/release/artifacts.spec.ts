// What `npm run dist` wrote: names, layouts, one version everywhere, checksums, and the launcher.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { isBuiltin } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import type * as pluginPb from "@pulumi/pulumi/proto/plugin_pb";
import * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import * as emptyPb from "google-protobuf/google/protobuf/empty_pb";
import { versionMismatches } from "../../scripts/release/versions";
import { startPlugin, struct } from "../helpers/plugin";
import { repoRoot } from "../helpers/pulumiCli";
import { artifact, pluginTarball, releaseDir, version } from "./release";

interface TarEntry {
  name: string;
  mode: number;
  body: Buffer;
}

/** The regular files of a .tar.gz (ustar/GNU headers; what tar and npm pack write). */
function readTarball(file: string): TarEntry[] {
  const tar = gunzipSync(readFileSync(file));
  const entries: TarEntry[] = [];
  for (let at = 0; at + 512 <= tar.length && tar[at] !== 0; ) {
    const field = (from: number, length: number) =>
      tar
        .subarray(at + from, at + from + length)
        .toString("utf8")
        .replace(/\0.*$/s, "");
    const size = Number.parseInt(field(124, 12).trim() || "0", 8);
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    if (field(156, 1) === "0" || field(156, 1) === "") {
      const body = tar.subarray(at + 512, at + 512 + size);
      entries.push({ name, mode: Number.parseInt(field(100, 8).trim(), 8), body });
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

/** Unpacks the linux-amd64 plugin tarball into `dir`; returns the launcher's path. */
function unpackPlugin(dir: string): string {
  for (const entry of readTarball(pluginTarball())) {
    writeFileSync(path.join(dir, entry.name), entry.body);
    chmodSync(path.join(dir, entry.name), entry.mode & 0o777);
  }
  return path.join(dir, "pulumi-resource-smartag");
}

describe("release artifacts (npm run dist)", () => {
  const platforms = ["linux-amd64", "linux-arm64", "darwin-amd64", "darwin-arm64"];

  it("carries the schema's version in every package and generated SDK", () => {
    assert.deepEqual(versionMismatches(repoRoot), []);
  });

  it("names each package whose version differs from the schema's", () => {
    const copy = mkdtempSync(path.join(os.tmpdir(), "smartag-versions-"));
    try {
      for (const file of [
        "package.json",
        "client/package.json",
        "limits/package.json",
        "provider/schema.json",
        "sdk/nodejs/package.json",
        "sdk/python/pyproject.toml",
        "sdk/go/smartag/pulumi-plugin.json",
      ]) {
        cpSync(path.join(repoRoot, file), path.join(copy, file));
      }
      const limits = JSON.parse(readFileSync(path.join(copy, "limits/package.json"), "utf8"));
      writeFileSync(
        path.join(copy, "limits/package.json"),
        JSON.stringify({ ...limits, version: "9.9.9" }),
      );
      assert.deepEqual(versionMismatches(copy), [
        `limits/package.json version is "9.9.9", not ${version}`,
      ]);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it("has a plugin tarball per platform with the launcher and the bundle at its root", () => {
    for (const p of platforms) {
      const entries = readTarball(pluginTarball(p));
      assert.deepEqual(entries.map((e) => e.name).sort(), [
        "pulumi-resource-smartag",
        "pulumi-resource-smartag.js",
      ]);
      const launcher = entries.find((e) => e.name === "pulumi-resource-smartag");
      assert.equal((launcher?.mode ?? 0) & 0o111, 0o111, `${p}: the launcher is executable`);
      assert.match(launcher?.body.toString() ?? "", /^#!\/bin\/sh\n/);
    }
  });

  it("bundles every dependency: the plugin requires only Node.js built-ins", () => {
    const bundle = readTarball(pluginTarball()).find((e) => e.name.endsWith(".js"));
    const required = new Set(
      // The lazy part is embedded as a string literal, where its quotes may be escaped.
      [
        ...(bundle?.body.toString() ?? "").replaceAll('\\"', '"').matchAll(/require\("([^"]+)"\)/g),
      ].map((m) => m[1]),
    );
    assert.ok(required.has("node:zlib"), "the client's requires, in the lazy part, were read");
    assert.deepEqual(
      [...required].filter((m) => m !== undefined && !isBuiltin(m)),
      [],
    );
  });

  it("has the Node.js SDK and the limits package it depends on as npm tarballs", () => {
    const sdk = readTarball(artifact(`pulumi-smartag-${version}.tgz`));
    const manifest = JSON.parse(
      sdk.find((e) => e.name === "package/package.json")?.body.toString() ?? "{}",
    );
    assert.equal(manifest.version, version);
    assert.equal(manifest.dependencies["@pulumi-smartag/limits"], version);
    assert.ok(sdk.some((e) => e.name === "package/index.js"));
    const limits = readTarball(artifact(`pulumi-smartag-limits-${version}.tgz`));
    assert.ok(limits.some((e) => e.name === "package/dist/index.js"));
  });

  it("has the Python wheel and sdist, and the Go SDK module", () => {
    artifact(`pulumi_smartag-${version}-py3-none-any.whl`);
    const sdist = readTarball(artifact(`pulumi_smartag-${version}.tar.gz`));
    assert.ok(sdist.some((e) => e.name === `pulumi_smartag-${version}/pulumi_smartag/__init__.py`));
    const go = readTarball(artifact(`pulumi-smartag-go-sdk-v${version}.tar.gz`));
    const goMod = go.find((e) => e.name === "go.mod")?.body.toString() ?? "";
    assert.match(goMod, /^module github\.com\/pulumi-smartag\/pulumi-smartag\/sdk\/go$/m);
    assert.ok(go.some((e) => e.name === "smartag/getUserOnlineClientStatistics.go"));
  });

  it("lists the SHA-256 of every other file in checksums.txt", () => {
    const listed = readFileSync(artifact("checksums.txt"), "utf8");
    const expected = readdirSync(releaseDir)
      .filter((name) => name !== "checksums.txt")
      .sort()
      .map((name) => {
        const hash = createHash("sha256").update(readFileSync(path.join(releaseDir, name)));
        return `${hash.digest("hex")}  ${name}\n`;
      });
    assert.equal(listed, expected.join(""));
  });

  describe("the launcher", () => {
    let dir: string;
    let launcher: string;
    before(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), "smartag-launcher-"));
      launcher = unpackPlugin(dir);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const launch = (PATH: string) =>
      spawnSync("/bin/sh", [launcher, "127.0.0.1:1"], { env: { PATH }, encoding: "utf8" });

    it("prints one line and fails when node is not on PATH", () => {
      const empty = mkdtempSync(path.join(dir, "empty-"));
      const result = launch(empty);
      assert.equal(result.status, 1);
      assert.equal(result.stdout, "");
      assert.equal(
        result.stderr,
        "pulumi-resource-smartag: Node.js 20 or newer is required, and no 'node' was found on PATH\n",
      );
    });

    it("prints one line naming the version when node is older than 20", () => {
      // This Node.js, told to report itself as 18: the bundle's first lines check the version.
      const old = mkdtempSync(path.join(dir, "old-"));
      const as18 = path.join(old, "as18.js");
      writeFileSync(
        as18,
        'Object.defineProperty(process, "version", { value: "v18.19.1" });\n' +
          'Object.defineProperty(process.versions, "node", { value: "18.19.1" });\n',
      );
      writeFileSync(
        path.join(old, "node"),
        `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} -r ${JSON.stringify(as18)} "$@"\n`,
      );
      chmodSync(path.join(old, "node"), 0o755);
      const result = launch(`${old}:/usr/bin:/bin`);
      assert.equal(result.status, 1);
      assert.equal(
        result.stderr,
        "pulumi-resource-smartag: Node.js 20 or newer is required, but 'node' on PATH is v18.19.1\n",
      );
    });

    it("binds its port with node:net alone, and loads node:http2 and the rest after", async () => {
      // Preloaded: notes every require, and prints the list at the first write to stdout.
      const spy = path.join(mkdtempSync(path.join(dir, "spy-")), "spy.js");
      writeFileSync(
        spy,
        `const Module = require("node:module"); const load = Module._load; const seen = [];
Module._load = function (request, ...rest) { seen.push(request); return load.call(this, request, ...rest); };
const write = process.stdout.write;
process.stdout.write = function (...args) {
  process.stdout.write = write;
  process.stderr.write("before the port: " + JSON.stringify(seen.slice(1)) + "\\n");
  return write.apply(this, args);
};\n`,
      );
      const plugin = await startPlugin({ NODE_OPTIONS: `--require ${spy}` }, launcher);
      try {
        const info = await plugin.call<pluginPb.PluginInfo>("getPluginInfo", new emptyPb.Empty());
        assert.equal(info.getVersion(), version);
      } finally {
        assert.equal(await plugin.stop(), 0);
      }
      const line = /^before the port: (.*)$/m.exec(plugin.stderr())?.[1] ?? "null";
      // The loader's fs and vm, the log's async_hooks, the port's net: no http2, tls, zlib, dns...
      assert.deepEqual(JSON.parse(line), ["fs", "vm", "node:async_hooks", "node:net"]);
    });
  });
  describe("the bundle's code cache", () => {
    let dir: string;
    let launcher: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), "smartag-code-cache-"));
      launcher = unpackPlugin(dir);
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const cache = (part: string) =>
      path.join(dir, `pulumi-resource-smartag.js.${part}-${process.version}.cache`);

    /** One start that runs both parts (CheckConfig loads the lazy one); its exit writes the cache. */
    async function checkOnce(): Promise<string[]> {
      const plugin = await startPlugin({}, launcher);
      try {
        const res = await plugin.call<providerPb.CheckResponse>(
          "checkConfig",
          new providerPb.CheckRequest().setNews(struct({ region: "cn-shanghai", regoin: "x" })),
        );
        return res.getFailuresList().map((f) => f.getProperty());
      } finally {
        assert.equal(await plugin.stop(), 0);
      }
    }

    it("is written beside the bundle on the first exit, then read and kept", async () => {
      assert.deepEqual(await checkOnce(), ["regoin"]);
      const written = [cache("main"), cache("lazy")].map((f) => statSync(f).mtimeMs);
      assert.deepEqual(await checkOnce(), ["regoin"]);
      assert.deepEqual(
        [cache("main"), cache("lazy")].map((f) => statSync(f).mtimeMs),
        written,
      );
    });

    it("is written again when V8 rejects it", async () => {
      writeFileSync(cache("main"), "not a code cache");
      assert.deepEqual(await checkOnce(), ["regoin"]);
      assert.ok(statSync(cache("main")).size > 1024);
    });

    it("is left out, with nothing left behind, where it cannot be written", async () => {
      mkdirSync(cache("main")); // a folder where the file would go: it can be neither read nor replaced
      assert.deepEqual(await checkOnce(), ["regoin"]);
      assert.deepEqual(readdirSync(dir).sort(), [
        "pulumi-resource-smartag",
        "pulumi-resource-smartag.js",
        path.basename(cache("lazy")),
        path.basename(cache("main")),
      ]);
    });
  });
});
