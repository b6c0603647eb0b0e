/**
 * The client's whole-or-nothing promise under injected faults, and its total deadline.
 *
 * 1,000 names take 20 API requests. The emulator throttles 30% of requests, answers 10% with
 * a 5xx, 5% with a gateway's HTML page, resets 5% of connections, and (switched on and off
 * while the call runs) answers some requests slower than the client's read timeout. Whatever
 * happens, the call either returns every count exactly once and correctly, or fails as a
 * whole with a coded SmartagError: never a partial or a wrong answer.
 */
import assert from "node:assert/strict";
import {
  type ClientEvent,
  type SettingsInput,
  SmartagError,
  type UserOnlineClientStatistics,
} from "@pulumi-smartag/client";
import { type RunningEmulator, startEmulator } from "../../emulator";
import { clientFromSettings } from "../helpers/client";
import {
  type BigFixture,
  bigFixture,
  KEY1,
  noHang,
  RELIABILITY_REGION,
  RELIABILITY_SAG,
  seededRandom,
} from "./helpers";

/** Codes a call may fail with when every attempt of some request hit an injected fault. */
const FAULT_CODES = new Set([
  "Throttling.User",
  "ServiceUnavailable",
  "InternalError",
  "InvalidResponse.NotJson",
  "ECONNRESET",
  "EPIPE",
  "SocketHangUp",
  "RequestTimeout",
  "DeadlineExceeded",
]);

const BASE_FAULTS = { throttleRate: 0.3, serverErrorRate: 0.1, htmlRate: 0.05, resetRate: 0.05 };
/** Slower than READ_TIMEOUT_MS, so a request that meets it times out on the client. */
const SLOW_MS = 400;
const READ_TIMEOUT_MS = 200;

describe("reliability: 1,000 names under injected faults", () => {
  let big: BigFixture;
  let emulator: RunningEmulator;
  /** Outcomes of every call, to check that both the success and the failure path ran. */
  const outcomes: { maxAttempts: number; ok: boolean }[] = [];
  /** Error codes seen across all runs: in retries, and in calls that failed. */
  const seenCodes = new Set<string>();

  before(async () => {
    big = bigFixture();
    emulator = await startEmulator({ fixture: big.fixture });
  });
  after(async () => emulator.close());

  /**
   * A client whose request events switch the emulator's latency: one request in eight starts
   * a slow phase, two requests later it ends. The latency is global, so whatever arrives in
   * that window (this request, others in flight) is slower than the read timeout.
   */
  const faultyClient = (seed: number, extra: SettingsInput) => {
    let requests = 0;
    const onEvent = (e: ClientEvent) => {
      if (e.type === "retry") seenCodes.add(e.code);
      if (e.type !== "request") return;
      requests++;
      if (requests % 8 === 0) emulator.setFaults({ ...BASE_FAULTS, latencyMs: SLOW_MS });
      if (requests % 8 === 2) emulator.setFaults({ ...BASE_FAULTS, latencyMs: 0 });
    };
    return clientFromSettings(
      {
        region: RELIABILITY_REGION,
        endpoint: emulator.url,
        ...KEY1,
        retryBaseDelayMs: 1,
        retryMaxDelayMs: 20,
        readTimeoutMs: READ_TIMEOUT_MS,
        deadlineMs: 60_000,
        concurrency: 4,
        cacheTtlMs: 0,
        ...extra,
      },
      { env: {}, onEvent, random: seededRandom(seed) },
    );
  };

  /** The contract: a complete, correct answer, or a coded SmartagError and no answer at all. */
  const assertWholeOrNothing = (
    outcome: { status: "fulfilled"; value: UserOnlineClientStatistics } | { reason: unknown },
  ): boolean => {
    if ("value" in outcome) {
      const result = outcome.value;
      assert.equal(result.regionId, RELIABILITY_REGION);
      assert.equal(result.smartAgId, RELIABILITY_SAG);
      assert.equal(result.userStatistics.length, big.names.length);
      // Exactly once each, in request order, with the fixture's count.
      assert.deepEqual(
        result.userStatistics,
        big.names.map((userName) => ({ userName, onlineCount: big.counts.get(userName) })),
      );
      const expectedTotal = [...big.counts.values()].reduce((a, b) => a + b, 0);
      assert.equal(result.totalOnlineCount, expectedTotal);
      assert.equal(result.requestIds.length, 20, "one RequestId per batch of 50");
      assert.equal(new Set(result.requestIds).size, 20, "RequestIds are distinct");
      return true;
    }
    const e = outcome.reason;
    assert.ok(SmartagError.isInstance(e), `expected a SmartagError, got ${String(e)}`);
    assert.ok(FAULT_CODES.has(e.code), `unexpected code ${e.code}: ${e.message}`);
    assert.ok(e.message.length > 0);
    seenCodes.add(e.code);
    return false;
  };

  const run = async (seed: number, maxAttempts: number) => {
    emulator.setFaults({ ...BASE_FAULTS, latencyMs: 0, seed });
    const client = faultyClient(seed, { maxAttempts });
    const outcome = await noHang(
      client.describeUserOnlineClientStatistics({
        smartAgId: RELIABILITY_SAG,
        userNames: big.names,
      }),
      `a call with seed ${seed}`,
    );
    const ok = assertWholeOrNothing(outcome);
    outcomes.push({ maxAttempts, ok });
    emulator.setFaults({});
  };

  for (const seed of [1, 7, 42, 1234, 99_991]) {
    it(`answers every count once and correctly, or fails whole, with 20 attempts (seed ${seed})`, async () => {
      await run(seed, 20);
    });
    it(`fails whole with a coded error, or answers completely, with 2 attempts (seed ${seed})`, async () => {
      await run(seed, 2);
    });
  }

  it("went through both paths and met every kind of injected fault in the runs above", () => {
    // With 20 attempts a batch fails only if ~20 faults in a row hit it (p < 1e-5); with 2,
    // one of 20 batches failing twice is near certain (p > 0.97 per run).
    assert.ok(
      outcomes.some((o) => o.maxAttempts === 20 && o.ok),
      "no run with 20 attempts succeeded",
    );
    assert.ok(
      outcomes.some((o) => o.maxAttempts === 2 && !o.ok),
      "no run with 2 attempts failed",
    );
    for (const code of ["Throttling.User", "InvalidResponse.NotJson", "RequestTimeout"]) {
      assert.ok(seenCodes.has(code), `no ${code} was seen: ${[...seenCodes].join(", ")}`);
    }
    assert.ok(
      seenCodes.has("ServiceUnavailable") || seenCodes.has("InternalError"),
      "no 5xx was seen",
    );
    assert.ok(
      ["ECONNRESET", "EPIPE", "SocketHangUp"].some((c) => seenCodes.has(c)),
      `no reset was seen: ${[...seenCodes].join(", ")}`,
    );
  });
});

describe("reliability: the total deadline", () => {
  let big: BigFixture;
  let emulator: RunningEmulator;
  before(async () => {
    big = bigFixture();
    emulator = await startEmulator({ fixture: big.fixture });
  });
  after(async () => emulator.close());
  afterEach(() => emulator.setFaults({}));

  const client = (extra: SettingsInput) =>
    clientFromSettings(
      {
        region: RELIABILITY_REGION,
        endpoint: emulator.url,
        ...KEY1,
        retryBaseDelayMs: 1,
        retryMaxDelayMs: 20,
        maxAttempts: 20,
        cacheTtlMs: 0,
        ...extra,
      },
      { env: {}, random: seededRandom(5) },
    );

  /*
   * How late a call may end past its deadline. This is not a time limit on the test (the
   * suite runs with no mocha timeout, and `noHang`'s watchdog is far above it): it is the
   * client's own promise, "the call ends at the deadline", checked with room for a loaded
   * 2-core machine, where timers fire late and a request cut at the deadline still has to
   * tear down its socket. A client that waited for a full read timeout, or for the batches it
   * had not started yet, would overshoot it by seconds.
   */
  const margin = (readTimeoutMs: number) => Math.max(2_000, readTimeoutMs);

  it("ends at the deadline with DeadlineExceeded or RequestTimeout when the API is slower than the read timeout", async () => {
    emulator.setFaults({ latencyMs: 5_000 });
    const deadlineMs = 1_500;
    const readTimeoutMs = 1_000;
    const outcome = await noHang(
      client({ deadlineMs, readTimeoutMs }).describeUserOnlineClientStatistics({
        smartAgId: "sag-demo0001",
        userNames: ["doctest"],
      }),
      "a call against a slow API",
    );
    assert.equal(outcome.status, "rejected", "the call ended, and without an answer");
    const e = "reason" in outcome ? outcome.reason : undefined;
    assert.ok(SmartagError.isInstance(e));
    assert.ok(["DeadlineExceeded", "RequestTimeout"].includes(e.code), e.code);
    assert.ok(
      outcome.elapsedMs < deadlineMs + margin(readTimeoutMs),
      `ended after ${outcome.elapsedMs} ms, deadline ${deadlineMs} ms`,
    );
    // It did try: more than one attempt fit into the deadline.
    assert.ok(outcome.elapsedMs >= readTimeoutMs - 50, `gave up early: ${outcome.elapsedMs} ms`);
  });

  it("ends at the deadline when each request answers in time but 20 batches together cannot", async () => {
    // 20 batches, two at a time, 300 ms each: about 3 s of work for a 1 s deadline.
    emulator.setFaults({ latencyMs: 300 });
    const deadlineMs = 1_000;
    const readTimeoutMs = 10_000;
    emulator.resetLog();
    const outcome = await noHang(
      client({ deadlineMs, readTimeoutMs, concurrency: 2 }).describeUserOnlineClientStatistics({
        smartAgId: RELIABILITY_SAG,
        userNames: big.names,
      }),
      "a call of 20 slow batches",
    );
    assert.equal(outcome.status, "rejected", "the call ended, and without an answer");
    const e = "reason" in outcome ? outcome.reason : undefined;
    assert.ok(SmartagError.isInstance(e));
    assert.ok(["DeadlineExceeded", "RequestTimeout"].includes(e.code), e.code);
    // The read timeout of a request is cut to the time left, so 10 s is never waited.
    assert.ok(
      outcome.elapsedMs < deadlineMs + 2_000,
      `ended after ${outcome.elapsedMs} ms, deadline ${deadlineMs} ms`,
    );
    assert.ok(emulator.requests.length < 20, "batches after the deadline were not sent");
  });
});
