/**
 * The calibration step of the capacity ETA's interval, in log time, so that one constant means
 * the same on a leak due tomorrow and on one due next quarter.
 *
 * @module
 */

/** An ETA and its interval, in days from now (Infinity: not within the horizon). */
export interface EtaInterval {
  eta: number;
  low: number;
  high: number;
}

/**
 * The shipped exponent of {@linkcode widenInterval}: the split conformal 80 % quantile of
 * {@linkcode widenScore} on bench/capacity_bench.ts's family A (the project's own generated
 * leaks, 240 of them); the bench reports family B at it.
 */
export const DEFAULT_WIDEN = 0.93;

/** The half-width in log time: the wider of the interval's finite, non-degenerate sides. */
function halfWidth({ eta, low, high }: EtaInterval): number {
  let h = 0;
  if (Number.isFinite(high)) h = Math.max(h, Math.log(high / eta));
  if (low > 0) h = Math.max(h, Math.log(eta / low));
  return h;
}

/**
 * Makes an ETA interval symmetric in log time and scales it: each end moves to
 * eta·exp(∓w·h), where h is the wider side's ln(end/eta). An open end (past the horizon, or
 * back to now) stays open. Symmetric because the bootstrap's skew was found not to carry from
 * one family of series to another, while its overall width does; relative, because a width in
 * log time does not depend on how far off the ETA is or on the series' unit. Together they let
 * w be calibrated on one family (split conformal prediction, Vovk et al. 2005: the 80th
 * percentile of {@linkcode widenScore}) and used on another.
 *
 * Degenerate cases: a zero or infinite ETA leaves the interval as it is.
 *
 * @param interval ETA and ends in days from now.
 * @param w The exponent (> 0); 1 keeps the wider side's width.
 * @returns The interval (the ETA unchanged).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { widenInterval } from "./widen_interval.ts";
 * assert.deepEqual(widenInterval({ eta: 10, low: 8, high: 20 }, 1), { eta: 10, low: 5, high: 20 });
 * assert.deepEqual(widenInterval({ eta: 10, low: 5, high: Infinity }, 2).high, Infinity);
 * ```
 */
export function widenInterval(interval: EtaInterval, w: number): EtaInterval {
  const { eta, low, high } = interval;
  if (!(eta > 0) || !Number.isFinite(eta)) return { eta, low, high };
  const h = w * halfWidth(interval);
  return {
    eta,
    low: low > 0 ? eta * Math.exp(-h) : low,
    high: Number.isFinite(high) ? eta * Math.exp(h) : high,
  };
}

/**
 * The smallest exponent of {@linkcode widenInterval} whose interval holds the truth: 0 when
 * the truth is the ETA or on an open side, ≤ 1 when the interval as fitted holds it, Infinity
 * when none does (a zero-width interval, or no ETA).
 *
 * @param interval ETA and ends in days from now.
 * @param truth The true time, in days from now.
 * @returns The nonconformity score.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { widenScore } from "./widen_interval.ts";
 * assert.equal(widenScore({ eta: 10, low: 5, high: 20 }, 40), 2);
 * assert.equal(widenScore({ eta: 10, low: 10, high: 10 }, 9), Infinity);
 * ```
 */
export function widenScore(interval: EtaInterval, truth: number): number {
  const { eta, low, high } = interval;
  if (!(eta > 0) || !Number.isFinite(eta) || !(truth > 0)) return truth === eta ? 0 : Infinity;
  const off = Math.log(truth / eta);
  if (off === 0 || (off > 0 && !Number.isFinite(high)) || (off < 0 && !(low > 0))) return 0;
  const h = halfWidth(interval);
  return h > 0 ? Math.abs(off) / h : Infinity;
}
