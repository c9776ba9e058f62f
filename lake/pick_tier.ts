/**
 * Which storage tier serves a time range.
 *
 * @module
 */

/** A tier of the lake: raw samples or one of the rollups. */
export type SeriesTier = "raw" | "1m" | "1h";

/** Longest range (ms) served from raw samples: 6 h, at most 21,600 points per series at 1 s. */
export const RAW_MAX_MS = 6 * 3_600_000;
/** Longest range (ms) served from 1-minute rollups: 8 days, at most 11,520 points. */
export const MINUTE_MAX_MS = 8 * 86_400_000;

/**
 * Picks the tier for a range so that no query scans per-second data over long ranges: up to
 * 6 h raw, up to 8 days `1m`, longer `1h`.
 *
 * @param fromMs Range start (ms, inclusive).
 * @param toMs Range end (ms, exclusive).
 * @returns The tier.
 * @throws {RangeError} If the range is empty or not finite.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pickTier } from "./pick_tier.ts";
 * assert.equal(pickTier(0, 3_600_000), "raw");
 * assert.equal(pickTier(0, 86_400_000), "1m");
 * assert.equal(pickTier(0, 30 * 86_400_000), "1h");
 * ```
 */
export function pickTier(fromMs: number, toMs: number): SeriesTier {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || !(toMs > fromMs)) {
    throw new RangeError(`Invalid range: ${fromMs} to ${toMs}`);
  }
  const span = toMs - fromMs;
  return span <= RAW_MAX_MS ? "raw" : span <= MINUTE_MAX_MS ? "1m" : "1h";
}
