/**
 * Derivative-free minimisation for the few smoothing parameters of ETS.
 *
 * @module
 */

/** Options of {@linkcode nelderMead}. */
export interface NelderMeadOptions {
  /** Initial simplex edge length (default 0.5). */
  step?: number;
  /** Maximum function evaluations (default 200 · dimension). */
  maxEvaluations?: number;
  /** Stop when the spread of simplex values falls below this (default 1e-8, relative). */
  tolerance?: number;
}

/** Result of {@linkcode nelderMead}. */
export interface NelderMeadResult {
  /** The best point found. */
  x: Float64Array;
  /** The objective at `x`. */
  value: number;
  /** Objective evaluations used. */
  evaluations: number;
}

// Nelder & Mead (1965), "A simplex method for function minimization", Computer Journal 7(4),
// with the standard coefficients (reflect 1, expand 2, contract ½, shrink ½).
/**
 * Minimises `f` from `x0`. `NaN` objective values count as +∞. A zero-dimensional `x0`
 * returns `f(x0)` after one evaluation.
 *
 * @param f Objective.
 * @param x0 Starting point (not modified).
 * @param options Step, budget and tolerance.
 * @returns The best point, its value and the evaluations used.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nelderMead } from "./nelder_mead.ts";
 * const r = nelderMead((x) => (x[0]! - 1) ** 2 + (x[1]! + 2) ** 2, new Float64Array(2));
 * assert.ok(Math.abs(r.x[0]! - 1) < 1e-3 && Math.abs(r.x[1]! + 2) < 1e-3);
 * ```
 */
export function nelderMead(
  f: (x: Float64Array) => number,
  x0: Float64Array,
  options: NelderMeadOptions = {},
): NelderMeadResult {
  const d = x0.length;
  const max = options.maxEvaluations ?? 200 * Math.max(1, d);
  const tol = options.tolerance ?? 1e-8;
  let evaluations = 0;
  const g = (x: Float64Array) => {
    evaluations++;
    const v = f(x);
    return Number.isNaN(v) ? Infinity : v;
  };
  const pts: Float64Array[] = [Float64Array.from(x0)];
  for (let i = 0; i < d; i++) {
    const p = Float64Array.from(x0);
    p[i] = p[i]! + (options.step ?? 0.5);
    pts.push(p);
  }
  const vals = pts.map(g);
  const centroid = new Float64Array(d);
  const at = (t: number, out: Float64Array) => {
    const worst = pts[d]!;
    for (let j = 0; j < d; j++) out[j] = centroid[j]! + t * (worst[j]! - centroid[j]!);
    return g(out);
  };
  const xr = new Float64Array(d), xe = new Float64Array(d), xc = new Float64Array(d);
  while (evaluations < max && d > 0) {
    const order = vals.map((_, i) => i).sort((a, b) => vals[a]! - vals[b]!);
    const sp = order.map((i) => pts[i]!), sv = order.map((i) => vals[i]!);
    pts.splice(0, d + 1, ...sp), vals.splice(0, d + 1, ...sv);
    if (Math.abs(vals[d]! - vals[0]!) <= tol * (Math.abs(vals[0]!) + tol)) break;
    centroid.fill(0);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) centroid[j] = centroid[j]! + pts[i]![j]! / d;
    }
    const fr = at(-1, xr);
    if (fr < vals[0]!) {
      const fe = at(-2, xe);
      if (fe < fr) (pts[d] = Float64Array.from(xe), vals[d] = fe);
      else (pts[d] = Float64Array.from(xr), vals[d] = fr);
    } else if (fr < vals[d - 1]!) (pts[d] = Float64Array.from(xr), vals[d] = fr);
    else {
      const outside = fr < vals[d]!;
      const fc = at(outside ? -0.5 : 0.5, xc);
      if (fc < (outside ? fr : vals[d]!)) (pts[d] = Float64Array.from(xc), vals[d] = fc);
      else {
        for (let i = 1; i <= d; i++) {
          for (let j = 0; j < d; j++) pts[i]![j] = pts[0]![j]! + 0.5 * (pts[i]![j]! - pts[0]![j]!);
          vals[i] = g(pts[i]!);
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i < vals.length; i++) if (vals[i]! < vals[best]!) best = i;
  return { x: pts[best]!, value: vals[best]!, evaluations };
}
