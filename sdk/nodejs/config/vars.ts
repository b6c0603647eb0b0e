import * as pulumi from "@pulumi/pulumi";

// Each value is read when it is accessed, not when the module loads: config is only available
// once the Pulumi runtime has started, and tests change it between cases.
const config = new pulumi.Config("smartag");

function defineGetter(name: string, get: () => unknown): void {
  // `exports` is the CommonJS module object; a getter on it makes `smartag.config.region` live.
  Object.defineProperty(exports, name, { get, enumerable: true });
}

// An empty value counts as unset in every source, as it does in the plugin: `smartag:region: ""`
// falls through to ALIBABA_CLOUD_REGION, and `smartag:maxAttempts: ""` to the default, so
// these getters report what the provider will actually use.
function getString(key: string): string | undefined {
  const value = config.get(key);
  return value === "" ? undefined : value;
}

// Pulumi's own parsers for the rest, so a bad value still throws naming the key.
function getNumber(key: string): number | undefined {
  return getString(key) === undefined ? undefined : config.getNumber(key);
}

function getBoolean(key: string): boolean | undefined {
  return getString(key) === undefined ? undefined : config.getBoolean(key);
}

function getEnv(...names: string[]): string | undefined {
  for (const name of names) {
    const value = process.env[name];
    if (value) {
      return value;
    }
  }
  return undefined;
}

// Only the two spellings the plugin accepts, so this getter never reports a value the plugin
// would reject.
function getEnvBoolean(...names: string[]): boolean | undefined {
  const value = getEnv(...names);
  if (value === "true") {
    return true;
  }
  if (value === "false") {
    return false;
  }
  return undefined;
}

/**
 * `smartag:region`: the Alibaba Cloud region of the SAG APP instance, e.g. `cn-shanghai`; falls
 * back to `ALIBABA_CLOUD_REGION`, then `ALICLOUD_REGION`.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 * export const region = smartag.config.region ?? "cn-shanghai";
 * ```
 */
export declare const region: string | undefined;
defineGetter(
  "region",
  () => getString("region") ?? getEnv("ALIBABA_CLOUD_REGION", "ALICLOUD_REGION"),
);

/**
 * `smartag:accessKey`: the AccessKey ID used to sign API requests; falls back to
 * `ALIBABA_CLOUD_ACCESS_KEY_ID`, then `ALICLOUD_ACCESS_KEY`.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 * const usesStaticKey = smartag.config.accessKey !== undefined;
 * ```
 */
export declare const accessKey: string | undefined;
defineGetter(
  "accessKey",
  () => getString("accessKey") ?? getEnv("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"),
);

/**
 * `smartag:secretKey`: the AccessKey secret; falls back to `ALIBABA_CLOUD_ACCESS_KEY_SECRET`,
 * then `ALICLOUD_SECRET_KEY`. Returned as plain text like in other Pulumi SDKs: wrap it in
 * `pulumi.secret` before it goes anywhere, and never log it.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 * const hasStaticKey = smartag.config.accessKey !== undefined && smartag.config.secretKey !== undefined;
 * ```
 */
export declare const secretKey: string | undefined;
defineGetter(
  "secretKey",
  () => getString("secretKey") ?? getEnv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"),
);

/**
 * `smartag:securityToken`: the STS security token for temporary credentials; falls back to
 * `ALIBABA_CLOUD_SECURITY_TOKEN`, then `ALICLOUD_SECURITY_TOKEN`. Plain text: never log it.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 * const usesSts = smartag.config.securityToken !== undefined;
 * ```
 */
export declare const securityToken: string | undefined;
defineGetter(
  "securityToken",
  () =>
    getString("securityToken") ?? getEnv("ALIBABA_CLOUD_SECURITY_TOKEN", "ALICLOUD_SECURITY_TOKEN"),
);

/**
 * `smartag:profile`: the Alibaba Cloud CLI profile to take credentials from; falls
 * back to `ALIBABA_CLOUD_PROFILE`, then `ALICLOUD_PROFILE`.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 * export const profile = smartag.config.profile ?? "default";
 * ```
 */
export declare const profile: string | undefined;
defineGetter(
  "profile",
  () => getString("profile") ?? getEnv("ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE"),
);

/**
 * `smartag:endpoint`: the API endpoint to call instead of the regional one, e.g.
 * `http://127.0.0.1:8080` for the local emulator; falls back to `SMARTAG_ENDPOINT`.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 * export const usesEmulator = smartag.config.endpoint?.startsWith("http://127.0.0.1") ?? false;
 * ```
 */
export declare const endpoint: string | undefined;
defineGetter("endpoint", () => getString("endpoint") ?? getEnv("SMARTAG_ENDPOINT"));

/**
 * `smartag:allowInsecureHttp`: whether an `http://` endpoint on a host other than loopback is
 * allowed; falls back to `SMARTAG_ALLOW_INSECURE_HTTP`, then `false`.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 * if (smartag.config.allowInsecureHttp) {
 *     console.warn("smartag: signed requests may travel in clear text");
 * }
 * ```
 */
export declare const allowInsecureHttp: boolean;
defineGetter(
  "allowInsecureHttp",
  () => getBoolean("allowInsecureHttp") ?? getEnvBoolean("SMARTAG_ALLOW_INSECURE_HTTP") ?? false,
);

/**
 * `smartag:connectTimeoutMs`: how long to wait for a TCP connection, in milliseconds; default
 * `5000`.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 * export const connectTimeoutMs = smartag.config.connectTimeoutMs;
 * ```
 */
export declare const connectTimeoutMs: number;
defineGetter("connectTimeoutMs", () => getNumber("connectTimeoutMs") ?? 5000);

/**
 * `smartag:readTimeoutMs`: how long to wait for a response once connected, in milliseconds;
 * default `10000`.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 * export const readTimeoutMs = smartag.config.readTimeoutMs;
 * ```
 */
export declare const readTimeoutMs: number;
defineGetter("readTimeoutMs", () => getNumber("readTimeoutMs") ?? 10000);

/**
 * `smartag:maxAttempts`: attempts per request, including the first; only transient errors are
 * retried; default `5`.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 * export const retries = smartag.config.maxAttempts - 1;
 * ```
 */
export declare const maxAttempts: number;
defineGetter("maxAttempts", () => getNumber("maxAttempts") ?? 5);

/**
 * `smartag:retryBaseDelayMs`: the base delay of the exponential backoff, in milliseconds;
 * default `200`.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 * export const retryBaseDelayMs = smartag.config.retryBaseDelayMs;
 * ```
 */
export declare const retryBaseDelayMs: number;
defineGetter("retryBaseDelayMs", () => getNumber("retryBaseDelayMs") ?? 200);

/**
 * `smartag:retryMaxDelayMs`: the longest delay between two attempts, in milliseconds; default
 * `5000`.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 * export const retryMaxDelayMs = smartag.config.retryMaxDelayMs;
 * ```
 */
export declare const retryMaxDelayMs: number;
defineGetter("retryMaxDelayMs", () => getNumber("retryMaxDelayMs") ?? 5000);

/**
 * `smartag:deadlineMs`: the total time one function call may take, including retries, in
 * milliseconds; default `60000`.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 * export const deadlineSeconds = smartag.config.deadlineMs / 1000;
 * ```
 */
export declare const deadlineMs: number;
defineGetter("deadlineMs", () => getNumber("deadlineMs") ?? 60000);

/**
 * `smartag:concurrency`: how many batches of 50 user names are queried in parallel; default
 * `4`.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 * export const concurrency = smartag.config.concurrency;
 * ```
 */
export declare const concurrency: number;
defineGetter("concurrency", () => getNumber("concurrency") ?? 4);

/**
 * `smartag:maxRequestsPerSecond`: the most API requests started in any one second; default `0`
 * (no limit).
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 * export const rateLimit = smartag.config.maxRequestsPerSecond;
 * ```
 */
export declare const maxRequestsPerSecond: number;
defineGetter("maxRequestsPerSecond", () => getNumber("maxRequestsPerSecond") ?? 0);

/**
 * `smartag:cacheTtlMs`: how long an identical call's answer is reused, in milliseconds; `0`
 * turns the cache off; default `5000`.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 * export const cacheTtlMs = smartag.config.cacheTtlMs;
 * ```
 */
export declare const cacheTtlMs: number;
defineGetter("cacheTtlMs", () => getNumber("cacheTtlMs") ?? 5000);

/**
 * `smartag:maxResponseBytes`: the largest answer accepted from the endpoint, in bytes after
 * decompression; default `4194304` (4 MiB).
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 * export const maxResponseBytes = smartag.config.maxResponseBytes;
 * ```
 */
export declare const maxResponseBytes: number;
defineGetter("maxResponseBytes", () => getNumber("maxResponseBytes") ?? 4194304);
