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

/** Where one tier hands over to the next (`lake.tiers` in `perfscope.yaml`). */
export interface TierLimits {
  /** Longest range served from raw samples, ms. Default {@linkcode RAW_MAX_MS}. */
  rawMaxMs?: number;
  /** Longest range served from 1-minute rollups, ms. Default {@linkcode MINUTE_MAX_MS}. */
  minuteMaxMs?: number;
}

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
export function pickTier(fromMs: number, toMs: number, limits: TierLimits = {}): SeriesTier {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || !(toMs > fromMs)) {
    throw new RangeError(`Invalid range: ${fromMs} to ${toMs}`);
  }
  const span = toMs - fromMs;
  return span <= (limits.rawMaxMs ?? RAW_MAX_MS)
    ? "raw"
    : span <= (limits.minuteMaxMs ?? MINUTE_MAX_MS)
    ? "1m"
    : "1h";
}

/**
 * Picks the tier for a range from the data that exists: the range is first cut to the data's
 * first and last samples (widened to whole hours, so the rollup buckets holding them stay in
 * range), then {@linkcode pickTier} decides. A 14-day look-back over 7 minutes of data reads raw
 * samples, whether those minutes are the last ones or ended hours ago.
 *
 * @param fromMs Range start (ms, inclusive).
 * @param toMs Range end (ms, exclusive).
 * @param data First and last sample time of the data read (`undefined` when unknown: the range
 *   decides).
 * @returns The tier.
 * @throws {RangeError} If the range is empty or not finite.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pickTierFor } from "./pick_tier.ts";
 * const day = 86_400_000, now = 30 * day;
 * assert.equal(pickTierFor(now - 14 * day, now, { first: now - 7 * 60_000, last: now }), "raw");
 * assert.equal(pickTierFor(now - 14 * day, now, { first: now - 3 * day, last: now }), "1m");
 * assert.equal(pickTierFor(now - 14 * day, now, undefined), "1h");
 * ```
 */
export function pickTierFor(
  fromMs: number,
  toMs: number,
  data: { first: number; last: number } | undefined,
  limits: TierLimits = {},
): SeriesTier {
  const tier = pickTier(fromMs, toMs, limits);
  if (data === undefined || !Number.isFinite(data.first) || !Number.isFinite(data.last)) {
    return tier;
  }
  const start = Math.max(fromMs, Math.floor(data.first / 3_600_000) * 3_600_000);
  const end = Math.min(toMs, Math.floor(data.last / 3_600_000) * 3_600_000 + 3_600_000);
  return start < end ? pickTier(start, end, limits) : "raw";
}

/** Bucket widths a picked step rounds up to (ms): 1-2-5 style, then calendar-like. */
const NICE_STEPS = [
  1_000,
  2_000,
  5_000,
  10_000,
  15_000,
  30_000,
  60_000,
  120_000,
  300_000,
  600_000,
  900_000,
  1_800_000,
  3_600_000,
  7_200_000,
  10_800_000,
  21_600_000,
  43_200_000,
  86_400_000,
];

/** Width (ms) of a tier's bucket; `raw` is 0 (instants). */
export const TIER_MS: Readonly<Record<SeriesTier, number>> = {
  raw: 0,
  "1m": 60_000,
  "1h": 3_600_000,
};

/** Options for {@linkcode pickStep}. */
export interface PickStepOptions {
  /** Bucket width asked for (ms); rounded up to a multiple of the tier's. Default: from
   * `maxPoints`. */
  step?: number;
  /** Most points per series; default 1 500 (a chart's width). `Infinity` with no `step` keeps
   * raw instants. */
  maxPoints?: number;
  /** Tier forced by the caller. Default: the coarsest of {@linkcode pickTier} and the tier the
   * step allows. */
  tier?: SeriesTier;
  /** Where the tiers hand over. Default {@linkcode RAW_MAX_MS}, {@linkcode MINUTE_MAX_MS}. */
  limits?: TierLimits;
}

/**
 * Picks the tier and bucket width for a range under a points budget: the step is the smallest
 * "nice" width (1 s, 2 s, 5 s … 1 m, 2 m, 5 m … 1 h … 1 d) giving at most `maxPoints` buckets,
 * and the tier is the coarsest whose bucket divides it (never finer than `pickTier`).
 *
 * @param fromMs Range start (ms, inclusive).
 * @param toMs Range end (ms, exclusive).
 * @param options Step, points budget, tier.
 * @returns The tier and the step in ms (`undefined`: raw instants, no bucketing).
 * @throws {RangeError} If the range is empty, or the step or budget is not positive.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pickStep } from "./pick_tier.ts";
 * assert.deepEqual(pickStep(0, 86_400_000), { tier: "1m", step: 60_000 });
 * assert.deepEqual(pickStep(0, 86_400_000, { maxPoints: 300 }), { tier: "1m", step: 300_000 });
 * assert.deepEqual(pickStep(0, 600_000), { tier: "raw", step: 1_000 });
 * assert.deepEqual(pickStep(0, 600_000, { maxPoints: Infinity }), { tier: "raw", step: undefined });
 * assert.deepEqual(pickStep(0, 3_600_000, { step: 7_200_000 }), { tier: "1h", step: 7_200_000 });
 * ```
 */
export function pickStep(
  fromMs: number,
  toMs: number,
  options: PickStepOptions = {},
): { tier: SeriesTier; step: number | undefined } {
  const byRange = pickTier(fromMs, toMs, options.limits);
  const maxPoints = options.maxPoints ?? 1_500;
  if (!(maxPoints >= 1)) throw new RangeError(`Invalid maxPoints: ${maxPoints}`);
  if (options.step !== undefined && !(options.step > 0)) {
    throw new RangeError(`Invalid step: ${options.step}`);
  }
  const span = toMs - fromMs;
  let step = options.step;
  if (step === undefined && Number.isFinite(maxPoints)) {
    const least = span / maxPoints;
    step = NICE_STEPS.find((s) => s >= least) ?? Math.ceil(least / 86_400_000) * 86_400_000;
  }
  let tier = options.tier;
  if (tier === undefined) {
    const byStep = step === undefined
      ? "raw"
      : step % TIER_MS["1h"] === 0
      ? "1h"
      : step % TIER_MS["1m"] === 0
      ? "1m"
      : "raw";
    const rank = { raw: 0, "1m": 1, "1h": 2 } as const;
    tier = rank[byStep] > rank[byRange] ? byStep : byRange;
  }
  const width = TIER_MS[tier];
  if (width > 0) step = Math.ceil(Math.max(step ?? width, width) / width) * width;
  else if (step !== undefined) step = Math.max(1, Math.round(step));
  return { tier, step };
}
