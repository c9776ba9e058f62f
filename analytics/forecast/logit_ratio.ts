/**
 * A shifted logit for ratios bounded by [0, 1], and its inverse: the transform `forecast()`
 * applies with `transform: "logit"`, so that the forecast of a utilisation stays in [0, 1].
 *
 * @module
 */

/**
 * The shift ε of {@linkcode logitRatio}: one percentage point, fixed before any figure
 * (bench/ratio_transform_bench.ts). A shift rather than a clamp keeps the transform invertible on
 * all of [0, 1] (an idle 0 or a saturated 1 is allowed) and bounds the transformed range by
 * ±ln((1 + ε) / ε) ≈ ±4.6, so the troughs of a calm host do not stretch the scale as a log does.
 */
export const LOGIT_EPSILON = 0.01;

/**
 * ln((p + ε) / (1 + ε − p)) for each value; `NaN` stays `NaN`.
 *
 * @param values Ratios, each finite one in [0, 1].
 * @param epsilon The shift (default {@linkcode LOGIT_EPSILON}).
 * @returns The transformed values.
 * @throws {RangeError} If a finite value is outside [0, 1].
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { logitRatio } from "./logit_ratio.ts";
 * assert.equal(logitRatio(new Float64Array([0.5]))[0], 0);
 * ```
 */
export function logitRatio(values: Float64Array, epsilon = LOGIT_EPSILON): Float64Array {
  return values.map((p) => {
    if (p < 0 || p > 1) throw new RangeError(`Invalid ratio: ${p} (expected [0, 1])`);
    return Math.log((p + epsilon) / (1 + epsilon - p));
  });
}

/**
 * Inverse of {@linkcode logitRatio}, ((1 + ε)e^z − ε) / (1 + e^z) clipped to [0, 1]: increasing
 * in `z` (so bounds map to bounds), and never outside [0, 1] however far `z` goes.
 *
 * @param z A transformed value.
 * @param epsilon The shift (default {@linkcode LOGIT_EPSILON}).
 * @returns The ratio.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { invLogitRatio } from "./logit_ratio.ts";
 * assert.equal(invLogitRatio(50), 1);
 * assert.equal(invLogitRatio(-50), 0);
 * ```
 */
export function invLogitRatio(z: number, epsilon = LOGIT_EPSILON): number {
  // e^z overflows for large z: write it with e^−z there
  const p = z > 0
    ? (1 + epsilon - epsilon * Math.exp(-z)) / (Math.exp(-z) + 1)
    : ((1 + epsilon) * Math.exp(z) - epsilon) / (1 + Math.exp(z));
  return p < 0 ? 0 : p > 1 ? 1 : p;
}
