/**
 * How a failed invoke reaches the person running `pulumi preview` or `pulumi up`.
 *
 * The Node.js SDK rejects a failed invoke with a plain `Error`, which its run script prints as
 * "failed with an unhandled exception" followed by the SDK's own stack frames and a dump of
 * the error object: noise around the one line that matters (the bad field, or the API's code,
 * RequestId and hint). {@link InvokeError} is a `pulumi.RunError`, which is printed as its
 * message alone.
 */
import * as pulumi from "@pulumi/pulumi";

const marker = Symbol.for("pulumi-smartag:InvokeError");

/**
 * An invoke of this package failed: the plugin refused an argument, or the API answered with an
 * error. The message names the function and then says why, for example
 * `Invoke of 'smartag:index:getUserOnlineClientStatistics' failed: must be at least 7 characters (userNames[1])`,
 * or the API's code, message, RequestId and a hint. A `pulumi.RunError`, so a deployment it
 * ends shows that message without a stack trace.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * export const total = smartag
 *     .getUserOnlineClientStatistics({ smartAgId: "sag-demo0001", userNames: ["doctest"] })
 *     .then((r) => r.totalOnlineCount)
 *     .catch((e) => {
 *         if (smartag.InvokeError.isInstance(e) && /SAG\.InstanceNoFound/.test(e.reason)) {
 *             return 0;
 *         }
 *         throw e;
 *     });
 * ```
 */
export class InvokeError extends pulumi.RunError {
  override readonly name = "InvokeError";
  /** The function's token, e.g. `smartag:index:getUserOnlineClientStatistics`. */
  readonly token: string;
  /** Why it failed: the plugin's or the API's words, without the SDK's prefixes. */
  readonly reason: string;

  /**
   * @param token the function's token.
   * @param reason why it failed.
   * @param cause the error the Pulumi SDK rejected with, kept for debugging.
   */
  constructor(token: string, reason: string, cause?: unknown) {
    super(`Invoke of '${token}' failed: ${reason}`);
    this.token = token;
    this.reason = reason;
    if (cause !== undefined) {
      Object.defineProperty(this, "cause", { value: cause, enumerable: false });
    }
    Object.defineProperty(this, marker, { value: true });
    // Printed without a stack anyway; no frames also sidesteps Node 20's slow util.inspect of
    // source-mapped frames (nodejs/node#64011), as OnlineLimitsError does.
    this.stack = `${this.name}: ${this.message}`;
  }

  /**
   * True for errors of this class, even from another copy of this package.
   *
   * @example
   * ```typescript
   * import * as smartag from "pulumi-smartag";
   *
   * function isInvokeFailure(e: unknown): boolean {
   *     return smartag.InvokeError.isInstance(e);
   * }
   * ```
   */
  static override isInstance(obj: unknown): obj is InvokeError {
    return (
      typeof obj === "object" && obj !== null && (obj as Record<symbol, unknown>)[marker] === true
    );
  }
}

/**
 * The reason in an error the Pulumi SDK raised for a failed invoke of `token`, or undefined when
 * the error is something else (then it is passed on untouched, stack and all).
 *
 * The SDK words the two failures differently: "Invoke of '<token>' failed: <failures>" when the
 * plugin answered with check failures, and the engine's "invocation of <token> returned an
 * error: <message>" when the plugin answered with an error status.
 */
function invokeFailureReason(token: string, e: unknown): string | undefined {
  if (!(e instanceof Error) || InvokeError.isInstance(e)) return undefined;
  for (const prefix of [
    `Invoke of '${token}' failed: `,
    `invocation of ${token} returned an error: `,
  ]) {
    const at = e.message.indexOf(prefix);
    if (at !== -1) return e.message.slice(at + prefix.length);
  }
  return undefined;
}

/**
 * Rethrows a failed invoke of `token` as an {@link InvokeError}; anything else as it came.
 *
 * @internal
 */
export function rethrowInvokeFailure(token: string, e: unknown): never {
  const reason = invokeFailureReason(token, e);
  if (reason === undefined) throw e;
  throw new InvokeError(token, reason, e);
}
