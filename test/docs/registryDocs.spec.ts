// The registry docs (docs/_index.md, docs/installation-configuration.md) and the package
// metadata in the schema, which the generated SDKs carry to the engine.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { DOC, expectedDoc, SCHEMA } from "../../scripts/docsGen";

const repo = path.join(__dirname, "..", "..");
const read = (rel: string) => fs.readFileSync(path.join(repo, rel), "utf8");
const schema = JSON.parse(fs.readFileSync(SCHEMA, "utf8"));
const HOME = "https://github.com/pulumi-smartag/pulumi-smartag";
const DOWNLOAD = "github://api.github.com/pulumi-smartag/pulumi-smartag";

describe("registry docs", () => {
  it("hold the configuration keys exactly as `npm run docs:gen` writes them", () => {
    assert.equal(
      fs.readFileSync(DOC, "utf8"),
      expectedDoc(),
      "docs/installation-configuration.md differs from the schema: run `npm run docs:gen`",
    );
  });

  for (const file of ["docs/_index.md", "docs/installation-configuration.md"]) {
    it(`${file} opens with the registry's front matter`, () => {
      const front = /^---\n([\s\S]*?)\n---\n/.exec(read(file))?.[1] ?? "";
      assert.match(front, /^title: \S.*$/m);
      assert.match(front, /^meta_desc: \S.*$/m);
      assert.match(front, /^layout: package$/m);
    });
  }

  it("give an example in TypeScript, Python, Go and YAML", () => {
    const index = read("docs/_index.md");
    for (const lang of ["typescript", "python", "go", "yaml"]) {
      const block = index
        .split(`{{% choosable language ${lang} %}}`)[1]
        ?.split("{{% /choosable")[0];
      assert.ok(block?.includes(`\`\`\`${lang}\n`), `no ${lang} example`);
    }
  });

  it("leave no configuration key or environment variable out of the README", () => {
    const readme = read("README.md");
    for (const [key, v] of Object.entries<{ defaultInfo?: { environment?: string[] } }>(
      schema.config.variables,
    )) {
      assert.ok(readme.includes(`\`${key}\``), `README lacks the key ${key}`);
      for (const env of v.defaultInfo?.environment ?? []) {
        assert.ok(readme.includes(`\`${env}\``), `README lacks ${env} (${key})`);
      }
    }
  });
});

describe("package metadata", () => {
  it("names the project's one home, its logo and its releases as the plugin's source", () => {
    assert.equal(schema.homepage, HOME);
    assert.equal(schema.repository, HOME);
    assert.equal(schema.pluginDownloadURL, DOWNLOAD);
    for (const key of ["publisher", "license", "displayName", "description"]) {
      assert.ok(schema[key], `schema.json lacks ${key}`);
    }
    const raw = "https://raw.githubusercontent.com/pulumi-smartag/pulumi-smartag/main/";
    assert.ok(schema.logoUrl.startsWith(raw), schema.logoUrl);
    assert.match(read(schema.logoUrl.slice(raw.length)), /^<svg /);
  });

  it("reaches the generated SDKs, so the engine knows where to fetch the plugin", () => {
    const node = JSON.parse(read("sdk/nodejs/package.json"));
    assert.equal(node.pulumi.server, DOWNLOAD);
    assert.match(read("sdk/nodejs/utilities.ts"), new RegExp(`pluginDownloadURL: "${DOWNLOAD}"`));
    assert.match(
      read("sdk/python/pulumi_smartag/_utilities.py"),
      new RegExp(`return "${DOWNLOAD}"`),
    );
    for (const file of ["sdk/python/pulumi_smartag", "sdk/go/smartag"]) {
      assert.equal(JSON.parse(read(`${file}/pulumi-plugin.json`)).server, DOWNLOAD, file);
    }
    assert.match(read("sdk/go/smartag/internal/pulumiUtilities.go"), /PluginDownloadURL\("github:/);
  });

  it("carries no example.com placeholder", () => {
    const text = JSON.stringify(schema) + read("sdk/nodejs/package.json");
    assert.deepEqual(text.match(/https?:\/\/[^"\s]*example\.(com|org)/g), null);
  });
});
