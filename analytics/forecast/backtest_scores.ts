/**
 * Accuracy scores of backtest errors.
 *
 * @module
 */

/** Accuracy of a model over backtest origins. */
export interface BacktestScores {
  /** Mean squared error. */
  mse: number;
  /** Mean absolute error. */
  mae: number;
  /** Weighted absolute percentage error Σ|e| / Σ|actual| (`NaN` when actuals are all 0). */
  wape: number;
  /** Number of scored (finite) errors. */
  count: number;
}

/**
 * Scores errors against actuals. With no finite error every score is `NaN` and `count` is 0.
 *
 * @param errors `actual − forecast`, one array per origin.
 * @param actuals Actual values, same shape.
 * @returns MSE, MAE, WAPE and count.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backtestScores } from "./backtest_scores.ts";
 * const s = backtestScores([new Float64Array([1, -1])], [new Float64Array([10, 10])]);
 * assert.deepEqual(s, { mse: 1, mae: 1, wape: 0.1, count: 2 });
 * ```
 */
export function backtestScores(errors: Float64Array[], actuals: Float64Array[]): BacktestScores {
  let se = 0, ae = 0, aa = 0, count = 0;
  for (let r = 0; r < errors.length; r++) {
    const e = errors[r]!, a = actuals[r]!;
    for (let i = 0; i < e.length; i++) {
      if (!Number.isFinite(e[i]!)) continue;
      se += e[i]! * e[i]!, ae += Math.abs(e[i]!), aa += Math.abs(a[i]!), count++;
    }
  }
  if (!count) return { mse: NaN, mae: NaN, wape: NaN, count };
  return { mse: se / count, mae: ae / count, wape: aa > 0 ? ae / aa : NaN, count };
}
