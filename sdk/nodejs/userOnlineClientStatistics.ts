import * as pulumi from "@pulumi/pulumi";
import type * as outputs from "./types/output";
import * as utilities from "./utilities";

/**
 * Records how many clients are online through a Smart Access Gateway (SAG) APP instance, per
 * client account, in the Pulumi state (`smartag:index:UserOnlineClientStatistics`).
 *
 * It asks the same API as {@link getUserOnlineClientStatistics}, but the counts live in the
 * state: they are queried when the resource is created, when its inputs change, and on
 * `pulumi refresh`. Nothing is created in the cloud, and deleting the resource makes no API call.
 *
 * With `maxOnlinePerUser`, `maxTotalOnline` or `requireNoneOnline`, a create or update fails when
 * the counts break the limit, naming every offending account with its count and the limit. A
 * refresh records the counts without judging them. Changing `smartAgId` or the effective region
 * replaces the resource (the id, `<regionId>/<smartAgId>`, names the instance; it is a random
 * `secret-…` id when either is secret); any other change is an update that queries again.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * const stats = new smartag.UserOnlineClientStatistics("demo", {
 *     regionId: "cn-shanghai",
 *     smartAgId: "sag-demo0001",
 *     userNames: ["doctest", "alice@example.com"],
 *     maxOnlinePerUser: 3,
 * });
 *
 * export const totalOnline = stats.totalOnlineCount;
 * ```
 */
export class UserOnlineClientStatistics extends pulumi.CustomResource {
  /**
   * Gets an existing UserOnlineClientStatistics resource's state with the given name, ID, and
   * optional extra properties used to qualify the lookup. The state must name the instance and
   * the users (`smartAgId`, `userNames`): the record has no counterpart in the cloud to find
   * them from.
   *
   * @param name The _unique_ name of the resulting resource.
   * @param id The _unique_ provider ID of the resource to lookup, `<regionId>/<smartAgId>`.
   * @param state Any extra arguments used during the lookup.
   * @param opts Optional settings to control the behavior of the CustomResource.
   *
   * @example
   * ```typescript
   * import * as smartag from "pulumi-smartag";
   *
   * const seen = smartag.UserOnlineClientStatistics.get("seen", "cn-shanghai/sag-demo0001", {
   *     smartAgId: "sag-demo0001",
   *     userNames: ["doctest"],
   * });
   * export const doctestOnline = seen.totalOnlineCount;
   * ```
   */
  public static get(
    name: string,
    id: pulumi.Input<pulumi.ID>,
    state?: UserOnlineClientStatisticsState,
    opts?: pulumi.CustomResourceOptions,
  ): UserOnlineClientStatistics {
    // The implementation signature takes a state when `id` is set; the public one only args.
    return new UserOnlineClientStatistics(name, state as UserOnlineClientStatisticsArgs, {
      ...opts,
      id,
    });
  }

  /**
   * The type token; it must equal the key under "resources" in provider/schema.json.
   *
   * @internal
   */
  public static readonly __pulumiType = "smartag:index:UserOnlineClientStatistics";

  /**
   * Returns true if the given object is an instance of UserOnlineClientStatistics. This is
   * designed to work even when multiple copies of the Pulumi SDK have been loaded into the same
   * process.
   *
   * @example
   * ```typescript
   * import * as pulumi from "@pulumi/pulumi";
   * import * as smartag from "pulumi-smartag";
   *
   * function describe(r: pulumi.Resource): string {
   *     return smartag.UserOnlineClientStatistics.isInstance(r) ? "SAG statistics" : "other";
   * }
   * ```
   */
  public static isInstance(obj: unknown): obj is UserOnlineClientStatistics {
    if (typeof obj !== "object" || obj === null) {
      return false;
    }
    // Compare the type token, not the prototype: another copy of this SDK has another class.
    return (
      (obj as { __pulumiType?: unknown }).__pulumiType === UserOnlineClientStatistics.__pulumiType
    );
  }

  // `declare`: with the ES2022 target, a `!:` field would be reset to undefined after super()
  // has resolved it.
  /**
   * The region that was queried: the `regionId` input, or the provider's region.
   */
  declare public readonly regionId: pulumi.Output<string>;
  /**
   * The ID of the SAG APP instance, e.g. `sag-demo0001`.
   */
  declare public readonly smartAgId: pulumi.Output<string>;
  /**
   * The usernames of the client accounts counted.
   */
  declare public readonly userNames: pulumi.Output<string[]>;
  /**
   * The per-account limit that Create and Update enforce, if any.
   */
  declare public readonly maxOnlinePerUser: pulumi.Output<number | undefined>;
  /**
   * The limit on all listed accounts together that Create and Update enforce, if any.
   */
  declare public readonly maxTotalOnline: pulumi.Output<number | undefined>;
  /**
   * Whether Create and Update require nobody online.
   */
  declare public readonly requireNoneOnline: pulumi.Output<boolean | undefined>;
  /**
   * One entry per requested user name, in the order of `userNames`, as of the last create,
   * update or refresh.
   */
  declare public readonly userStatistics: pulumi.Output<outputs.UserStatistic[]>;
  /**
   * The sum of `onlineCount` over the distinct users, as of the last create, update or refresh.
   */
  declare public readonly totalOnlineCount: pulumi.Output<number>;
  /**
   * The `RequestId` of every API call behind the recorded counts, for Alibaba Cloud support
   * tickets. A refresh that finds the same counts keeps these, so that it leaves the state
   * unchanged.
   */
  declare public readonly requestIds: pulumi.Output<string[]>;

  /**
   * Create a UserOnlineClientStatistics resource with the given unique name, arguments, and
   * options.
   *
   * @param name The _unique_ name of the resource.
   * @param args The instance and users to count, and optional limits.
   * @param opts A bag of options that control this resource's behavior.
   */
  constructor(
    name: string,
    args: UserOnlineClientStatisticsArgs,
    opts?: pulumi.CustomResourceOptions,
  );
  constructor(
    name: string,
    argsOrState?: UserOnlineClientStatisticsArgs | UserOnlineClientStatisticsState,
    opts?: pulumi.CustomResourceOptions,
  ) {
    const resourceInputs: pulumi.Inputs = {};
    const options = opts ?? {};
    if (options.id) {
      const state = argsOrState as UserOnlineClientStatisticsState | undefined;
      resourceInputs.regionId = state?.regionId;
      resourceInputs.smartAgId = state?.smartAgId;
      resourceInputs.userNames = state?.userNames;
      resourceInputs.maxOnlinePerUser = state?.maxOnlinePerUser;
      resourceInputs.maxTotalOnline = state?.maxTotalOnline;
      resourceInputs.requireNoneOnline = state?.requireNoneOnline;
      resourceInputs.userStatistics = state?.userStatistics;
      resourceInputs.totalOnlineCount = state?.totalOnlineCount;
      resourceInputs.requestIds = state?.requestIds;
    } else {
      const args = argsOrState as UserOnlineClientStatisticsArgs | undefined;
      // A URN means the resource is being rehydrated, and its inputs are already recorded.
      if (args?.smartAgId === undefined && !options.urn) {
        throw new Error("Missing required property 'smartAgId'");
      }
      if (args?.userNames === undefined && !options.urn) {
        throw new Error("Missing required property 'userNames'");
      }
      resourceInputs.regionId = args?.regionId;
      resourceInputs.smartAgId = args?.smartAgId;
      resourceInputs.userNames = args?.userNames;
      resourceInputs.maxOnlinePerUser = args?.maxOnlinePerUser;
      resourceInputs.maxTotalOnline = args?.maxTotalOnline;
      resourceInputs.requireNoneOnline = args?.requireNoneOnline;
      resourceInputs.userStatistics = undefined /*out*/;
      resourceInputs.totalOnlineCount = undefined /*out*/;
      resourceInputs.requestIds = undefined /*out*/;
    }
    super(
      UserOnlineClientStatistics.__pulumiType,
      name,
      resourceInputs,
      pulumi.mergeOptions(utilities.resourceOptsDefaults(), options),
    );
  }
}

/**
 * Input properties used for looking up and filtering UserOnlineClientStatistics resources.
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * const state: smartag.UserOnlineClientStatisticsState = {
 *     smartAgId: "sag-demo0001",
 *     userNames: ["doctest"],
 * };
 * ```
 */
export interface UserOnlineClientStatisticsState {
  /**
   * The region that was queried: the `regionId` input, or the provider's region.
   */
  regionId?: pulumi.Input<string | undefined>;
  /**
   * The ID of the SAG APP instance, e.g. `sag-demo0001`.
   */
  smartAgId?: pulumi.Input<string | undefined>;
  /**
   * The usernames of the client accounts counted.
   */
  userNames?: pulumi.Input<pulumi.Input<string>[] | undefined>;
  /**
   * The per-account limit that Create and Update enforce, if any.
   */
  maxOnlinePerUser?: pulumi.Input<number | undefined>;
  /**
   * The limit on all listed accounts together that Create and Update enforce, if any.
   */
  maxTotalOnline?: pulumi.Input<number | undefined>;
  /**
   * Whether Create and Update require nobody online.
   */
  requireNoneOnline?: pulumi.Input<boolean | undefined>;
  /**
   * One entry per requested user name, in the order of `userNames`.
   */
  userStatistics?: pulumi.Input<pulumi.Input<outputs.UserStatistic>[] | undefined>;
  /**
   * The sum of `onlineCount` over the distinct users.
   */
  totalOnlineCount?: pulumi.Input<number | undefined>;
  /**
   * The `RequestId` of every API call behind the recorded counts.
   */
  requestIds?: pulumi.Input<pulumi.Input<string>[] | undefined>;
}

/**
 * The set of arguments for constructing a UserOnlineClientStatistics resource.
 *
 * @example
 * ```typescript
 * import * as pulumi from "@pulumi/pulumi";
 * import * as smartag from "pulumi-smartag";
 *
 * const config = new pulumi.Config();
 * const args: smartag.UserOnlineClientStatisticsArgs = {
 *     smartAgId: config.require("smartAgId"),
 *     userNames: config.requireObject<string[]>("userNames"),
 *     requireNoneOnline: true,
 * };
 * ```
 */
export interface UserOnlineClientStatisticsArgs {
  /**
   * The region of the SAG APP instance, e.g. `cn-shanghai`. Optional when the provider has a
   * region (`smartag:region` or `ALIBABA_CLOUD_REGION`). Changing the effective region replaces
   * the resource.
   */
  regionId?: pulumi.Input<string | undefined>;
  /**
   * The ID of the SAG APP instance, e.g. `sag-demo0001`. Changing it replaces the resource
   * (nothing in the cloud is touched either way).
   */
  smartAgId: pulumi.Input<string>;
  /**
   * The usernames of the client accounts to count, at least one; 7 to 33 characters each. More
   * than 50 are queried in batches; duplicates once. Changing the list queries the counts again.
   */
  userNames: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * When set, Create and Update fail if any listed account has more clients online than this.
   */
  maxOnlinePerUser?: pulumi.Input<number | undefined>;
  /**
   * When set, Create and Update fail if the listed accounts together have more clients online
   * than this.
   */
  maxTotalOnline?: pulumi.Input<number | undefined>;
  /**
   * When true, Create and Update fail if any listed account has a client online, e.g. before
   * the instance is torn down.
   */
  requireNoneOnline?: pulumi.Input<boolean | undefined>;
}
