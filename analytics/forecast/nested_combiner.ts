/**
 * Choosing the combination rule per series by a nested backtest: each rule's weights from the
 * origins before a scored origin only, scored at that origin (session 28, opt-in; README:
 * Forecasting, "Nested choice of the combiner").
 *
 * @module
 */

/** Weights per candidate and step from the backtest errors of some origins (oldest first). */
export type Combiner = (errors: Float64Array[][]) => Float64Array[];

/** What {@linkcode nestedCombiner} found. */
export interface NestedChoice {
  /** Index of the chosen combiner (0 on a tie or when nothing could be scored). */
  choice: number;
  /** Nested MSE per combiner (`NaN` when no cell was scored). */
  mse: number[];
  /** Origins scored (those with at least `minEarlier` resolved origins before them). */
  scored: number;
}

// Stacking beat the default weights on some series and horizons and lost on others (README:
// Forecasting, "Stacking"); which one a series gets is decided on its own backtest, the way a
// forecaster would have decided it at each of its latest origins. Only origins whose whole
// window of actuals lies before the scored origin feed its weights: an earlier origin whose long
// steps reach past it would leak the values being scored.
/**
 * The mix's error of each combiner at one origin, with the weights computed only from the
 * origins whose backtested window ends at or before it (`origins[j] + steps ≤ origins[i]`).
 *
 * @param errors Backtest errors per candidate, one array of `steps` per origin (oldest first).
 * @param origins The origins (training lengths), oldest first.
 * @param steps Steps backtested.
 * @param combiners The rules, each turning the earlier origins' errors into weights.
 * @param i The origin scored.
 * @param minEarlier Fewest resolved earlier origins for the origin to be scored.
 * @returns The mix's errors per combiner (`steps` long), or `undefined` when too few earlier
 * origins are resolved.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nestedErrorsAt } from "./nested_combiner.ts";
 * // two candidates, one step; the rule weighs candidate 0 fully
 * const errors = [[1, 2, 3].map((e) => new Float64Array([e])), [0, 0, 5].map((e) => new Float64Array([e]))];
 * const first = () => [new Float64Array([1]), new Float64Array([0])];
 * assert.deepEqual([...nestedErrorsAt(errors, [10, 11, 12], 1, [first], 2, 2)![0]!], [3]);
 * assert.equal(nestedErrorsAt(errors, [10, 11, 12], 2, [first], 2, 2), undefined);
 * ```
 */
export function nestedErrorsAt(
  errors: Float64Array[][],
  origins: number[],
  steps: number,
  combiners: Combiner[],
  i: number,
  minEarlier: number,
): Float64Array[] | undefined {
  const earlier: number[] = [];
  for (let j = 0; j < i; j++) if (origins[j]! + steps <= origins[i]!) earlier.push(j);
  if (earlier.length < Math.max(1, minEarlier)) return undefined;
  const early = errors.map((e) => earlier.map((j) => e[j]!));
  return combiners.map((combine) => {
    const w = combine(early), out = new Float64Array(steps);
    for (let h = 0; h < steps; h++) {
      let s = 0;
      // a candidate left out (weight 0) does not pass on its missing error
      for (let c = 0; c < errors.length; c++) {
        if (w[c]![h]! > 0) s += w[c]![h]! * errors[c]![i]![h]!;
      }
      out[h] = s;
    }
    return out;
  });
}

/**
 * The combiner with the lowest nested MSE over the last `recent` origins: at each, every
 * combiner's mix error from {@linkcode nestedErrorsAt}, squared and averaged over the origins and
 * steps where every combiner's error is finite. A later combiner must be strictly lower than
 * every one before it: ties go to the first (the defaults).
 *
 * @param errors Backtest errors per candidate, one array of `steps` per origin (oldest first).
 * @param origins The origins (training lengths), oldest first.
 * @param steps Steps backtested.
 * @param combiners The rules, the default first.
 * @param recent Latest origins scored (≥ 1).
 * @param minEarlier Fewest resolved earlier origins for an origin to be scored (default 2).
 * @returns The choice, each combiner's nested MSE and the number of origins scored.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nestedCombiner } from "./nested_combiner.ts";
 * // candidate 0 always errs +1, candidate 1 always −1: the equal mix is exact
 * const errors = [1, -1].map((e) => Array.from({ length: 6 }, () => new Float64Array([e])));
 * const first = () => [new Float64Array([1]), new Float64Array([0])];
 * const equal = () => [new Float64Array([0.5]), new Float64Array([0.5])];
 * const r = nestedCombiner(errors, [10, 11, 12, 13, 14, 15], 1, [first, equal], 3);
 * assert.deepEqual(r, { choice: 1, mse: [1, 0], scored: 3 });
 * ```
 */
export function nestedCombiner(
  errors: Float64Array[][],
  origins: number[],
  steps: number,
  combiners: Combiner[],
  recent: number,
  minEarlier = 2,
): NestedChoice {
  const sum = new Float64Array(combiners.length);
  let cells = 0, scored = 0;
  for (let i = Math.max(0, origins.length - recent); i < origins.length; i++) {
    const e = nestedErrorsAt(errors, origins, steps, combiners, i, minEarlier);
    if (!e) continue;
    scored++;
    for (let h = 0; h < steps; h++) {
      if (!e.every((x) => Number.isFinite(x[h]!))) continue;
      cells++;
      e.forEach((x, k) => sum[k] = sum[k]! + x[h]! * x[h]!);
    }
  }
  const mse = [...sum].map((s) => cells ? s / cells : NaN);
  let choice = 0;
  mse.forEach((m, k) => {
    if (m < mse[choice]!) choice = k;
  });
  return { choice, mse, scored };
}
