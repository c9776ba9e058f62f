/**
 * The one home of CSV writing (RFC 4180 quoting through `d3-dsv`, LF line ends): the CLI's
 * forecast, anomaly and query output, `/api/series` and `/api/query` all write through here, so
 * a cell holding a comma, quote or newline is quoted the same way everywhere.
 *
 * @module
 */

// @ts-types="./_d3_dsv.d.ts"
import { csvFormatRow } from "d3-dsv";

/**
 * A cell as written: text as is, numbers with `String` (`NaN` stays `NaN`: a caller with gaps
 * passes `null`), null/undefined empty, dates ISO 8601, objects JSON.
 */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") return JSON.stringify(v, finite);
  return String(v);
}

/** JSON has no NaN or Infinity: they are written as the strings "NaN", "Infinity". */
function finite(_key: string, v: unknown): unknown {
  return typeof v === "number" && !Number.isFinite(v) ? String(v) : v;
}

/**
 * One CSV line, ending in `\n`. Cells holding `,`, `"`, `\r` or `\n` are quoted (quotes doubled);
 * `null` and `undefined` are empty (pass `null` for a gap: `NaN` is written as `NaN`); objects
 * and arrays are written as JSON.
 *
 * @param cells The row.
 * @returns The line.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { csvLine } from "./csv.ts";
 * assert.equal(csvLine(["a,b", 1.5, null, 'say "hi"']), '"a,b",1.5,,"say ""hi"""\n');
 * assert.equal(csvLine(["two\nlines", { k: 1 }]), '"two\nlines","{""k"":1}"\n');
 * ```
 */
export function csvLine(cells: readonly unknown[]): string {
  const line = csvFormatRow(cells.map(cellText));
  // a lone empty cell would be a blank line, which readers skip: quote it
  return (line === "" && cells.length === 1 ? '""' : line) + "\n";
}

/**
 * A header line and the rows, each line ending in `\n`.
 *
 * @param columns Column names.
 * @param rows The rows.
 * @returns The CSV text.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { csvText } from "./csv.ts";
 * assert.equal(csvText(["t", "v"], [[1, 2], [3, null]]), "t,v\n1,2\n3,\n");
 * ```
 */
export function csvText(columns: readonly string[], rows: Iterable<readonly unknown[]>): string {
  let out = csvLine(columns);
  for (const row of rows) out += csvLine(row);
  return out;
}
