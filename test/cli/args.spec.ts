import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import {
  DEFAULT_MAX_INPUT_BYTES,
  DEFAULT_MAX_NAMES,
  dedupe,
  MAX_COUNT_LIMIT,
  namesFromFlag,
  parseCommandLine,
} from "../../cli/args";
import {
  csvField,
  formatCsv,
  formatJson,
  formatTable,
  type Statistics,
  userReport,
} from "../../cli/format";
import { collectNames } from "../../cli/input";
import { Progress, progressWanted } from "../../cli/progress";
import { USAGE } from "../../cli/usage";
import { root } from "./helpers";

describe("smartag-stats argument parsing", () => {
  it("keeps --user and --users-file sources in the order they were typed", () => {
    const { options, issues } = parseCommandLine([
      ...["--users-file", "a.txt", "--user=doctest", "--user", "bob.smith,carol_01"],
      ...["--users-file=-", "--sag", "sag-demo0001"],
    ]);
    assert.deepEqual(issues, []);
    assert.deepEqual(options.nameSources, [
      { kind: "file", path: "a.txt" },
      { kind: "flag", value: "doctest" },
      { kind: "flag", value: "bob.smith,carol_01" },
      { kind: "file", path: "-" },
    ]);
    assert.equal(options.sag, "sag-demo0001");
    assert.equal(options.format, "table");
  });

  it("reports a flag without its value, and one given twice, when both happen at once", () => {
    const { issues } = parseCommandLine([
      "--region",
      "cn-shanghai",
      "--region",
      "cn-beijing",
      "--sag",
    ]);
    assert.deepEqual(issues, [
      { where: "--region", reason: "may be given only once" },
      { where: "--sag", reason: "needs a value" },
    ]);
  });

  it("takes a command word first only, and --sag lists only for instances", () => {
    const many = parseCommandLine(["instances", "--sag", "sag-a1,sag-b2", "--sag=sag-c3"]);
    assert.deepEqual(many.issues, []);
    assert.equal(many.options.command, "instances");
    assert.deepEqual(many.options.sags, ["sag-a1", "sag-b2", "sag-c3"]);
    const twice = parseCommandLine(["--sag", "sag-a1", "--sag", "sag-b2", "clients"]);
    assert.equal(twice.options.command, "users");
    assert.deepEqual(twice.issues, [
      { where: "clients", reason: "a command goes first, e.g. smartag-stats instances --sag ID" },
      {
        where: "--sag",
        reason:
          "may be given only once (for several instances: smartag-stats instances --sag ID,ID)",
      },
    ]);
    const both = parseCommandLine(["--all-users", "--users-file", "a.txt"]);
    assert.equal(both.options.allUsers, true);
    assert.deepEqual(both.issues, [
      {
        where: "--all-users",
        reason:
          "cannot be combined with --users-file: it reads every account of the instance itself",
      },
    ]);
  });

  it("does not take the next flag as a value when a value is missing", () => {
    const { options, issues } = parseCommandLine(["--sag", "--quiet"]);
    assert.deepEqual(issues, [{ where: "--sag", reason: "needs a value" }]);
    assert.equal(options.quiet, true);
  });

  it("refuses a value on a switch when one is written with =", () => {
    const { issues } = parseCommandLine(["--quiet=yes"]);
    assert.deepEqual(issues, [{ where: "--quiet", reason: "takes no value" }]);
  });

  it("reports stray words without echoing them when they follow no option", () => {
    const { issues } = parseCommandLine(["--", "LTAI-looking-secret", "another"]);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]?.where, "2 arguments");
    assert.ok(!JSON.stringify(issues).includes("LTAI-looking-secret"));
  });

  it("names only the option, not its inline value, when an unknown option carries a secret", () => {
    const { issues } = parseCommandLine(["--secret-key=hunter2-secret"]);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]?.where, "--secret-key");
    assert.match(issues[0]?.reason ?? "", /never taken from flags/);
    assert.ok(!JSON.stringify(issues).includes("hunter2"));
  });

  it("accepts the short forms -h, -q and -v", () => {
    const { options, issues } = parseCommandLine(["-h", "-q"]);
    assert.deepEqual(issues, []);
    assert.equal(options.help, true);
    assert.equal(options.quiet, true);
    assert.equal(parseCommandLine(["-v"]).options.verbose, true);
  });

  it("parses limits as whole numbers and rejects the rest", () => {
    const ok = parseCommandLine(["--max-online", "0", "--max-total=12", "--require-none-online"]);
    assert.deepEqual(ok.issues, []);
    assert.equal(ok.options.maxOnline, 0);
    assert.equal(ok.options.maxTotal, 12);
    assert.equal(ok.options.requireNoneOnline, true);
    const bad = parseCommandLine(["--max-online", "1.5", "--max-total", "ten"]);
    assert.deepEqual(
      bad.issues.map((i) => i.where),
      ["--max-online", "--max-total"],
    );
  });

  it("gives the allowed range when a number flag is out of it", () => {
    const { options, issues } = parseCommandLine([
      ...["--max-online", "9999999999999999", "--max-total", "999999999999999"],
      ...["--max-names", "0", "--max-input-bytes", "1073741825"],
    ]);
    assert.deepEqual(issues, [
      {
        where: "--max-names",
        reason: 'must be a whole number from 1 to 10000000 (got "0")',
      },
      {
        where: "--max-input-bytes",
        reason: 'must be a whole number from 1 to 1073741824 (got "1073741825")',
      },
      {
        where: "--max-online",
        reason: 'must be a whole number from 0 to 999999999999999 (got "9999999999999999")',
      },
    ]);
    assert.equal(options.maxTotal, 999_999_999_999_999);
    assert.equal(options.maxNames, 200_000);
    assert.equal(options.maxInputBytes, 16 * 1024 * 1024);
  });

  it("documents each cap with its flag and value in --help, docs/cli.md and the README", () => {
    const docs = {
      help: USAGE,
      "docs/cli.md": readFileSync(join(root, "docs", "cli.md"), "utf8"),
      "README.md": readFileSync(join(root, "README.md"), "utf8"),
    };
    for (const [where, text] of Object.entries(docs)) {
      for (const [flag, value] of [
        ["--max-names", DEFAULT_MAX_NAMES],
        ["--max-input-bytes", DEFAULT_MAX_INPUT_BYTES],
        ["--max-online", MAX_COUNT_LIMIT],
      ] as const) {
        assert.ok(text.includes(flag), `${where} does not name ${flag}`);
        assert.ok(text.includes(String(value)), `${where} does not give ${value} for ${flag}`);
      }
    }
  });

  it("refuses stdin twice when --users-file - is repeated", () => {
    const { issues } = parseCommandLine(["--users-file", "-", "--users-file", "-"]);
    assert.deepEqual(issues, [{ where: "--users-file -", reason: "stdin can be read only once" }]);
  });
});

describe("smartag-stats name lists", () => {
  it("splits --user on commas and trims spaces around each name", () => {
    const { names, issues } = namesFromFlag(" doctest , bob.smith");
    assert.deepEqual(issues, []);
    assert.deepEqual(
      names.map((n) => n.name),
      ["doctest", "bob.smith"],
    );
  });

  it("reports an empty piece when a --user value has a doubled or trailing comma", () => {
    assert.equal(namesFromFlag("doctest,").issues.length, 1);
    assert.deepEqual(namesFromFlag("").issues, [{ where: "--user", reason: "must not be empty" }]);
  });

  const fromStdin = (chunks: (string | Buffer)[], caps = { maxNames: 100, maxInputBytes: 1000 }) =>
    collectNames(
      { nameSources: [{ kind: "file", path: "-" }], ...caps },
      Readable.from(chunks.map((c) => Buffer.from(c))),
    );

  it("numbers lines from 1 and skips blanks, comments and a byte-order mark", async () => {
    // Split mid-line and mid-character: lines and UTF-8 span chunks.
    const text = "\uFEFFdoctest\r\n\n# note\n  bob.smith #laptop\ncarol_\u00e9";
    const bytes = Buffer.from(text);
    const cuts = [0, 2, 20, 47, bytes.length]; // inside the BOM, a line and the "é"
    const chunks = cuts.slice(1).map((end, k) => bytes.subarray(cuts[k], end));
    const { names, issues } = await fromStdin(chunks);
    assert.deepEqual(issues, []);
    assert.deepEqual(names, [
      { name: "doctest", origin: "stdin line 1" },
      { name: "bob.smith", origin: "stdin line 4" },
      { name: "carol_\u00e9", origin: "stdin line 5" },
    ]);
  });

  it("stops at the cap of names or bytes, naming the option and its limit", async () => {
    const many = await fromStdin(["aaaaaaa1\n", "aaaaaaa2\naaaaaaa3\n"], {
      maxNames: 2,
      maxInputBytes: 1000,
    });
    assert.deepEqual(many.names, []);
    assert.equal(many.capped, true);
    assert.deepEqual(many.issues, [
      {
        where: '--users-file "-"',
        reason:
          "stopped reading past 2 names, the most --max-names allows (raise it for a longer list)",
      },
    ]);
    // The last line counts too when the input ends without a line break.
    const unterminated = await fromStdin(["aaaaaaa1\naaaaaaa2\naaaaaaa3"], {
      maxNames: 2,
      maxInputBytes: 1000,
    });
    assert.equal(unterminated.capped, true);
    const big = await fromStdin(["x".repeat(600), "y".repeat(600)]);
    assert.equal(big.capped, true);
    assert.match(
      big.issues[0]?.reason ?? "",
      /past 1000 bytes of names, the most --max-input-bytes/,
    );
  });

  it("keeps the first of repeated names", () => {
    const out = dedupe([
      { name: "doctest", origin: "a" },
      { name: "bob.smith", origin: "b" },
      { name: "doctest", origin: "c" },
    ]);
    assert.deepEqual(out, [
      { name: "doctest", origin: "a" },
      { name: "bob.smith", origin: "b" },
    ]);
  });
});

describe("smartag-stats output formats", () => {
  const stats: Statistics = {
    regionId: "cn-shanghai",
    smartAgId: "sag-demo0001",
    userStatistics: [
      { userName: "doctest", onlineCount: 2 },
      { userName: "bob.smith", onlineCount: 12345 },
    ],
    totalOnlineCount: 12347,
    requestIds: ["RID-1", "RID-2"],
  };

  it("widens the ONLINE column when a count is wider than its header", () => {
    const lines = formatTable(userReport(stats), { verbose: false }).split("\n");
    assert.deepEqual(lines, [
      "SAG instance sag-demo0001 (cn-shanghai)",
      "USER       ONLINE",
      "doctest         2",
      "bob.smith   12345",
      "TOTAL       12347",
      "",
    ]);
    assert.match(formatTable(userReport(stats), { verbose: true }), /^RequestIds: RID-1, RID-2$/m);
  });

  it("quotes CSV fields per RFC 4180 only when they hold a comma, quote or line break", () => {
    assert.equal(csvField("doctest"), "doctest");
    assert.equal(csvField("a,b"), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField("two\nlines"), '"two\nlines"');
    assert.equal(
      formatCsv(userReport(stats)),
      "userName,onlineCount\ndoctest,2\nbob.smith,12345\n",
    );
  });

  it("adds violations to the JSON only when limits were checked", () => {
    assert.ok(!("violations" in JSON.parse(formatJson(stats, undefined))));
    assert.deepEqual(JSON.parse(formatJson(stats, [])).violations, []);
  });
});

describe("smartag-stats progress", () => {
  const wanted = (over: Partial<Parameters<typeof progressWanted>[0]>) =>
    progressWanted({ names: 120, quiet: false, stderrIsTTY: true, env: {}, ...over });

  it("is wanted only on a terminal with more than 50 names and without --quiet", () => {
    assert.equal(wanted({}), true);
    assert.equal(wanted({ stderrIsTTY: false }), false);
    assert.equal(wanted({ names: 50 }), false);
    assert.equal(wanted({ quiet: true }), false);
    assert.equal(wanted({ stderrIsTTY: false, env: { SMARTAG_PROGRESS: "1" } }), true);
    assert.equal(wanted({ env: { SMARTAG_PROGRESS: "0" } }), false);
  });

  it("rewrites one line on a terminal and clears it when finished", () => {
    let out = "";
    const progress = new Progress({ isTTY: true, write: (t: string) => (out += t) }, 2);
    progress.tick();
    progress.tick();
    progress.finish();
    assert.equal(
      out,
      "\r\x1b[Ksmartag-stats: 1/2 requests\r\x1b[Ksmartag-stats: 2/2 requests\r\x1b[K",
    );
  });
});
