/**
 * Gunther's Universal Scalability Law fitted to throughput against concurrency.
 *
 * @module
 */

/** The fitted law X(N) = λN / (1 + σ(N−1) + κN(N−1)), its peak and the fit's quality. */
export interface UslFit {
  /** Contention (serial fraction), σ. */
  sigma: number;
  /** Coherency (crosstalk) cost, κ. */
  kappa: number;
  /** Throughput of one unit of concurrency, λ. */
  lambda: number;
  /** N* = √((1−σ)/κ), the concurrency of the highest throughput (Infinity when κ = 0). */
  peakConcurrency: number;
  /** X(N*), the highest throughput (λ/σ as N grows without bound when κ = 0). */
  peakThroughput: number;
  /** Coefficient of determination of the fit on the points. */
  r2: number;
  /** 95 % intervals of σ, κ, λ from the Jacobian at the optimum (null with 3 points). */
  intervals: { sigma: [number, number]; kappa: [number, number]; lambda: [number, number] } | null;
  /** Points used. */
  points: number;
}

/** Options of {@linkcode fitUsl}. */
export interface UslFitOptions {
  /** Most Levenberg–Marquardt iterations; default 500. */
  maxIterations?: number;
}

/**
 * Evaluates the USL.
 *
 * @param n Concurrency.
 * @param p σ, κ, λ.
 * @returns Throughput X(N).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { uslThroughput } from "./usl_fit.ts";
 * assert.equal(uslThroughput(1, { sigma: 0.1, kappa: 0.01, lambda: 50 }), 50);
 * ```
 */
export function uslThroughput(
  n: number,
  p: Pick<UslFit, "sigma" | "kappa" | "lambda">,
): number {
  return p.lambda * n / (1 + p.sigma * (n - 1) + p.kappa * n * (n - 1));
}

/**
 * Fits the USL by nonlinear least squares on throughput (Levenberg–Marquardt with the analytic
 * Jacobian; Levenberg 1944, Marquardt 1963), σ and κ kept ≥ 0. Points with a non-finite or
 * non-positive concurrency or a non-finite throughput are ignored.
 *
 * @param concurrency N of each point.
 * @param throughput X of each point.
 * @param options Iteration budget.
 * @returns The fit.
 * @throws {RangeError} With fewer than 3 usable points, or fewer than 2 distinct N.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitUsl } from "./usl_fit.ts";
 * const n = [1, 18, 36, 72, 108, 144, 216];
 * const x = [65, 996, 1652, 1853, 1829, 1775, 1702];
 * const f = fitUsl(n, x);
 * assert.ok(Math.abs(f.sigma - 0.02773) < 5e-4);
 * assert.ok(Math.abs(f.peakConcurrency - 96) < 1);
 * ```
 */
export function fitUsl(
  concurrency: ArrayLike<number>,
  throughput: ArrayLike<number>,
  options: UslFitOptions = {},
): UslFit {
  if (concurrency.length !== throughput.length) {
    throw new RangeError(
      `Invalid points: ${concurrency.length} concurrency values, ${throughput.length} throughputs`,
    );
  }
  const ns: number[] = [], xs: number[] = [];
  for (let i = 0; i < concurrency.length; i++) {
    const n = concurrency[i]!, x = throughput[i]!;
    if (Number.isFinite(n) && n > 0 && Number.isFinite(x)) ns.push(n), xs.push(x);
  }
  if (ns.length < 3) throw new RangeError(`Too few points for a USL fit: ${ns.length} (need 3)`);
  if (new Set(ns).size < 2) throw new RangeError("Too few distinct concurrency levels: 1");
  let p = start(ns, xs);
  let sse = sumSquares(ns, xs, p);
  let mu = 1e-3;
  const max = options.maxIterations ?? 500;
  for (let it = 0; it < max; it++) {
    const { jtj, jtr } = normalEquations(ns, xs, p);
    let improved = false;
    for (let tries = 0; tries < 30; tries++) {
      const a = jtj.map((row, i) => row.map((v, j) => i === j ? v * (1 + mu) + 1e-300 : v));
      const step = solve3(a, jtr);
      if (!step) {
        mu *= 10;
        continue;
      }
      const next = [Math.max(0, p[0]! + step[0]!), Math.max(0, p[1]! + step[1]!), p[2]! + step[2]!];
      const s = sumSquares(ns, xs, next);
      if (s < sse) {
        const gain = (sse - s) / Math.max(sse, 1e-300);
        p = next, sse = s, mu = Math.max(mu / 10, 1e-12), improved = true;
        if (gain < 1e-15) it = max;
        break;
      }
      mu *= 10;
    }
    if (!improved) break;
  }
  const [sigma, kappa, lambda] = p as [number, number, number];
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sst = xs.reduce((a, x) => a + (x - mean) ** 2, 0);
  const peakConcurrency = kappa > 0 ? Math.sqrt(Math.max(0, 1 - sigma) / kappa) : Infinity;
  const peakThroughput = kappa > 0
    ? uslThroughput(peakConcurrency, { sigma, kappa, lambda })
    : sigma > 0
    ? lambda / sigma
    : Infinity;
  return {
    sigma,
    kappa,
    lambda,
    peakConcurrency,
    peakThroughput,
    r2: sst > 0 ? 1 - sse / sst : NaN,
    intervals: intervalsOf(ns, xs, p, sse),
    points: ns.length,
  };
}

/**
 * A start that does not depend on the scale of N: the best of a small grid of σ and of κ in
 * units of 1/N²max, each with its least-squares λ (the model is linear in λ).
 */
function start(ns: number[], xs: number[]): number[] {
  // a loop, not Math.max(...ns): spreading 300,000 values overflows the call stack
  let top = -Infinity;
  for (const n of ns) if (n > top) top = n;
  let best = [0.05, 1 / (top * top), 1], bestSse = Infinity;
  for (const sigma of [0, 0.1 / top, 1 / top, 10 / top, 0.01, 0.05, 0.2, 0.5, 0.9]) {
    for (const k of [0, 0.01, 0.1, 1, 10, 100]) {
      const kappa = k / (top * top);
      let gx = 0, gg = 0;
      for (let i = 0; i < ns.length; i++) {
        const g = ns[i]! / (1 + sigma * (ns[i]! - 1) + kappa * ns[i]! * (ns[i]! - 1));
        gx += g * xs[i]!, gg += g * g;
      }
      const lambda = gg > 0 ? gx / gg : 1;
      const p = [sigma, kappa, lambda > 0 ? lambda : 1];
      const sse = sumSquares(ns, xs, p);
      if (sse < bestSse) best = p, bestSse = sse;
    }
  }
  return best;
}

function residualsAndJacobian(n: number, x: number, p: number[]): [number, number[]] {
  const [s, k, l] = p as [number, number, number];
  const d = 1 + s * (n - 1) + k * n * (n - 1);
  const f = l * n / d;
  return [x - f, [-f * (n - 1) / d, -f * n * (n - 1) / d, n / d]];
}

function sumSquares(ns: number[], xs: number[], p: number[]): number {
  let s = 0;
  for (let i = 0; i < ns.length; i++) s += residualsAndJacobian(ns[i]!, xs[i]!, p)[0] ** 2;
  return Number.isFinite(s) ? s : Infinity;
}

function normalEquations(ns: number[], xs: number[], p: number[]) {
  const jtj = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
  const jtr = [0, 0, 0];
  for (let i = 0; i < ns.length; i++) {
    const [r, j] = residualsAndJacobian(ns[i]!, xs[i]!, p);
    for (let a = 0; a < 3; a++) {
      jtr[a]! += j[a]! * r;
      for (let b = 0; b < 3; b++) jtj[a]![b]! += j[a]! * j[b]!;
    }
  }
  return { jtj, jtr };
}

/** Solves a 3×3 system by Cramer's rule; null when singular. */
function solve3(a: number[][], b: number[]): number[] | null {
  const det = (m: number[][]) =>
    m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) -
    m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) +
    m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!);
  const d = det(a);
  if (!Number.isFinite(d) || Math.abs(d) < 1e-300) return null;
  return [0, 1, 2].map((c) => det(a.map((row, i) => row.map((v, j) => j === c ? b[i]! : v))) / d);
}

/** Asymptotic 95 % intervals: s²(JᵀJ)⁻¹ at the optimum, t-quantile for n − 3 degrees. */
function intervalsOf(ns: number[], xs: number[], p: number[], sse: number): UslFit["intervals"] {
  const dof = ns.length - 3;
  if (dof < 1) return null;
  const { jtj } = normalEquations(ns, xs, p);
  const inv = [0, 1, 2].map((c) => solve3(jtj, [0, 1, 2].map((i) => i === c ? 1 : 0)));
  if (inv.some((v) => v === null)) return null;
  const t = tQuantile975(dof);
  const s2 = sse / dof;
  const at = (i: number): [number, number] => {
    const se = Math.sqrt(Math.max(0, s2 * inv[i]![i]!));
    return [Math.max(i < 2 ? 0 : -Infinity, p[i]! - t * se), p[i]! + t * se];
  };
  return { sigma: at(0), kappa: at(1), lambda: at(2) };
}

// Two-sided 95 % Student t quantiles for 1…10 degrees of freedom, then 1.96 + 2.5/dof (within
// 0.5 % of the exact values beyond 10).
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];
function tQuantile975(dof: number): number {
  return dof <= 10 ? T975[dof - 1]! : 1.96 + 2.5 / dof;
}
