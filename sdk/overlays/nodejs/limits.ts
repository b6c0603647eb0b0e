// What a limit means, from the one judge every gate shares, for programs that judge on their own.
export {
  checkLimits,
  distinctTotal,
  findLimitViolations,
  formatLimitViolations,
  instanceLabel,
  type LimitViolation,
  type OnlineLimits,
  type StatisticsLike,
} from "@pulumi-smartag/limits";
