// What a limit means, from the one judge every gate shares, for programs that judge on their own.
export {
  checkLimits,
  distinctTotal,
  findLimitViolations,
  formatLimitViolations,
  type InstanceStatisticsLike,
  instanceLabel,
  isInstanceStatistics,
  type LimitViolation,
  type OnlineLimits,
  type StatisticsLike,
  statisticsLabel,
  type UserStatisticsLike,
} from "@pulumi-smartag/limits";
