/**
 * `smartag.dynamic`: the statistics resource as a `pulumi.dynamic.Resource`, for programs that
 * cannot load the `smartag` provider plugin. It behaves like {@link UserOnlineClientStatistics}
 * (same inputs, outputs, limits, diff and refresh), with the differences any dynamic resource
 * has: its type is `pulumi-nodejs:dynamic/smartag:UserOnlineClientStatistics`, it takes no
 * `provider` option, and it needs the plugin's package `pulumi-smartag-provider` (the root
 * package of the pulumi-smartag repository, built; not on npm): either this SDK is used from
 * inside a built checkout, or that checkout is installed by path next to this package
 * (`npm install /path/to/pulumi-smartag`).
 *
 * Credentials: a dynamic provider's functions are serialised into the Pulumi state, so these
 * capture nothing but a package path. At run time, in the engine's dynamic provider process,
 * they load `pulumi-smartag/dynamic/runtime`, which reads `smartag:<key>` from the stack
 * configuration (the engine passes it to dynamic providers, secrets decrypted) and falls back to
 * the environment (`ALIBABA_CLOUD_ACCESS_KEY_ID`, `SMARTAG_ENDPOINT`, ...), like the plugin's
 * default provider. No credential reaches the serialised provider or the state.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as outputs from "../types/output";
import type { UserOnlineClientStatisticsArgs } from "../userOnlineClientStatistics";

/**
 * The run-time half, by package path. The serialiser keeps this string and the `require` calls
 * as they are, and `require` in the dynamic provider process resolves it from the program's
 * directory, where pulumi-smartag is installed. Importing the module here instead would make
 * the serialiser capture it: by reference when installed in node_modules, but by value (its
 * whole text and state) when it is a local file.
 */
const RUNTIME = "pulumi-smartag/dynamic/runtime";

function runtime(): typeof import("./runtime") {
  return require(RUNTIME);
}

/**
 * The `pulumi.dynamic.ResourceProvider` behind {@link UserOnlineClientStatistics}. Exported for
 * tests and for programs that build their own dynamic resource on it; each function loads the
 * run-time half and delegates to it, so it is safe to serialise.
 *
 * @example
 * ```typescript
 * import * as pulumi from "@pulumi/pulumi";
 * import * as smartag from "pulumi-smartag";
 *
 * class GateStatistics extends pulumi.dynamic.Resource {
 *     declare public readonly totalOnlineCount: pulumi.Output<number>;
 *     constructor(name: string, smartAgId: string, userNames: string[]) {
 *         super(smartag.dynamic.userOnlineClientStatisticsProvider, name, {
 *             smartAgId,
 *             userNames,
 *             totalOnlineCount: undefined,
 *         });
 *     }
 * }
 * ```
 */
export const userOnlineClientStatisticsProvider: pulumi.dynamic.ResourceProvider = {
  async configure(req) {
    await runtime().configure(req.config);
  },
  async check(olds, news) {
    return (await runtime().provider().check(olds, news)) as pulumi.dynamic.CheckResult;
  },
  async diff(id, olds, news) {
    return (await runtime().provider().diff(id, olds, news)) as pulumi.dynamic.DiffResult;
  },
  async create(inputs) {
    return (await runtime().provider().create(inputs)) as pulumi.dynamic.CreateResult;
  },
  async read(id, props) {
    return (await runtime()
      .provider()
      .read(id, props ?? {})) as pulumi.dynamic.ReadResult;
  },
  async update(id, olds, news) {
    return (await runtime().provider().update(id, olds, news)) as pulumi.dynamic.UpdateResult;
  },
  async delete(id, props) {
    await runtime().provider().delete(id, props);
  },
};

/**
 * Records how many clients are online through a SAG APP instance, per client account, in the
 * Pulumi state, without the provider plugin: the dynamic-resource form of
 * `smartag.UserOnlineClientStatistics`, with the same inputs, outputs and behaviour (limits fail
 * a create or update; refresh re-queries; delete makes no API call).
 *
 * Configure it through the stack (`smartag:region`, `smartag:accessKey`, `smartag:secretKey`,
 * `smartag:endpoint`, ...) or the environment; an explicit `smartag.Provider` does not apply to
 * dynamic resources. Outputs derived from secret inputs are not marked secret automatically;
 * list them in `additionalSecretOutputs` if the user names are secret.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * const stats = new smartag.dynamic.UserOnlineClientStatistics("demo", {
 *     regionId: "cn-shanghai",
 *     smartAgId: "sag-demo0001",
 *     userNames: ["doctest", "alice@example.com"],
 *     maxOnlinePerUser: 3,
 * });
 * export const totalOnline = stats.totalOnlineCount;
 * ```
 */
export class UserOnlineClientStatistics extends pulumi.dynamic.Resource {
  // `declare`: with the ES2022 target, a `!:` field would be reset to undefined after super()
  // has resolved it.
  /** The region that was queried: the `regionId` input, or the configured region. */
  declare public readonly regionId: pulumi.Output<string>;
  /** The ID of the SAG APP instance. */
  declare public readonly smartAgId: pulumi.Output<string>;
  /** The usernames of the client accounts counted; undefined when every account is. */
  declare public readonly userNames: pulumi.Output<string[] | undefined>;
  /** The per-account limit that create and update enforce, if any. */
  declare public readonly maxOnlinePerUser: pulumi.Output<number | undefined>;
  /** The limit on all listed accounts together that create and update enforce, if any. */
  declare public readonly maxTotalOnline: pulumi.Output<number | undefined>;
  /** Whether create and update require nobody online. */
  declare public readonly requireNoneOnline: pulumi.Output<boolean | undefined>;
  /**
   * One entry per requested user name (per account, in the API's order, without `userNames`),
   * as of the last create, update or refresh.
   */
  declare public readonly userStatistics: pulumi.Output<outputs.UserStatistic[]>;
  /** The sum of `onlineCount` over the distinct users. */
  declare public readonly totalOnlineCount: pulumi.Output<number>;
  /** The `RequestId` of every API call behind the recorded counts. */
  declare public readonly requestIds: pulumi.Output<string[]>;

  /**
   * @param name The _unique_ name of the resource.
   * @param args The instance and users to count, and optional limits.
   * @param opts A bag of options that control this resource's behavior.
   */
  constructor(
    name: string,
    args: UserOnlineClientStatisticsArgs,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      userOnlineClientStatisticsProvider,
      name,
      {
        regionId: args.regionId,
        smartAgId: args.smartAgId,
        userNames: args.userNames,
        maxOnlinePerUser: args.maxOnlinePerUser,
        maxTotalOnline: args.maxTotalOnline,
        requireNoneOnline: args.requireNoneOnline,
        // Outputs are named with undefined, so that the runtime resolves them from the state.
        userStatistics: undefined,
        totalOnlineCount: undefined,
        requestIds: undefined,
      },
      opts,
      "smartag",
      "UserOnlineClientStatistics",
    );
  }
}
