// Object types that functions of this package return. Their shape is declared in
// provider/schema.json under "types"; test/sdk/schema.spec.ts fails when the two drift apart.

/**
 * How many clients of one client account are online through the SAG APP instance
 * (`smartag:index:UserStatistic`).
 *
 * @example
 * ```typescript
 * import * as smartag from "pulumi-smartag";
 *
 * export const lines = smartag
 *     .getUserOnlineClientStatistics({ smartAgId: "sag-demo0001", userNames: ["doctest"] })
 *     .then((stats) =>
 *         stats.userStatistics.map(
 *             (s: smartag.types.output.UserStatistic) => `${s.userName}: ${s.onlineCount} online`,
 *         ),
 *     );
 * ```
 */
export interface UserStatistic {
  /**
   * The username of the client account, as requested.
   */
  readonly userName: string;
  /**
   * The number of clients of this account that are connected to Alibaba Cloud right now; 0 when
   * none are, or when the account is unknown.
   */
  readonly onlineCount: number;
}
