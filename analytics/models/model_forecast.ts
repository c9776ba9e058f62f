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

/**
 * How `ets_auto` and `ets_bagged` treat a history longer than the window they fit (switches for
 * measuring that window, see README: Forecasting).
 */
export interface EtsWindowOptions {
  /** Points fitted, the most recent (default 2,016, at least 4 periods; `Infinity`: all). */
  history?: number;
  /** `ets_auto`'s states at origins before the window (see `EtsAutoOptions.preWindow`). */
  preWindow?: "heuristic" | "filter";
}

/** Context a candidate receives: the seasonal periods detected (or given), shortest first. */
export interface ModelContext {
  /** Seasonal periods in points (may be empty). */
  periods: number[];
  /** Window switches of the ETS candidates (default: their defaults). */
  ets?: EtsWindowOptions;
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

/** A model fitted once to a whole history that can forecast from any earlier origin. */
export interface FittedModel {
  /** Fitted parameters, plain data for persistence. */
  params: Record<string, number | number[] | string>;
  /**
   * Forecasts `horizon` steps after `values[0, end)` with the parameters fitted to the whole
   * history (states are re-run over the prefix), so that a rolling-origin backtest costs one
   * filter pass per origin instead of one fit.
   */
  at(end: number, horizon: number): ModelForecast;
}

/**
 * Fits a model to a gap-free history once.
 *
 * @param values Gap-free history (at least one point).
 * @param horizon Steps the forecasts will need (fitting may target them).
 * @param context Seasonal periods.
 * @returns The fitted model.
 */
export type ModelFitter = (
  values: Float64Array,
  horizon: number,
  context: ModelContext,
) => FittedModel;
