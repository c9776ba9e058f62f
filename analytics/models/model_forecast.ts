/**
 * The shape shared by the candidate forecasting models.
 *
 * @module
 */

/** What a candidate model returns for one series. */
export interface ModelForecast {
  /** Point forecasts, steps 1…horizon. */
  mean: Float64Array;
  /** Model-based (analytic) standard deviation of the h-step error; `NaN` where unknown. */
  sd: Float64Array;
  /** Fitted parameters, plain data for persistence. */
  params: Record<string, number | number[] | string>;
}

/** Context a candidate receives: the seasonal periods detected (or given), shortest first. */
export interface ModelContext {
  /** Seasonal periods in points (may be empty). */
  periods: number[];
}

/**
 * A candidate model: fits a gap-free series and forecasts `horizon` steps.
 *
 * @param values Gap-free history (at least one point).
 * @param horizon Steps ahead (≥ 1).
 * @param context Seasonal periods.
 * @returns Forecast and parameters.
 */
export type ModelForecaster = (
  values: Float64Array,
  horizon: number,
  context: ModelContext,
) => ModelForecast;
