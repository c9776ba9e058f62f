/**
 * A count with its noun for the commands' summary lines, in the singular for one (`1 partition`,
 * not `1 partitions`) and with its digits grouped as the other commands print counts
 * (`1,234,567 rows`: `1234567 files` had to be counted by eye).
 *
 * @module
 */

/**
 * Says `n` of `noun`.
 *
 * @param n The count (a whole number).
 * @param noun The noun in the singular; the plural adds `s`.
 * @returns E.g. `1 file`, `0 files`, `1,234,567 rows`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { counted } from "./_counted.ts";
 * assert.equal(counted(1, "partition"), "1 partition");
 * assert.equal(counted(1234567, "file"), "1,234,567 files");
 * ```
 */
export function counted(n: number, noun: string): string {
  return `${n.toLocaleString("en-US")} ${noun}${n === 1 ? "" : "s"}`;
}
