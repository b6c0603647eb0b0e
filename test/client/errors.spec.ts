import assert from "node:assert/strict";
import {
  backoffDelay,
  Deadline,
  Redactor,
  SmartagApiError,
  SmartagDeadlineError,
  SmartagError,
  SmartagNetworkError,
  withRetry,
} from "@pulumi-smartag/client";

describe("SmartagApiError", () => {
  it("carries code, API message, RequestId, status and an actionable hint", () => {
    const e = new SmartagApiError({
      code: "SAG.InstanceNoFound",
      apiMessage: "The specified SAG instance does not exist.",
      requestId: "REQ-1",
      httpStatus: 400,
    });
    assert.equal(e.name, "SmartagApiError");
    assert.equal(e.code, "SAG.InstanceNoFound");
    assert.equal(e.requestId, "REQ-1");
    assert.equal(e.httpStatus, 400);
    assert.equal(e.retryable, false);
    assert.match(
      e.message,
      /^SAG\.InstanceNoFound: The specified SAG instance does not exist\. \(RequestId: REQ-1\)\nhint: check smartAgId and regionId/,
    );
  });

  it("gives a hint for each documented code", () => {
    for (const code of [
      "ClientUser.NameEmpty",
      "ClientUser.NameInvalid",
      "SAG.InstanceIdEmpty",
      "SAG.InstanceNoFound",
    ]) {
      const e = new SmartagApiError({ code, apiMessage: "x" });
      assert.ok(e.hint && e.hint.length > 20, `no hint for ${code}`);
    }
  });

  it("is retryable for throttling, unavailability, 5xx and 429, not for user errors", () => {
    const retryable = (code: string, httpStatus?: number) =>
      new SmartagApiError({ code, apiMessage: "x", httpStatus }).retryable;
    assert.equal(retryable("Throttling.User", 400), true);
    assert.equal(retryable("Throttling.Whatever", 400), true);
    assert.equal(retryable("ServiceUnavailable", 503), true);
    assert.equal(retryable("InternalError", 500), true);
    assert.equal(retryable("SomethingNew", 502), true);
    assert.equal(retryable("QuotaExceeded.Gateway", 429), true);
    assert.equal(retryable("ClientUser.NameInvalid", 400), false);
    assert.equal(retryable("SignatureDoesNotMatch", 400), false);
  });

  it("is recognised by isInstance, and plain errors are not", () => {
    assert.equal(
      SmartagError.isInstance(new SmartagApiError({ code: "X", apiMessage: "y" })),
      true,
    );
    assert.equal(SmartagError.isInstance(new Error("x")), false);
    assert.equal(SmartagError.isInstance(null), false);
  });
});

describe("Redactor", () => {
  it("masks known secrets in raw and encoded forms and credential fields in URLs", () => {
    const r = new Redactor();
    r.add("s3cr3t/+=", "tok*en!", undefined, "ab");
    const text =
      "failed: http://h/?AccessKeyId=LTAI1&Signature=abc%2B&SecurityToken=zzz s3cr3t/+= s3cr3t%2F%2B%3D tok%2Aen%21 ab";
    assert.equal(
      r.redact(text),
      "failed: http://h/?AccessKeyId=***&Signature=***&SecurityToken=*** *** *** *** ab",
    );
  });
});

describe("retry", () => {
  const policy = { maxAttempts: 4, retryBaseDelayMs: 100, retryMaxDelayMs: 250 };

  it("draws full-jitter delays under a capped exponential ceiling", () => {
    assert.equal(
      backoffDelay(1, policy, () => 0),
      0,
    );
    assert.equal(
      backoffDelay(1, policy, () => 0.999),
      99,
    );
    assert.equal(
      backoffDelay(2, policy, () => 0.999),
      199,
    );
    assert.equal(
      backoffDelay(3, policy, () => 0.999),
      249,
    );
    assert.equal(
      backoffDelay(10, policy, () => 0.5),
      125,
    );
  });

  it("retries retryable errors until success", async () => {
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new SmartagNetworkError("reset", "ECONNRESET");
        return "ok";
      },
      policy,
      new Deadline(60_000),
      { random: () => 0 },
    );
    assert.equal(result, "ok");
    assert.equal(calls, 3);
  });

  it("never retries an error that is not retryable, nor an unknown one", async () => {
    for (const error of [
      new SmartagApiError({ code: "SAG.InstanceNoFound", apiMessage: "x" }),
      new TypeError("bug"),
    ]) {
      let calls = 0;
      await assert.rejects(
        withRetry(
          async () => {
            calls++;
            throw error;
          },
          policy,
          new Deadline(60_000),
          { random: () => 0 },
        ),
        (e) => e === error,
      );
      assert.equal(calls, 1);
    }
  });

  it("stops after maxAttempts and rethrows the last error", async () => {
    let calls = 0;
    const retries: number[] = [];
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw new SmartagNetworkError(`reset ${calls}`, "ECONNRESET");
        },
        policy,
        new Deadline(60_000),
        { random: () => 0, onRetry: (i) => retries.push(i.attempt) },
      ),
      /reset 4/,
    );
    assert.equal(calls, 4);
    assert.deepEqual(retries, [1, 2, 3]);
  });

  it("gives up with a deadline error when the next wait would pass the deadline", async () => {
    let now = 0;
    const deadline = new Deadline(150, () => now);
    await assert.rejects(
      withRetry(
        async () => {
          now += 100;
          throw new SmartagNetworkError("reset", "ECONNRESET");
        },
        policy,
        deadline,
        { random: () => 0.9 },
      ),
      (e: unknown) => {
        assert.ok(e instanceof SmartagDeadlineError);
        assert.equal(e.code, "DeadlineExceeded");
        assert.match(
          e.message,
          /deadline of 150 ms would pass before another attempt, after 1 attempt\(s\); last error: reset/,
        );
        return true;
      },
    );
  });
});
