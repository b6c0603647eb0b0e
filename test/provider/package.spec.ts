// What a tarball of the root package (npm pack) carries: everything its executables and the
// SDK's dynamic form load at run time, and none of the tests or tools.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";

const PROVIDER_PACKAGE = "pulumi-smartag-provider";

import { repoRoot } from "../helpers/pulumiCli";

describe("the root package's tarball", () => {
  let files: Set<string>;
  before(() => {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: repoRoot,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    const [packed] = JSON.parse(out) as { name: string; files: { path: string }[] }[];
    assert.ok(packed);
    assert.equal(packed.name, PROVIDER_PACKAGE, "the package the dynamic form looks for");
    files = new Set(packed.files.map((f) => f.path));
  });

  it("carries the executables and the compiled code each of them starts", () => {
    for (const bin of ["pulumi-resource-smartag", "smartag-emulator", "smartag-stats"]) {
      assert.ok(files.has(`bin/${bin}`), `bin/${bin}`);
    }
    for (const entry of [
      "dist/provider/index.js",
      "dist/provider/schema.json",
      "dist/emulator/cli.js",
      "dist/cli/main.js",
      "PulumiPlugin.yaml",
    ]) {
      assert.ok(existsSync(path.join(repoRoot, entry)), `${entry} is built`);
      assert.ok(files.has(entry), entry);
    }
  });

  it("carries what the SDK's dynamic form loads, and the emulator's default fixture", () => {
    const entry = require.resolve(`${PROVIDER_PACKAGE}/dynamic`);
    assert.equal(entry, path.join(repoRoot, "dist", "provider", "resources", "standalone.js"));
    assert.ok(files.has("dist/provider/resources/standalone.js"));
    assert.ok(files.has("emulator/fixtures/default.json"));
  });

  it("depends on the client and the limits judge instead of carrying copies", () => {
    const manifest = require(path.join(repoRoot, "package.json")) as {
      dependencies: Record<string, string>;
    };
    for (const name of ["@pulumi-smartag/client", "@pulumi-smartag/limits"]) {
      assert.ok(manifest.dependencies[name], name);
    }
    assert.deepEqual(
      [...files].filter((f) => /^(client|limits|sdk|dist\/sdk)\//.test(f)),
      [],
    );
  });

  it("leaves out tests, sources and tools", () => {
    const stray = [...files].filter(
      (f) =>
        /^(test|dist\/test|dist\/tools|dist\/bench|tools|scripts)\//.test(f) || /\.ts$/.test(f),
    );
    assert.deepEqual(
      stray.filter((f) => !f.endsWith(".d.ts")),
      [],
    );
  });
});
