/**
 * Initial states of additive-error ETS chosen by least squares of the one-step errors.
 *
 * @module
 */

import type { EtsParams, EtsStates } from "./ets_filter.ts";

/**
 * One-step errors of the filter from `init` over `y` into `out` (a `NaN` value gives error 0;
 * entry t depends on `y[0, t]` only).
 */
export function oneStepErrors(
  y: Float64Array,
  p: EtsParams,
  init: Omit<EtsStates, "season"> & { season: ArrayLike<number> },
  out: Float64Array,
): void {
  const { alpha: a, beta: b, gamma: g, phi } = p, m = p.period > 1 ? p.period : 1;
  const season = Float64Array.from(init.season);
  let l = init.level, s = init.slope;
  for (let t = 0, j = 0; t < y.length; t++, j = j + 1 === m ? 0 : j + 1) {
    const sj = season[j]!, v = y[t]!;
    const e = v === v ? v - (l + phi * s + sj) : 0;
    out[t] = e;
    l = l + phi * s + a * e;
    s = phi * s + b * e;
    season[j] = m > 1 ? sj + g * e : 0;
  }
}

/** Solves the symmetric positive (semi-)definite system `A x = b` (Gauss–Jordan, pivoting). */
function solve(a: Float64Array[], b: Float64Array): Float64Array | undefined {
  const d = b.length, x = Float64Array.from(b), m = a.map((r) => Float64Array.from(r));
  for (let c = 0; c < d; c++) {
    let p = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    if (!(Math.abs(m[p]![c]!) > 1e-12 * (Math.abs(m[0]![0]!) + 1e-300))) return undefined;
    [m[c], m[p]] = [m[p]!, m[c]!];
    [x[c], x[p]] = [x[p]!, x[c]!];
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      if (f === 0) continue;
      for (let k = c; k < d; k++) m[r]![k]! -= f * m[c]![k]!;
      x[r]! -= f * x[c]!;
    }
  }
  for (let c = 0; c < d; c++) x[c]! /= m[c]![c]!;
  return x;
}

// Hyndman et al. (2008), §5.2: for additive-error ETS the one-step errors are affine in the
// initial state x₀ (e_t = y_t − w′D^{t−1}x₀ − …), so the x₀ that minimises their sum of squares
// for given smoothing parameters (what maximum likelihood estimates jointly) solves a small
// least-squares problem: filter the series from x₀ = 0, filter zero data from each unit state,
// and regress. Seasonal states are kept summing to zero (level and season are otherwise
// interchangeable): state j < m − 1 enters as +1 at phase j and −1 at phase m − 1.
/**
 * The initial states minimising the one-step squared errors of the ETS filter with parameters
 * `p` over `y`. Returns `fallback` when the system is singular (e.g. too few points).
 *
 * @param y The series (`NaN` contributes no error).
 * @param p Smoothing parameters and period.
 * @param trend Whether the model has a slope state.
 * @param fallback States returned when no unique solution exists.
 * @returns States before the first observation (season summing to 0).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { etsLeastSquaresInitial } from "./ets_initial_ls.ts";
 * const y = Float64Array.from({ length: 40 }, (_, i) => 5 + [1, -1, 2, -2][i % 4]!);
 * const p = { alpha: 0.1, beta: 0, gamma: 0.05, phi: 0, period: 4 };
 * const zero = { level: 0, slope: 0, season: new Float64Array(4) };
 * const s = etsLeastSquaresInitial(y, p, false, zero);
 * assert.ok(Math.abs(s.level - 5) < 1e-6 && Math.abs(s.season[2]! - 2) < 1e-6);
 * ```
 */
export function etsLeastSquaresInitial(
  y: Float64Array,
  p: EtsParams,
  trend: boolean,
  fallback: EtsStates,
): EtsStates {
  const m = p.period > 1 ? p.period : 0, n = y.length;
  const basis: EtsStates[] = [];
  const unit = (level: number, slope: number, j = -1) => {
    const season = new Float64Array(Math.max(1, m));
    if (j >= 0) season[j] = 1, season[m - 1] = -1;
    basis.push({ level, slope, season });
  };
  unit(1, 0);
  if (trend) unit(0, 1);
  for (let j = 0; j < m - 1; j++) unit(0, 0, j);
  const d = basis.length;
  if (n <= d) return fallback;
  const e0 = new Float64Array(n),
    zero = { level: 0, slope: 0, season: new Float64Array(Math.max(1, m)) };
  oneStepErrors(y, p, zero, e0);
  // the columns: how each unit initial state moves the errors (filter of zero data, NaN kept)
  const mask = Float64Array.from(y, (v) => (v === v ? 0 : NaN));
  const cols = basis.map((b) => {
    const c = new Float64Array(n);
    oneStepErrors(mask, p, b, c);
    return c;
  });
  const ata = cols.map(() => new Float64Array(d)), atb = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    const ci = cols[i]!;
    for (let k = i; k < d; k++) {
      const ck = cols[k]!;
      let s = 0;
      for (let t = 0; t < n; t++) s += ci[t]! * ck[t]!;
      ata[i]![k] = s, ata[k]![i] = s;
    }
    let s = 0;
    for (let t = 0; t < n; t++) s += ci[t]! * e0[t]!;
    atb[i] = -s;
  }
  const x = solve(ata, atb);
  if (!x || !x.every(Number.isFinite)) return fallback;
  const season = new Float64Array(Math.max(1, m));
  let last = 0;
  for (let j = 0; j < m - 1; j++) season[j] = x[(trend ? 2 : 1) + j]!, last -= season[j]!;
  if (m > 1) season[m - 1] = last;
  return { level: x[0]!, slope: trend ? x[1]! : 0, season };
}
