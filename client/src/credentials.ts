/**
 * Where AccessKeys come from: explicit settings (which already include the environment
 * fallbacks), else a named profile, else the default chain of `@alicloud/credentials`
 * (environment, OIDC, CLI profiles, the credentials file, ECS RAM role, credentials URI).
 * The chain is loaded lazily: it is heavy, and most runs (explicit keys) never need it.
 */
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

export function credentialsSourceFor(settings: ResolvedSettings): CredentialsSource {
  const { accessKey, secretKey, securityToken, profile } = settings;
  if (accessKey !== undefined && secretKey !== undefined) {
    const creds: Credentials = {
      accessKeyId: accessKey,
      accessKeySecret: secretKey,
      securityToken,
    };
    return { description: "explicit AccessKey", getCredentials: async () => creds };
  }
  return profile !== undefined ? profileSource(profile) : defaultChainSource();
}

type ChainProvider = { getCredentials(): Promise<Credentials> };

type CredentialsLib = typeof import("@alicloud/credentials");
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
 * host "undefined".
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
      builders.push(() =>
        lib.ECSRAMRoleCredentialsProvider.builder()
          .withRoleName(env.ALIBABA_CLOUD_ECS_METADATA as string)
          .build(),
      );
    }
    if (set("ALIBABA_CLOUD_CREDENTIALS_URI")) {
      builders.push(() =>
        lib.URICredentialsProvider.builder()
          .withCredentialsURI(env.ALIBABA_CLOUD_CREDENTIALS_URI as string)
          .build(),
      );
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
  if (text.length > MAX_REASON) text = `${text.slice(0, MAX_REASON)}…`;
  return new Redactor().redact(text);
}
