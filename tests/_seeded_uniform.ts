/**
 * Test helper: a seeded pseudo-random sequence, so that a test's "random" data is the same on
 * every run.
 *
 * @module
 */

/**
 * Uniform numbers in [0, 1) from a 32-bit linear congruential generator (the multiplier and
 * increment of Numerical Recipes, §7.1).
 *
 * @param seed Any integer; the same seed gives the same sequence.
 * @returns The next number of the sequence on each call.
 */
export function seededUniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}
