/**
 * The serializable description of a fitted forecast, for persistence and reports.
 *
 * @module
 */

/** Backtest accuracy of one candidate (errors in the series' units). */
export interface ForecastCandidate {
  /** Model name. */
  name: string;
  /** Mean squared error over all origins and steps. */
  mse: number;
  /** Mean absolute error. */
  mae: number;
  /** Σ|error| / Σ|actual|. */
  wape: number;
  /** Share of backtest actuals inside the calibrated 80 % interval (leave-one-origin-out). */
  coverage80: number;
  /** Same for the 95 % interval. */
  coverage95: number;
  /** Number of backtest origins (each forecasting `intervals.backtestHorizon` steps). */
  origins: number;
}

/** A fitted forecast as plain data (`JSON.stringify` safe apart from `NaN` → `null`). */
export interface FittedForecast {
  /** Format version. */
  version: 1;
  /** Chosen model name. */
  model: string;
  /** Models mixed (just `[model]` unless `combo`). */
  members: string[];
  /** Weight of each member at each step 1…horizon (weights sum to 1 per step). */
  weights: Record<string, number[]>;
  /** Forecast horizon in steps. */
  horizon: number;
  /** Seasonal periods used, in points. */
  periods: number[];
  /** Sampling step in ms (`NaN` if unknown). */
  stepMs: number;
  /** Points of history. */
  n: number;
  /**
   * Internal scaling: values were fitted as (v − center) / scale (v transformed first when
   * `transform` is set; `intervals.scale` and `residuals` are then on the transformed scale too).
   */
  center: number;
  /** See `center`. */
  scale: number;
  /** Fitted parameters per member, in scaled units. */
  params: Record<string, Record<string, number | number[] | string>>;
  /**
   * Interval calibration (scale per step in the series' units). `method`: `backtest`,
   * `extrapolated` (backtested over the first `backtestHorizon` steps only, scale grown beyond)
   * or `analytic`; `backtestHorizon`: steps forecast from each backtest origin (0: none).
   */
  intervals: {
    method: string;
    scale: number[];
    q80: number;
    q95: number;
    samples: number;
    backtestHorizon: number;
  };
  /** Backtest accuracy of the chosen model. */
  backtest: ForecastCandidate;
  /** Backtest errors of the chosen model: mean, standard deviation and count. */
  residuals: { mean: number; sd: number; count: number };
  /** All candidates, best first. */
  candidates: ForecastCandidate[];
  /**
   * The variance-stabilising transform the pool was fitted under (absent when none applied):
   * Box-Cox λ (0: log; `NaN` for the logit, whose shift is `epsilon`), and whether `mean` is the
   * back-transformed mean rather than the median.
   */
  transform?: { name: string; lambda: number; biasAdjust: boolean; epsilon?: number };
}
