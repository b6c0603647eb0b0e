import assert from "node:assert/strict";
import { once } from "node:events";
import { Agent } from "node:http";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import {
  FaultSpecError,
  parseFaultSpec,
  type RunningEmulator,
  startEmulator,
} from "../../emulator";
import { callDescribe, expectError, send } from "./helpers";

const call = { region: "cn-shanghai", instance: "sag-demo0001", names: ["doctest"] };

async function statuses(emu: RunningEmulator, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await callDescribe(emu.url, call)).status);
  return out;
}

describe("emulator fault spec", () => {
  it("parses every key of the documented example", () => {
    assert.deepEqual(
      parseFaultSpec("throttle=0.3,5xx=0.1,latency=30,html=0.05,reset=0.05,qps=20,seed=7"),
      {
        throttleRate: 0.3,
        serverErrorRate: 0.1,
        latencyMs: 30,
        htmlRate: 0.05,
        resetRate: 0.05,
        qps: 20,
        seed: 7,
      },
    );
    assert.deepEqual(parseFaultSpec(""), {});
    assert.deepEqual(parseFaultSpec(" throttle = 1 , "), { throttleRate: 1 });
  });

  for (const [spec, pattern] of [
    ["slow=1", /unknown fault "slow"; known: throttle, 5xx/],
    ["throttle", /needs a value/],
    ["throttle=", /needs a number, got ""/],
    ["latency=0x10", /needs a number, got "0x10"/],
    ["throttle=abc", /needs a number/],
    ["throttle=1.5", /throttleRate must be a number from 0 to 1/],
    ["qps=0", /qps must be a positive integer/],
    ["qps=2.5", /qps must be a positive integer/],
    ["latency=-1", /latencyMs must be a number of milliseconds from 0 to 600000, got -1/],
    ["latency=3000000000", /latencyMs must be a number of milliseconds from 0 to 600000/],
    ["seed=1.5", /seed must be an integer/],
    ["html=0.1,html=0.2", /given twice/],
  ] as const) {
    it(`rejects ${JSON.stringify(spec)} with a message saying why`, () => {
      assert.throws(
        () => parseFaultSpec(spec),
        (err: Error) => err instanceof FaultSpecError && pattern.test(err.message),
      );
    });
  }
});

describe("emulator faults", () => {
  let emu: RunningEmulator;
  before(async () => {
    emu = await startEmulator();
  });
  after(() => emu.close());
  beforeEach(() => {
    emu.setFaults({});
    emu.resetLog();
  });

  it("always throttles when throttleRate is 1 and never when it is 0", async () => {
    emu.setFaults({ throttleRate: 1 });
    for (let i = 0; i < 10; i++) {
      const body = expectError(await callDescribe(emu.url, call), 400, "Throttling.User");
      assert.equal(body.Message, "Request was denied due to user flow control.");
    }
    emu.setFaults({ throttleRate: 0 });
    assert.deepEqual(await statuses(emu, 10), Array(10).fill(200));
  });

  it("throttles before authentication, as a gateway does", async () => {
    emu.setFaults({ throttleRate: 1 });
    expectError(await send(emu.url, { Action: "Nope", Format: "JSON" }), 400, "Throttling.User");
    emu.setFaults({});
    expectError(await send(emu.url, { Action: "Nope", Format: "JSON" }), 400, "MissingAccessKeyId");
  });

  it("answers ServiceUnavailable (503) or InternalError (500) when serverErrorRate is 1", async () => {
    emu.setFaults({ serverErrorRate: 1, seed: 3 });
    const codes = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const reply = await callDescribe(emu.url, call);
      const code = reply.json.Code as string;
      expectError(reply, code === "ServiceUnavailable" ? 503 : 500, code);
      codes.add(code);
    }
    assert.deepEqual([...codes].sort(), ["InternalError", "ServiceUnavailable"]);
  });

  it("fails the same requests again when the seed is the same", async () => {
    emu.setFaults({ serverErrorRate: 0.5, throttleRate: 0.2, seed: 7 });
    const first = await statuses(emu, 30);
    emu.setFaults({ serverErrorRate: 0.5, throttleRate: 0.2, seed: 7 });
    const again = await statuses(emu, 30);
    emu.setFaults({ serverErrorRate: 0.5, throttleRate: 0.2, seed: 8 });
    const other = await statuses(emu, 30);
    assert.deepEqual(again, first);
    assert.notDeepEqual(other, first);
    assert.ok(first.includes(200) && first.some((s) => s !== 200), `${first}`);
  });

  it("answers a 502 HTML gateway page when htmlRate is 1", async () => {
    emu.setFaults({ htmlRate: 1 });
    const reply = await callDescribe(emu.url, call);
    assert.equal(reply.status, 502);
    assert.match(String(reply.headers["content-type"]), /^text\/html/);
    assert.match(reply.text, /^<html>[\s\S]*502 Bad Gateway[\s\S]*<\/html>\s*$/);
    assert.equal(emu.requests[0]?.status, 502);
  });

  it("resets the connection without an answer when resetRate is 1", async () => {
    emu.setFaults({ resetRate: 1 });
    await assert.rejects(callDescribe(emu.url, call), (err: NodeJS.ErrnoException) => {
      assert.equal(err.code, "ECONNRESET");
      return true;
    });
    assert.equal(emu.requests[0]?.status, 0);
    emu.setFaults({});
    assert.equal((await callDescribe(emu.url, call)).status, 200);
  });

  it("waits at least latencyMs before answering, errors included", async () => {
    emu.setFaults({ latencyMs: 60 });
    for (const names of [["doctest"], ["bad"]]) {
      const started = performance.now();
      await callDescribe(emu.url, { ...call, names });
      // Timers may fire up to a millisecond early; the bound is a floor, never a ceiling.
      assert.ok(performance.now() - started >= 59, `took ${performance.now() - started} ms`);
    }
  });

  it("counts concurrent requests in maxInFlight", async () => {
    emu.setFaults({ latencyMs: 200 });
    const replies = await Promise.all(Array.from({ length: 4 }, () => callDescribe(emu.url, call)));
    assert.deepEqual(
      replies.map((r) => r.status),
      [200, 200, 200, 200],
    );
    assert.ok(emu.maxInFlight >= 2 && emu.maxInFlight <= 4, `maxInFlight ${emu.maxInFlight}`);
    emu.resetLog();
    assert.equal(emu.maxInFlight, 0);
  });

  it("refuses a latency past its bound at runtime, naming field and range", () => {
    for (const latencyMs of [600_001, 3_000_000_000, Number.POSITIVE_INFINITY, Number.NaN]) {
      assert.throws(
        () => emu.setFaults({ latencyMs }),
        (err: Error) =>
          err instanceof FaultSpecError && /latencyMs .* 0 to 600000/.test(err.message),
      );
    }
    emu.setFaults({ latencyMs: 600_000 }); // the bound itself is allowed
  });

  it("refuses invalid faults at runtime and keeps the old ones", async () => {
    emu.setFaults({ throttleRate: 1 });
    assert.throws(() => emu.setFaults({ throttleRate: 2 }), FaultSpecError);
    expectError(await callDescribe(emu.url, call), 400, "Throttling.User");
  });
});

describe("emulator qps cap", () => {
  it("throttles requests beyond N in a second and admits them again a second later", async () => {
    let clock = Date.parse("2026-11-30T03:33:28Z");
    const emu = await startEmulator({ now: () => clock, faults: { qps: 3 } });
    try {
      const burst: string[] = [];
      for (let i = 0; i < 5; i++) {
        const reply = await callDescribe(emu.url, { ...call, at: clock });
        burst.push(reply.status === 200 ? "ok" : (reply.json.Code as string));
      }
      assert.deepEqual(burst, ["ok", "ok", "ok", "Throttling.User", "Throttling.User"]);
      clock += 999;
      expectError(await callDescribe(emu.url, { ...call, at: clock }), 400, "Throttling.User");
      clock += 1;
      assert.equal((await callDescribe(emu.url, { ...call, at: clock })).status, 200);
    } finally {
      await emu.close();
    }
  });
});

describe("emulator close", () => {
  it("closes idle keep-alive connections so close() does not wait on clients", async () => {
    const emu = await startEmulator();
    const agent = new Agent({ keepAlive: true });
    try {
      const reply = await callDescribe(emu.url, call, { agent });
      assert.equal(reply.status, 200);
      const idle = Object.values(agent.freeSockets).flat() as Socket[];
      assert.equal(idle.length, 1);
      const closed = once(idle[0] as Socket, "close");
      await emu.close();
      await closed;
      assert.equal((idle[0] as Socket).destroyed, true);
    } finally {
      agent.destroy();
    }
  });

  it("may be called twice", async () => {
    const emu = await startEmulator();
    await emu.close();
    await emu.close();
    await assert.rejects(callDescribe(emu.url, call), /ECONNREFUSED/);
  });
});
