/**
 * Decomposition and forecasting: the public surface of perfscope's predictive analytics, for
 * `analytics/mod.ts` to re-export.
 *
 * @module
 */

export {
  decompose,
  type DecomposeOptions,
  type Decomposition,
  type SeasonalComponent,
} from "./decompose.ts";
export {
  type CandidateName,
  forecast,
  type ForecastOptions,
  type ForecastResult,
  type StackingOptions,
  TRANSFORM,
  type TransformName,
} from "./forecast.ts";
export { isBoundedRatio, RATIO_TRANSFORM, transformFor } from "./transform_for.ts";
export { invLogitRatio, LOGIT_EPSILON, logitRatio } from "./logit_ratio.ts";
export { boxCox, guerreroLambda, invBoxCox, invBoxCoxMean } from "./box_cox.ts";
export { DEFAULT_CANDIDATES } from "./forecast_candidates.ts";
export type { FittedForecast, ForecastCandidate } from "./forecast_fitted.ts";
export { type EtsModel, type EtsOptions, type EtsTrend, fitEts } from "./ets.ts";
export { type EtsForecast, etsForecast } from "./ets_forecast.ts";
export { backtest, type BacktestErrors, type BacktestOptions } from "./backtest.ts";
export { backtestFitted, rollingOrigins, type RollingOriginsOptions } from "./backtest_fitted.ts";
export { type BacktestScores, backtestScores } from "./backtest_scores.ts";
export { calibrateIntervals, type IntervalCalibration } from "./forecast_intervals.ts";
export { capWeights, combinationWeights, shrinkWeights, smoothedMse } from "./forecast_combine.ts";
export { stackWeights } from "./stack_weights.ts";
export { simplexLeastSquares } from "./simplex_least_squares.ts";
export {
  type Combiner,
  type NestedChoice,
  nestedCombiner,
  nestedErrorsAt,
} from "./nested_combiner.ts";
export {
  type DetectedPeriod,
  detectPeriods,
  type DetectPeriodsOptions,
} from "../models/detect_periods.ts";
