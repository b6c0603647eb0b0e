/**
 * Shared pieces of the reliability suite: a 1,000-user fixture with known counts, seeded
 * randomness, a watchdog that turns a hang into a failure, and a recording TCP proxy that
 * sees every signature the client puts on the wire.
 */
import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { type Fixture, loadDefaultFixture } from "../../emulator";
import { makeRandom } from "../../emulator/faults";

export const KEY1 = { accessKey: "LTAI5tEmulatorKey01", secretKey: "emulator-secret-01" };
export const STS = {
  accessKey: "STS.EmulatorKey03",
  secretKey: "emulator-secret-03",
  securityToken: "emulator-sts-token-03",
};
/** Every credential of the default fixture; none may ever be shown to a user. */
export const SECRETS: readonly string[] = [
  "emulator-secret-01",
  "emulator-secret-02",
  "emulator-secret-03",
  "emulator-sts-token-03",
];

export const RELIABILITY_REGION = "cn-shanghai";
export const RELIABILITY_SAG = "sag-rel0001";

/** A seeded PRNG in [0, 1): the same seed gives the same shuffles and jitter. */
export function seededRandom(seed: number): () => number {
  return makeRandom(seed);
}

/**
 * The i-th of 1,000 usernames, in four shapes that use every allowed character class
 * (letters of both cases, digits, `_ @ . -`, a leading digit), all 7-33 characters long.
 */
function reliabilityName(i: number): string {
  const n = String(i).padStart(4, "0");
  switch (i % 4) {
    case 0:
      return `rel${n}.user`;
    case 1:
      return `r_${n}@corp.example`;
    case 2:
      return `${n}-field-agent`;
    default:
      return `Mixed.Case_${n}-x@y.z`;
  }
}

/** Online count of the i-th user: 0-12, so totals are not trivially a multiple of anything. */
function reliabilityCount(i: number): number {
  return (i * 37) % 13;
}

export interface BigFixture {
  fixture: Fixture;
  /** All 1,000 names, in a seeded shuffled order (not fixture order). */
  names: string[];
  counts: ReadonlyMap<string, number>;
}

/** The default fixture plus sag-rel0001 in cn-shanghai with 1,000 users of known counts. */
export function bigFixture(users = 1000, shuffleSeed = 20240601): BigFixture {
  const base = loadDefaultFixture();
  const counts = new Map<string, number>();
  for (let i = 0; i < users; i++) counts.set(reliabilityName(i), reliabilityCount(i));
  const names = [...counts.keys()];
  const random = seededRandom(shuffleSeed);
  for (let i = names.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [names[i], names[j]] = [names[j] as string, names[i] as string];
  }
  const regions = structuredClone(base.regions);
  const shanghai = regions[RELIABILITY_REGION] ?? {};
  shanghai[RELIABILITY_SAG] = { users: Object.fromEntries(counts) };
  regions[RELIABILITY_REGION] = shanghai;
  return { fixture: { ...base, regions }, names, counts };
}

export type Settled<T> =
  | { status: "fulfilled"; value: T; elapsedMs: number }
  | { status: "rejected"; reason: unknown; elapsedMs: number }
  | { status: "hung"; elapsedMs: number };

/**
 * Waits for `promise` but gives up after `watchdogMs`, reporting "hung" instead of blocking
 * the suite forever (mocha runs with no time limit). The watchdog is far above anything the
 * code under test should take: it only turns a hang into a readable failure.
 */
export async function settle<T>(promise: Promise<T>, watchdogMs: number): Promise<Settled<T>> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<"hung">((resolve) => {
    timer = setTimeout(() => resolve("hung"), watchdogMs);
  });
  try {
    const outcome = await Promise.race([
      promise.then(
        (value) => ({ status: "fulfilled" as const, value }),
        (reason: unknown) => ({ status: "rejected" as const, reason }),
      ),
      watchdog,
    ]);
    if (outcome === "hung") return { status: "hung", elapsedMs: elapsed() };
    return { ...outcome, elapsedMs: elapsed() };
  } finally {
    clearTimeout(timer);
  }
}

/** Settles within the watchdog or fails the test saying what hung. */
export async function noHang<T>(promise: Promise<T>, what: string, watchdogMs = 60_000) {
  const outcome = await settle(promise, watchdogMs);
  if (outcome.status === "hung") throw new Error(`${what} did not end within ${watchdogMs} ms`);
  return outcome;
}

export interface RecordingProxy {
  url: string;
  /** Every Signature the clients sent through this proxy, decoded. */
  signatures(): string[];
  /** Everything the clients sent, as latin1 text. */
  sentText(): string;
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of the emulator that records what clients send. The emulator logs
 * every parameter except Signature, and nothing at all for a request whose client timed out;
 * the proxy sees the bytes themselves. A reset upstream is passed on as a reset, so the
 * client sees the same faults as without the proxy.
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const { hostname, port } = new URL(target);
  const sent: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(client);
    sockets.add(upstream);
    const index = sent.push("") - 1;
    client.on("data", (d: Buffer) => {
      sent[index] += d.toString("latin1");
      upstream.write(d);
    });
    upstream.on("data", (d: Buffer) => client.write(d));
    client.on("end", () => upstream.end());
    upstream.on("end", () => client.end());
    upstream.on("error", () => client.resetAndDestroy());
    client.on("error", () => upstream.resetAndDestroy());
    client.on("close", () => {
      upstream.destroy();
      sockets.delete(client);
    });
    upstream.on("close", () => {
      client.destroy();
      sockets.delete(upstream);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port: own } = server.address() as AddressInfo;
  const text = () => sent.join("\n");
  return {
    url: `http://127.0.0.1:${own}`,
    sentText: text,
    signatures() {
      // An HMAC-SHA1 in base64 is 27 characters and one "=", percent-encoded on the wire; the
      // exact shape matters because keep-alive requests follow each other with no separator.
      const found = new Set<string>();
      for (const m of text().matchAll(/Signature=((?:[A-Za-z0-9]|%2B|%2F){27}%3D)/g)) {
        found.add(decodeURIComponent(m[1] as string));
      }
      return [...found];
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
