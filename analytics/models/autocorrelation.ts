/**
 * Autocorrelation function computed through the FFT.
 *
 * @module
 */

// Cooley & Tukey (1965), iterative radix-2 FFT, in place on split real/imaginary arrays.
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = ((inverse ? 2 : -2) * Math.PI) / len;
    const wr = Math.cos(ang), wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1, ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k, b = a + len / 2;
        const xr = re[b]! * cr - im[b]! * ci, xi = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - xr, im[b] = im[a]! - xi;
        re[a] = re[a]! + xr, im[a] = im[a]! + xi;
        const t = cr * wr - ci * wi;
        ci = cr * wi + ci * wr, cr = t;
      }
    }
  }
}

// Wiener–Khinchin theorem: the autocovariance is the inverse FFT of the power spectrum.
/**
 * Sample autocorrelation at lags 0…maxLag of a gap-free series (mean removed, biased
 * estimator as in Box & Jenkins). Constant or empty input gives zeros (lag 0 is 1 when n > 0).
 *
 * @param x Values without `NaN`.
 * @param maxLag Largest lag (clamped to n − 1).
 * @returns Autocorrelations, index = lag.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { autocorrelation } from "./autocorrelation.ts";
 * const x = Float64Array.from({ length: 48 }, (_, i) => Math.sin((2 * Math.PI * i) / 12));
 * const acf = autocorrelation(x, 24);
 * assert.ok(acf[12]! > 0.7 && acf[6]! < -0.7);
 * ```
 */
export function autocorrelation(x: Float64Array, maxLag: number): Float64Array {
  const n = x.length;
  const lags = Math.max(0, Math.min(maxLag, n - 1));
  const out = new Float64Array(lags + 1);
  if (n === 0) return out;
  let size = 1;
  while (size < 2 * n) size <<= 1;
  const re = new Float64Array(size), im = new Float64Array(size);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += (x[i]! - mean) / (i + 1);
  for (let i = 0; i < n; i++) re[i] = x[i]! - mean;
  fft(re, im, false);
  for (let i = 0; i < size; i++) (re[i] = re[i]! * re[i]! + im[i]! * im[i]!, im[i] = 0);
  fft(re, im, true);
  const c0 = re[0]!;
  out[0] = 1;
  if (!(c0 > 1e-300 * size)) return out;
  for (let k = 1; k <= lags; k++) out[k] = re[k]! / c0;
  return out;
}
