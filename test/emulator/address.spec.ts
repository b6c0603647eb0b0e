import assert from "node:assert/strict";
import { endpointUrl, exposureOf, exposureWarning } from "../../emulator/address";
import { escapeControls } from "../../emulator/escape";

// Binding to a wildcard or network address is not done here: test servers stay on loopback.
describe("emulator bind address", () => {
  for (const [host, exposure] of [
    ["127.0.0.1", "loopback"],
    ["127.0.0.2", "loopback"],
    ["localhost", "loopback"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["0.0.0.0", "everywhere"],
    ["::", "everywhere"],
    ["0:0:0:0:0:0:0:0", "everywhere"],
    ["192.168.1.20", "network"],
    ["fe80::1", "network"],
    ["myhost.example", "network"],
  ] as const) {
    it(`reads ${host} as reaching ${exposure}`, () => {
      assert.equal(exposureOf(host), exposure);
    });
  }

  it("prints a URL a local client can call, loopback for a wildcard bind", () => {
    assert.equal(endpointUrl("0.0.0.0", 8080), "http://127.0.0.1:8080");
    assert.equal(endpointUrl("::", 8080), "http://[::1]:8080");
    assert.equal(endpointUrl("127.0.0.1", 1), "http://127.0.0.1:1");
    assert.equal(endpointUrl("::1", 1), "http://[::1]:1");
    assert.equal(endpointUrl("192.168.1.20", 9), "http://192.168.1.20:9");
  });

  it("warns that a wildcard bind listens on every interface, and a network one beyond this machine", () => {
    assert.equal(exposureWarning("127.0.0.1"), undefined);
    assert.match(
      exposureWarning("0.0.0.0") ?? "",
      /^warning: it listens on every interface \(0\.0\.0\.0\), so other machines/,
    );
    assert.match(exposureWarning("::") ?? "", /every interface \(::\)/);
    assert.match(
      exposureWarning("192.168.1.20") ?? "",
      /^warning: it listens on 192\.168\.1\.20, so other machines .* --host 127\.0\.0\.1/,
    );
  });
});

describe("emulator log escaping", () => {
  it("escapes C0 (newline too), DEL, C1, bidi controls and the backslash, and nothing else", () => {
    assert.equal(
      escapeControls(
        "a\nb\r\u0000\u001b[2J\u007f\u0085\u009f\u202a\u202e\u2066\u2069\u200f\u061c\\",
      ),
      "a\\x0ab\\x0d\\x00\\x1b[2J\\x7f\\x85\\x9f\\u202a\\u202e\\u2066\\u2069\\u200f\\u061c\\\\",
    );
    assert.equal(
      escapeControls("alice@example.com ünïcødé 名前 🙂"),
      "alice@example.com ünïcødé 名前 🙂",
    );
  });
});
