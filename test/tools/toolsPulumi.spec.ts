// scripts/tools-pulumi.sh decides between a pulumi on PATH, building the pinned CLI with Go, and
// a clear failure. Each case runs the script in a throwaway copy of the layout it reads, with
// stand-ins for `go` and `pulumi` on a PATH of our own.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { repoRoot } from "../helpers/pulumiCli";

const PINNED = /github\.com\/pulumi\/pulumi\/pkg\/v3 (v[0-9.]+)/;
const UTILITIES = ["sed", "sort", "head", "tr", "mkdir", "dirname", "ln", "rm", "readlink", "grep"];
const YAML_PIN = /^yaml_version=(v[0-9.]+)$/m;

describe("scripts/tools-pulumi.sh", () => {
  let root: string;
  let fakeBin: string;
  let pinned: string;
  let utilBin: string;
  let yamlPin: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), "smartag-tools-"));
    mkdirSync(path.join(root, "scripts"));
    mkdirSync(path.join(root, "tools", "pulumi"), { recursive: true });
    copyFileSync(
      path.join(repoRoot, "scripts", "tools-pulumi.sh"),
      path.join(root, "scripts", "tools-pulumi.sh"),
    );
    const gomod = path.join(repoRoot, "tools", "pulumi", "go.mod");
    copyFileSync(gomod, path.join(root, "tools", "pulumi", "go.mod"));
    pinned = PINNED.exec(readFileSync(gomod, "utf8"))?.[1] ?? "";
    assert.ok(pinned, "go.mod pins pkg/v3");
    yamlPin =
      YAML_PIN.exec(readFileSync(path.join(repoRoot, "scripts", "tools-pulumi.sh"), "utf8"))?.[1] ??
      "";
    assert.ok(yamlPin, "the script pins pulumi-yaml");
    fakeBin = path.join(root, "fake-bin");
    mkdirSync(fakeBin);
    // The tools the script itself uses, and nothing else: a go or pulumi installed on this
    // machine must not take part.
    utilBin = path.join(root, "util-bin");
    mkdirSync(utilBin);
    for (const tool of UTILITIES) {
      const found = spawnSync("sh", ["-c", `command -v ${tool}`], {
        encoding: "utf8",
      }).stdout.trim();
      assert.ok(found.startsWith("/"), `${tool} is installed`);
      symlinkSync(found, path.join(utilBin, tool));
    }
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** An executable shell script named `name` in the fake PATH. */
  const fake = (name: string, body: string) => {
    const file = path.join(fakeBin, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
  };
  const fakePulumi = (version: string) => fake("pulumi", `echo ${version}`);
  /** A stand-in go; `version -m` reports the given pulumi-yaml version as the built one's. */
  const fakeGo = (version: string, toolchain: string, builtYaml = "") =>
    fake(
      "go",
      [
        'case "$*" in',
        `  "env GOVERSION") echo go${version} ;;`,
        `  "env GOTOOLCHAIN") echo ${toolchain} ;;`,
        `  "version -m"*) [ -n "${builtYaml}" ] || exit 1; printf '\\tmod\\tgithub.com/pulumi/pulumi-yaml\\t%s\\th1:x\\n' ${builtYaml} ;;`,
        '  install*) echo "go $*" >> "$(dirname "$0")/go-install-args"; exit 0 ;;',
        "  *) exit 3 ;;",
        "esac",
      ].join("\n"),
    );
  /** What the script asked go to install, one line per `go install`. */
  const installs = () => {
    const file = path.join(fakeBin, "go-install-args");
    return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : [];
  };
  /** A .tools/bin that already holds the pinned CLI and a YAML host. */
  const builtTools = () => {
    const bin = path.join(root, ".tools", "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\necho ${pinned}\n`);
    chmodSync(path.join(bin, "pulumi"), 0o755);
    writeFileSync(path.join(bin, "pulumi-language-yaml"), "");
    chmodSync(path.join(bin, "pulumi-language-yaml"), 0o755);
  };
  const run = () =>
    spawnSync("/bin/sh", [path.join(root, "scripts", "tools-pulumi.sh")], {
      encoding: "utf8",
      env: { PATH: `${fakeBin}:${utilBin}`, HOME: root },
    });

  it("fails naming what to install when there is neither a pulumi nor Go", () => {
    const r = run();
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /no Pulumi CLI found and Go is not installed; install Go .* or put a Pulumi CLI >= 3\.139\.0 on PATH/,
    );
  });

  it("fails naming the version when the pulumi on PATH is too old and Go is missing", () => {
    fakePulumi("v3.100.0");
    const r = run();
    assert.equal(r.status, 1);
    assert.match(r.stderr, /reports 'v3\.100\.0', older than 3\.139\.0, and Go is not installed/);
  });

  it("links a new enough pulumi from PATH instead of building", () => {
    fakePulumi("v3.200.1");
    const r = run();
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /using .*fake-bin\/pulumi \(v3\.200\.1\) from PATH/);
    assert.equal(
      readlinkSync(path.join(root, ".tools", "bin", "pulumi")),
      path.join(fakeBin, "pulumi"),
    );
  });

  it("fails naming both versions when Go is older than the pinned CLI needs and may not fetch one", () => {
    fakeGo("1.20.1", "local");
    const r = run();
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      new RegExp(
        `Go 1\\.20\\.1 is older than [0-9.]+, which github\\.com/pulumi/pulumi/pkg/v3 ${pinned} needs`,
      ),
    );
    assert.ok(!existsSync(path.join(fakeBin, "go-install-args")), "nothing was built");
  });

  it("builds the pinned CLI with its version stamped when Go is new enough", () => {
    fakeGo("1.99.0", "local");
    const r = run();
    // The stand-in go builds nothing, so the script cannot report a version afterwards; what
    // matters is what it asked go to do.
    assert.match(r.stdout, new RegExp(`building the Pulumi CLI ${pinned} from Go modules`));
    const args = installs()[0] ?? "";
    assert.match(
      args,
      new RegExp(`-X github\\.com/pulumi/pulumi/sdk/v3/go/common/version\\.Version=${pinned}`),
    );
    assert.match(args, /github\.com\/pulumi\/pulumi\/pkg\/v3\/cmd\/pulumi/);
  });

  it("builds the YAML language host at its pinned version with go install", () => {
    fakeGo("1.99.0", "local");
    const r = run();
    assert.match(r.stdout, new RegExp(`building pulumi-language-yaml ${yamlPin}`));
    assert.equal(
      installs()[1],
      `go install github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@${yamlPin}`,
    );
  });

  it("builds nothing when the CLI and the YAML host are already the pinned versions", () => {
    builtTools();
    fakeGo("1.99.0", "local", yamlPin);
    const r = run();
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(installs(), []);
    assert.doesNotMatch(r.stdout, /building/);
  });

  it("rebuilds the YAML host when the one in .tools/bin is another version", () => {
    builtTools();
    fakeGo("1.99.0", "local", "v1.0.0");
    const r = run();
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(installs(), [
      `go install github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@${yamlPin}`,
    ]);
  });

  it("notes that YAML programs need the host when Go is missing", () => {
    fakePulumi("v3.200.1");
    const r = run();
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`YAML language host ${yamlPin} was not built`));
  });
});
