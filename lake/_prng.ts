/**
 * Private: a small seeded random generator for the simulator; `mulberry32` is also exported
 * through `lake/mod.ts` for analytics (the capacity bootstrap and synthetic leaks).
 *
 * @module
 */

/**
 * Mulberry32 (Tommy Ettinger, public domain): a 32-bit state PRNG, uniform in [0, 1). One
 * implementation for the whole product, so a seed gives the same numbers everywhere.
 *
 * @param seed Any integer (taken modulo 2³²).
 * @returns A function returning the next number.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mulberry32 } from "./_prng.ts";
 * const [a, b] = [mulberry32(7), mulberry32(7)];
 * const x = a();
 * assert.equal(x, b());
 * assert.ok(x >= 0 && x < 1);
 * ```
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return function next(): number {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal deviates from a uniform source (Box–Muller transform). */
export function gaussian(uniform: () => number): () => number {
  let spare: number | undefined;
  return function next(): number {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const u = 1 - uniform();
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}
