/**
 * The arithmetic of the pre-registered transform rules (`ratio_transform_bench.ts`,
 * `nonratio_transform_bench.ts`): sums of one candidate's forecasts, a fold's figures, the
 * eligible candidate a set of files chooses, and the decision over the folds' out-of-fold choices. Pure, so the rule itself is tested
 * (tests/bench/transform_rule_test.ts) apart from the minutes of forecasting it scores.
 *
 * @module
 */

/** What one candidate's forecasts of one file at one horizon add up to. */
export interface Sums {
  /** Sum of squared errors over the origins and steps. */
  se: number;
  /** Steps scored. */
  points: number;
  /** Steps whose actual lies in the 80 % band. */
  in80: number;
  /** Steps whose actual lies in the 95 % band. */
  in95: number;
  /** Forecasts whose largest upper 80 % bound passes the overshoot line. */
  over: number;
  /** Forecasts (origins) scored. */
  forecasts: number;
  /** Forecasts where the transform applied (`fitted.transform` set). */
  applied: number;
  /** λ of each forecast where it applied. */
  lambdas: number[];
}

/** The parts of a forecast that {@linkcode addForecast} scores. */
export interface ScoredForecast {
  mean: ArrayLike<number>;
  lo80: ArrayLike<number>;
  hi80: ArrayLike<number>;
  lo95: ArrayLike<number>;
  hi95: ArrayLike<number>;
}

/**
 * Sums with nothing added.
 *
 * @returns Zeros and no λ.
 */
export function emptySums(): Sums {
  return { se: 0, points: 0, in80: 0, in95: 0, over: 0, forecasts: 0, applied: 0, lambdas: [] };
}

/**
 * Adds one forecast: its squared errors and band hits against `actual` (one value per step), and
 * whether its largest upper 80 % bound passes the history's maximum by more than `share` of the
 * history's range (finite values of `history` only).
 *
 * @param s The sums, updated in place.
 * @param f The forecast, as long as `actual` at least.
 * @param actual The values that followed the history.
 * @param history The history the forecast was made from.
 * @param share The overshoot line's share of the history's range (0.25 in the benches).
 */
export function addForecast(
  s: Sums,
  f: ScoredForecast,
  actual: ArrayLike<number>,
  history: ArrayLike<number>,
  share: number,
): void {
  let max = -Infinity, min = Infinity, peak = -Infinity;
  for (let i = 0; i < history.length; i++) {
    const v = history[i]!;
    if (v === v) (max = Math.max(max, v), min = Math.min(min, v));
  }
  for (let h = 0; h < actual.length; h++) {
    const a = actual[h]!;
    s.se += (a - f.mean[h]!) ** 2, s.points++;
    s.in80 += +(a >= f.lo80[h]! && a <= f.hi80[h]!);
    s.in95 += +(a >= f.lo95[h]! && a <= f.hi95[h]!);
    peak = Math.max(peak, f.hi80[h]!);
  }
  s.over += +(peak > max + share * (max - min)), s.forecasts++;
}

/** Sums by file, candidate and horizon index (`table[file][candidate][k]`); candidate 0 is none. */
export type Table = Sums[][][];

/** A set of files' figures of one candidate at one horizon. */
export interface Figures {
  /** Geometric mean over the files of MSE(candidate) / MSE(none); a 0 / 0 file counts as 1. */
  m: number;
  /** Pooled 80 % coverage. */
  c80: number;
  /** Pooled 95 % coverage. */
  c95: number;
  /** Pooled overshoot rate: forecasts over the line / forecasts. */
  over: number;
}

/**
 * The figures of candidate `c` at horizon index `k` over the files `idx`.
 *
 * @param table The sums.
 * @param idx Indices of the files.
 * @param c The candidate.
 * @param k The horizon index.
 * @returns The figures (NaN everywhere for no file).
 */
export function figures(table: Table, idx: readonly number[], c: number, k: number): Figures {
  let logRatio = 0, in80 = 0, in95 = 0, points = 0, over = 0, forecasts = 0;
  for (const i of idx) {
    const s = table[i]![c]![k]!, n = table[i]![0]![k]!;
    if (s.se !== n.se) logRatio += Math.log(s.se / n.se);
    (in80 += s.in80, in95 += s.in95, points += s.points);
    (over += s.over, forecasts += s.forecasts);
  }
  return {
    m: idx.length ? Math.exp(logRatio / idx.length) : NaN,
    c80: in80 / points,
    c95: in95 / points,
    over: over / forecasts,
  };
}

/** The slack of the rule (fixed in the bench's comment before any figure). */
export interface Slack {
  /** How much further from nominal than none's a coverage may be (0.01). */
  coverage: number;
  /** How much above none's the overshoot rate may be (0.02). */
  overshoot: number;
}

/** What {@linkcode choose} found. */
export interface Choice {
  /** The chosen candidate's index (0, none, when no other is eligible and better). */
  chosen: number;
  /** Per candidate: M at the first horizon × M at the second (1 for none). */
  product: number[];
  /** Per candidate: why it is not eligible (empty: eligible; always empty for none). */
  reasons: string[][];
}

/**
 * The rule on a set of files: a candidate is eligible when, at every horizon, M ≤ 1, both
 * coverages are no further from nominal than none's + `slack.coverage`, and the overshoot rate is
 * at most none's + `slack.overshoot`; the choice is the eligible candidate with the lowest product
 * of M over the horizons, which must be strictly below none's 1 (ties go to the lower index).
 *
 * @param table The sums.
 * @param idx Indices of the files.
 * @param horizons The horizons, in the table's order (only for the reasons' text).
 * @param slack The rule's slack.
 * @returns The choice, each candidate's product and reasons.
 */
export function choose(
  table: Table,
  idx: readonly number[],
  horizons: readonly number[],
  slack: Slack,
): Choice {
  const candidates = table[idx[0]!]?.length ?? 1;
  let chosen = 0, best = 1;
  const product = [1], reasons: string[][] = [[]];
  for (let c = 1; c < candidates; c++) {
    const why: string[] = [];
    let p = 1;
    horizons.forEach((H, k) => {
      const f = figures(table, idx, c, k), n = figures(table, idx, 0, k);
      p *= f.m;
      if (!(f.m <= 1)) why.push(`M ${f.m.toFixed(4)} > 1 at H=${H}`);
      if (Math.abs(f.c80 - 0.8) > Math.abs(n.c80 - 0.8) + slack.coverage) {
        why.push(`80 % coverage at H=${H}`);
      }
      if (Math.abs(f.c95 - 0.95) > Math.abs(n.c95 - 0.95) + slack.coverage) {
        why.push(`95 % coverage at H=${H}`);
      }
      if (f.over > n.over + slack.overshoot) {
        why.push(
          `overshoot ${f.over.toFixed(3)} > none's ${n.over.toFixed(3)} + ${slack.overshoot}` +
            ` at H=${H}`,
        );
      }
    });
    product.push(p), reasons.push(why);
    if (!why.length && p < best) (best = p, chosen = c);
  }
  return { chosen, product, reasons };
}

/**
 * The decision over the folds: the candidate every fold's out-of-fold choice names, else
 * `undefined` (keep what each caller does today).
 *
 * @param outOfFold Per fold, the candidate chosen on the other folds.
 * @returns The common choice, or `undefined` when the folds disagree (or there are none).
 */
export function decide(outOfFold: readonly number[]): number | undefined {
  const first = outOfFold[0];
  return first !== undefined && outOfFold.every((c) => c === first) ? first : undefined;
}
