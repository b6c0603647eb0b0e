/**
 * 4. Rate cap: an emulator that admits Q requests per rolling second and throttles the rest,
 * against a client limited to Q requests per second and one without a limit.
 */
import { performance } from "node:perf_hooks";
import { SmartagError } from "@pulumi-smartag/client";
import { ourClient } from "../lib/client";
import { INSTANCE, userNames } from "../lib/fixture";
import type { EmulatorProcess } from "../lib/proc";
import type { Report } from "../lib/report";
import { int, ms, sleep } from "../lib/stats";

export interface RateCapRow {
  limit: number;
  sent: number;
  throttled: number;
  retries: number;
  wall: number;
  outcome: string;
}

export const NAMES = 2_000;
export const MAX_ATTEMPTS = 10;

export async function rateCap(
  emulator: EmulatorProcess,
  qps: number,
  latencyMs: number,
  report: Report,
): Promise<RateCapRow[]> {
  const names = userNames(NAMES);
  const rows: RateCapRow[] = [];
  for (const limit of [qps, 0]) {
    // Let the emulator's one-second window empty between runs.
    await sleep(1_200);
    let retries = 0;
    const client = ourClient(
      emulator.url,
      { maxRequestsPerSecond: limit, maxAttempts: MAX_ATTEMPTS },
      (e) => {
        if (e.type === "retry") retries++;
      },
    );
    const before = await emulator.counts();
    const t0 = performance.now();
    let outcome = "ok";
    try {
      await client.describeUserOnlineClientStatistics({ smartAgId: INSTANCE, userNames: names });
    } catch (e) {
      outcome = SmartagError.isInstance(e) ? `failed: ${e.code}` : `failed: ${String(e)}`;
    }
    const wall = performance.now() - t0;
    const after = await emulator.counts();
    rows.push({
      limit,
      sent: after.total - before.total,
      throttled: after.throttled - before.throttled,
      retries,
      wall,
      outcome,
    });
  }
  report.heading(`4. Rate cap: emulator admits ${qps} requests/s`);
  report.para(
    `Emulator latency ${latencyMs} ms and qps=${qps} (own process; over the cap it answers ` +
      `Throttling.User). One call of ${int(NAMES)} names = ${NAMES / 50} API requests at the ` +
      `default concurrency 4, maxAttempts ${MAX_ATTEMPTS} (raised from 5 so the unlimited run ` +
      "does not give up), default backoff. Requests and throttled answers are counted from the " +
      "emulator's own log.",
  );
  report.table(
    [
      "client maxRequestsPerSecond",
      "requests sent",
      "throttled",
      "client retries",
      "wall",
      "outcome",
    ],
    rows.map((r) => [
      r.limit === 0 ? "0 (no limit)" : r.limit,
      r.sent,
      r.throttled,
      r.retries,
      ms(r.wall),
      r.outcome,
    ]),
  );
  return rows;
}
