// The parts of test/helpers/pulumiCli.ts that decide what the CLI sees, checked without the CLI.

import * as assert from "node:assert/strict";
import * as os from "node:os";
import * as path from "node:path";
import { absolutePluginPaths, assertPulumiCli, pulumiEnvironment } from "../helpers/pulumiCli";

describe("pulumi CLI test helper", () => {
  it("fails with the command to run when the CLI has not been set up", () => {
    const nowhere = path.join(os.tmpdir(), "no-such-tools-bin");
    assert.throws(
      () => assertPulumiCli(nowhere),
      (err: Error) =>
        err.message.includes("npm run tools:pulumi") &&
        err.message.includes(path.join(nowhere, "pulumi")),
    );
  });

  it("keeps a developer's own PULUMI_* variables away from the CLI", () => {
    const saved = process.env.PULUMI_ACCESS_TOKEN;
    process.env.PULUMI_ACCESS_TOKEN = "pul-leaked";
    try {
      const env = pulumiEnvironment({ stateDir: "/state", home: "/home", passphrase: "pw" });
      assert.equal(env.PULUMI_ACCESS_TOKEN, undefined);
      assert.equal(env.PULUMI_BACKEND_URL, "file:///state");
      assert.equal(env.PULUMI_HOME, "/home");
      assert.ok(env.PATH?.split(path.delimiter)[0]?.endsWith(path.join(".tools", "bin")));
    } finally {
      if (saved === undefined) delete process.env.PULUMI_ACCESS_TOKEN;
      else process.env.PULUMI_ACCESS_TOKEN = saved;
    }
  });

  it("anchors relative plugin paths of a copied Pulumi.yaml to the original project", () => {
    const yaml = [
      "name: p",
      "main: src/index.ts",
      "plugins:",
      "  providers:",
      "    - name: echo",
      "      path: ../echo-provider",
      "    - name: abs",
      "      path: /opt/abs",
      "",
    ].join("\n");
    const out = absolutePluginPaths(yaml, "/repo/test/fixtures/p");
    assert.match(out, /^ {6}path: \/repo\/test\/fixtures\/echo-provider$/m);
    assert.match(out, /^ {6}path: \/opt\/abs$/m);
    assert.match(out, /^main: src\/index\.ts$/m);
  });
});
