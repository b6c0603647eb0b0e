import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { exposureWarning } from "./address";
import { clip } from "./errors";
import { escapeControls } from "./escape";
import { FaultSpecError, type Faults, parseFaultSpec } from "./faults";
import { type Fixture, FixtureError, loadDefaultFixture, loadFixtureFile } from "./fixture";
import { type RecordedRequest, type StsOptions, startEmulator } from "./server";

const USAGE = `Usage: smartag-emulator [options]

Runs a local Alibaba Cloud Smartag OpenAPI endpoint (DescribeUserOnlineClientStatistics).
Prints SMARTAG_ENDPOINT=http://HOST:PORT on stdout once it is listening.

Options:
  --port N          port to listen on (default 0: the OS picks one)
  --host H          address to bind (default 127.0.0.1); any other than loopback is
                    reachable from other machines, and a warning on stderr says so
  --fixture FILE    JSON fixture with accessKeys and regions (default: the bundled one)
  --faults SPEC     e.g. throttle=0.3,5xx=0.1,latency=30,html=0.05,reset=0.05,qps=20,seed=7
                    (latency in ms, at most 600000)
  --sts-cert FILE   also serve the STS stand-in (AssumeRole, AssumeRoleWithOIDC) over
  --sts-key FILE    HTTPS with this PEM certificate and key, and print
                    SMARTAG_STS_ENDPOINT=HOST:PORT (what stsEndpoint takes) as well
  --sts-port N      port of the STS listener (default 0: the OS picks one)
  --verbose         log one line per request on stderr (never credentials; the action
                    name is clipped to 64 characters and control characters are escaped)
  --help            show this help
`;

class UsageError extends Error {}

interface CliOptions {
  host: string;
  port: number;
  fixture: Fixture;
  faults: Faults;
  sts: StsOptions | undefined;
  verbose: boolean;
}

function parseCli(argv: string[]): CliOptions | "help" {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return "help";
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!/^\d+$/.test(values.port ?? "0") || port > 65535) {
    throw new UsageError(`--port must be an integer from 0 to 65535, got "${values.port}"`);
  }
  if (values.host === "") throw new UsageError("--host must not be empty");
  const fixture =
    values.fixture === undefined ? loadDefaultFixture() : loadFixtureFile(values.fixture);
  const faults = values.faults === undefined ? {} : parseFaultSpec(values.faults);
  const stsPort = Number(values["sts-port"] ?? 0);
  if (!/^\d+$/.test(values["sts-port"] ?? "0") || stsPort > 65535) {
    throw new UsageError(
      `--sts-port must be an integer from 0 to 65535, got "${values["sts-port"]}"`,
    );
  }
  if ((values["sts-cert"] === undefined) !== (values["sts-key"] === undefined)) {
    throw new UsageError("--sts-cert and --sts-key go together");
  }
  const read = (flag: string, file: string) => {
    try {
      return readFileSync(file, "utf8");
    } catch (err) {
      throw new UsageError(`cannot read ${flag} ${file}: ${(err as Error).message}`);
    }
  };
  const sts =
    values["sts-cert"] === undefined || values["sts-key"] === undefined
      ? undefined
      : {
          cert: read("--sts-cert", values["sts-cert"]),
          key: read("--sts-key", values["sts-key"]),
          port: stsPort,
        };
  return {
    host: values.host ?? "127.0.0.1",
    port,
    fixture,
    faults,
    sts,
    verbose: values.verbose ?? false,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      fixture: { type: "string" },
      faults: { type: "string" },
      "sts-cert": { type: "string" },
      "sts-key": { type: "string" },
      "sts-port": { type: "string" },
      verbose: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

/**
 * Action and outcome only: params carry AccessKeyId and SecurityToken, so they stay out. The
 * action is the caller's text: clipped, and escaped so it cannot fake lines or drive a terminal.
 */
function logLine(r: RecordedRequest): string {
  const action = r.action === undefined ? "-" : escapeControls(clip(r.action));
  const fields = [r.method, action, r.status === 0 ? "reset" : r.status, r.code ?? "-"];
  return `${fields.map(String).join(" ")}\n`;
}

async function main(argv: string[]): Promise<number> {
  let options: CliOptions | "help";
  try {
    options = parseCli(argv);
  } catch (err) {
    if (err instanceof UsageError || err instanceof FixtureError || err instanceof FaultSpecError) {
      const message = escapeControls(err.message);
      process.stderr.write(`smartag-emulator: ${message}\n(see smartag-emulator --help)\n`);
      return 2;
    }
    throw err;
  }
  if (options === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  const { verbose } = options;
  const emulator = await startEmulator({
    host: options.host,
    port: options.port,
    fixture: options.fixture,
    faults: options.faults,
    ...(options.sts ? { sts: options.sts } : {}),
    record: false,
    ...(verbose ? { onRequest: (r: RecordedRequest) => process.stderr.write(logLine(r)) } : {}),
  });
  const stopped = new Promise<number>((resolve) => {
    const stop = () => {
      process.off("SIGTERM", stop);
      process.off("SIGINT", stop);
      emulator.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
  const warning = exposureWarning(options.host);
  if (warning !== undefined) process.stderr.write(`smartag-emulator: ${escapeControls(warning)}\n`);
  // Handlers first: a supervisor may signal the moment it reads this line.
  process.stdout.write(`SMARTAG_ENDPOINT=${emulator.url}\n`);
  if (emulator.stsEndpoint) process.stdout.write(`SMARTAG_STS_ENDPOINT=${emulator.stsEndpoint}\n`);
  return stopped;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Listening can fail (port in use, bad address); say so plainly, no stack.
    const message = escapeControls((err as Error).message ?? String(err));
    process.stderr.write(`smartag-emulator: ${message}\n`);
    process.exitCode = 1;
  },
);
