/**
 * The provider plugin's gRPC service, spoken to by the Pulumi engine.
 *
 * Implemented directly on the generated stubs, served by grpcServer.ts, rather than through
 * `@pulumi/pulumi/provider`'s `main`, because that one answers Configure but discards the
 * configuration (an explicit `new smartag.Provider(...)` would be ignored) and leaves
 * CheckConfig unimplemented.
 *
 * Start-up cost matters (the engine starts a plugin per provider per run): index.ts loads this
 * module, and with it the stubs, on the first call; zod and the client load on the first call
 * that needs them.
 */
import * as pluginPb from "@pulumi/pulumi/proto/plugin_pb";
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
import { type Method, RpcError, Status } from "./grpcServer";
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

const SERVICE = "/pulumirpc.ResourceProvider/";

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

  /** The method at a gRPC `:path`, if this provider serves it. */
  method(path: string): Method | undefined {
    this.methods ??= this.table();
    return path.startsWith(SERVICE) ? this.methods.get(path.slice(SERVICE.length)) : undefined;
  }
  private methods: Map<string, Method> | undefined;

  private table(): Map<string, Method> {
    const empty = new emptyPb.Empty();
    return new Map<string, Method>([
      ["Handshake", this.unary(providerPb.ProviderHandshakeRequest, (r) => this.handshake(r))],
      [
        "GetPluginInfo",
        this.unary(emptyPb.Empty, async () => new pluginPb.PluginInfo().setVersion(PLUGIN_VERSION)),
      ],
      ["GetSchema", this.unary(providerPb.GetSchemaRequest, (r) => this.getSchema(r))],
      ["CheckConfig", this.unary(providerPb.CheckRequest, (r) => this.checkConfig(r))],
      ["DiffConfig", this.unary(providerPb.DiffRequest, (r) => this.diffConfig(r))],
      ["Configure", this.unary(providerPb.ConfigureRequest, (r) => this.configure(r))],
      ["Invoke", this.unary(providerPb.InvokeRequest, (r, s) => this.invoke(r, s))],
      ["Check", this.unary(providerPb.CheckRequest, (r) => this.check(r))],
      ["Diff", this.unary(providerPb.DiffRequest, (r) => this.diff(r))],
      ["Create", this.unary(providerPb.CreateRequest, (r, s) => this.create(r, s))],
      ["Read", this.unary(providerPb.ReadRequest, (r, s) => this.read(r, s))],
      ["Update", this.unary(providerPb.UpdateRequest, (r, s) => this.update(r, s))],
      ["Delete", this.unary(providerPb.DeleteRequest, (r) => this.delete(r))],
      [
        "Cancel",
        this.unary(emptyPb.Empty, async () => {
          this.cancel.abort();
          this.cancel = new AbortController();
          return empty;
        }),
      ],
      [
        "Attach",
        this.unary(pluginPb.PluginAttach, async (r) => {
          this.engineAddress = r.getAddress();
          return empty;
        }),
      ],
      [
        "GetMapping",
        this.unary(providerPb.GetMappingRequest, async () => new providerPb.GetMappingResponse()),
      ],
      [
        "GetMappings",
        this.unary(providerPb.GetMappingsRequest, async () => new providerPb.GetMappingsResponse()),
      ],
    ]);
  }

  /**
   * Wraps an async handler: decodes its request, answers its result's bytes, or its error as a
   * redacted gRPC status. Its signal aborts on the engine's Cancel or when the caller goes.
   */
  private unary<Req>(
    type: { deserializeBinary(bytes: Uint8Array): Req },
    fn: (req: Req, signal: AbortSignal) => Promise<{ serializeBinary(): Uint8Array } | Buffer>,
  ): Method {
    return async (bytes, callSignal) => {
      let req: Req;
      try {
        req = type.deserializeBinary(bytes);
      } catch (e) {
        throw this.toStatus(e);
      }
      const signal = AbortSignal.any([this.cancel.signal, callSignal]);
      // Lines logged meanwhile, its error's too, are about the call's resource, if it has one.
      return withUrn(urnOf(req), () =>
        fn(req, signal).then(
          (res) => (Buffer.isBuffer(res) ? res : res.serializeBinary()),
          (e: unknown) => {
            throw this.toStatus(e);
          },
        ),
      );
    };
  }

  private toStatus(e: unknown): RpcError {
    const clean = (s: string) => this.clean(s);
    if (e instanceof RpcError) return new RpcError(e.code, clean(e.message));
    const { SmartagError } = lazy().client;
    if (SmartagError.isInstance(e)) {
      const code =
        e.code === "InvalidInput"
          ? Status.INVALID_ARGUMENT
          : e.code === "Cancelled"
            ? Status.CANCELLED
            : Status.UNKNOWN;
      this.log(`error: ${clean(e.message)}`);
      return new RpcError(code, clean(e.message));
    }
    const message = e instanceof Error ? e.message : String(e);
    this.log(`internal error: ${clean(e instanceof Error && e.stack ? e.stack : message)}`);
    return new RpcError(Status.INTERNAL, `smartag provider internal error: ${clean(message)}`);
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
      throw new RpcError(Status.INVALID_ARGUMENT, `unsupported schema version ${r.getVersion()}`);
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

  private async invoke(r: providerPb.InvokeRequest, signal: AbortSignal) {
    const tok = r.getTok();
    const handler = lazy().functions.functions.get(tok);
    if (!handler) {
      const known = [...lazy().functions.functions.keys()].join(", ");
      throw new RpcError(
        Status.INVALID_ARGUMENT,
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
      signal,
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
    // Already the wire bytes: see wire.ts.
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
        Status.INVALID_ARGUMENT,
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

  private async create(r: providerPb.CreateRequest, signal: AbortSignal) {
    const handler = this.resource(r.getType(), r.getUrn());
    const client = this.clientOrDefault();
    const news = r.getProperties()?.toJavaScript() ?? {};
    if (r.getPreview()) {
      return new providerPb.CreateResponse().setProperties(
        toStruct(handler.preview(news, client.settings.region)),
      );
    }
    const { id, properties } = await handler.create(client, news, { signal });
    return new providerPb.CreateResponse().setId(id).setProperties(toStruct(properties));
  }

  private async read(r: providerPb.ReadRequest, signal: AbortSignal) {
    const handler = this.resource(r.getType(), r.getUrn());
    const found = await handler.read(
      this.clientOrDefault(),
      r.getId(),
      r.getInputs()?.toJavaScript() ?? {},
      r.getProperties()?.toJavaScript() ?? {},
      { signal },
    );
    // An empty id tells the engine the resource is gone.
    if (!found) return new providerPb.ReadResponse();
    return new providerPb.ReadResponse()
      .setId(found.id)
      .setProperties(toStruct(found.properties))
      .setInputs(toStruct(found.inputs));
  }

  private async update(r: providerPb.UpdateRequest, signal: AbortSignal) {
    const handler = this.resource(r.getType(), r.getUrn());
    const client = this.clientOrDefault();
    const news = r.getNews()?.toJavaScript() ?? {};
    if (r.getPreview()) {
      return new providerPb.UpdateResponse().setProperties(
        toStruct(handler.preview(news, client.settings.region)),
      );
    }
    const { properties } = await handler.update(client, r.getId(), news, {
      signal,
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
