import { type ApiError, errors } from "./errors";

export interface Faults {
  /** 0..1: share of requests answered Throttling.User. */
  throttleRate?: number;
  /** Requests admitted per rolling second; the rest answer Throttling.User. */
  qps?: number;
  /** 0..1: share answered ServiceUnavailable (503) or InternalError (500), chosen at random. */
  serverErrorRate?: number;
  /** Added before every answer, including error answers. */
  latencyMs?: number;
  /** 0..1: share answered with a gateway's 502 HTML page instead of JSON. */
  htmlRate?: number;
  /** 0..1: share whose connection is reset without an answer. */
  resetRate?: number;
  /** Seeds the PRNG so a run with the same requests in the same order fails the same way. */
  seed?: number;
}

export const DEFAULT_SEED = 1;
/** Ten minutes: past any client's deadline, and far inside what setTimeout can wait. */
export const MAX_LATENCY_MS = 600_000;

export class FaultSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FaultSpecError";
  }
}

const rateKeys = ["throttleRate", "serverErrorRate", "htmlRate", "resetRate"] as const;

/** Throws a FaultSpecError naming the first bad field; used for the API and the CLI alike. */
export function validateFaults(faults: Faults): Faults {
  for (const key of rateKeys) {
    const v = faults[key];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0 && v <= 1)) {
      throw new FaultSpecError(`${key} must be a number from 0 to 1, got ${v}`);
    }
  }
  const { qps, latencyMs, seed } = faults;
  if (qps !== undefined && !(Number.isInteger(qps) && qps > 0)) {
    throw new FaultSpecError(`qps must be a positive integer, got ${qps}`);
  }
  if (latencyMs !== undefined && !(latencyMs >= 0 && latencyMs <= MAX_LATENCY_MS)) {
    throw new FaultSpecError(
      `latencyMs must be a number of milliseconds from 0 to ${MAX_LATENCY_MS}, got ${latencyMs}`,
    );
  }
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new FaultSpecError(`seed must be an integer, got ${seed}`);
  }
  return faults;
}

const specKeys: Record<string, keyof Faults> = {
  throttle: "throttleRate",
  "5xx": "serverErrorRate",
  latency: "latencyMs",
  html: "htmlRate",
  reset: "resetRate",
  qps: "qps",
  seed: "seed",
};

/** Parses "throttle=0.3,5xx=0.1,latency=30,html=0.05,reset=0.05,qps=20,seed=7". */
export function parseFaultSpec(spec: string): Faults {
  const faults: Faults = {};
  for (const part of spec.split(",")) {
    const item = part.trim();
    if (item === "") continue;
    const eq = item.indexOf("=");
    if (eq < 0) throw new FaultSpecError(`fault "${item}" needs a value: write key=value`);
    const name = item.slice(0, eq).trim();
    const raw = item.slice(eq + 1).trim();
    const key = specKeys[name];
    if (key === undefined) {
      throw new FaultSpecError(
        `unknown fault "${name}"; known: ${Object.keys(specKeys).join(", ")}`,
      );
    }
    if (faults[key] !== undefined) throw new FaultSpecError(`fault "${name}" is given twice`);
    // Number("") is 0 and Number("0x10") is 16: accept only plain decimals.
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(raw)) {
      throw new FaultSpecError(`fault "${name}" needs a number, got "${raw}"`);
    }
    faults[key] = Number(raw);
  }
  try {
    return validateFaults(faults);
  } catch (err) {
    throw new FaultSpecError(`bad fault spec "${spec}": ${(err as Error).message}`);
  }
}

/** mulberry32: tiny, fast and good enough to spread faults; not for anything secret. */
export function makeRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type FaultDecision =
  | { kind: "none" }
  | { kind: "reset" }
  | { kind: "html" }
  | { kind: "error"; error: ApiError };

/**
 * Decides, per request, which fault (if any) to inject. Every request draws the same
 * number of random values whatever the rates are, so changing one rate does not shift
 * which requests the other faults hit.
 */
export class FaultInjector {
  private faults: Faults = {};
  private random = makeRandom(DEFAULT_SEED);
  private admitted: number[] = [];

  constructor(faults: Faults = {}) {
    this.set(faults);
  }

  /** Replaces every setting; the PRNG restarts only when a seed is given. */
  set(faults: Faults): void {
    this.faults = { ...validateFaults(faults) };
    if (faults.seed !== undefined) this.random = makeRandom(faults.seed);
  }

  get latencyMs(): number {
    return this.faults.latencyMs ?? 0;
  }

  decide(now: number): FaultDecision {
    const [reset, html, throttle, serverError, which] = [
      this.random(),
      this.random(),
      this.random(),
      this.random(),
      this.random(),
    ];
    const f = this.faults;
    if (reset < (f.resetRate ?? 0)) return { kind: "reset" };
    if (html < (f.htmlRate ?? 0)) return { kind: "html" };
    if (throttle < (f.throttleRate ?? 0)) return { kind: "error", error: errors.throttled() };
    if (f.qps !== undefined && !this.admit(now, f.qps)) {
      return { kind: "error", error: errors.throttled() };
    }
    if (serverError < (f.serverErrorRate ?? 0)) {
      const error = which < 0.5 ? errors.serviceUnavailable() : errors.internalError();
      return { kind: "error", error };
    }
    return { kind: "none" };
  }

  /** Sliding one-second window; rejected requests do not use up the allowance. */
  private admit(now: number, qps: number): boolean {
    this.admitted = this.admitted.filter((t) => t > now - 1000 && t <= now);
    if (this.admitted.length >= qps) return false;
    this.admitted.push(now);
    return true;
  }
}
