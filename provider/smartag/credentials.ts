/**
 * Where AccessKeys come from: explicit settings (which already include the environment
 * fallbacks), else a named profile, else the default chain of `@alicloud/credentials`
 * (environment, OIDC, CLI profiles, the credentials file, ECS RAM role, credentials URI).
 * The chain is loaded lazily: it is heavy, and most runs (explicit keys) never need it.
 */
import { SmartagCredentialsError } from "./errors";
import type { ResolvedSettings } from "./options";

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

function profileSource(profile: string): CredentialsSource {
  return fromChain(`profile "${profile}"`, () => {
    const lib = require("@alicloud/credentials") as typeof import("@alicloud/credentials");
    // The CLI's config.json and the shared credentials file both name profiles; try both.
    return [
      lib.CLIProfileCredentialsProvider.builder().withProfileName(profile).build(),
      lib.ProfileCredentialsProvider.builder().withProfileName(profile).build(),
    ];
  });
}

function defaultChainSource(): CredentialsSource {
  return fromChain("default credential chain", () => {
    const lib = require("@alicloud/credentials") as typeof import("@alicloud/credentials");
    return [lib.DefaultCredentialsProvider.builder().build()];
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
          reasons.push(e instanceof Error ? e.message : String(e));
        }
      }
      throw new SmartagCredentialsError(
        `no Alibaba Cloud credentials found (${description}): set accessKey and secretKey ` +
          "(or ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET), or a profile" +
          (reasons.length > 0 ? `; the chain said: ${reasons.join("; ")}` : ""),
      );
    },
  };
}
