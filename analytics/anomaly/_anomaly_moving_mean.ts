/**
 * Moving mean over a fixed number of points, for the anomaly detector's level and volatility
 * features.
 *
 * @module
 */

/** The mean of the last `size` values pushed. */
export interface MovingMean {
  /** Adds a value (dropping the oldest once `size` are held) and returns the current mean. */
  push(x: number): number;
  /** Whether `size` values have been pushed, so the mean spans a full window. */
  full(): boolean;
}

/**
 * Creates a moving mean over the last `size` values.
 *
 * Sums terms `x/size`, so values up to ±`Number.MAX_VALUE` do not overflow, and re-adds the
 * window once per lap to drop the drift of the running sum (cf. d3-array `fsum` on why running
 * sums drift). Before the window is full the mean is over the values seen so far. `push`
 * allocates nothing.
 *
 * @param size Window length (≥ 1).
 * @returns The moving mean.
 * @throws {RangeError} If `size` is not a positive integer.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createMovingMean } from "./_anomaly_moving_mean.ts";
 * const m = createMovingMean(2);
 * assert.deepEqual([m.push(4), m.full(), m.push(2), m.push(6), m.full()], [4, false, 3, 4, true]);
 * ```
 */
export function createMovingMean(size: number): MovingMean {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`Invalid size: ${size}`);
  const terms = new Float64Array(size);
  let n = 0, sum = 0;
  return {
    push(x: number): number {
      const slot = n % size;
      sum += x / size - (n >= size ? terms[slot]! : 0);
      terms[slot] = x / size;
      if (slot === size - 1) {
        sum = 0;
        for (let i = 0; i < size; i++) sum += terms[i]!;
      }
      n++;
      return sum / (Math.min(n, size) / size);
    },
    full: () => n >= size,
  };
}
