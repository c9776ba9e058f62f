/**
 * The M4 competition's scoring rules and benchmarks, written from the competition's published
 * description (Makridakis, Spiliotis & Assimakopoulos 2020, and the rules in
 * `../shared/data/m4/README.md`): sMAPE, MASE, MSIS, the 90 % seasonality test on the
 * autocorrelation at lag m, classical multiplicative decomposition, Naive2 and seasonal naive.
 *
 * @module
 */

/** Sample autocorrelation of `y` at lags 1…maxLag (index 0 is lag 1). */
function acf(y: ArrayLike<number>, maxLag: number): Float64Array {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i]! / n;
  let denom = 0;
  for (let i = 0; i < n; i++) denom += (y[i]! - mean) ** 2;
  const out = new Float64Array(maxLag);
  for (let k = 1; k <= maxLag; k++) {
    let s = 0;
    for (let i = k; i < n; i++) s += (y[i]! - mean) * (y[i - k]! - mean);
    out[k - 1] = denom === 0 ? 0 : s / denom;
  }
  return out;
}

/**
 * The M4 seasonality test: seasonal when `|r_m| > 1.645·√((1 + 2·Σ_{k<m} r_k²)/n)` (90 %,
 * Bartlett's variance), and only with at least `3m` points.
 *
 * @param y The training values.
 * @param m The period.
 * @returns Whether the series is taken as seasonal.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seasonalityTest } from "./m4_scores.ts";
 * const y = Float64Array.from({ length: 240 }, (_, i) => 10 + Math.sin((2 * Math.PI * i) / 24));
 * assert.equal(seasonalityTest(y, 24), true);
 * ```
 */
export function seasonalityTest(y: ArrayLike<number>, m: number): boolean {
  if (m <= 1 || y.length < 3 * m) return false;
  const r = acf(y, m);
  let s = 0;
  for (let k = 0; k < m - 1; k++) s += r[k]! ** 2;
  const limit = 1.645 * Math.sqrt((1 + 2 * s) / y.length);
  return Math.abs(r[m - 1]!) > limit;
}

/**
 * Classical multiplicative seasonal indices: a centred moving average of order m (2×m for
 * even m) as trend, the ratios `y / trend` averaged per position in the cycle, normalized to
 * average 1. Index `j` belongs to the positions `i ≡ j (mod m)` of `y`.
 *
 * @param y The training values (positive).
 * @param m The period.
 * @returns m indices.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { multiplicativeIndices } from "./m4_scores.ts";
 * const y = Float64Array.from({ length: 96 }, (_, i) => (i % 4 === 0 ? 20 : 10));
 * const s = multiplicativeIndices(y, 4);
 * assert.ok(s[0]! > 1.5 && s[1]! < 1);
 * ```
 */
export function multiplicativeIndices(y: ArrayLike<number>, m: number): Float64Array {
  const n = y.length;
  const sums = new Float64Array(m), counts = new Float64Array(m);
  const half = Math.floor(m / 2);
  for (let i = half; i + half < n; i++) {
    let t = 0;
    if (m % 2 === 0) {
      for (let k = -half; k <= half; k++) {
        t += (Math.abs(k) === half ? 0.5 : 1) * y[i + k]!;
      }
    } else {
      for (let k = -half; k <= half; k++) t += y[i + k]!;
    }
    t /= m;
    if (t === 0) continue;
    (sums[i % m]! += y[i]! / t, counts[i % m]!++);
  }
  const out = new Float64Array(m);
  let mean = 0;
  for (let j = 0; j < m; j++) (out[j] = counts[j] ? sums[j]! / counts[j]! : 1, mean += out[j]! / m);
  for (let j = 0; j < m; j++) out[j] = out[j]! / mean;
  return out;
}

/**
 * Naive2: the last seasonally adjusted value carried forward, reseasonalized, when the series
 * passes {@linkcode seasonalityTest}; else plain naive.
 *
 * @param y Training values.
 * @param h Horizon.
 * @param m Period.
 * @returns h forecasts.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { naive2 } from "./m4_scores.ts";
 * assert.deepEqual([...naive2([1, 2, 3], 2, 24)], [3, 3]);
 * ```
 */
export function naive2(y: ArrayLike<number>, h: number, m: number): Float64Array {
  const n = y.length;
  const out = new Float64Array(h);
  if (!seasonalityTest(y, m)) return out.fill(y[n - 1]!);
  const s = multiplicativeIndices(y, m);
  const last = y[n - 1]! / s[(n - 1) % m]!;
  for (let k = 0; k < h; k++) out[k] = last * s[(n + k) % m]!;
  return out;
}

/**
 * Seasonal naive: the last cycle repeated.
 *
 * @param y Training values (at least m).
 * @param h Horizon.
 * @param m Period.
 * @returns h forecasts.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seasonalNaiveM4 } from "./m4_scores.ts";
 * assert.deepEqual([...seasonalNaiveM4([1, 2, 3, 4], 3, 2)], [3, 4, 3]);
 * ```
 */
export function seasonalNaiveM4(y: ArrayLike<number>, h: number, m: number): Float64Array {
  const n = y.length;
  return Float64Array.from({ length: h }, (_, k) => y[n - m + (k % m)]!);
}

/** `mean |y_t − y_{t−m}|` over the training part: MASE's and MSIS's scale. */
export function maseScale(y: ArrayLike<number>, m: number): number {
  let s = 0;
  for (let i = m; i < y.length; i++) s += Math.abs(y[i]! - y[i - m]!);
  return s / (y.length - m);
}

/**
 * sMAPE in percent: `200/h · Σ |y − f| / (|y| + |f|)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { smape } from "./m4_scores.ts";
 * assert.equal(smape([1, 1], [1, 3]), 50);
 * ```
 */
export function smape(actual: ArrayLike<number>, f: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]!) + Math.abs(f[i]!);
    s += d === 0 ? 0 : Math.abs(actual[i]! - f[i]!) / d;
  }
  return (200 * s) / actual.length;
}

/** MASE: mean absolute error over {@linkcode maseScale}. */
export function mase(actual: ArrayLike<number>, f: ArrayLike<number>, scale: number): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs(actual[i]! - f[i]!);
  return s / actual.length / scale;
}

/**
 * MSIS at level `1 − a`: `(1/h) Σ (U − L) + (2/a)(L − y)[y < L] + (2/a)(y − U)[y > U]`, over
 * {@linkcode maseScale}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { msis } from "./m4_scores.ts";
 * assert.equal(msis([1], [0], [2], 1), 2);
 * ```
 */
export function msis(
  actual: ArrayLike<number>,
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
  scale: number,
  a = 0.05,
): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const y = actual[i]!, l = lo[i]!, u = hi[i]!;
    s += u - l + (y < l ? (2 / a) * (l - y) : 0) + (y > u ? (2 / a) * (y - u) : 0);
  }
  return s / actual.length / scale;
}
