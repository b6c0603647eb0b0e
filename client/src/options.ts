/**
 * Client settings: the same keys as the provider's configuration (`smartag:<key>`), so the
 * provider, the CLI and direct users of the client share one vocabulary, one set of
 * environment fallbacks and one validator.
 */
import { z } from "zod";
import {
  checkEndpoint,
  ENDPOINT_TYPES,
  type EndpointType,
  endpointForRegion,
  regionEndpointIssue,
} from "./endpoints";
import type { ValidationIssue } from "./errors";
import { REGION_PATTERN, toIssues } from "./schemas";

/** Environment variables consulted, in order, when a setting is not given explicitly. */
export const ENV_FALLBACKS = {
  region: ["ALIBABA_CLOUD_REGION", "ALICLOUD_REGION"],
  accessKey: ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"],
  secretKey: ["ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"],
  securityToken: ["ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"],
  profile: ["ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE"],
  endpoint: ["SMARTAG_ENDPOINT"],
  endpointType: ["SMARTAG_ENDPOINT_TYPE"],
  allowInsecureHttp: ["SMARTAG_ALLOW_INSECURE_HTTP"],
} as const satisfies Partial<Record<keyof SettingsInput, readonly string[]>>;

/** Defaults chosen for a cloud API reached over the internet. */
export const DEFAULTS = {
  connectTimeoutMs: 5_000,
  readTimeoutMs: 10_000,
  maxAttempts: 5,
  retryBaseDelayMs: 200,
  retryMaxDelayMs: 5_000,
  deadlineMs: 60_000,
  concurrency: 4,
  maxRequestsPerSecond: 0,
  cacheTtlMs: 5_000,
  /** An answer for 50 names is a few KB; anything near this is not the API talking. */
  maxResponseBytes: 4 * 1024 * 1024,
} as const;

/** Pulumi config values arrive as strings; accept both "5000" and 5000. */
const int = (min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === "string" && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v),
    z
      .number({ error: "must be a whole number" })
      .int({ error: "must be a whole number" })
      .min(min, { error: `must be at least ${min}` })
      .max(max, { error: `must be at most ${max}` }),
  );

const bool = z.preprocess(
  (v) => (v === "true" ? true : v === "false" ? false : v),
  z.boolean({ error: "must be true or false" }),
);

const nonEmpty = (what: string) =>
  z
    .string({ error: `must be a string (${what})` })
    .min(1, { error: `must not be empty (${what})` });

export const settingsSchema = z.object({
  region: z
    .string({ error: "must be a string" })
    .regex(REGION_PATTERN, { error: "must be a region id such as cn-shanghai" })
    .optional(),
  accessKey: nonEmpty("an AccessKey ID").optional(),
  secretKey: nonEmpty("an AccessKey secret").optional(),
  securityToken: nonEmpty("an STS token").optional(),
  profile: nonEmpty("a profile name").optional(),
  endpoint: nonEmpty("a URL").optional(),
  endpointType: z.enum(ENDPOINT_TYPES, { error: "must be public or vpc" }).optional(),
  allowInsecureHttp: bool.optional(),
  connectTimeoutMs: int(100, 600_000).optional(),
  readTimeoutMs: int(100, 600_000).optional(),
  maxAttempts: int(1, 20).optional(),
  retryBaseDelayMs: int(1, 60_000).optional(),
  retryMaxDelayMs: int(1, 600_000).optional(),
  deadlineMs: int(100, 3_600_000).optional(),
  concurrency: int(1, 64).optional(),
  maxRequestsPerSecond: int(0, 10_000).optional(),
  cacheTtlMs: int(0, 3_600_000).optional(),
  maxResponseBytes: int(1024, 1024 * 1024 * 1024).optional(),
});

/** Settings as a user gives them (all optional; strings accepted for numbers and booleans). */
export type SettingsInput = { [K in keyof z.input<typeof settingsSchema>]?: unknown };
export const SETTING_KEYS = Object.keys(settingsSchema.shape) as (keyof SettingsInput)[];

/** Settings after defaults and validation. */
export interface ResolvedSettings {
  region: string | undefined;
  accessKey: string | undefined;
  secretKey: string | undefined;
  securityToken: string | undefined;
  profile: string | undefined;
  /** Explicit endpoint, normalised; undefined means "the region's endpoint of endpointType". */
  endpoint: string | undefined;
  endpointType: EndpointType;
  allowInsecureHttp: boolean;
  connectTimeoutMs: number;
  readTimeoutMs: number;
  maxAttempts: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  deadlineMs: number;
  concurrency: number;
  /** Requests started per second across the client, 0 for no limit. */
  maxRequestsPerSecond: number;
  /** How long an identical call's answer is reused, 0 to always ask the API. */
  cacheTtlMs: number;
  /** Largest answer accepted from the endpoint, in bytes after decompression. */
  maxResponseBytes: number;
}

/** Fills unset keys from the environment (first non-empty variable wins). */
export function withEnvFallbacks(
  input: SettingsInput,
  env: NodeJS.ProcessEnv = process.env,
): SettingsInput {
  const out: Record<string, unknown> = { ...input };
  for (const [key, names] of Object.entries(ENV_FALLBACKS)) {
    if (out[key] !== undefined && out[key] !== "") continue;
    const name = names.find((n) => env[n] !== undefined && env[n] !== "");
    if (name !== undefined) out[key] = env[name];
  }
  return out as SettingsInput;
}

/**
 * Validates settings and applies defaults. Returns every problem at once, each named after
 * the setting key (the caller may prefix it, e.g. `smartag:`).
 */
export function resolveSettings(input: SettingsInput): {
  settings?: ResolvedSettings;
  issues: ValidationIssue[];
} {
  const defined = Object.fromEntries(
    Object.entries(input).filter(([, v]) => v !== undefined && v !== null),
  );
  const parsed = settingsSchema.safeParse(defined);
  // Cross-field rules run on the raw values too, so one pass reports every problem.
  const issues: ValidationIssue[] = parsed.success ? [] : toIssues(parsed.error);
  const s = (parsed.success ? parsed.data : {}) as z.output<typeof settingsSchema>;
  const has = (k: keyof SettingsInput) => defined[k] !== undefined;
  if (has("accessKey") && !has("secretKey")) {
    issues.push({
      property: "secretKey",
      reason: "is required when accessKey is set",
      dependsOn: ["accessKey"],
    });
  }
  if (has("secretKey") && !has("accessKey")) {
    issues.push({
      property: "accessKey",
      reason: "is required when secretKey is set",
      dependsOn: ["secretKey"],
    });
  }
  if (has("securityToken") && !has("accessKey")) {
    issues.push({
      property: "securityToken",
      reason: "needs the STS AccessKey pair it belongs to (accessKey and secretKey)",
      dependsOn: ["accessKey"],
    });
  }
  const retryMaxDelayMs = s.retryMaxDelayMs ?? DEFAULTS.retryMaxDelayMs;
  const retryBaseDelayMs = s.retryBaseDelayMs ?? DEFAULTS.retryBaseDelayMs;
  if (parsed.success && retryMaxDelayMs < retryBaseDelayMs) {
    issues.push({
      property: "retryMaxDelayMs",
      reason: `must be at least retryBaseDelayMs (${retryBaseDelayMs})`,
      dependsOn: ["retryBaseDelayMs"],
    });
  }
  let endpoint: string | undefined;
  if (typeof defined.endpoint === "string" && defined.endpoint !== "") {
    const insecure = defined.allowInsecureHttp === true || defined.allowInsecureHttp === "true";
    const checked = checkEndpoint(defined.endpoint, insecure);
    issues.push(...checked.issues);
    endpoint = checked.endpoint;
  } else if (parsed.success && s.region !== undefined) {
    const issue = regionEndpointIssue(s.region, s.endpointType ?? "public", "region");
    if (issue) issues.push(issue);
  }
  if (issues.length > 0 || !parsed.success) return { issues };
  return {
    issues,
    settings: {
      region: s.region,
      accessKey: s.accessKey,
      secretKey: s.secretKey,
      securityToken: s.securityToken,
      profile: s.profile,
      endpoint,
      endpointType: s.endpointType ?? "public",
      allowInsecureHttp: s.allowInsecureHttp ?? false,
      connectTimeoutMs: s.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      readTimeoutMs: s.readTimeoutMs ?? DEFAULTS.readTimeoutMs,
      maxAttempts: s.maxAttempts ?? DEFAULTS.maxAttempts,
      retryBaseDelayMs,
      retryMaxDelayMs,
      deadlineMs: s.deadlineMs ?? DEFAULTS.deadlineMs,
      concurrency: s.concurrency ?? DEFAULTS.concurrency,
      maxRequestsPerSecond: s.maxRequestsPerSecond ?? DEFAULTS.maxRequestsPerSecond,
      cacheTtlMs: s.cacheTtlMs ?? DEFAULTS.cacheTtlMs,
      maxResponseBytes: s.maxResponseBytes ?? DEFAULTS.maxResponseBytes,
    },
  };
}

/** The endpoint a request for `regionId` goes to under these settings. */
export function endpointFor(settings: ResolvedSettings, regionId: string): string {
  return settings.endpoint ?? endpointForRegion(regionId, settings.endpointType);
}
