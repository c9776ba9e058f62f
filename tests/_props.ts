/**
 * Test helper for the property-based tests (fast-check): how many cases each property runs and
 * with which seed. By default a fixed seed, so CI runs the same cases every time; set
 * `PROPS_SEED=random` (fast-check picks one and prints it on failure) or `PROPS_SEED=<n>` to
 * replay one, and `PROPS_RUNS=<factor>` to run more cases while hunting.
 *
 * @module
 */
import fc, { type Parameters } from "fast-check";

const DEFAULT_SEED = 20_261_205;

/**
 * The `fc.assert` parameters for a property.
 *
 * @param numRuns Cases at the default factor 1; sized so the whole property set stays quick on
 * a loaded 2-core machine.
 * @returns Parameters with `numRuns` and `seed` (absent for `PROPS_SEED=random`).
 */
export function props<T>(numRuns: number): Parameters<T> {
  const factor = Number(Deno.env.get("PROPS_RUNS") ?? "1");
  const seed = Deno.env.get("PROPS_SEED");
  const runs = Math.max(1, Math.round(numRuns * (factor > 0 ? factor : 1)));
  if (seed === "random") return { numRuns: runs };
  const n = Number(seed);
  return { numRuns: runs, seed: seed !== undefined && Number.isInteger(n) ? n : DEFAULT_SEED };
}

/** Text near the grammar: digits (some very long), units, signs, `now`, dots, spaces, junk. */
export const timeish: fc.Arbitrary<string> = fc.array(
  fc.oneof(
    fc.constantFrom("now", "-", "+", ".", " ", "ms", "s", "m", "h", "d", "w", "e", "T", "Z", ":"),
    fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 1, maxLength: 30 }),
    fc.constant("9".repeat(400)),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.string({ unit: "binary", maxLength: 4 }),
  ),
  { maxLength: 6 },
).map((xs) => xs.join(""));
