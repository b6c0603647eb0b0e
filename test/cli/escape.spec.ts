import assert from "node:assert/strict";
import { escapeControls, guarded } from "../../cli/escape";
import { rawControls } from "./helpers";

describe("smartag-stats escaping of outside text", () => {
  it("escapes C0 controls, DEL, C1 controls and bidi overrides and isolates", () => {
    const unsafe = [
      ...Array.from({ length: 0x20 }, (_, i) => i),
      0x7f,
      ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i),
      ...[0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e],
      ...[0x2066, 0x2067, 0x2068, 0x2069],
    ];
    for (const cp of unsafe) {
      const out = escapeControls(`a${String.fromCharCode(cp)}b`);
      assert.match(out, /^a\\(u[0-9a-f]{4}|[nrt])b$/, `U+${cp.toString(16)} came out as ${out}`);
    }
    assert.equal(escapeControls("x\x1b]0;title\x07\ny"), "x\\u001b]0;title\\u0007\\ny");
    assert.equal(escapeControls("\u202eevil\u2066"), "\\u202eevil\\u2066");
  });

  it("leaves printable text alone, including non-Latin letters and emoji", () => {
    const text = 'alice@example.com 张三 café \u200d 🙂 \\ "q"';
    assert.equal(escapeControls(text), text);
  });

  it("uses JSON escapes, so a JSON document stays valid and reads back the same", () => {
    const value = "id\u0085\u202e\x7f\x1b";
    const doc = JSON.stringify({ requestIds: [value] }, null, 2);
    let printed = "";
    guarded({ write: (t: string) => (printed += t) }, (t) => t).write(doc);
    assert.deepEqual(rawControls(printed), []);
    assert.deepEqual(JSON.parse(printed), { requestIds: [value] });
  });

  it("redacts first, then escapes all but line breaks, in the last pass before a stream", () => {
    let printed = "";
    const sink = guarded({ write: (t: string) => (printed += t) }, (t) =>
      t.replaceAll("s3cret-value", "***"),
    );
    sink.write("one\ntwo s3cret-value\r\x9b2J\n");
    assert.equal(printed, "one\ntwo ***\\r\\u009b2J\n");
  });
});
