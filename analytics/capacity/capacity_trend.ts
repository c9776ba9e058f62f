/**
 * Trend selection for the capacity forecast: reduce a series to time bins, then choose between
 * a Theil–Sen line and a Huber quadratic by their error on a held-out tail.
 *
 * @module
 */
import { huberQuadratic, theilSen, type TrendCoefficients } from "./capacity_robust_fit.ts";
import { lastChangePoint } from "./capacity_change_point.ts";
import { medianInPlace } from "./capacity_util.ts";

/** The chosen trend and the backtest behind the choice. */
export interface TrendChoice {
  model: "linear" | "quadratic";
  trend: TrendCoefficients;
  /** Index of the first point the trend was fitted on: > 0 for a line through the later part. */
  from?: number;
  /** Mean absolute error of each candidate on the held-out last quarter (NaN when not run). */
  backtest: { linearMae: number; quadraticMae: number; holdout: number };
  /**
   * With `alternatives`: the other candidates (fitted on all points) whose held-out error is
   * within 1/margin of the best one's, i.e. those the data cannot tell from the chosen one.
   */
  alternatives?: TrendCoefficients[];
}

/** Options of {@linkcode selectTrend}. */
export interface SelectTrendOptions {
  /** Only fit a line; default false. */
  linearOnly?: boolean;
  /** A quadratic must beat the line's held-out error by this factor; default 0.8. */
  margin?: number;
  /**
   * Also try a line through the later half only (growth that changed its rate, or a level
   * shift such as a log rotation early on); it must beat the full line's held-out error by
   * `margin`; default true.
   */
  recent?: boolean;
  /**
   * Also try a line from the last change point of an optimal piecewise-linear partition
   * (`lastChangePoint`) as a later-part line; default true.
   */
  changePoint?: boolean;
  /** Also return the competitive alternatives (see {@linkcode TrendChoice}); default false. */
  alternatives?: boolean;
}

let scratch = new Float64Array(0);
/** Where the later-part lines start, as fractions of the points they are fitted on. */
const RECENT_STARTS = [1 / 3, 1 / 2, 2 / 3];

/**
 * Chooses and fits a trend. Both candidates are fitted on the first three quarters of the
 * points and scored on the last quarter (an out-of-sample test, Tashman 2000); the quadratic is
 * kept only if it curves upwards and its error is below `margin` × the line's, then refitted on
 * all points. Fewer than 12 points: always the line.
 *
 * @param x Abscissae, ascending (days).
 * @param y Ordinates, same length, no NaN.
 * @param options Candidate set and margin.
 * @returns The choice.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { selectTrend } from "./capacity_trend.ts";
 * const x = Float64Array.from({ length: 40 }, (_, i) => i);
 * assert.equal(selectTrend(x, x.map((v) => 3 + 2 * v)).model, "linear");
 * assert.equal(selectTrend(x, x.map((v) => 3 + v * v)).model, "quadratic");
 * ```
 */
export function selectTrend(
  x: Float64Array,
  y: Float64Array,
  options: SelectTrendOptions = {},
): TrendChoice {
  const m = x.length;
  const need = (m * (m - 1)) >> 1;
  if (scratch.length < Math.max(need, m)) scratch = new Float64Array(Math.max(need, m));
  const line = theilSen(x, y, scratch);
  const none = { linearMae: NaN, quadraticMae: NaN, holdout: 0 };
  if (options.linearOnly || m < 12) return { model: "linear", trend: line, backtest: none };
  const h = Math.floor(0.75 * m);
  const lineTrain = theilSen(x.subarray(0, h), y.subarray(0, h), scratch);
  const quadTrain = huberQuadratic(x.subarray(0, h), y.subarray(0, h));
  let errL = 0;
  let errQ = 0;
  for (let i = h; i < m; i++) {
    errL += Math.abs(y[i]! - evaluate(lineTrain, x[i]!));
    errQ += Math.abs(y[i]! - evaluate(quadTrain, x[i]!));
  }
  const backtest = { linearMae: errL / (m - h), quadraticMae: errQ / (m - h), holdout: m - h };
  const margin = options.margin ?? 0.8;
  let errR = Infinity, fullFrom = 0;
  if (options.recent ?? true) {
    // Each candidate: where the later line starts on the training part and on all points.
    const starts: [number, () => number][] = RECENT_STARTS.map((f) => [
      Math.floor(f * h),
      () => Math.floor(f * m),
    ]);
    if (options.changePoint ?? true) {
      starts.push([
        lastChangePoint(x.subarray(0, h), y.subarray(0, h)),
        () => lastChangePoint(x, y),
      ]);
    }
    for (const [from, full] of starts) {
      if (h - from < 6) continue;
      const recentTrain = theilSen(x.subarray(from, h), y.subarray(from, h), scratch);
      let err = 0;
      for (let i = h; i < m; i++) err += Math.abs(y[i]! - evaluate(recentTrain, x[i]!));
      if (err < errR) (errR = err, fullFrom = full());
    }
  }
  // Errors at rounding level (an exact line): nothing to tell the candidates apart by, so keep
  // the full line rather than let rounding pick one; nor is there model uncertainty.
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < m; i++) (lo = Math.min(lo, y[i]!), hi = Math.max(hi, y[i]!));
  const exact = 1e-9 * (hi - lo) * (m - h);
  if (errL <= exact) {
    const fit: TrendChoice = { model: "linear", trend: line, backtest };
    return options.alternatives ? { ...fit, alternatives: [] } : fit;
  }
  const quadOk = quadTrain.c > 0 && errQ < margin * errL;
  const recentFit = () => theilSen(x.subarray(fullFrom), y.subarray(fullFrom), scratch);
  let choice: TrendChoice = { model: "linear", trend: line, backtest };
  let chosenErr = errL, recentChosen = false;
  if (errR < margin * errL && (!quadOk || errR < margin * errQ)) {
    (choice = { model: "linear", trend: recentFit(), backtest, from: fullFrom }, chosenErr = errR);
    recentChosen = true;
  } else if (quadOk) {
    const quad = huberQuadratic(x, y);
    if (quad.c > 0) (choice = { model: "quadratic", trend: quad, backtest }, chosenErr = errQ);
  }
  if (!options.alternatives) return choice;
  // Candidates the held-out tail cannot tell from the chosen one: their ETAs belong in the
  // interval (model uncertainty), whatever the residual bootstrap says.
  const best = Math.min(errL, errR, quadTrain.c > 0 ? errQ : Infinity, chosenErr);
  const alternatives: TrendCoefficients[] = [];
  if (best <= exact) return { ...choice, alternatives };
  const close = (err: number) => err * margin <= best;
  if (choice.trend !== line && close(errL)) alternatives.push(line);
  if (Number.isFinite(errR) && !recentChosen && close(errR)) alternatives.push(recentFit());
  if (choice.model !== "quadratic" && quadTrain.c > 0 && close(errQ)) {
    const quad = huberQuadratic(x, y);
    if (quad.c > 0) alternatives.push(quad);
  }
  return { ...choice, alternatives };
}

/**
 * Evaluates a trend.
 *
 * @param trend Coefficients.
 * @param x Where.
 * @returns a + b·x + c·x².
 */
export function evaluate(trend: TrendCoefficients, x: number): number {
  return trend.a + x * (trend.b + trend.c * x);
}

/**
 * Reduces an ascending series to at most `bins` equal-width time bins: each non-empty bin
 * becomes (mean x, median y). Series no longer than `bins` are returned as copies.
 *
 * @param x Abscissae, ascending.
 * @param y Ordinates, same length, no NaN.
 * @param bins Most bins.
 * @returns The binned series (empty bins dropped).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { binSeries } from "./capacity_trend.ts";
 * const b = binSeries(Float64Array.of(0, 1, 2, 3), Float64Array.of(1, 9, 3, 3), 2);
 * assert.deepEqual([...b.x], [0.5, 2.5]);
 * assert.deepEqual([...b.y], [5, 3]);
 * ```
 */
export function binSeries(
  x: Float64Array,
  y: Float64Array,
  bins: number,
): { x: Float64Array; y: Float64Array } {
  const n = x.length;
  if (n <= bins) return { x: x.slice(), y: y.slice() };
  const x0 = x[0]!;
  const width = (x[n - 1]! - x0) / bins;
  const bx: number[] = [];
  const by: number[] = [];
  const buf = new Float64Array(n);
  let i = 0;
  for (let k = 0; k < bins && i < n; k++) {
    const end = k === bins - 1 ? Infinity : x0 + (k + 1) * width;
    let count = 0;
    let sx = 0;
    while (i < n && x[i]! < end) (sx += x[i]!, buf[count++] = y[i]!, i++);
    if (count === 0) continue;
    bx.push(sx / count);
    by.push(medianInPlace(buf, count));
  }
  return { x: Float64Array.from(bx), y: Float64Array.from(by) };
}
