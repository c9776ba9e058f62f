/**
 * Where a list repeats a name: the config's lists of named things (receivers, rules, services,
 * dashboards, workflows) refuse a name given twice, at the later entry, so the loader points at
 * the line that repeats it.
 *
 * @module
 */

/**
 * The indexes of the entries whose name an earlier entry already has.
 *
 * @param names The names, in list order.
 * @returns Their indexes, ascending (the first entry of each name is never among them).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { repeatedIndexes } from "./_repeated_indexes.ts";
 * assert.deepEqual(repeatedIndexes(["a", "b", "a", "a"]), [2, 3]);
 * ```
 */
export function repeatedIndexes(names: readonly string[]): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  names.forEach((name, i) => {
    if (seen.has(name)) out.push(i);
    seen.add(name);
  });
  return out;
}
