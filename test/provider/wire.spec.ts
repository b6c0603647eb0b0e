import assert from "node:assert/strict";
import * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import fc from "fast-check";
import { encodeInvokeReturn } from "../../provider/wire";

/** What google-protobuf reads back from the bytes. */
const decode = (bytes: Buffer) =>
  providerPb.InvokeResponse.deserializeBinary(bytes).getReturn()?.toJavaScript();

describe("the Invoke answer's wire encoding", () => {
  it("reads back, through google-protobuf, as the object it encoded, for any JSON value", () => {
    // Plain objects, as JSON has them; google-protobuf's reader cannot make a "__proto__" key.
    const json = fc
      .dictionary(fc.string({ unit: "grapheme" }), fc.jsonValue({ maxDepth: 4 }))
      .map((v) => JSON.parse(JSON.stringify(v)) as Record<string, unknown>)
      .filter((v) => !JSON.stringify(v).includes('"__proto__"'));
    fc.assert(
      fc.property(json, (result) => {
        assert.deepEqual(decode(encodeInvokeReturn(result)), result);
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it("encodes a 10,000-entry answer with long strings, leaving out undefined values", () => {
    const userStatistics = Array.from({ length: 10_000 }, (_, i) => ({
      userName: `user${i}${"x".repeat(i % 300)}`,
      onlineCount: i % 7,
    }));
    const result = { regionId: "cn-shanghai", userStatistics, note: undefined, ok: true };
    const { note: _, ...expected } = result;
    assert.deepEqual(decode(encodeInvokeReturn(result)), expected);
  });
});
