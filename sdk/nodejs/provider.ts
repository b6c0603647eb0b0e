import * as pulumi from "@pulumi/pulumi";
import * as utilities from "./utilities";

/**
 * The provider type for the smartag package. By default, functions use the stack configuration
 * (`smartag:region`, `smartag:endpoint`, ...) and the environment; create an explicit `Provider`
 * and pass it as the `provider` option to call a different region, account or endpoint.
 *
 * What the plugin receives in Configure (`args`, and the same strings in the legacy `variables`
 * as `smartag:config:<key>`), and in CheckConfig `news`, for each key that was set:
 * - `region`, `accessKey`, `profile`, `endpoint`: the string as given.
 * - `secretKey`, `securityToken`: the string as given, secret-wrapped in `args` and `news`
 *   (plain text in `variables`).
 * - `allowInsecureHttp` and the integers (`connectTimeoutMs`, `readTimeoutMs`, `maxAttempts`,
 *   `retryBaseDelayMs`, `retryMaxDelayMs`, `deadlineMs`, `concurrency`, `maxRequestsPerSecond`,
 *   `cacheTtlMs`, `maxResponseBytes`): JSON text, i.e. the
 *   strings `"true"`/`"false"` and e.g. `"5000"`. Provider configuration reaches plugins as text
 *   (stack config is text, and `variables` is a string map), so generated SDKs encode
 *   non-strings this way too and one parser serves explicit and default providers alike.
 * Keys that were not set are absent, and so is a key whose Output resolves to undefined: the
 * SDK neither reads the environment nor fills in schema defaults. The plugin applies both, as it
 * does for the default provider, so credentials taken from the environment never land in the
 * Pulumi state. The engine adds a `version` key of its own.
 *
 * @example
 * ```typescript
 * import * as pulumi from "@pulumi/pulumi";
 * import * as smartag from "pulumi-smartag";
 *
 * const config = new pulumi.Config();
 * const hongKong = new smartag.Provider("hk", {
 *     region: "cn-hongkong",
 *     accessKey: config.require("accessKey"),
 *     secretKey: config.requireSecret("secretKey"),
 *     maxAttempts: 3,
 * });
 *
 * const stats = smartag.getUserOnlineClientStatisticsOutput(
 *     { smartAgId: "sag-demo0001", userNames: ["doctest"] },
 *     { provider: hongKong },
 * );
 * ```
 */
export class Provider extends pulumi.ProviderResource {
  /** @internal */
  public static readonly __pulumiType = "smartag";

  /**
   * Returns true if the given object is an instance of Provider. This is designed to work even
   * when multiple copies of the Pulumi SDK have been loaded into the same process.
   *
   * @example
   * ```typescript
   * import * as smartag from "pulumi-smartag";
   *
   * const p: unknown = new smartag.Provider("local", { endpoint: "http://127.0.0.1:8080" });
   * if (smartag.Provider.isInstance(p)) {
   *     console.log("a smartag provider");
   * }
   * ```
   */
  public static isInstance(obj: unknown): obj is Provider {
    if (typeof obj !== "object" || obj === null) {
      return false;
    }
    // Compare the type token, not the prototype: another copy of this SDK has another class.
    return (
      (obj as { __pulumiType?: unknown }).__pulumiType ===
      `pulumi:providers:${Provider.__pulumiType}`
    );
  }

  /**
   * Create a Provider resource with the given unique name, arguments, and options.
   *
   * @param name The _unique_ name of the resource.
   * @param args The configuration of this provider; every key is optional.
   * @param opts A bag of options that control this resource's behavior.
   */
  constructor(name: string, args?: ProviderArgs, opts?: pulumi.ResourceOptions) {
    const resourceInputs: pulumi.Inputs = {
      region: args?.region,
      accessKey: args?.accessKey,
      secretKey: secretOrAbsent(args?.secretKey),
      securityToken: secretOrAbsent(args?.securityToken),
      profile: args?.profile,
      endpoint: args?.endpoint,
      allowInsecureHttp: jsonEncoded(args?.allowInsecureHttp),
      connectTimeoutMs: jsonEncoded(args?.connectTimeoutMs),
      readTimeoutMs: jsonEncoded(args?.readTimeoutMs),
      maxAttempts: jsonEncoded(args?.maxAttempts),
      retryBaseDelayMs: jsonEncoded(args?.retryBaseDelayMs),
      retryMaxDelayMs: jsonEncoded(args?.retryMaxDelayMs),
      deadlineMs: jsonEncoded(args?.deadlineMs),
      concurrency: jsonEncoded(args?.concurrency),
      maxRequestsPerSecond: jsonEncoded(args?.maxRequestsPerSecond),
      cacheTtlMs: jsonEncoded(args?.cacheTtlMs),
      maxResponseBytes: jsonEncoded(args?.maxResponseBytes),
    };
    let merged = pulumi.mergeOptions(utilities.resourceOptsDefaults(), opts ?? {});
    // The plugin echoes its inputs back as outputs; keep the credentials secret there too, even
    // if a plugin version forgets to.
    merged = pulumi.mergeOptions(merged, {
      additionalSecretOutputs: ["secretKey", "securityToken"],
    });
    super(Provider.__pulumiType, name, resourceInputs, merged);
  }
}

// An unset key, or an Output that resolves to undefined, must stay absent so the plugin falls back
// to the environment and defaults: `pulumi.secret(undefined)` would reach it as a secret null.
function secretOrAbsent(
  value: pulumi.Input<string | undefined> | undefined,
): pulumi.Output<string | undefined> | undefined {
  if (value === undefined) {
    return undefined;
  }
  // Unsecret first so that a secret Output of undefined is dropped too; every defined value is
  // made secret again right below.
  return pulumi
    .unsecret(pulumi.output(value))
    .apply(
      (v): pulumi.Output<string | undefined> =>
        v === undefined ? pulumi.output(undefined) : pulumi.secret(v),
    );
}

function jsonEncoded(
  value: pulumi.Input<boolean | undefined> | pulumi.Input<number | undefined> | undefined,
): pulumi.Output<string | undefined> | undefined {
  if (value === undefined) {
    return undefined;
  }
  return pulumi.output(value).apply((v) => (v === undefined ? undefined : JSON.stringify(v)));
}

/**
 * The set of arguments for constructing a {@link Provider}. Unset keys fall back to the
 * environment variables named below, then to the defaults, in the plugin.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * // Talk to the local emulator instead of Alibaba Cloud.
 * const args: smartag.ProviderArgs = {
 *     region: "cn-shanghai",
 *     endpoint: "http://127.0.0.1:8080",
 *     accessKey: "LTAI5tEmulatorKey01",
 *     secretKey: "emulator-secret-01",
 * };
 * const emulator = new smartag.Provider("emulator", args);
 * ```
 */
export interface ProviderArgs {
  /**
   * The Alibaba Cloud region of the SAG APP instance, e.g. `cn-shanghai`. Used as the
   * `regionId` of every call that does not name one, and to pick the regional endpoint
   * `smartag.<region>.aliyuncs.com`. Environment: `ALIBABA_CLOUD_REGION`, `ALICLOUD_REGION`.
   */
  region?: pulumi.Input<string | undefined>;
  /**
   * The AccessKey ID used to sign API requests. When neither this nor `secretKey` is set, the
   * default credential chain of `@alicloud/credentials` is used (profiles, ECS RAM roles, OIDC).
   * Environment: `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALICLOUD_ACCESS_KEY`.
   */
  accessKey?: pulumi.Input<string | undefined>;
  /**
   * The AccessKey secret that belongs to `accessKey`; always sent as a secret. Environment:
   * `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, `ALICLOUD_SECRET_KEY`.
   */
  secretKey?: pulumi.Input<string | undefined>;
  /**
   * An STS security token, needed only with temporary credentials; always sent as a secret.
   * Environment: `ALIBABA_CLOUD_SECURITY_TOKEN`, `ALICLOUD_SECURITY_TOKEN`.
   */
  securityToken?: pulumi.Input<string | undefined>;
  /**
   * The name of a profile in the Alibaba Cloud CLI configuration (`~/.aliyun/config.json`) to
   * take credentials from. Environment: `ALIBABA_CLOUD_PROFILE`, `ALICLOUD_PROFILE`.
   */
  profile?: pulumi.Input<string | undefined>;
  /**
   * The API endpoint to call instead of the regional one, e.g. `http://127.0.0.1:8080` for the
   * local emulator or `https://smartag.cn-shanghai.aliyuncs.com`. Environment:
   * `SMARTAG_ENDPOINT`.
   */
  endpoint?: pulumi.Input<string | undefined>;
  /**
   * Allow an `http://` endpoint on a host other than loopback. Without it, `http://` is
   * accepted only for `localhost`, `127.0.0.1` and `::1`. Default `false`. Environment:
   * `SMARTAG_ALLOW_INSECURE_HTTP`.
   */
  allowInsecureHttp?: pulumi.Input<boolean | undefined>;
  /**
   * How long to wait for a TCP connection to the endpoint, in milliseconds. Default `5000`.
   */
  connectTimeoutMs?: pulumi.Input<number | undefined>;
  /**
   * How long to wait for a response once connected, in milliseconds. Default `10000`.
   */
  readTimeoutMs?: pulumi.Input<number | undefined>;
  /**
   * Attempts per request, including the first; only transient errors are retried. Default `5`.
   */
  maxAttempts?: pulumi.Input<number | undefined>;
  /**
   * The base delay of the capped exponential backoff (with full jitter) between attempts, in
   * milliseconds. Default `200`.
   */
  retryBaseDelayMs?: pulumi.Input<number | undefined>;
  /**
   * The longest delay between two attempts, in milliseconds. Default `5000`.
   */
  retryMaxDelayMs?: pulumi.Input<number | undefined>;
  /**
   * The total time one function call may take, including all retries and batches, in
   * milliseconds. Default `60000`.
   */
  deadlineMs?: pulumi.Input<number | undefined>;
  /**
   * How many requests run in parallel when more than 50 user names are split into batches of
   * 50. Default `4`.
   */
  concurrency?: pulumi.Input<number | undefined>;
  /**
   * The most API requests started in any one second; `0` (the default) means no limit.
   */
  maxRequestsPerSecond?: pulumi.Input<number | undefined>;
  /**
   * How long an identical call's answer is reused, in milliseconds; `0` turns the cache off.
   * Default `5000`.
   */
  cacheTtlMs?: pulumi.Input<number | undefined>;
  /**
   * The largest answer accepted from the endpoint, in bytes after decompression. Default
   * `4194304` (4 MiB).
   */
  maxResponseBytes?: pulumi.Input<number | undefined>;
}
