// pulumirpc.LanguageRuntime for Node.js programs. The engine starts this host, asks it which
// plugins a program needs, and then asks it to Run the program: we start
// `node <sdk>/cmd/run ...` and the SDK inside that process talks to the engine's resource monitor
// directly. Source plugins and policy packs (PulumiPlugin.yaml / PulumiPolicy.yaml with
// `runtime: nodejs`) are started through RunPlugin, with their output streamed back to the engine.

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { constants as osConstants } from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import type { ILanguageRuntimeServer } from "@pulumi/pulumi/proto/language_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/language_pb";
import * as pluginPb from "@pulumi/pulumi/proto/plugin_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { ChildRegistry, stop } from "./child";
import { findExecutable, toolVersion } from "./exec";
import {
  nodeArguments,
  programOutcome,
  type RunSpec,
  runArguments,
  runEnvironment,
  sdkEnvironment,
} from "./invocation";
import { debug } from "./log";
import { type NodeOptions, parseOptions } from "./options";
import {
  incompatiblePulumiVersions,
  missingDependencies,
  type PluginPackage,
  programDependencies,
  resolvePackageManager,
  scanPluginPackages,
} from "./packages";
import type { PolicyProxy, StackConfiguration } from "./policyProxy";
import {
  resolveFrom,
  runPluginModule,
  runPolicyPackModule,
  runScriptModule,
  SdkNotInstalledError,
} from "./resolve";

export interface HostSettings {
  engineAddress: string;
  tracing: string;
  /** Reported by GetPluginInfo. */
  version: string;
  /** How often to check that the engine is still there; the official host uses 5 minutes. */
  healthCheckIntervalMs: number;
  /** Called when the engine has gone away, so the host does not linger as an orphan. */
  onEngineGone: () => void;
}

interface ProgramInfo {
  rootDirectory: string;
  programDirectory: string;
  entryPoint: string;
  options: Record<string, unknown>;
}

// Older engines send pwd/program instead of ProgramInfo; the official host still honours them.
function programInfo(info: pb.ProgramInfo | undefined, pwd: string, program: string): ProgramInfo {
  const dir = info?.getProgramDirectory() || pwd || process.cwd();
  return {
    rootDirectory: info?.getRootDirectory() || dir,
    programDirectory: dir,
    entryPoint: info?.getEntryPoint() || program || ".",
    options: (info?.getOptions()?.toJavaScript() as Record<string, unknown> | undefined) ?? {},
  };
}

const oomMarkers = [
  "<--- Last few GCs --->",
  // V8 can die on this inspector assertion instead of printing the GC summary.
  "Check failed: needs_context && current_scope_ == closure_scope_",
];

// Preloaded into every Node.js process we start from the SDK's scripts; see inspectGuard.ts. It
// exists only as compiled JavaScript (dist/), which is where the host runs from; running the host
// from its TypeScript sources just goes without it.
const preloadScript = ((file) => (existsSync(file) ? file : undefined))(
  path.join(__dirname, "preload.js"),
);

function serviceError(code: grpc.status, err: unknown): Partial<grpc.ServiceError> {
  return { code, details: err instanceof Error ? err.message : String(err) };
}

function envFromList(list: string[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const entry of list) {
    const eq = entry.indexOf("=");
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  // Shells report a signal death as 128+n; the engine only needs "not zero" and a hint.
  const n = signal ? osConstants.signals[signal] : undefined;
  return n ? 128 + n : 1;
}

/** A unary handler from an async function; a rejection becomes an UNKNOWN status. */
function unary<Req, Res>(fn: (req: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>) {
  return (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => {
    fn(call.request, call).then(
      (res) => callback(null, res),
      (err: unknown) => {
        debug(3, `${call.getPath()} failed: ${err instanceof Error ? err.stack : err}`);
        callback(serviceError(grpc.status.UNKNOWN, err));
      },
    );
  };
}

/** A server-streaming handler that ends the stream when `fn` settles. */
function streaming<Req, Res>(fn: (call: grpc.ServerWritableStream<Req, Res>) => Promise<void>) {
  return (call: grpc.ServerWritableStream<Req, Res>) => {
    fn(call).then(
      () => call.end(),
      (err: unknown) => {
        debug(3, `${call.getPath()} failed: ${err instanceof Error ? err.stack : err}`);
        call.emit("error", serviceError(grpc.status.UNKNOWN, err));
      },
    );
  };
}

function unimplemented(what: string) {
  return (_call: unknown, callback: grpc.sendUnaryData<never>) =>
    callback({
      code: grpc.status.UNIMPLEMENTED,
      details: `${what} is not implemented by this Node.js language host (tools/langhost)`,
    });
}

/** Passes a program's stderr through; the returned function says whether it ran out of memory. */
function forwardStderr(child: ChildProcess): () => boolean {
  let oom = false;
  let tail = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    process.stderr.write(chunk);
    if (!oom) {
      const text = tail + chunk.toString("utf8");
      oom = oomMarkers.some((m) => text.includes(m));
      tail = text.slice(-100);
    }
  });
  return () => oom;
}

/** What RunPlugin starts: the SDK's run-plugin or run-policy-pack script, with its environment. */
function pluginCommand(req: pb.RunPluginRequest): {
  info: ProgramInfo;
  isPolicyPack: boolean;
  env: NodeJS.ProcessEnv;
  args: string[];
} {
  if (req.getAttachDebugger()) {
    throw new Error(
      "attaching a debugger is not supported by this Node.js language host (tools/langhost)",
    );
  }
  const info = programInfo(req.getInfo(), req.getPwd(), req.getProgram());
  const options = parseOptions(info.options);
  const isPolicyPack = req.getKind() === "analyzer";
  const runScript = resolveFrom(
    info.programDirectory,
    isPolicyPack ? runPolicyPackModule : runPluginModule,
    `npm install in ${info.programDirectory}`,
  );
  // The engine sends the plugin's complete environment, not additions to ours.
  const env: NodeJS.ProcessEnv = {
    ...(req.getEnvList().length > 0 ? envFromList(req.getEnvList()) : process.env),
    ...sdkEnvironment(options),
  };
  const args = [...nodeArguments(options, preloadScript), runScript];
  // run-policy-pack wants `<engine-address> <program>`; run-plugin wants `<program> <args...>`.
  if (isPolicyPack) args.push(...req.getArgsList(), info.programDirectory);
  else args.push(info.programDirectory, ...req.getArgsList());
  return { info, isPolicyPack, env, args };
}

/** The stack a policy pack is configured for, as the SDK's run-policy-pack reads it. */
function stackEnvironment(stack: StackConfiguration): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PULUMI_NODEJS_DRY_RUN: String(stack.dryRun),
    PULUMI_CONFIG: JSON.stringify(stack.config),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(stack.configSecretKeys),
  };
  if (stack.organization) env.PULUMI_NODEJS_ORGANIZATION = stack.organization;
  if (stack.project) env.PULUMI_NODEJS_PROJECT = stack.project;
  if (stack.stack) env.PULUMI_NODEJS_STACK = stack.stack;
  return env;
}

export class NodeLanguageHost {
  private engineAddress: string;
  // Cancel stops programs only; plugins belong to the engine's RunPlugin calls and end with them.
  private readonly programs = new ChildRegistry();
  private readonly children = new ChildRegistry();
  private healthTimer: NodeJS.Timeout | undefined;
  private healthClient: grpc.Client | undefined;

  constructor(private readonly settings: HostSettings) {
    this.engineAddress = settings.engineAddress;
    if (this.engineAddress) this.startHealthCheck(this.engineAddress);
  }

  /** Stops everything this host started; used on shutdown. */
  close(): void {
    this.programs.stopAll();
    this.children.stopAll();
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.healthClient?.close();
  }

  private startHealthCheck(address: string) {
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.healthClient?.close();
    const client = new grpc.Client(address, grpc.credentials.createInsecure());
    this.healthClient = client;
    const identity = (b: Buffer) => b;
    this.healthTimer = setInterval(() => {
      client.makeUnaryRequest(
        "/grpc.health.v1.Health/Check",
        identity,
        identity,
        Buffer.alloc(0),
        (err) => {
          // An engine without the health service is still an engine that answers.
          if (err && err.code !== grpc.status.UNIMPLEMENTED) {
            debug(1, `engine at ${address} is gone (${err.message}); shutting down`);
            this.settings.onEngineGone();
          }
        },
      );
    }, this.settings.healthCheckIntervalMs);
    this.healthTimer.unref();
  }

  implementation(): ILanguageRuntimeServer {
    return {
      handshake: unary((req: pb.LanguageHandshakeRequest) => this.handshake(req)),
      getRequiredPlugins: unary((req: pb.GetRequiredPluginsRequest) => this.requiredPlugins(req)),
      getRequiredPackages: unary((req: pb.GetRequiredPackagesRequest) =>
        this.requiredPackagesOf(req),
      ),
      run: unary((req: pb.RunRequest, call) => this.run(req, call)),
      getPluginInfo: unary(async () => {
        const info = new pluginPb.PluginInfo();
        info.setVersion(this.settings.version);
        return info;
      }),
      installDependencies: streaming(
        (
          call: grpc.ServerWritableStream<
            pb.InstallDependenciesRequest,
            pb.InstallDependenciesResponse
          >,
        ) => this.installDependencies(call),
      ),
      runtimeOptionsPrompts: unary(async (req: pb.RuntimeOptionsRequest) => {
        const info = programInfo(req.getInfo(), "", "");
        const res = new pb.RuntimeOptionsResponse();
        if (!("packagemanager" in info.options)) res.addPrompts(packageManagerPrompt());
        return res;
      }),
      template: unary(async () => new pb.TemplateResponse()),
      about: unary((req: pb.AboutRequest) => this.about(req)),
      getProgramDependencies: unary((req: pb.GetProgramDependenciesRequest) =>
        this.programDependencies(req),
      ),
      runPlugin: streaming(
        (call: grpc.ServerWritableStream<pb.RunPluginRequest, pb.RunPluginResponse>) =>
          this.runPlugin(call),
      ),
      generateProgram: unimplemented("GenerateProgram (pulumi convert)"),
      generateProject: unimplemented("GenerateProject (pulumi convert)"),
      generatePackage: unimplemented("GeneratePackage (SDK generation)"),
      pack: unimplemented("Pack"),
      link: unimplemented("Link (pulumi package add)"),
      cancel: unary(async () => {
        this.programs.stopAll();
        return new Empty();
      }),
    };
  }

  private async handshake(req: pb.LanguageHandshakeRequest): Promise<pb.LanguageHandshakeResponse> {
    const address = req.getEngineAddress();
    if (address) {
      this.engineAddress = address;
      this.startHealthCheck(address);
    }
    return new pb.LanguageHandshakeResponse();
  }

  private async requiredPlugins(
    req: pb.GetRequiredPluginsRequest,
  ): Promise<pb.GetRequiredPluginsResponse> {
    const info = programInfo(req.getInfo(), req.getPwd(), req.getProgram());
    const res = new pb.GetRequiredPluginsResponse();
    for (const p of await this.requiredPackages(info.programDirectory)) {
      const dep = new pluginPb.PluginDependency();
      dep.setName(p.name);
      dep.setKind(p.kind);
      dep.setVersion(p.version);
      dep.setServer(p.server);
      res.addPlugins(dep);
    }
    return res;
  }

  private async requiredPackagesOf(
    req: pb.GetRequiredPackagesRequest,
  ): Promise<pb.GetRequiredPackagesResponse> {
    const info = programInfo(req.getInfo(), "", "");
    const res = new pb.GetRequiredPackagesResponse();
    for (const p of await this.requiredPackages(info.programDirectory)) {
      const dep = new pluginPb.PackageDependency();
      dep.setName(p.name);
      dep.setKind(p.kind);
      dep.setVersion(p.version);
      dep.setServer(p.server);
      if (p.parameterization) {
        const param = new pluginPb.PackageParameterization();
        param.setName(p.parameterization.name);
        param.setVersion(p.parameterization.version);
        param.setValue(p.parameterization.value);
        dep.setParameterization(param);
      }
      res.addPackages(dep);
    }
    return res;
  }

  private async about(req: pb.AboutRequest): Promise<pb.AboutResponse> {
    const info = programInfo(req.getInfo(), "", "");
    const options = parseOptions(info.options);
    const pm = resolvePackageManager(options.packageManager, info.programDirectory);
    const res = new pb.AboutResponse();
    res.setExecutable(process.execPath);
    res.setVersion(process.version);
    res.getMetadataMap().set("packagemanager", pm);
    const pmVersion = await toolVersion(pm, info.programDirectory);
    if (pmVersion) res.getMetadataMap().set("packagemanagerVersion", pmVersion);
    return res;
  }

  private async programDependencies(
    req: pb.GetProgramDependenciesRequest,
  ): Promise<pb.GetProgramDependenciesResponse> {
    const info = programInfo(req.getInfo(), req.getPwd(), req.getProgram());
    const res = new pb.GetProgramDependenciesResponse();
    const found = await programDependencies(info.programDirectory, req.getTransitivedependencies());
    for (const d of found) {
      const dep = new pb.DependencyInfo();
      dep.setName(d.name);
      dep.setVersion(d.version);
      res.addDependencies(dep);
    }
    return res;
  }

  private async requiredPackages(programDirectory: string): Promise<PluginPackage[]> {
    const scan = await scanPluginPackages(programDirectory);
    for (const e of scan.errors) debug(3, `while discovering plugins: ${e}`);
    const warning = incompatiblePulumiVersions(scan.pulumiVersions);
    // Shown to the user on purpose, as the official host does: mixed SDK majors break programs.
    if (warning) process.stderr.write(warning);
    return scan.packages;
  }

  private async run(
    req: pb.RunRequest,
    call: grpc.ServerUnaryCall<pb.RunRequest, pb.RunResponse>,
  ): Promise<pb.RunResponse> {
    const res = new pb.RunResponse();
    // Program failures are answers, not RPC errors: the engine shows `error` to the user.
    const fail = (message: string) => {
      res.setError(message);
      return res;
    };
    if (req.getAttachDebugger()) {
      return fail(
        "attaching a debugger is not supported by this Node.js language host (tools/langhost)",
      );
    }
    const info = programInfo(req.getInfo(), req.getPwd(), req.getProgram());
    let options: NodeOptions;
    let runScript: string;
    try {
      options = parseOptions(info.options);
      runScript = resolveFrom(
        info.programDirectory,
        process.env.PULUMI_LANGUAGE_NODEJS_RUN_PATH || runScriptModule,
        "pulumi install",
      );
    } catch (err) {
      return fail((err as Error).message);
    }
    const spec = this.runSpec(req, info);
    let env: NodeJS.ProcessEnv;
    try {
      env = runEnvironment(process.env, spec, options);
    } catch (err) {
      return fail(`failed to serialize configuration: ${(err as Error).message}`);
    }
    const args = runArguments(runScript, spec, options, preloadScript);
    debug(5, `launching ${process.execPath} ${args.join(" ")}`);

    const child = spawn(process.execPath, args, { stdio: ["ignore", "inherit", "pipe"], env });
    const exited = this.programs.track(child);
    call.on("cancelled", () => stop(child));
    const ranOutOfMemory = forwardStderr(child);
    try {
      const { code, signal } = await exited;
      const outcome = programOutcome(code, signal, ranOutOfMemory());
      res.setError(outcome.error);
      res.setBail(outcome.bail);
      return res;
    } catch (err) {
      return fail(
        `Problem executing program (could not run language executor): ${(err as Error).message}`,
      );
    }
  }

  private runSpec(req: pb.RunRequest, info: ProgramInfo): RunSpec {
    const config: Record<string, string> = {};
    req.getConfigMap().forEach((value, key) => {
      config[key] = value;
    });
    return {
      monitorAddress: req.getMonitorAddress(),
      engineAddress: this.engineAddress,
      organization: req.getOrganization(),
      project: req.getProject(),
      stack: req.getStack(),
      rootDirectory: info.rootDirectory,
      programDirectory: info.programDirectory,
      entryPoint: info.entryPoint,
      dryRun: req.getDryrun(),
      parallel: req.getParallel(),
      tracing: this.settings.tracing,
      args: req.getArgsList(),
      config,
      configSecretKeys: req.getConfigsecretkeysList(),
    };
  }

  private async runPlugin(
    call: grpc.ServerWritableStream<pb.RunPluginRequest, pb.RunPluginResponse>,
  ): Promise<void> {
    const req = call.request;
    const { info, isPolicyPack, env, args } = pluginCommand(req);
    const send = (stream: "stdout" | "stderr", data: Uint8Array) => {
      const msg = new pb.RunPluginResponse();
      if (stream === "stdout") msg.setStdout(data);
      else msg.setStderr(data);
      call.write(msg);
    };

    let proxy: PolicyProxy | undefined;
    let cancelled = false;
    call.on("cancelled", () => {
      cancelled = true;
      proxy?.abort(new Error("the engine cancelled the policy pack"));
    });
    try {
      if (isPolicyPack) {
        // Loaded on demand: the Analyzer stubs are not worth their start-up cost for programs.
        const { PolicyProxy } = await import("./policyProxy");
        proxy = await PolicyProxy.start();
        send("stdout", Buffer.from(`${proxy.port}\n`));
        const stack = await proxy.awaitConfiguration();
        if (stack) Object.assign(env, stackEnvironment(stack));
      }
      if (cancelled) return;

      // Policy packs keep running in their own directory, as they always have.
      const cwd = isPolicyPack ? info.programDirectory : req.getPwd() || info.programDirectory;
      debug(5, `launching plugin ${process.execPath} ${args.join(" ")} in ${cwd}`);
      const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env, cwd });
      const exited = this.children.track(child);
      call.on("cancelled", () => stop(child));
      child.stderr?.on("data", (chunk: Buffer) => send("stderr", chunk));
      if (proxy) this.attachPolicyPack(child, proxy, send);
      else child.stdout?.on("data", (chunk: Buffer) => send("stdout", chunk));

      let exit: { code: number | null; signal: NodeJS.Signals | null };
      try {
        exit = await exited;
      } catch (err) {
        throw new Error(
          `Problem executing plugin program (could not run language executor): ${(err as Error).message}`,
        );
      }
      const msg = new pb.RunPluginResponse();
      msg.setExitcode(exitCodeOf(exit.code, exit.signal));
      call.write(msg);
    } finally {
      proxy?.shutdown();
    }
  }

  // The policy pack announces its own port on its first stdout line; that line is for the proxy,
  // everything after it is the user's output.
  private attachPolicyPack(
    child: ChildProcess,
    proxy: PolicyProxy,
    send: (stream: "stdout", data: Uint8Array) => void,
  ) {
    let pending: Buffer | undefined = Buffer.alloc(0);
    child.stdout?.on("data", (chunk: Buffer) => {
      if (!pending) {
        send("stdout", chunk);
        return;
      }
      pending = Buffer.concat([pending, chunk]);
      const nl = pending.indexOf("\n");
      if (nl < 0) return;
      const port = Number.parseInt(pending.subarray(0, nl).toString("utf8").trim(), 10);
      const rest = pending.subarray(nl + 1);
      pending = undefined;
      if (rest.length > 0) send("stdout", rest);
      if (!Number.isInteger(port) || port <= 0) {
        proxy.abort(new Error("the policy pack did not print a port on its first stdout line"));
        return;
      }
      proxy.attach(`127.0.0.1:${port}`).catch((err: Error) => proxy.abort(err));
    });
    child.once("close", () => {
      if (pending) proxy.abort(new Error("the policy pack exited before printing its port"));
    });
  }

  private async installDependencies(
    call: grpc.ServerWritableStream<pb.InstallDependenciesRequest, pb.InstallDependenciesResponse>,
  ): Promise<void> {
    const req = call.request;
    const info = programInfo(req.getInfo(), req.getDirectory(), ".");
    const options = parseOptions(info.options);
    const send = (stream: "stdout" | "stderr", data: Uint8Array | string) => {
      const msg = new pb.InstallDependenciesResponse();
      const bytes = typeof data === "string" ? Buffer.from(data) : data;
      if (stream === "stdout") msg.setStdout(bytes);
      else msg.setStderr(bytes);
      call.write(msg);
    };
    const { manifest, missing } = await missingDependencies(info.programDirectory);
    const sdkPresent = (() => {
      try {
        resolveFrom(info.programDirectory, "@pulumi/pulumi", "npm install");
        return true;
      } catch (err) {
        if (err instanceof SdkNotInstalledError) return false;
        throw err;
      }
    })();
    // Installing into a tree that already resolves everything would only churn node_modules,
    // which in a monorepo may be shared with other work.
    if (sdkPresent && missing.length === 0) {
      send(
        "stdout",
        `Dependencies are already installed (${manifest ?? info.programDirectory}).\n`,
      );
      return;
    }
    if (!manifest) {
      throw new Error(
        `@pulumi/pulumi cannot be found from ${info.programDirectory} and there is no package.json to install from`,
      );
    }
    const dir = manifest.slice(0, manifest.length - "package.json".length - 1);
    const pm = resolvePackageManager(options.packageManager, dir);
    const exe = findExecutable(pm);
    if (!exe) throw new Error(`${pm} is needed to install dependencies but was not found on PATH`);
    send("stdout", `Installing dependencies with ${pm} in ${dir}...\n\n`);
    const child = spawn(exe, ["install"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    const exited = this.children.track(child);
    call.on("cancelled", () => stop(child));
    child.stdout?.on("data", (chunk: Buffer) => send("stdout", chunk));
    child.stderr?.on("data", (chunk: Buffer) => send("stderr", chunk));
    const { code, signal } = await exited;
    if (code !== 0) {
      throw new Error(
        `${pm} install failed: ${code === null ? `signal ${signal}` : `exit code ${code}`}`,
      );
    }
    send("stdout", "Finished installing dependencies\n\n");
  }
}

function packageManagerPrompt(): pb.RuntimeOptionPrompt {
  const string = pb.RuntimeOptionPrompt.RuntimeOptionType.STRING;
  const value = (name: string, display: string) => {
    const v = new pb.RuntimeOptionPrompt.RuntimeOptionValue();
    v.setPrompttype(string);
    v.setStringvalue(name);
    v.setDisplayname(display);
    return v;
  };
  const managers = ["npm", "pnpm", "yarn", "bun"].map((name) => ({
    name,
    found: findExecutable(name) !== undefined,
  }));
  // Installed package managers first, the rest marked so nobody picks one that cannot work.
  managers.sort((a, b) => Number(b.found) - Number(a.found));
  const prompt = new pb.RuntimeOptionPrompt();
  prompt.setKey("packagemanager");
  prompt.setDescription("The package manager to use for installing dependencies");
  prompt.setPrompttype(string);
  prompt.setChoicesList(
    managers.map((m) => value(m.name, m.found ? m.name : `${m.name} [not found]`)),
  );
  prompt.setDefault(value("npm", "npm"));
  return prompt;
}
