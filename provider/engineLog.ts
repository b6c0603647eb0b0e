/**
 * The plugin's log lines, sent to the engine's Log service, so `pulumi up -v=9 --logtostderr`,
 * `--logflow` and `--event-log` show them. Sending is fire-and-forget through a bounded queue:
 * a slow or dead engine loses log lines, never slows or fails a call. grpc-js and the engine's
 * stubs load, and the connection opens, with the first line.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type * as Grpc from "@grpc/grpc-js";
import type { ClientEvent } from "@pulumi-smartag/client";

export type Severity = "debug" | "info" | "warning" | "error";

export interface LogLine {
  message: string;
  /** debug unless said otherwise. */
  severity?: Severity;
  /** A status message: shown while the resource works, then replaced (not printed as a line). */
  ephemeral?: boolean;
  /** The resource the line is about; taken from the gRPC call in progress when not given. */
  urn?: string;
}

const resourceOfCall = new AsyncLocalStorage<string>();

/** Runs `fn` with `urn` as the resource of every line logged meanwhile (also in callbacks). */
export function withUrn<T>(urn: string | undefined, fn: () => T): T {
  return urn ? resourceOfCall.run(urn, fn) : fn();
}

/** The URN of a gRPC request that has one (Check, Create, Read...; an Invoke has none). */
export function urnOf(request: unknown): string | undefined {
  return (request as { getUrn?: () => string } | null)?.getUrn?.() || undefined;
}

/**
 * The engine's address among the plugin's arguments: the last one that is not a flag (the
 * engine puts `--logtostderr`, `-v=N` and `--tracing <endpoint>` before it).
 */
export function engineAddressFromArgs(args: readonly string[]): string | undefined {
  const last = args.at(-1);
  return last && !last.startsWith("-") && args.at(-2) !== "--tracing" ? last : undefined;
}

/**
 * What a client event tells the engine: every finished attempt as a debug line, retries, and,
 * for a call of several requests, a status message as each request starts.
 */
export function linesFor(e: ClientEvent): LogLine[] {
  const of = e.batches ? `${e.batch + 1}/${e.batches}` : `${e.batch + 1}`;
  const head = `smartag: ${e.action} ${e.regionId} batch ${of} attempt ${e.attempt}`;
  switch (e.type) {
    case "request":
      return e.attempt === 1 && e.batches && e.batches > 1
        ? [{ message: `smartag: batch ${of} of ${e.action}`, severity: "info", ephemeral: true }]
        : [];
    case "response":
      return [{ message: `${head}: OK, RequestId ${e.requestId}, ${e.elapsedMs} ms` }];
    case "failure": {
      const status = e.httpStatus === undefined ? "" : ` (HTTP ${e.httpStatus})`;
      const id = e.requestId === undefined ? "" : `, RequestId ${e.requestId}`;
      return [{ message: `${head}: ${e.code}${status}${id}, ${e.elapsedMs} ms` }];
    }
    case "retry":
      return [{ message: `${head}: retrying in ${e.delayMs} ms` }];
  }
}

/** Log lines waiting for the engine at most; more are dropped, and the drop is reported. */
export const MAX_QUEUED = 1000;

/**
 * A sink sending lines to the Engine service at `address`, one at a time, in order.
 * Errors (no engine, a refused line) are swallowed: logging must never break a call.
 */
export function engineLogSink(address: string, maxQueued = MAX_QUEUED): EngineLogSink {
  type Stubs = typeof import("@pulumi/pulumi/proto/engine_pb");
  let engine: {
    grpc: typeof Grpc;
    client: import("@pulumi/pulumi/proto/engine_grpc_pb").EngineClient;
    pb: Stubs;
  };
  const queue: ReturnType<typeof full>[] = [];
  let sending = false;
  let dropped = 0;

  const sendNext = () => {
    const line = queue.shift();
    if (!line) {
      sending = false;
      return;
    }
    try {
      if (!engine) {
        const grpc: typeof Grpc = require("@grpc/grpc-js");
        const { EngineClient } = require("@pulumi/pulumi/proto/engine_grpc_pb");
        engine = {
          grpc,
          client: new EngineClient(address, grpc.credentials.createInsecure()),
          pb: require("@pulumi/pulumi/proto/engine_pb"),
        };
      }
      const { LogRequest, LogSeverity } = engine.pb;
      const request = new LogRequest()
        .setSeverity(LogSeverity[line.severity.toUpperCase() as Uppercase<Severity>])
        .setMessage(line.message)
        .setUrn(line.urn)
        .setEphemeral(line.ephemeral);
      const deadline = Date.now() + 5000;
      engine.client.log(request, new engine.grpc.Metadata(), { deadline }, () => sendNext());
    } catch {
      sendNext();
    }
  };

  const sink = (line: LogLine) => {
    if (queue.length >= maxQueued) {
      dropped++;
      return;
    }
    if (dropped > 0) {
      queue.push(full({ message: `smartag: ${dropped} log line(s) dropped, the engine was slow` }));
      dropped = 0;
    }
    queue.push(full(line));
    if (!sending) {
      sending = true;
      // Not in the caller's turn: a call that logs goes on at once.
      setImmediate(sendNext);
    }
  };
  sink.close = () => engine?.client.close();
  return sink;
}

export type EngineLogSink = ((line: LogLine) => void) & { close(): void };

function full(line: LogLine) {
  return {
    message: line.message,
    severity: line.severity ?? "debug",
    ephemeral: line.ephemeral ?? false,
    urn: line.urn ?? resourceOfCall.getStore() ?? "",
  };
}
