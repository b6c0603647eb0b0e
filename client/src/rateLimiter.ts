/**
 * Keeps a client under a request rate: at most N request starts in any window of a little over
 * one second. A sliding window rather than a token bucket, because APIs count requests in a
 * rolling second, and a bucket's burst plus its refill can put twice the rate into one such
 * second. Requests wait for their turn instead of being sent and throttled: a throttled request
 * costs a round trip and a backoff, and a storm of them keeps the API's limiter shut for
 * everyone on the account.
 */

import { SmartagDeadlineError, SmartagError } from "./errors";
import { type Deadline, sleep } from "./retry";

/** Slack on the one-second window, for requests that reach the API sooner than they left us. */
const WINDOW_MS = 1_050;

export class RateLimiter {
  /** Start times of the most recent requests, oldest first, at most `perSecond` of them. */
  private readonly starts: number[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves when a request may start; callers are served in arrival order. */
  acquire(signal?: AbortSignal, deadline?: Deadline): Promise<void> {
    if (this.perSecond <= 0) return Promise.resolve();
    const turn = this.queue.then(() => this.take(signal, deadline));
    // A cancelled waiter must not block the ones behind it.
    this.queue = turn.catch(() => {});
    return turn;
  }

  private async take(
    signal: AbortSignal | undefined,
    deadline: Deadline | undefined,
  ): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw new SmartagError("the call was cancelled", { code: "Cancelled" });
      const t = this.now();
      if (this.starts.length < this.perSecond) {
        this.starts.push(t);
        return;
      }
      const oldest = this.starts[0] as number;
      const waitMs = oldest + WINDOW_MS - t;
      if (waitMs <= 0) {
        this.starts.shift();
        this.starts.push(t);
        return;
      }
      if (deadline && waitMs >= deadline.remaining()) {
        const waiting = new SmartagError("still waiting for a turn under maxRequestsPerSecond", {
          code: "RateLimited",
        });
        throw new SmartagDeadlineError(deadline.totalMs, 0, waiting, true);
      }
      // A cancelled caller stops waiting at once; the loop then throws Cancelled.
      await sleep(waitMs, signal);
    }
  }
}
