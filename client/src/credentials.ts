/**
 * Where AccessKeys come from, the first configured wins: `assumeRoleWithOidc`, explicit
 * settings (which already include the environment fallbacks), `credentialsUri`, `ecsRoleName`,
 * a profile of the shared credentials file, else the default chain of `@alicloud/credentials`
 * (environment, OIDC, CLI profiles, the credentials file, ECS RAM role). `assumeRole` then
 * trades what that source gives for the role's temporary keys. Every source but explicit keys
 * is a provider of `@alicloud/credentials`, loaded lazily: it is heavy, and most runs never
 * need it.
 */
import { readFile } from "node:fs/promises";
import { SmartagCredentialsError } from "./errors";
import type { ResolvedSettings } from "./options";
import { Redactor } from "./redact";

export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string | undefined;
}

/** The shape pop-core accepts as `credentialsProvider`. */
export interface CredentialsSource {
  getCredentials(): Promise<Credentials>;
  /** A word for logs and errors: where the keys came from (never the keys). */
  readonly description: string;
}

/** Session name when none is configured; STS shows it in the assumed role's ARN. */
export const DEFAULT_SESSION_NAME = "pulumi-smartag";

/**
 * The credential source for `settings`. `redactor` learns every secret a source hands out,
 * including the keys assumeRole spends on STS, which never reach the client's requests.
 */
export function credentialsSourceFor(
  settings: ResolvedSettings,
  redactor: Redactor = new Redactor(),
): CredentialsSource {
  const base = baseSource(settings, redactor);
  const role = settings.assumeRole;
  if (role === undefined) return base;
  return librarySource(`assumeRole ${role.roleArn}`, redactor, (lib) => {
    const builder = lib.RAMRoleARNCredentialsProvider.builder()
      .withCredentialsProvider({
        getProviderName: () => base.description,
        getCredentials: async () => {
          const c = await base.getCredentials();
          redactor.add(c.accessKeySecret, c.securityToken);
          return { ...c, securityToken: c.securityToken ?? "", providerName: base.description };
        },
      })
      .withRoleArn(role.roleArn)
      .withRoleSessionName(role.sessionName ?? DEFAULT_SESSION_NAME)
      .withDurationSeconds(role.sessionExpiration ?? 3600);
    if (role.policy !== undefined) builder.withPolicy(role.policy);
    if (role.externalId !== undefined) builder.withExternalId(role.externalId);
    return stsOptions(builder, settings).build();
  });
}

function baseSource(settings: ResolvedSettings, redactor: Redactor): CredentialsSource {
  const { accessKey, secretKey, securityToken, profile, assumeRoleWithOidc: oidc } = settings;
  if (oidc !== undefined) {
    return librarySource(
      `assumeRoleWithOidc ${oidc.roleArn}`,
      redactor,
      (lib) => {
        const builder = lib.OIDCRoleArnCredentialsProvider.builder()
          .withOIDCProviderArn(oidc.oidcProviderArn)
          .withOIDCTokenFilePath(oidc.oidcTokenFile)
          .withRoleArn(oidc.roleArn)
          .withRoleSessionName(oidc.roleSessionName ?? DEFAULT_SESSION_NAME)
          .withDurationSeconds(oidc.sessionExpiration ?? 3600);
        if (oidc.policy !== undefined) builder.withPolicy(oidc.policy);
        return stsOptions(builder, settings).build();
      },
      async () => {
        // The token is read by the library; knowing it here keeps it out of any message.
        redactor.add((await readFile(oidc.oidcTokenFile, "utf8").catch(() => "")).trim());
      },
    );
  }
  if (accessKey !== undefined && secretKey !== undefined) {
    const creds: Credentials = {
      accessKeyId: accessKey,
      accessKeySecret: secretKey,
      securityToken,
    };
    return { description: "explicit AccessKey", getCredentials: async () => creds };
  }
  const { credentialsUri, ecsRoleName, sharedCredentialsFile } = settings;
  if (credentialsUri !== undefined) {
    return librarySource(`credentialsUri ${originOf(credentialsUri)}`, redactor, (lib) =>
      lib.URICredentialsProvider.builder()
        .withCredentialsURI(credentialsUri)
        .withConnectTimeout(settings.connectTimeoutMs)
        .withReadTimeout(settings.readTimeoutMs)
        .build(),
    );
  }
  if (ecsRoleName !== undefined) {
    // The library asks the ECS metadata service at its fixed address, 100.100.100.200.
    return librarySource(`ecsRoleName "${ecsRoleName}" (ECS metadata service)`, redactor, (lib) =>
      lib.ECSRAMRoleCredentialsProvider.builder().withRoleName(ecsRoleName).build(),
    );
  }
  if (sharedCredentialsFile !== undefined) {
    return sharedFileSource(sharedCredentialsFile, profile, redactor);
  }
  return profile !== undefined ? profileSource(profile) : defaultChainSource();
}

type CredentialsLib = typeof import("@alicloud/credentials");
type LibraryProvider = { getCredentials(): Promise<Credentials> };

/** Timeouts and STS host shared by the two role builders. */
function stsOptions<
  B extends {
    withStsEndpoint(e: string): B;
    withConnectTimeout(ms: number): B;
    withReadTimeout(ms: number): B;
  },
>(builder: B, settings: ResolvedSettings): B {
  if (settings.stsEndpoint !== undefined) builder.withStsEndpoint(settings.stsEndpoint);
  return builder
    .withConnectTimeout(settings.connectTimeoutMs)
    .withReadTimeout(settings.readTimeoutMs);
}

/**
 * One provider of `@alicloud/credentials`, built on first use. Callers asking at the same time
 * share one answer, so a call of many batches makes one STS request, not one per batch. Its
 * failures become a SmartagCredentialsError naming the key it was configured by, with the
 * library's reason cleaned of anything secret.
 */
function librarySource(
  description: string,
  redactor: Redactor,
  build: (lib: CredentialsLib) => LibraryProvider,
  before?: () => Promise<void>,
): CredentialsSource {
  let provider: LibraryProvider | undefined;
  let pending: Promise<Credentials> | undefined;
  const fetch = async (): Promise<Credentials> => {
    try {
      await before?.();
      provider ??= build(require("@alicloud/credentials") as CredentialsLib);
      const c = await provider.getCredentials();
      redactor.add(c.accessKeySecret, c.securityToken);
      return {
        accessKeyId: c.accessKeyId,
        accessKeySecret: c.accessKeySecret,
        securityToken: c.securityToken || undefined,
      };
    } catch (e) {
      if (e instanceof SmartagCredentialsError) throw e;
      const reason = sourceReason(e instanceof Error ? e.message : String(e), redactor);
      throw new SmartagCredentialsError(`could not get credentials from ${description}: ${reason}`);
    }
  };
  return {
    description,
    getCredentials() {
      pending ??= fetch().finally(() => {
        pending = undefined;
      });
      return pending;
    },
  };
}

/** A profile of an INI credentials file at a path of the user's choosing. */
function sharedFileSource(
  file: string,
  profile: string | undefined,
  redactor: Redactor,
): CredentialsSource {
  const name = profile ?? "default";
  let inner: LibraryProvider | undefined;
  return librarySource(`sharedCredentialsFile ${file} (profile "${name}")`, redactor, (lib) => ({
    async getCredentials() {
      if (!inner) {
        const { loadIni } = require("@alicloud/credentials/dist/src/util/utils") as {
          loadIni(path: string): Promise<unknown>;
        };
        const text = await readFile(file, "utf8");
        if (text.trimStart().startsWith("{")) {
          throw new Error(
            "the file is JSON: sharedCredentialsFile takes the INI credentials file; the CLI's config.json is read from ~/.aliyun by profile",
          );
        }
        inner = lib.ProfileCredentialsProvider.builder()
          .withProfileName(name)
          .build()
          .getCredentialsProvider(await loadIni(file)) as LibraryProvider;
      }
      return inner.getCredentials();
    },
  }));
}

function originOf(uri: string): string {
  try {
    return new URL(uri).origin;
  } catch {
    return "(invalid URL)";
  }
}

/**
 * A reason from a credential source: the library's own words, cut as `safeReason` cuts them,
 * plus the Code, Message and RequestId of an STS or credentials-server answer it quotes.
 */
export function sourceReason(message: string, redactor: Redactor): string {
  const head = safeReason(message);
  const json = /\{[\s\S]*\}/.exec(message)?.[0];
  let answer: { Code?: unknown; Message?: unknown; RequestId?: unknown } | undefined;
  try {
    answer = json === undefined ? undefined : JSON.parse(json);
  } catch {
    answer = undefined;
  }
  if (typeof answer?.Code !== "string") return head;
  const text = typeof answer.Message === "string" ? `: ${answer.Message}` : "";
  const id = typeof answer.RequestId === "string" ? ` (RequestId: ${answer.RequestId})` : "";
  return redactor.redact(`${head}: ${answer.Code}${clip(text)}${id}`);
}

function clip(text: string): string {
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON)}…` : text;
}

type ChainProvider = LibraryProvider;
type Builder = () => ChainProvider;

/** Builds each provider that can be built; a builder that throws (disabled, unconfigured) is skipped. */
function buildAll(builders: Builder[]): ChainProvider[] {
  const out: ChainProvider[] = [];
  for (const build of builders) {
    try {
      out.push(build());
    } catch {
      // e.g. the CLI profile provider refuses to exist when ALIBABA_CLOUD_CLI_PROFILE_DISABLED
    }
  }
  return out;
}

function profileSource(profile: string): CredentialsSource {
  return fromChain(`profile "${profile}"`, () => {
    const lib = require("@alicloud/credentials") as CredentialsLib;
    // The CLI's config.json and the shared credentials file both name profiles; try both.
    return buildAll([
      () => lib.CLIProfileCredentialsProvider.builder().withProfileName(profile).build(),
      () => lib.ProfileCredentialsProvider.builder().withProfileName(profile).build(),
    ]);
  });
}

/**
 * The default chain of `@alicloud/credentials`, assembled here so that sources needing the
 * network are consulted only when configured: the library's own default chain adds its
 * credentials-URI source even without ALIBABA_CLOUD_CREDENTIALS_URI, and then looks up the
 * host "undefined". (A set credentials URI or ECS role name is a setting, see baseSource.)
 */
function defaultChainSource(env: NodeJS.ProcessEnv = process.env): CredentialsSource {
  return fromChain("default credential chain", () => {
    const lib = require("@alicloud/credentials") as CredentialsLib;
    const set = (name: string) => (env[name] ?? "") !== "";
    const builders: Builder[] = [
      () => lib.EnvironmentVariableCredentialsProvider.builder().build(),
    ];
    if (
      set("ALIBABA_CLOUD_ROLE_ARN") &&
      set("ALIBABA_CLOUD_OIDC_PROVIDER_ARN") &&
      set("ALIBABA_CLOUD_OIDC_TOKEN_FILE")
    ) {
      builders.push(() => lib.OIDCRoleArnCredentialsProvider.builder().build());
    }
    builders.push(
      () => lib.CLIProfileCredentialsProvider.builder().build(),
      () => lib.ProfileCredentialsProvider.builder().build(),
    );
    if ((env.ALIBABA_CLOUD_ECS_METADATA_DISABLED ?? "").toLowerCase() !== "true") {
      builders.push(() => lib.ECSRAMRoleCredentialsProvider.builder().build());
    }
    return buildAll(builders);
  });
}

function fromChain(description: string, build: () => ChainProvider[]): CredentialsSource {
  let providers: ChainProvider[] | undefined;
  return {
    description,
    async getCredentials() {
      providers ??= build();
      const reasons: string[] = [];
      for (const p of providers) {
        try {
          const c = await p.getCredentials();
          if (c?.accessKeyId && c.accessKeySecret) {
            return {
              accessKeyId: c.accessKeyId,
              accessKeySecret: c.accessKeySecret,
              securityToken: c.securityToken || undefined,
            };
          }
        } catch (e) {
          reasons.push(safeReason(e instanceof Error ? e.message : String(e)));
        }
      }
      throw new SmartagCredentialsError(
        `no Alibaba Cloud credentials found (${description}): set an AccessKey pair ` +
          "(ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or the " +
          "provider's accessKey and secretKey), or a profile" +
          (reasons.length > 0 ? `; the chain said: ${reasons.join("; ")}` : ""),
      );
    },
  };
}

/** Longest reason quoted from the chain; its messages name files and variables, not more. */
const MAX_REASON = 200;

/**
 * What of a credential source's error may be quoted. `@alicloud/credentials` puts file contents
 * into some messages (a CLI config it cannot parse is quoted whole after "failed:", secrets
 * and all), so a reason is cut at "failed:", at the first line break and at anything that
 * opens a JSON or INI body, and field-redacted as well.
 */
export function safeReason(message: string): string {
  let text = message.split(/\r?\n/, 1)[0] ?? "";
  const failed = text.indexOf("failed:");
  if (failed !== -1) text = text.slice(0, failed + "failed".length);
  const body = text.search(/[{[=]/);
  if (body !== -1) text = text.slice(0, body);
  text = text.trim();
  return new Redactor().redact(clip(text));
}
