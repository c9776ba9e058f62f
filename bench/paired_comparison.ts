/**
 * Paired comparison of two forecasters scored on the same origins (bench reporting only): the
 * mean of the per-origin loss differences, a seeded paired bootstrap interval over origins, and
 * the Diebold–Mariano test with the Harvey–Leybourne–Newbold small-sample correction.
 *
 * Diebold, F. X. and Mariano, R. S. (1995), "Comparing predictive accuracy", Journal of Business
 * & Economic Statistics 13(3), 253–263. Harvey, D., Leybourne, S. and Newbold, P. (1997),
 * "Testing the equality of prediction mean squared errors", International Journal of
 * Forecasting 13(2), 281–291.
 *
 * @module
 */
import { mulberry32 } from "../lake/mod.ts";

/**
 * P(|T| ≤ t) for Student's t with a whole number of degrees of freedom, by the finite series of
 * Abramowitz and Stegun 26.7.3 (odd ν) and 26.7.4 (even ν), exact up to rounding.
 *
 * @param t The statistic (its sign is ignored).
 * @param df Degrees of freedom, a whole number ≥ 1.
 * @returns The two-sided central probability in [0, 1].
 * @throws {RangeError} When `df` is not a whole number ≥ 1.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { studentTCentral } from "./paired_comparison.ts";
 * assert.ok(Math.abs(studentTCentral(1, 1) - 0.5) < 1e-12); // Cauchy: P(|T| ≤ 1) = 1/2
 * ```
 */
export function studentTCentral(t: number, df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`Invalid degrees of freedom: ${df}`);
  if (Number.isNaN(t)) return NaN;
  if (!Number.isFinite(t)) return 1;
  const theta = Math.atan(Math.abs(t) / Math.sqrt(df));
  const c2 = Math.cos(theta) ** 2, s = Math.sin(theta);
  // each term is the one before times (k - 1) / k · cos²θ, k = 2, 4, … (even ν) or 3, 5, … (odd)
  let term = 1, sum = 1;
  if (df % 2 === 0) {
    for (let k = 2; k <= df - 2; k += 2) sum += term *= ((k - 1) / k) * c2;
    return Math.min(1, s * sum);
  }
  if (df === 1) return (2 * theta) / Math.PI;
  for (let k = 3; k <= df - 2; k += 2) sum += term *= ((k - 1) / k) * c2;
  return Math.min(1, (2 / Math.PI) * (theta + s * Math.cos(theta) * sum));
}

/** What {@linkcode dieboldMariano} returns. */
export interface DieboldMarianoResult {
  /** Number of paired losses. */
  n: number;
  /** Mean loss difference. */
  mean: number;
  /** The Diebold–Mariano statistic. */
  dm: number;
  /** The statistic with Harvey, Leybourne and Newbold's correction, read against t(n − 1). */
  hln: number;
  /** Two-sided p-value of `hln` from Student's t with n − 1 degrees of freedom. */
  p: number;
  /** The horizon h used (autocovariances to lag h − 1); 1 when h's long-run variance was ≤ 0. */
  h: number;
}

/**
 * The Diebold–Mariano test of equal expected loss on differences `d` (loss of A minus loss of B,
 * in time order), with autocovariances to lag h − 1 (rectangular window, as in the 1995 paper)
 * and the HLN factor √((n + 1 − 2h + h(h − 1)/n) / n). When the long-run variance at h is not
 * positive, h falls back to 1 (reported in `h`).
 *
 * @param d The loss differences, at least 2.
 * @param h The forecast horizon in steps between the compared losses (default 1).
 * @returns The statistics; `dm`, `hln` and `p` are `NaN` when every difference is equal.
 * @throws {RangeError} On fewer than 2 differences, a non-finite one, or h not in 1…n − 1.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dieboldMariano } from "./paired_comparison.ts";
 * assert.ok(Math.abs(dieboldMariano([1, -1, 2, 0]).hln - Math.sqrt(0.6)) < 1e-12);
 * ```
 */
export function dieboldMariano(d: ArrayLike<number>, h = 1): DieboldMarianoResult {
  const n = d.length;
  if (n < 2) throw new RangeError(`Invalid number of differences: ${n} (at least 2)`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(d[i])) throw new RangeError(`Invalid difference: ${d[i]} at ${i}`);
  }
  if (!Number.isInteger(h) || h < 1 || h >= n) throw new RangeError(`Invalid horizon: ${h}`);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += d[i]! / n;
  const gamma = (k: number) => {
    let s = 0;
    for (let i = k; i < n; i++) s += (d[i]! - mean) * (d[i - k]! - mean);
    return s / n;
  };
  let v = gamma(0);
  for (let k = 1; k < h; k++) v += 2 * gamma(k);
  if (!(v > 0) && h > 1) return dieboldMariano(d, 1);
  const dm = v > 0 ? mean / Math.sqrt(v / n) : NaN;
  const hln = dm * Math.sqrt((n + 1 - 2 * h + (h * (h - 1)) / n) / n);
  return { n, mean, dm, hln, p: 1 - studentTCentral(hln, n - 1), h };
}

/** Options of {@linkcode pairedBootstrap}. */
export interface PairedBootstrapOptions {
  /** Resamples; default 10,000. */
  resamples?: number;
  /** Coverage of the percentile interval; default 0.9. */
  level?: number;
  /** Seed of the resampling (mulberry32); default 1. */
  seed?: number;
}

/**
 * A percentile bootstrap interval for the mean of paired differences: origins are drawn with
 * replacement (the pair of losses stays together), the mean taken each time, and the interval's
 * ends are the (1 − level)/2 and (1 + level)/2 quantiles of those means (linear interpolation).
 * Efron, B. and Tibshirani, R. J. (1993), An Introduction to the Bootstrap, ch. 13.
 *
 * @param d The differences, at least 1.
 * @param options See {@linkcode PairedBootstrapOptions}.
 * @returns The mean and the interval `[lo, hi]`.
 * @throws {RangeError} On no differences, a non-finite one, or a bad option.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pairedBootstrap } from "./paired_comparison.ts";
 * assert.deepEqual(pairedBootstrap([2, 2, 2]), { mean: 2, lo: 2, hi: 2 });
 * ```
 */
export function pairedBootstrap(
  d: ArrayLike<number>,
  options: PairedBootstrapOptions = {},
): { mean: number; lo: number; hi: number } {
  const { resamples = 10_000, level = 0.9, seed = 1 } = options;
  const n = d.length;
  if (n < 1) throw new RangeError("Invalid number of differences: 0 (at least 1)");
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new RangeError(`Invalid resamples: ${resamples}`);
  }
  if (!(level > 0 && level < 1)) throw new RangeError(`Invalid level: ${level}`);
  let mean = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(d[i])) throw new RangeError(`Invalid difference: ${d[i]} at ${i}`);
    mean += d[i]! / n;
  }
  const random = mulberry32(seed), means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[Math.floor(random() * n)]!;
    means[r] = s / n;
  }
  means.sort();
  const quantile = (q: number) => {
    const at = q * (resamples - 1), i = Math.floor(at), f = at - i;
    return f === 0 ? means[i]! : means[i]! + f * (means[i + 1]! - means[i]!);
  };
  return { mean, lo: quantile((1 - level) / 2), hi: quantile((1 + level) / 2) };
}
