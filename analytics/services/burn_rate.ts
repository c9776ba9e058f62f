/**
 * SLO error-budget burn rates, multi-window and multi-burn-rate (Google SRE workbook, "Alerting on
 * SLOs", table 5-8: for a 30-day SLO, page at 14.4× over 1 h and 5 min or 6× over 6 h and 30 min,
 * ticket at 3× over 1 d and 2 h or 1× over 3 d and 6 h).
 *
 * @module
 */

const MIN = 60_000, HOUR = 3_600_000, DAY = 86_400_000;

/** One alerting condition: both windows must burn at least `factor` times the budget rate. */
export interface BurnWindow {
  longMs: number;
  shortMs: number;
  factor: number;
  severity: "page" | "ticket";
}

/** The workbook's four conditions for a 30-day SLO. */
export const BURN_WINDOWS: readonly BurnWindow[] = [
  { longMs: HOUR, shortMs: 5 * MIN, factor: 14.4, severity: "page" },
  { longMs: 6 * HOUR, shortMs: 30 * MIN, factor: 6, severity: "page" },
  { longMs: DAY, shortMs: 2 * HOUR, factor: 3, severity: "ticket" },
  { longMs: 3 * DAY, shortMs: 6 * HOUR, factor: 1, severity: "ticket" },
];

/** A condition evaluated. */
export interface BurnRate extends BurnWindow {
  /** Error rate ÷ (1 − SLO) over each window; null when a window has too little data. */
  longBurn: number | null;
  shortBurn: number | null;
  /** Both windows at or above the factor. */
  firing: boolean;
  /** Why a burn is missing (null when both are known). */
  reason: string | null;
}

/**
 * Evaluates the burn-rate conditions.
 *
 * @param errorRate The error rate over a window, or null with the reason it is unknown.
 * @param slo The SLO target, e.g. 0.999.
 * @param windows Conditions; default {@linkcode BURN_WINDOWS}.
 * @returns One entry per condition.
 * @throws {RangeError} If the SLO is not in (0, 1).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { burnRates } from "./burn_rate.ts";
 * const [page] = burnRates(() => ({ rate: 0.02, reason: null }), 0.999);
 * assert.ok(Math.abs(page!.longBurn! - 20) < 1e-9);
 * assert.equal(page!.firing, true);
 * ```
 */
export function burnRates(
  errorRate: (windowMs: number) => { rate: number | null; reason: string | null },
  slo: number,
  windows: readonly BurnWindow[] = BURN_WINDOWS,
): BurnRate[] {
  if (!(slo > 0 && slo < 1)) throw new RangeError(`Invalid SLO target: ${slo}`);
  const budget = 1 - slo;
  return windows.map((w) => {
    const long = errorRate(w.longMs), short = errorRate(w.shortMs);
    const longBurn = long.rate === null ? null : long.rate / budget;
    const shortBurn = short.rate === null ? null : short.rate / budget;
    return {
      ...w,
      longBurn,
      shortBurn,
      firing: longBurn !== null && shortBurn !== null && longBurn >= w.factor &&
        shortBurn >= w.factor,
      reason: long.reason ?? short.reason,
    };
  });
}
