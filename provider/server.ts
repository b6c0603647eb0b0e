/**
 * The provider plugin's gRPC service, spoken to by the Pulumi engine.
 *
 * Implemented directly on @grpc/grpc-js with the generated stubs rather than through
 * `@pulumi/pulumi/provider`'s `main`, because that one answers Configure but discards the
 * configuration (an explicit `new smartag.Provider(...)` would be ignored) and leaves
 * CheckConfig unimplemented.
 *
 * Start-up cost matters (the engine starts a plugin per provider per run), so only gRPC and
 * the stubs load here; zod and the client load on the first call that needs them.
 */
import * as grpc from "@grpc/grpc-js";
import * as pluginPb from "@pulumi/pulumi/proto/plugin_pb";
import * as providerGrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import type {
  Redactor,
  ResolvedSettings,
  SmartagClient,
  ValidationIssue,
} from "@pulumi-smartag/client";
import * as emptyPb from "google-protobuf/google/protobuf/empty_pb";
import * as structPb from "google-protobuf/google/protobuf/struct_pb";
import { type LogLine, linesFor, urnOf, withUrn } from "./engineLog";
import type { ResourceHandler } from "./resources";
import schema from "./schema.json";
import { secret, unwrap } from "./values";
import { encodeInvokeReturn } from "./wire";

type Lazy = {
  config: typeof import("./config");
  client: typeof import("@pulumi-smartag/client");
  functions: typeof import("./functions");
  resources: typeof import("./resources");
};
let lazyModules: Lazy | undefined;
function lazy(): Lazy {
  lazyModules ??= {
    config: require("./config"),
    client: require("@pulumi-smartag/client"),
    functions: require("./functions"),
    resources: require("./resources"),
  };
  return lazyModules;
}

export const PLUGIN_VERSION: string = schema.version;

/** A gRPC error with a status code, as grpc-js sends it back to the caller. */
class RpcError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

export interface ServerOptions {
  env?: NodeJS.ProcessEnv;
  /** Where log lines go (the engine, see engineLog.ts); never stdout, which is the engine's. */
  log?: (line: LogLine) => void;
}

export class SmartagProvider {
  private settings: ResolvedSettings | undefined;
  private client: SmartagClient | undefined;
  /** Field patterns until configured; then the client's, which knows its credentials. */
  // Set with the client: before it there is no request, so nothing of ours to mask.
  private redactor: Redactor | undefined;
  private cancel = new AbortController();
  private engineAddress: string | undefined;
  private readonly env: NodeJS.ProcessEnv;
  private readonly log: (line: string | LogLine) => void;

  constructor(options: ServerOptions = {}) {
    this.env = options.env ?? process.env;
    const log = options.log ?? (() => {});
    this.log = (line) => {
      const l = typeof line === "string" ? { message: line } : line;
      log({ ...l, message: this.clean(l.message) });
    };
  }

  /** The last pass over what leaves the plugin: every credential the client has used. */
  private clean(text: string): string {
    return this.redactor ? this.redactor.redact(text) : text;
  }

  private toFailure(i: ValidationIssue): providerPb.CheckFailure {
    return toFailure({ property: this.clean(i.property), reason: this.clean(i.reason) });
  }

  /** The grpc-js handler table for ResourceProviderService. */
  handlers(): grpc.UntypedServiceImplementation {
    const impl: grpc.UntypedServiceImplementation = {};
    for (const [method, def] of Object.entries(providerGrpc.ResourceProviderService)) {
      impl[method] = unimplemented(method, def);
    }
    Object.assign(impl, {
      handshake: this.unary((r: providerPb.ProviderHandshakeRequest) => this.handshake(r)),
      getPluginInfo: this.unary(async () => new pluginPb.PluginInfo().setVersion(PLUGIN_VERSION)),
      getSchema: this.unary((r: providerPb.GetSchemaRequest) => this.getSchema(r)),
      checkConfig: this.unary((r: providerPb.CheckRequest) => this.checkConfig(r)),
      diffConfig: this.unary((r: providerPb.DiffRequest) => this.diffConfig(r)),
      configure: this.unary((r: providerPb.ConfigureRequest) => this.configure(r)),
      invoke: this.unary((r: providerPb.InvokeRequest) => this.invoke(r)),
      check: this.unary((r: providerPb.CheckRequest) => this.check(r)),
      diff: this.unary((r: providerPb.DiffRequest) => this.diff(r)),
      create: this.unary((r: providerPb.CreateRequest) => this.create(r)),
      read: this.unary((r: providerPb.ReadRequest) => this.read(r)),
      update: this.unary((r: providerPb.UpdateRequest) => this.update(r)),
      delete: this.unary((r: providerPb.DeleteRequest) => this.delete(r)),
      cancel: this.unary(async () => {
        this.cancel.abort();
        this.cancel = new AbortController();
        return new emptyPb.Empty();
      }),
      attach: this.unary(async (r: pluginPb.PluginAttach) => {
        this.engineAddress = r.getAddress();
        return new emptyPb.Empty();
      }),
      getMapping: this.unary(async () => new providerPb.GetMappingResponse()),
      getMappings: this.unary(async () => new providerPb.GetMappingsResponse()),
    });
    return impl;
  }

  /** Wraps an async handler: answers its result, or its error as a redacted gRPC status. */
  private unary<Req, Res>(fn: (req: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
      // Lines logged meanwhile, its error's too, are about the call's resource, if it has one.
      withUrn(urnOf(call.request), () =>
        fn(call.request).then(
          (res) => callback(null, res),
          (e: unknown) => callback(this.toStatus(e)),
        ),
      );
    };
  }

  private toStatus(e: unknown): Partial<grpc.StatusObject> {
    const clean = (s: string) => this.clean(s);
    if (e instanceof RpcError) return { code: e.code, details: clean(e.message) };
    const { SmartagError } = lazy().client;
    if (SmartagError.isInstance(e)) {
      const code =
        e.code === "InvalidInput"
          ? grpc.status.INVALID_ARGUMENT
          : e.code === "Cancelled"
            ? grpc.status.CANCELLED
            : grpc.status.UNKNOWN;
      this.log(`error: ${clean(e.message)}`);
      return { code, details: clean(e.message) };
    }
    const message = e instanceof Error ? e.message : String(e);
    this.log(`internal error: ${clean(e instanceof Error && e.stack ? e.stack : message)}`);
    return {
      code: grpc.status.INTERNAL,
      details: `smartag provider internal error: ${clean(message)}`,
    };
  }

  private async handshake(r: providerPb.ProviderHandshakeRequest) {
    this.engineAddress = r.getEngineAddress();
    return new providerPb.ProviderHandshakeResponse()
      .setAcceptSecrets(true)
      .setAcceptResources(true)
      .setAcceptOutputs(false);
  }

  private async getSchema(r: providerPb.GetSchemaRequest) {
    if (r.getVersion() !== 0) {
      throw new RpcError(
        grpc.status.INVALID_ARGUMENT,
        `unsupported schema version ${r.getVersion()}`,
      );
    }
    return new providerPb.GetSchemaResponse().setSchema(JSON.stringify(schema));
  }

  private async checkConfig(r: providerPb.CheckRequest) {
    const news = r.getNews()?.toJavaScript() ?? {};
    const { config } = lazy();
    const { issues } = config.resolveProviderConfig({
      args: news,
      env: this.env,
      pulumiConfig: config.isDefaultProvider(r.getUrn()),
      strict: true,
      allowUnknowns: true,
    });
    return new providerPb.CheckResponse()
      .setInputs(r.getNews() ?? new structPb.Struct())
      .setFailuresList(issues.map((i) => this.toFailure(i)));
  }

  private async diffConfig(r: providerPb.DiffRequest) {
    const olds = unwrap(r.getOldInputs()?.toJavaScript() ?? r.getOlds()?.toJavaScript() ?? {})
      .value as Record<string, unknown>;
    const rawNews = (r.getNews()?.toJavaScript() ?? {}) as Record<string, unknown>;
    const news = unwrap(rawNews).value as Record<string, unknown>;
    const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
    // An unknown unwraps to undefined like an absent key, but it may be anything at the update.
    const diffs = [...keys].filter(
      (k) => unwrap(rawNews[k]).unknown || JSON.stringify(olds[k]) !== JSON.stringify(news[k]),
    );
    return new providerPb.DiffResponse()
      .setChanges(
        diffs.length > 0
          ? providerPb.DiffResponse.DiffChanges.DIFF_SOME
          : providerPb.DiffResponse.DiffChanges.DIFF_NONE,
      )
      .setDiffsList(diffs);
  }

  private async configure(r: providerPb.ConfigureRequest) {
    const variables: Record<string, string> = {};
    r.getVariablesMap().forEach((v, k) => {
      variables[k] = v;
    });
    const args = r.getArgs()?.toJavaScript();
    const { config } = lazy();
    this.setSettings(
      config.resolveProviderConfig({
        args,
        variables,
        env: this.env,
        pulumiConfig: config.isDefaultProvider(r.getUrn()),
      }),
    );
    return new providerPb.ConfigureResponse()
      .setAcceptsecrets(true)
      .setSupportspreview(true)
      .setAcceptresources(true)
      .setAcceptoutputs(false);
  }

  private setSettings(resolved: { settings?: ResolvedSettings; issues: ValidationIssue[] }) {
    const { client } = lazy();
    if (!resolved.settings) {
      const message = `smartag provider configuration is invalid:\n${resolved.issues
        .map((i) => `  - smartag:${i.property}: ${i.reason}`)
        .join("\n")}`;
      throw new client.SmartagError(message, { code: "InvalidInput" });
    }
    this.settings = resolved.settings;
    this.client = new client.SmartagClient(this.settings, {
      onEvent: (e) => {
        for (const line of linesFor(e)) this.log(line);
      },
    });
    // The client's redactor also learns the keys a credential chain hands out.
    this.redactor = this.client.redactor;
  }

  /** The client; an engine that invokes before configuring gets the environment's settings. */
  private clientOrDefault(): SmartagClient {
    if (!this.client) {
      this.setSettings(lazy().config.resolveProviderConfig({ env: this.env }));
    }
    return this.client as SmartagClient;
  }

  private async invoke(r: providerPb.InvokeRequest) {
    const tok = r.getTok();
    const handler = lazy().functions.functions.get(tok);
    if (!handler) {
      const known = [...lazy().functions.functions.keys()].join(", ");
      throw new RpcError(
        grpc.status.INVALID_ARGUMENT,
        `unknown function token "${tok}"; the smartag provider serves: ${known}`,
      );
    }
    const { value, unknown, secret: anySecret } = unwrap(r.getArgs()?.toJavaScript() ?? {});
    if (unknown) {
      // Only a preview sends unknowns; the answer cannot be known before the update.
      return new providerPb.InvokeResponse().setFailuresList([
        this.toFailure({
          property: "(args)",
          reason: "depend on values not known until the update",
        }),
      ]);
    }
    const outcome = await handler(this.clientOrDefault(), value as Record<string, unknown>, {
      signal: this.cancel.signal,
    });
    if ("failures" in outcome) {
      // The engine drops unknown arguments before an Invoke (an unknown list element becomes
      // null), so in a preview "is required" may mean "not known yet": say so where it may.
      const failures = r.getPreview()
        ? outcome.failures.map((f) =>
            isMissing(value, f.property) ? { ...f, reason: `${f.reason}${PREVIEW_NOTE}` } : f,
          )
        : outcome.failures;
      return new providerPb.InvokeResponse().setFailuresList(
        failures.map((f) => this.toFailure(f)),
      );
    }
    // The engine leaves secrecy to a provider that accepts secrets: what is computed from a
    // secret argument is returned secret, field by field.
    const result = outcome.result as unknown as Record<string, unknown>;
    // Already the wire bytes: see wire.ts and `serve`'s serializer.
    return encodeInvokeReturn(
      anySecret
        ? Object.fromEntries(Object.entries(result).map(([k, v]) => [k, secret(v)]))
        : result,
    );
  }

  // --- resources: dispatched by type token, like invokes ---------------------------------------

  private resource(type: string, urn: string): ResourceHandler {
    // Older engines send only the URN, whose type is the last `$`-part of its third `::`-part.
    const tok = type || (urn.split("::")[2]?.split("$").pop() ?? "");
    const handler = lazy().resources.resources.get(tok);
    if (!handler) {
      const known = [...lazy().resources.resources.keys()].join(", ");
      throw new RpcError(
        grpc.status.INVALID_ARGUMENT,
        `unknown resource type "${tok}"; the smartag provider serves: ${known}`,
      );
    }
    return handler;
  }

  private async check(r: providerPb.CheckRequest) {
    const handler = this.resource(r.getType(), r.getUrn());
    const failures = handler.check(this.clientOrDefault(), r.getNews()?.toJavaScript() ?? {});
    return new providerPb.CheckResponse()
      .setInputs(r.getNews() ?? new structPb.Struct())
      .setFailuresList(failures.map((f) => this.toFailure(f)));
  }

  private async diff(r: providerPb.DiffRequest) {
    const handler = this.resource(r.getType(), r.getUrn());
    const oldInputs = r.getOldInputs()?.toJavaScript();
    const outcome = handler.diff(
      r.getOlds()?.toJavaScript() ?? {},
      oldInputs && Object.keys(oldInputs).length > 0 ? oldInputs : undefined,
      r.getNews()?.toJavaScript() ?? {},
      this.clientOrDefault().settings.region,
    );
    const { Kind } = providerPb.PropertyDiff;
    const kinds = {
      add: [Kind.ADD, Kind.ADD_REPLACE],
      delete: [Kind.DELETE, Kind.DELETE_REPLACE],
      update: [Kind.UPDATE, Kind.UPDATE_REPLACE],
    } as const;
    const res = new providerPb.DiffResponse()
      .setChanges(
        outcome.diffs.length > 0
          ? providerPb.DiffResponse.DiffChanges.DIFF_SOME
          : providerPb.DiffResponse.DiffChanges.DIFF_NONE,
      )
      .setDiffsList(outcome.diffs)
      .setReplacesList(outcome.replaces)
      .setHasdetaileddiff(true);
    for (const key of outcome.diffs) {
      const [plain, replace] = kinds[outcome.kinds[key] ?? "update"];
      const kind = outcome.replaces.includes(key) ? replace : plain;
      res
        .getDetaileddiffMap()
        .set(key, new providerPb.PropertyDiff().setKind(kind).setInputdiff(true));
    }
    return res;
  }

  private async create(r: providerPb.CreateRequest) {
    const handler = this.resource(r.getType(), r.getUrn());
    const client = this.clientOrDefault();
    const news = r.getProperties()?.toJavaScript() ?? {};
    if (r.getPreview()) {
      return new providerPb.CreateResponse().setProperties(
        toStruct(handler.preview(news, client.settings.region)),
      );
    }
    const { id, properties } = await handler.create(client, news, { signal: this.cancel.signal });
    return new providerPb.CreateResponse().setId(id).setProperties(toStruct(properties));
  }

  private async read(r: providerPb.ReadRequest) {
    const handler = this.resource(r.getType(), r.getUrn());
    const found = await handler.read(
      this.clientOrDefault(),
      r.getId(),
      r.getInputs()?.toJavaScript() ?? {},
      r.getProperties()?.toJavaScript() ?? {},
      { signal: this.cancel.signal },
    );
    // An empty id tells the engine the resource is gone.
    if (!found) return new providerPb.ReadResponse();
    return new providerPb.ReadResponse()
      .setId(found.id)
      .setProperties(toStruct(found.properties))
      .setInputs(toStruct(found.inputs));
  }

  private async update(r: providerPb.UpdateRequest) {
    const handler = this.resource(r.getType(), r.getUrn());
    const client = this.clientOrDefault();
    const news = r.getNews()?.toJavaScript() ?? {};
    if (r.getPreview()) {
      return new providerPb.UpdateResponse().setProperties(
        toStruct(handler.preview(news, client.settings.region)),
      );
    }
    const { properties } = await handler.update(client, r.getId(), news, {
      signal: this.cancel.signal,
    });
    return new providerPb.UpdateResponse().setProperties(toStruct(properties));
  }

  private async delete(r: providerPb.DeleteRequest) {
    const handler = this.resource(r.getType(), r.getUrn());
    await handler.delete(r.getId(), r.getProperties()?.toJavaScript() ?? {});
    return new emptyPb.Empty();
  }

  /** The engine's address, once it has told us (Handshake or Attach). */
  get engine(): string | undefined {
    return this.engineAddress;
  }
}

/**
 * The handler for a method this provider does not serve, answering UNIMPLEMENTED in the way the
 * method's kind allows: grpc-js calls a streaming handler without a callback (`List` streams its
 * answer), so the status goes out as the stream's error there.
 */
function unimplemented(
  name: string,
  def: grpc.MethodDefinition<unknown, unknown>,
): grpc.UntypedHandleCall {
  const status: Partial<grpc.StatusObject> = {
    code: grpc.status.UNIMPLEMENTED,
    details: `${name} is not implemented by the smartag provider`,
  };
  if (!def.responseStream) {
    return (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback(status);
  }
  return (call: grpc.ServerWritableStream<unknown, unknown>) => call.emit("error", status);
}

const PREVIEW_NOTE =
  " (in a preview, an argument that depends on a value not known until the update arrives empty)";

/**
 * Whether a ValidationIssue path such as `userNames[1]` names no value (absent or null) in the
 * arguments. A property that is not one path (`foo, bar` for unexpected keys) names values
 * that are there.
 */
function isMissing(root: unknown, property: string): boolean {
  if (!/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*|\[\d+\])*$/.test(property)) return false;
  let v = root;
  for (const part of property.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== "")) {
    if (v === null || typeof v !== "object") return true;
    v = (v as Record<string, unknown>)[part];
  }
  return v === undefined || v === null;
}

function toStruct(value: Record<string, unknown>): structPb.Struct {
  return structPb.Struct.fromJavaScript(value as Record<string, structPb.JavaScriptValue>);
}

function toFailure(i: ValidationIssue): providerPb.CheckFailure {
  return new providerPb.CheckFailure().setProperty(i.property).setReason(i.reason);
}

/** Starts the gRPC server on 127.0.0.1 and an OS-chosen port (or `port`). */
export async function serve(
  options: ServerOptions & { port?: number } = {},
): Promise<{ server: grpc.Server; port: number; provider: SmartagProvider }> {
  const provider = new SmartagProvider(options);
  const server = new grpc.Server({
    "grpc.max_receive_message_length": 1 << 30,
    "grpc.max_send_message_length": 1 << 30,
  });
  // Invoke answers arrive already encoded (a Buffer); its failures still as a message.
  const service = providerGrpc.ResourceProviderService;
  server.addService(
    {
      ...service,
      invoke: {
        ...service.invoke,
        responseSerialize: (v: providerPb.InvokeResponse | Buffer) =>
          Buffer.isBuffer(v) ? v : Buffer.from(v.serializeBinary()),
      },
    },
    provider.handlers(),
  );
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(
      `127.0.0.1:${options.port ?? 0}`,
      grpc.ServerCredentials.createInsecure(),
      (err, p) => (err ? reject(err) : resolve(p)),
    );
  });
  return { server, port, provider };
}
