/**
 * Bad input at every entry point: the emulator's HTTP endpoint, the plugin's gRPC Invoke and
 * Configure, the SDK (through Pulumi mocks that hand the invoke to the real plugin) and the
 * CLI. Each answers with a clear error naming the field, and none crashes or hangs: the
 * emulator keeps serving and the plugin process stays up and answers the next call.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { connect } from "node:net";
import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import * as smartag from "pulumi-smartag";
import { loadDefaultFixture, type RunningEmulator, startEmulator } from "../../emulator";
import { SECRET_SIG, SIG_KEY, secret, UNKNOWN } from "../../provider/values";
import { baseEnv, ensureBuilt, keyEnv, runCli } from "../cli/helpers";
import {
  callDescribe,
  KEY1 as EMULATOR_KEY,
  expectError,
  send,
  signedParams,
  userNames,
} from "../emulator/helpers";
import { type RunningPlugin, startPlugin, struct } from "../helpers/plugin";
import { resolvedValue } from "../sdk/mocks";
import { KEY1, noHang } from "./helpers";

const TOKEN = "smartag:index:getUserOnlineClientStatistics";
const HUGE_NAME = "a".repeat(100_000);
const UNICODE_NAMES = ["名前テスト用のユーザー", "user\u0000name1", "emoji😀user", "ünïcödé-name"];
const names10001 = () =>
  Array.from({ length: 10_001 }, (_, i) => `user${String(i + 1).padStart(5, "0")}`);

interface RawReply {
  status: number;
  text: string;
  json: Record<string, unknown> | undefined;
}

/** One HTTP exchange with a body sent exactly as given. */
function rawHttp(
  baseUrl: string,
  options: {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: Buffer | string;
  },
): Promise<RawReply> {
  const base = new URL(baseUrl);
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname: base.hostname,
        port: base.port,
        // Asks for JSON in the query, as a client would; without it the answer is XML.
        path: options.path ?? "/?Format=JSON",
        method: options.method ?? "POST",
        agent: false,
        headers: {
          ...(body === undefined ? {} : { "content-length": String(body.length) }),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: Record<string, unknown> | undefined;
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, text, json });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Writes raw bytes on a fresh TCP connection and collects whatever comes back until close. */
function rawTcp(baseUrl: string, chunks: (Buffer | string)[]): Promise<string> {
  const base = new URL(baseUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(base.port), base.hostname);
    let received = "";
    socket.on("data", (d: Buffer) => {
      received += d.toString("latin1");
    });
    socket.on("error", () => undefined); // a reset is an acceptable way to refuse garbage
    socket.on("close", () => resolve(received));
    socket.on("connect", () => {
      for (const c of chunks) socket.write(c);
      socket.end();
    });
  });
}

describe("reliability: bad input at the emulator's HTTP endpoint", () => {
  let emulator: RunningEmulator;
  before(async () => {
    emulator = await startEmulator({ fixture: loadDefaultFixture() });
  });
  after(async () => emulator.close());

  /** The emulator still answers a well-formed signed request. */
  const keepsServing = async () => {
    const reply = await callDescribe(emulator.url, {
      region: "cn-shanghai",
      instance: "sag-demo0001",
      names: ["doctest"],
    });
    assert.equal(reply.status, 200, reply.text);
  };
  const signedDescribe = (names: readonly string[], extra: Record<string, string> = {}) =>
    signedParams({
      params: { RegionId: "cn-shanghai", SmartAGId: "sag-demo0001", ...userNames(names), ...extra },
    });
  const codeOf = (reply: RawReply) => {
    assert.ok(reply.status >= 400 && reply.status < 500, `status ${reply.status}: ${reply.text}`);
    assert.equal(typeof reply.json?.Code, "string", reply.text);
    assert.equal(typeof reply.json?.Message, "string", reply.text);
    return reply.json?.Code as string;
  };

  it("answers malformed form bodies with a coded JSON error and keeps serving", async () => {
    const bodies: (string | Buffer)[] = [
      "%ZZ=%&%=%%",
      "&&&==&=",
      "Action=Describe%E0%A4%A&Version=%FF%FE",
      Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x80, 0x3d, 0x26]),
      "a".repeat(10_000),
    ];
    for (const body of bodies) {
      const reply = await noHang(
        rawHttp(emulator.url, {
          body,
          headers: { "content-type": "application/x-www-form-urlencoded" },
        }),
        "a malformed form body",
      );
      assert.ok("value" in reply);
      codeOf(reply.value);
    }
    await keepsServing();
  });

  it("ignores a JSON body, answering that the parameters are missing, and keeps serving", async () => {
    const params = signedDescribe(["doctest"]);
    for (const body of [JSON.stringify(params), "{not json", "null", "[1,2,3]"]) {
      const reply = await rawHttp(emulator.url, {
        body,
        headers: { "content-type": "application/json" },
      });
      assert.match(codeOf(reply), /^Missing/);
    }
    await keepsServing();
  });

  it("refuses a body over 1 MiB with InvalidParameter", async () => {
    const reply = await rawHttp(emulator.url, {
      body: `UserNames.1=${"x".repeat(1024 * 1024 + 10)}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assert.equal(codeOf(reply), "InvalidParameter");
    assert.match(String(reply.json?.Message), /exceeds/);
    await keepsServing();
  });

  it("refuses 10,001 names in one signed request with InvalidParameter", async () => {
    const reply = await send(emulator.url, signedDescribe(names10001()));
    expectError(reply, 400, "InvalidParameter");
    assert.match(String(reply.json.Message), /at most 50/);
    await keepsServing();
  });

  it("refuses a 100,000-character name with ClientUser.NameInvalid, quoting it clipped", async () => {
    const reply = await send(emulator.url, signedDescribe(["doctest", HUGE_NAME]));
    expectError(reply, 400, "ClientUser.NameInvalid");
    assert.ok(reply.text.length < 1_000, `the answer is ${reply.text.length} bytes`);
    await keepsServing();
  });

  it("refuses empty, blank and Unicode names with ClientUser.NameEmpty or NameInvalid", async () => {
    expectError(await send(emulator.url, signedDescribe([""])), 400, "ClientUser.NameEmpty");
    expectError(
      await send(emulator.url, signedDescribe(["doctest", ""])),
      400,
      "ClientUser.NameEmpty",
    );
    for (const name of ["       ", ...UNICODE_NAMES]) {
      const reply = await send(emulator.url, signedDescribe([name]));
      expectError(reply, 400, "ClientUser.NameInvalid");
      assert.ok(String(reply.json.Message).includes(JSON.stringify(name)), reply.text);
    }
    await keepsServing();
  });

  it("refuses UserNames keys that are not 1..N with InvalidParameter", async () => {
    for (const key of [
      "UserNames.0",
      "UserNames.01",
      "UserNames.1.1",
      "UserNames.",
      "UserNames.x",
    ]) {
      const reply = await send(emulator.url, signedDescribe([], { [key]: "doctest" }));
      expectError(reply, 400, "InvalidParameter");
    }
    const gap = await send(
      emulator.url,
      signedDescribe([], { "UserNames.1": "doctest", "UserNames.3": "carol_01" }),
    );
    expectError(gap, 400, "InvalidParameter");
    await keepsServing();
  });

  it("refuses a parameter given twice, a bad timestamp and a foreign method, each with its code", async () => {
    const params = signedDescribe(["doctest"]);
    const twice = await rawHttp(emulator.url, {
      path: "/?RegionId=cn-hongkong",
      body: new URLSearchParams(params).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    assert.equal(codeOf(twice), "InvalidParameter");
    const badTime = signedParams({
      params: {
        RegionId: "cn-shanghai",
        SmartAGId: "sag-demo0001",
        ...userNames(["doctest"]),
        Timestamp: "yesterday",
      },
    });
    expectError(await send(emulator.url, badTime), 400, "InvalidTimeStamp.Format");
    const put = await rawHttp(emulator.url, {
      method: "PUT",
      path: "/", // Format=JSON is in the body already
      body: new URLSearchParams(params).toString(),
    });
    assert.equal(codeOf(put), "UnsupportedHTTPMethod");
    await keepsServing();
  });

  it("survives garbage, an oversized request line and a body cut short, and keeps serving", async () => {
    const garbage = await noHang(rawTcp(emulator.url, ["\u0000\u0001GARBAGE \r\n\r\n"]), "garbage");
    assert.ok("value" in garbage);
    assert.match(garbage.value, /^HTTP\/1\.1 400 /);
    const longLine = await noHang(
      rawTcp(emulator.url, [`GET /?${"x".repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`]),
      "an oversized request line",
    );
    assert.ok("value" in longLine);
    assert.match(longLine.value, /^HTTP\/1\.1 431 /);
    const cut = await noHang(
      rawTcp(emulator.url, [
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n",
        "Content-Length: 1000\r\n\r\nAction=Describe",
      ]),
      "a body cut short",
    );
    assert.ok("value" in cut);
    assert.match(cut.value, /^HTTP\/1\.1 400 /);
    await keepsServing();
  });
});

describe("reliability: bad input at the plugin's gRPC Invoke and Configure", () => {
  let emulator: RunningEmulator;
  let plugin: RunningPlugin;

  before(async () => {
    ensureBuilt();
    emulator = await startEmulator({ fixture: loadDefaultFixture() });
    plugin = await startPlugin();
    await configure({ region: "cn-shanghai", endpoint: emulator.url, ...KEY1 });
  });
  after(async () => {
    await plugin.stop();
    await emulator.close();
  });

  async function configure(args: Record<string, unknown>) {
    const req = new providerPb.ConfigureRequest().setArgs(struct(args)).setAcceptsecrets(true);
    return plugin.call<providerPb.ConfigureResponse>("configure", req);
  }
  const invoke = (args: Record<string, unknown> | undefined, tok = TOKEN) => {
    const req = new providerPb.InvokeRequest().setTok(tok);
    if (args !== undefined) req.setArgs(struct(args));
    return plugin.call<providerPb.InvokeResponse>("invoke", req);
  };
  /** The process is up and a good invoke answers from the fixture. */
  const stillAnswers = async () => {
    assert.equal(plugin.process.exitCode, null, "the plugin process exited");
    const res = await invoke({ smartAgId: "sag-demo0001", userNames: ["doctest"] });
    assert.deepEqual(res.getReturn()?.toJavaScript().userStatistics, [
      { userName: "doctest", onlineCount: 2 },
    ]);
  };

  const cases: [string, Record<string, unknown> | undefined, string[]][] = [
    // userNames left out means every account: only smartAgId is missing.
    ["no args at all", undefined, ["smartAgId"]],
    ["an empty object", {}, ["smartAgId"]],
    [
      "nulls",
      { smartAgId: null, userNames: null, regionId: null },
      ["regionId", "smartAgId", "userNames"],
    ],
    [
      "wrong types",
      { smartAgId: 42, userNames: "doctest", regionId: true },
      ["regionId", "smartAgId", "userNames"],
    ],
    [
      "wrong element types",
      { smartAgId: "sag-demo0001", userNames: [1, true, null, { a: 1 }, ["doctest"], "doctest"] },
      ["userNames[0]", "userNames[1]", "userNames[2]", "userNames[3]", "userNames[4]"],
    ],
    [
      "empty strings",
      { regionId: "", smartAgId: "", userNames: [""] },
      ["regionId", "smartAgId", "userNames[0]"],
    ],
    ["an empty list", { smartAgId: "sag-demo0001", userNames: [] }, ["userNames"]],
    ["10,001 names", { smartAgId: "sag-demo0001", userNames: names10001() }, ["userNames"]],
    [
      "a 100,000-character name",
      { smartAgId: "sag-demo0001", userNames: ["doctest", HUGE_NAME] },
      ["userNames[1]"],
    ],
    [
      "Unicode names",
      { smartAgId: "sag-demo0001", userNames: UNICODE_NAMES },
      ["userNames[0]", "userNames[1]", "userNames[2]", "userNames[3]"],
    ],
    [
      "an unknown argument",
      { smartAgId: "sag-demo0001", userNames: ["doctest"], userName: "doctest" },
      ["userName"],
    ],
    [
      "a secret that is not a string",
      { smartAgId: secret(123), userNames: ["doctest"] },
      ["smartAgId"],
    ],
    [
      "a secret wrapper without a value",
      { smartAgId: { [SIG_KEY]: SECRET_SIG }, userNames: ["doctest"] },
      ["smartAgId"],
    ],
    [
      "an unknown value",
      { smartAgId: "sag-demo0001", userNames: ["doctest", UNKNOWN] },
      ["(args)"],
    ],
  ];
  for (const [what, args, properties] of cases) {
    it(`answers ${what} with failures naming ${properties.join(", ")}, sends nothing, and answers the next call`, async () => {
      emulator.resetLog();
      const outcome = await noHang(invoke(args), `Invoke with ${what}`);
      assert.ok(
        "value" in outcome,
        `Invoke with ${what} failed: ${"reason" in outcome ? String(outcome.reason) : ""}`,
      );
      const res = outcome.value;
      assert.equal(res.hasReturn(), false);
      const failures = res
        .getFailuresList()
        .map((f) => ({ property: f.getProperty(), reason: f.getReason() }));
      assert.deepEqual(failures.map((f) => f.property).sort(), [...properties].sort());
      for (const f of failures) assert.ok(f.reason.length > 0 && f.reason.length < 300, f.reason);
      assert.equal(emulator.requests.length, 0, "a refused invoke reached the API");
      await stillAnswers();
    });
  }

  it("answers an unknown token with INVALID_ARGUMENT naming it", async () => {
    await assert.rejects(invoke({}, "smartag:index:nope"), (e: grpc.ServiceError) => {
      assert.equal(e.code, grpc.status.INVALID_ARGUMENT);
      assert.match(e.details, /smartag:index:nope/);
      return true;
    });
    await stillAnswers();
  });

  it("answers bytes that are not an InvokeRequest with an error, and stays up", async () => {
    const client = new grpc.Client(`127.0.0.1:${plugin.port}`, grpc.credentials.createInsecure());
    try {
      for (const bytes of [
        Buffer.from([0xff, 0xff, 0xff, 0xff]),
        Buffer.from([0x0a, 0x7f, 0x41]),
      ]) {
        const outcome = await noHang(
          new Promise<unknown>((resolve, reject) =>
            client.makeUnaryRequest(
              "/pulumirpc.ResourceProvider/Invoke",
              () => bytes,
              (b: Buffer) => b,
              undefined,
              (e, v) => (e ? reject(e) : resolve(v)),
            ),
          ),
          "an Invoke with garbage bytes",
        );
        assert.equal(outcome.status, "rejected");
        const e = "reason" in outcome ? (outcome.reason as grpc.ServiceError) : undefined;
        assert.ok(e && e.code !== grpc.status.OK && e.code !== grpc.status.UNAVAILABLE, String(e));
      }
    } finally {
      client.close();
    }
    await stillAnswers();
  });

  it("treats a malformed PULUMI_CONFIG as empty and configures from the request", async () => {
    const other = await startPlugin({ PULUMI_CONFIG: '{"smartag:region": "cn-shanghai", broken' });
    try {
      const req = new providerPb.ConfigureRequest()
        .setArgs(struct({ region: "cn-hongkong", endpoint: emulator.url, ...KEY1 }))
        .setAcceptsecrets(true);
      await other.call("configure", req);
      const res = await other.call<providerPb.InvokeResponse>(
        "invoke",
        new providerPb.InvokeRequest()
          .setTok(TOKEN)
          .setArgs(struct({ smartAgId: "sag-hk000001", userNames: ["dave-hk"] })),
      );
      assert.deepEqual(res.getReturn()?.toJavaScript().userStatistics, [
        { userName: "dave-hk", onlineCount: 3 },
      ]);
    } finally {
      assert.equal(await other.stop(), 0);
    }
  });

  it("refuses Configure with wrongly typed settings, naming every one, stays up, and accepts a corrected Configure", async () => {
    await assert.rejects(
      configure({
        region: 42,
        endpoint: ["http://127.0.0.1"],
        maxAttempts: "lots",
        readTimeoutMs: -5,
        concurrency: 1e9,
        accessKey: { nested: true },
        secretKey: "",
      }),
      (e: grpc.ServiceError) => {
        assert.equal(e.code, grpc.status.INVALID_ARGUMENT);
        for (const key of [
          "region",
          "endpoint",
          "maxAttempts",
          "readTimeoutMs",
          "concurrency",
          "accessKey",
        ]) {
          assert.match(e.details, new RegExp(`smartag:${key}:`), e.details);
        }
        return true;
      },
    );
    assert.equal(plugin.process.exitCode, null);
    await configure({ region: "cn-shanghai", endpoint: emulator.url, ...KEY1 });
    await stillAnswers();
  });
});

describe("reliability: bad input through the SDK", () => {
  let emulator: RunningEmulator;
  let plugin: RunningPlugin;

  before(async () => {
    ensureBuilt();
    emulator = await startEmulator({ fixture: loadDefaultFixture() });
    plugin = await startPlugin();
    const req = new providerPb.ConfigureRequest()
      .setArgs(struct({ region: "cn-shanghai", endpoint: emulator.url, ...KEY1 }))
      .setAcceptsecrets(true);
    await plugin.call("configure", req);
  });
  after(async () => {
    await plugin.stop();
    await emulator.close();
  });

  beforeEach(async () => {
    // The mocks play the engine: they hand the SDK's serialized arguments to the real plugin
    // and report its failures the way the engine's Invoke response makes the Node runtime
    // report them ("Invoke of '<tok>' failed: <reason> (<property>); ...").
    await pulumi.runtime.setMocks(
      {
        async call(args) {
          const req = new providerPb.InvokeRequest()
            .setTok(args.token)
            .setArgs(struct(args.inputs as Record<string, unknown>));
          let res: providerPb.InvokeResponse;
          try {
            res = await plugin.call<providerPb.InvokeResponse>("invoke", req);
          } catch (e) {
            const details = (e as grpc.ServiceError).details;
            throw Object.assign(new Error(details), { details });
          }
          const failures = res.getFailuresList();
          if (failures.length > 0) {
            const reasons = failures.map((f) => `${f.getReason()} (${f.getProperty()})`).join("; ");
            const details = `Invoke of '${args.token}' failed: ${reasons}`;
            throw Object.assign(new Error(details), { details });
          }
          return res.getReturn()?.toJavaScript() ?? {};
        },
        newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
      },
      "reliability",
      "test",
      false,
    );
  });

  type LooseArgs = Record<string, unknown>;
  const plain = (args: LooseArgs) =>
    smartag.getUserOnlineClientStatistics(
      args as unknown as smartag.GetUserOnlineClientStatisticsArgs,
    );

  const cases: [string, LooseArgs, RegExp][] = [
    ["smartAgId left out", { userNames: ["doctest"] }, /\(smartAgId\)/],
    ["userNames null", { smartAgId: "sag-demo0001", userNames: null }, /\(userNames\)/],
    ["userNames a string", { smartAgId: "sag-demo0001", userNames: "doctest" }, /\(userNames\)/],
    ["smartAgId a number", { smartAgId: 42, userNames: ["doctest"] }, /\(smartAgId\)/],
    ["smartAgId NaN", { smartAgId: Number.NaN, userNames: ["doctest"] }, /\(smartAgId\)/],
    [
      "an empty name",
      { smartAgId: "sag-demo0001", userNames: ["doctest", ""] },
      /\(userNames\[1\]\)/,
    ],
    [
      "an empty region",
      { regionId: "", smartAgId: "sag-demo0001", userNames: ["doctest"] },
      /\(regionId\)/,
    ],
    [
      "10,001 names",
      { smartAgId: "sag-demo0001", userNames: names10001() },
      /at most 10000 usernames \(userNames\)/,
    ],
    [
      "a 100,000-character name",
      { smartAgId: "sag-demo0001", userNames: [HUGE_NAME] },
      /at most 33 characters \(userNames\[0\]\)/,
    ],
    [
      "Unicode names",
      { smartAgId: "sag-demo0001", userNames: UNICODE_NAMES },
      /\(userNames\[3\]\)/,
    ],
    [
      "an object as a name",
      { smartAgId: "sag-demo0001", userNames: [{ name: "doctest" }] },
      /\(userNames\[0\]\)/,
    ],
    [
      "an undefined name",
      { smartAgId: "sag-demo0001", userNames: ["doctest", undefined] },
      /\(userNames\[1\]\)/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(`rejects ${what} with an error naming the field, without throwing synchronously`, async () => {
      emulator.resetLog();
      let promise: Promise<unknown> | undefined;
      assert.doesNotThrow(() => {
        promise = plain(args);
      });
      const outcome = await noHang(promise as Promise<unknown>, `the SDK call with ${what}`);
      assert.equal(outcome.status, "rejected");
      const e = "reason" in outcome ? outcome.reason : undefined;
      assert.ok(e instanceof Error);
      assert.match(e.message, message);
      assert.equal(emulator.requests.length, 0);
    });
  }

  it("rejects bad Outputs in the Output form the same way, and a good call still answers", async () => {
    const bad = smartag.getUserOnlineClientStatisticsOutput({
      smartAgId: Promise.resolve("not-an-id"),
      userNames: [Promise.resolve(""), "doctest"] as unknown as pulumi.Input<
        pulumi.Input<string>[]
      >,
    });
    await assert.rejects(resolvedValue(bad), (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.match(e.message, /\(smartAgId\)/);
      assert.match(e.message, /\(userNames\[0\]\)/);
      return true;
    });
    const good = await smartag.getUserOnlineClientStatistics({
      smartAgId: "sag-demo0001",
      userNames: ["doctest", "bob.smith"],
    });
    assert.equal(good.totalOnlineCount, 7);
  });
});

describe("reliability: bad input to the CLI", () => {
  let emulator: RunningEmulator;
  before(async () => {
    ensureBuilt();
    emulator = await startEmulator({ fixture: loadDefaultFixture() });
  });
  after(async () => emulator.close());

  const cli = async (args: string[], stdin?: string) => {
    const outcome = await noHang(
      runCli(["--region", "cn-shanghai", "--endpoint", emulator.url, ...args], {
        env: { ...baseEnv(), ...keyEnv(EMULATOR_KEY) },
        ...(stdin === undefined ? {} : { stdin }),
      }),
      `smartag-stats ${args.slice(0, 4).join(" ")}`,
    );
    assert.ok("value" in outcome);
    const result = outcome.value;
    assert.equal(result.signal, null, "killed by a signal");
    assert.doesNotMatch(
      result.stderr,
      /internal error|\n\s+at \S+ \(/,
      "a crash, not a usage error",
    );
    return result;
  };
  /** Exit 2, nothing sent, and every expected flag or line named. */
  const usageError = async (args: string[], named: RegExp[], stdin?: string) => {
    emulator.resetLog();
    const result = await cli(args, stdin);
    assert.equal(result.code, 2, result.stderr.slice(0, 2_000));
    assert.equal(result.stdout, "");
    for (const re of named) assert.match(result.stderr, re);
    assert.equal(emulator.requests.length, 0, "nothing is sent for bad input");
    return result;
  };

  it("names an empty name, an empty piece between commas and a missing value", async () => {
    await usageError(["--sag", "sag-demo0001", "--user", ""], [/--user: must not be empty/]);
    await usageError(
      ["--sag", "sag-demo0001", "--user", "doctest,,bob.smith"],
      [/--user "doctest,,bob.smith": has an empty name between commas/],
    );
    await usageError(["--sag", "sag-demo0001", "--user"], [/--user: needs a value/]);
  });

  it("names a 100,000-character name and Unicode names by the flag they came from", async () => {
    await usageError(
      ["--sag", "sag-demo0001", "--user", HUGE_NAME],
      [/--user "a{64}"\.\.\. \(100000 characters\): must be at most 33 characters/],
    );
    await usageError(
      [
        "--sag",
        "sag-demo0001",
        "--user",
        UNICODE_NAMES.filter((n) => !n.includes("\u0000")).join(","),
      ],
      [/--user "名前テスト用のユーザー"/, /--user "emoji😀user"/, /--user "ünïcödé-name"/],
    );
  });

  it("names every bad flag at once", async () => {
    await usageError(
      [
        "--sag",
        "",
        "--user",
        "doctest",
        "--format",
        "xml",
        "--max-online",
        "-1",
        "--max-total",
        "1e3",
        "--concurrency",
        "abc",
        "--timeout-ms",
        "99999999999",
        "--users-file",
        "/nonexistent/users.txt",
      ],
      [
        /--sag:/,
        /--format:/,
        /--max-online:/,
        /--max-total:/,
        /--concurrency:/,
        /--timeout-ms:/,
        /--users-file "\/nonexistent\/users.txt": cannot be read/,
      ],
    );
    await usageError(
      ["--region", "", "--sag", "sag-demo0001", "--user", "doctest", "--endpoint", "not a url"],
      [/--region:/, /--endpoint:/],
    );
  });

  it("names the line of a bad name in 10,001 names from stdin, and of binary or JSON input", async () => {
    const names = names10001();
    names[10_000] = "bad";
    await usageError(
      ["--sag", "sag-demo0001", "--users-file", "-"],
      [/stdin line 10001 "bad": must be at least 7 characters/],
      names.join("\n"),
    );
    await usageError(
      ["--sag", "sag-demo0001", "--users-file", "-"],
      [/stdin line 1 /, /stdin line 2 /],
      '\u0000\u0001\u00ff\ufffd\n["doctest", "bob.smith"]\n',
    );
  });

  it("answers all 10,001 valid names from stdin, across the 10,000-name call limit", async () => {
    emulator.resetLog();
    const names = names10001();
    const result = await cli(
      ["--sag", "sag-big0001", "--users-file", "-", "--format", "json", "--concurrency", "8"],
      names.join("\n"),
    );
    assert.equal(result.code, 0, result.stderr);
    const doc = JSON.parse(result.stdout) as {
      userStatistics: { userName: string; onlineCount: number }[];
    };
    assert.equal(doc.userStatistics.length, 10_001);
    assert.deepEqual(
      doc.userStatistics.map((s) => s.userName),
      names,
    );
    // user00001..user00150 are not the fixture's user0001..user0150: every count is 0.
    assert.ok(doc.userStatistics.every((s) => s.onlineCount === 0));
    assert.equal(emulator.requests.length, 201);
  });
});
