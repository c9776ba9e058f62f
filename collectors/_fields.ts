/**
 * Splitting lines of a /proc table into their fields. Private to the collectors.
 *
 * @module
 */

const spaces = / +/;

/**
 * The fields of a line separated by runs of spaces, without leading or trailing empty ones.
 * One native split: no callback per field, which matters in an interpreter.
 *
 * @param line One line (no newline).
 * @returns The fields; `[]` for a blank line.
 */
export function splitFields(line: string): string[] {
  const f = line.split(spaces);
  if (f.length && f[0] === "") f.shift();
  if (f.length && f[f.length - 1] === "") f.pop();
  return f;
}

const newlines = /\n/g;
const oneSpace = / /g;

/**
 * Lines of numbers separated by single spaces, read with one `JSON.parse` (in V8's interpreter,
 * where the collector runs, a few built-in calls over a block cost a fraction of a split and a
 * `Number()` per field). Taken only when the JSON reads back to the same text and the block has
 * no commas or brackets of its own: every field then is a finite number written as JSON writes
 * it, which `Number()` reads the same.
 *
 * @param block Lines joined by `\n`.
 * @returns One array of numbers per line, or `undefined` for anything else (other spacing, a
 *   field that is no such number): the caller reads those lines field by field.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { numberRows } from "./_fields.ts";
 * assert.deepEqual(numberRows("1 2 3\n4 5"), [[1, 2, 3], [4, 5]]);
 * assert.equal(numberRows("1  2"), undefined);
 * assert.equal(numberRows("1 0x2"), undefined);
 * ```
 */
export function numberRows(block: string): number[][] | undefined {
  // (global regular expressions of one character are searched for as strings, not run, and
  // replace faster than replaceAll; the brackets first, so that JSON.parse gets a flat string)
  return exactJsonRows(
    block,
    ("[[" + block + "]]").replace(newlines, "],[").replace(oneSpace, ","),
  );
}

/**
 * The rows of `json`, an array of arrays of numbers made from `block` by putting brackets and
 * commas in place of its line breaks and spaces; taken only when `block` has no commas or
 * brackets of its own and the rows read back to the same text (`JSON.stringify`), so that every
 * entry is a finite number written as JSON writes it, which `Number()` reads the same.
 *
 * @param block The text the JSON was made from.
 * @param json That text with brackets and commas put in.
 * @returns The rows, or `undefined` for anything else.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exactJsonRows } from "./_fields.ts";
 * assert.deepEqual(exactJsonRows("1 2", "[[1,2]]"), [[1, 2]]);
 * assert.equal(exactJsonRows("1 2.0", "[[1,2.0]]"), undefined); // reads back as 2
 * assert.equal(exactJsonRows("1,2", "[[1,2]]"), undefined); // a comma of its own
 * ```
 */
export function exactJsonRows(block: string, json: string): number[][] | undefined {
  if (block.includes(",") || block.includes("[") || block.includes("]")) return undefined;
  let rows: number[][];
  try {
    rows = JSON.parse(json);
  } catch {
    return undefined;
  }
  return JSON.stringify(rows) === json ? rows : undefined;
}
