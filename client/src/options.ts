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
  // ALIBABA_CLOUD_CREDENTIALS_FILE stays the default chain's: there a missing file is skipped.
  sharedCredentialsFile: ["ALICLOUD_SHARED_CREDENTIALS_FILE"],
  credentialsUri: ["ALIBABA_CLOUD_CREDENTIALS_URI", "ALICLOUD_CREDENTIALS_URI"],
  ecsRoleName: ["ALIBABA_CLOUD_ECS_METADATA", "ALICLOUD_ECS_ROLE_NAME"],
  stsEndpoint: ["ALIBABA_CLOUD_STS_ENDPOINT"],
  endpoint: ["SMARTAG_ENDPOINT"],
  endpointType: ["SMARTAG_ENDPOINT_TYPE"],
  allowInsecureHttp: ["SMARTAG_ALLOW_INSECURE_HTTP"],
} as const satisfies Partial<Record<keyof SettingsInput, readonly string[]>>;

/**
 * The environment of the fields of the object-valued keys, as alicloud reads them. A field is
 * filled only inside an object that is configured, except that ALICLOUD_ASSUME_ROLE_ARN alone
 * configures `assumeRole`, as it does for alicloud.
 */
export const NESTED_ENV_FALLBACKS = {
  assumeRole: {
    roleArn: ["ALICLOUD_ASSUME_ROLE_ARN", "ALIBABA_CLOUD_ROLE_ARN"],
    sessionName: ["ALICLOUD_ASSUME_ROLE_SESSION_NAME", "ALIBABA_CLOUD_ROLE_SESSION_NAME"],
    sessionExpiration: ["ALICLOUD_ASSUME_ROLE_SESSION_EXPIRATION"],
    externalId: ["ALIBABA_CLOUD_EXTERNAL_ID"],
  },
  assumeRoleWithOidc: {
    oidcProviderArn: ["ALIBABA_CLOUD_OIDC_PROVIDER_ARN"],
    oidcTokenFile: ["ALIBABA_CLOUD_OIDC_TOKEN_FILE"],
    roleArn: ["ALIBABA_CLOUD_ROLE_ARN"],
    roleSessionName: ["ALIBABA_CLOUD_ROLE_SESSION_NAME"],
  },
} as const;

/** host[:port], optionally written with its https:// scheme. */
const STS_ENDPOINT_PATTERN = /^(https:\/\/)?[A-Za-z0-9.-]+(:\d{1,5})?\/?$/i;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // left for the validator to refuse, naming the key
  }
}

function isJsonObject(text: string): boolean {
  const v = parseJson(text);
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

const objectError = (iss: { code?: string }) =>
  iss.code === "unrecognized_keys" ? undefined : "must be an object (or its JSON text)";

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

/** `acs:ram::<account id>:role/<role name>`, as STS takes it. */
export const ROLE_ARN_PATTERN = /^acs:ram::\d+:role\/[A-Za-z0-9._@-]{1,64}$/;
export const OIDC_PROVIDER_ARN_PATTERN = /^acs:ram::\d+:oidc-provider\/[A-Za-z0-9._-]{1,128}$/;

/** A required string field: says "is required" when it is missing. */
const requiredString = z.string({
  error: (iss) => (iss.input === undefined ? "is required" : "must be a string"),
});
const roleArn = requiredString.regex(ROLE_ARN_PATTERN, {
  error: "must look like acs:ram::<account id>:role/<role name>",
});
/** STS's rule for RoleSessionName. */
const sessionName = z.string({ error: "must be a string" }).regex(/^[A-Za-z0-9.@_-]{2,64}$/, {
  error: "must be 2 to 64 letters, digits or the characters . @ - _",
});
/** STS takes a policy of 1 to 2,048 characters of JSON. */
const policy = z
  .string({ error: "must be a string holding a JSON policy document" })
  .max(2048, { error: "must be at most 2048 characters" })
  .refine((v) => isJsonObject(v), { error: "must be a JSON policy document (an object)" });
/** 900 s up to the role's maximum session, which can be at most 12 hours. */
const sessionExpiration = int(900, 43_200);

/** Object-valued keys arrive as objects, or JSON-encoded from the generated Node.js Provider. */
const objectKey = <T extends z.ZodType>(shape: T) =>
  z.preprocess((v) => (typeof v === "string" ? parseJson(v) : v), shape);

const assumeRoleSchema = z.strictObject(
  {
    roleArn,
    sessionName: sessionName.optional(),
    policy: policy.optional(),
    sessionExpiration: sessionExpiration.optional(),
    externalId: z
      .string({ error: "must be a string" })
      .regex(/^[\w+=,.@:/-]{2,1224}$/, {
        error: "must be 2 to 1224 letters, digits or the characters + = , . @ : / - _",
      })
      .optional(),
  },
  { error: objectError },
);

const assumeRoleWithOidcSchema = z.strictObject(
  {
    oidcProviderArn: requiredString.regex(OIDC_PROVIDER_ARN_PATTERN, {
      error: "must look like acs:ram::<account id>:oidc-provider/<name>",
    }),
    oidcTokenFile: requiredString.min(1, { error: "must not be empty (a file path)" }),
    roleArn,
    roleSessionName: sessionName.optional(),
    policy: policy.optional(),
    sessionExpiration: sessionExpiration.optional(),
  },
  { error: objectError },
);

const OBJECT_KEYS = { assumeRole: assumeRoleSchema, assumeRoleWithOidc: assumeRoleWithOidcSchema };

export type AssumeRole = z.output<typeof assumeRoleSchema>;
export type AssumeRoleWithOidc = z.output<typeof assumeRoleWithOidcSchema>;

export const settingsSchema = z.object({
  region: z
    .string({ error: "must be a string" })
    .regex(REGION_PATTERN, { error: "must be a region id such as cn-shanghai" })
    .optional(),
  accessKey: nonEmpty("an AccessKey ID").optional(),
  secretKey: nonEmpty("an AccessKey secret").optional(),
  securityToken: nonEmpty("an STS token").optional(),
  profile: nonEmpty("a profile name").optional(),
  assumeRole: objectKey(assumeRoleSchema).optional(),
  assumeRoleWithOidc: objectKey(assumeRoleWithOidcSchema).optional(),
  sharedCredentialsFile: nonEmpty("a file path").optional(),
  credentialsUri: z
    .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
    .optional(),
  ecsRoleName: nonEmpty("a RAM role name").optional(),
  stsEndpoint: z
    .string({ error: "must be a string" })
    .regex(STS_ENDPOINT_PATTERN, {
      error:
        "must be a host, or host:port, such as sts.cn-hangzhou.aliyuncs.com (STS is always called over https)",
    })
    .optional(),
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
  assumeRole: AssumeRole | undefined;
  assumeRoleWithOidc: AssumeRoleWithOidc | undefined;
  /** The INI credentials file `profile` is read from. */
  sharedCredentialsFile: string | undefined;
  credentialsUri: string | undefined;
  ecsRoleName: string | undefined;
  /** STS host[:port] for assumeRole and assumeRoleWithOidc, without scheme. */
  stsEndpoint: string | undefined;
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
    const name = firstSet(env, names);
    if (name !== undefined) out[key] = env[name];
  }
  for (const [key, fields] of Object.entries(NESTED_ENV_FALLBACKS)) {
    let given = typeof out[key] === "string" ? parseJson(out[key] as string) : out[key];
    const unset = given === undefined || given === "";
    if (unset && key === "assumeRole" && firstSet(env, ["ALICLOUD_ASSUME_ROLE_ARN"])) given = {};
    // Unset, or not an object: the validator names what is wrong with the latter.
    if (given === null || typeof given !== "object" || Array.isArray(given)) continue;
    const object: Record<string, unknown> = { ...given };
    for (const [field, names] of Object.entries(fields)) {
      const name = firstSet(env, names);
      if (object[field] === undefined && name !== undefined) object[field] = env[name];
    }
    out[key] = object;
  }
  return out as SettingsInput;
}

function firstSet(env: NodeJS.ProcessEnv, names: readonly string[]): string | undefined {
  return names.find((n) => env[n] !== undefined && env[n] !== "");
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
  const issues: ValidationIssue[] = parsed.success ? [] : settingsIssues(parsed.error);
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
      assumeRole: s.assumeRole,
      assumeRoleWithOidc: s.assumeRoleWithOidc,
      sharedCredentialsFile: s.sharedCredentialsFile,
      credentialsUri: s.credentialsUri,
      ecsRoleName: s.ecsRoleName,
      stsEndpoint: s.stsEndpoint?.replace(/^https:\/\//i, "").replace(/\/$/, ""),
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

/** zod's issues by key; a field unknown inside an object key is named with its path. */
function settingsIssues(error: z.ZodError): ValidationIssue[] {
  const unknownFields = error.issues.flatMap((iss) => {
    if (iss.code !== "unrecognized_keys") return [];
    const key = String(iss.path[0]) as keyof typeof OBJECT_KEYS;
    const known = Object.keys(OBJECT_KEYS[key]?.shape ?? {}).join(", ");
    return iss.keys.map((k) => ({
      property: `${key}.${k}`,
      reason: `is not a field of ${key} (known: ${known})`,
    }));
  });
  const rest = new z.ZodError(error.issues.filter((i) => i.code !== "unrecognized_keys"));
  return [...toIssues(rest), ...unknownFields];
}

/** The endpoint a request for `regionId` goes to under these settings. */
export function endpointFor(settings: ResolvedSettings, regionId: string): string {
  return settings.endpoint ?? endpointForRegion(regionId, settings.endpointType);
}
