import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { InvokeError, rethrowInvokeFailure } from "../../sdk/nodejs/errors";

const token = "smartag:index:getUserOnlineClientStatistics";

function thrown(f: () => never): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  assert.fail("nothing was thrown");
}

describe("InvokeError", () => {
  it("rewords the SDK's check-failure message, keeping the field and the original as cause", () => {
    const original = new Error(
      `Invoke of '${token}' failed: must be at least 7 characters (userNames[1])`,
    );
    const e = thrown(() => rethrowInvokeFailure(token, original));
    assert.ok(InvokeError.isInstance(e));
    assert.ok(pulumi.RunError.isInstance(e));
    assert.equal(e.reason, "must be at least 7 characters (userNames[1])");
    assert.equal(
      e.message,
      `Invoke of '${token}' failed: must be at least 7 characters (userNames[1])`,
    );
    assert.equal(e.cause, original);
    assert.equal(e.stack, `InvokeError: ${e.message}`);
  });

  it("rewords the engine's error-status message, keeping every line of the plugin's text", () => {
    const text = "Throttling.User: Request was denied. (RequestId: 1-2-3)\nhint: lower concurrency";
    const e = thrown(() =>
      rethrowInvokeFailure(token, new Error(`invocation of ${token} returned an error: ${text}`)),
    );
    assert.ok(InvokeError.isInstance(e));
    assert.equal(e.reason, text);
  });

  it("passes on any other error untouched, the same object with its stack", () => {
    const unrelated = new Error("No monitor available");
    assert.equal(
      thrown(() => rethrowInvokeFailure(token, unrelated)),
      unrelated,
    );
    const otherToken = new Error("Invoke of 'other:index:getThing' failed: nope");
    assert.equal(
      thrown(() => rethrowInvokeFailure(token, otherToken)),
      otherToken,
    );
    assert.equal(
      thrown(() => rethrowInvokeFailure(token, "a string")),
      "a string",
    );
  });

  it("is not wrapped twice", () => {
    const once = new InvokeError(token, "bad");
    assert.equal(
      thrown(() => rethrowInvokeFailure(token, once)),
      once,
    );
  });

  it("is recognised by isInstance only for its own kind", () => {
    assert.equal(InvokeError.isInstance(new InvokeError(token, "x")), true);
    assert.equal(InvokeError.isInstance(new pulumi.RunError("x")), false);
    assert.equal(InvokeError.isInstance(undefined), false);
  });
});
