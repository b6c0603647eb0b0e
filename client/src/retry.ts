/**
 * Retrying transient failures: capped exponential backoff with full jitter, a bounded number
 * of attempts, and one deadline for the whole call. Whether an error is transient is decided
 * by the error itself (`retryable`, computed from code tables); unknown errors never retry.
 */
import { SmartagDeadlineError, SmartagError } from "./errors";

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
}

/** Full jitter: a uniform delay between 0 and the capped exponential step. */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.retryMaxDelayMs, policy.retryBaseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/** A point in time after which no new attempt starts, shared by every request of one call. */
export class Deadline {
  private readonly end: number;
  constructor(
    readonly totalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.end = now() + totalMs;
  }
  remaining(): number {
    return Math.max(0, this.end - this.now());
  }
}

export interface RetryHooks {
  random?: () => number;
  /** Called before sleeping between attempts (for logs and tests). */
  onRetry?: (info: { attempt: number; delayMs: number; error: SmartagError }) => void;
  signal?: AbortSignal | undefined;
}

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable error, runs out of attempts, or
 * the deadline passes. `attempt` receives the time left so it can bound its own timeout.
 */
export async function withRetry<T>(
  run: (attempt: number, remainingMs: number) => Promise<T>,
  policy: RetryPolicy,
  deadline: Deadline,
  hooks: RetryHooks = {},
): Promise<T> {
  let lastError: unknown;
  for (let attempt = 1; ; attempt++) {
    const remaining = deadline.remaining();
    if (remaining <= 0) throw new SmartagDeadlineError(deadline.totalMs, attempt - 1, lastError);
    try {
      return await run(attempt, remaining);
    } catch (e) {
      lastError = e;
      const retryable = SmartagError.isInstance(e) && e.retryable;
      if (!retryable || attempt >= policy.maxAttempts || hooks.signal?.aborted) throw e;
      const delayMs = backoffDelay(attempt, policy, hooks.random);
      if (delayMs >= deadline.remaining()) {
        throw new SmartagDeadlineError(deadline.totalMs, attempt, e, true);
      }
      hooks.onRetry?.({ attempt, delayMs, error: e });
      await sleep(delayMs, hooks.signal);
      if (hooks.signal?.aborted) throw e;
    }
  }
}

/** Waits `ms`, or less when `signal` aborts first; never rejects. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    // An abort ends the wait early; the loop then rethrows the last error instead of retrying.
    signal?.addEventListener("abort", done, { once: true });
  });
}
