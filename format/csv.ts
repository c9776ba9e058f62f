/**
 * The one home of CSV reading and writing (RFC 4180 quoting through `d3-dsv`, LF line ends on
 * output; quoted commas, quotes and line breaks read back). Writing: the CLI's
 * forecast, anomaly and query output, `/api/series` and `/api/query` all write through here, so
 * a cell holding a comma, quote or newline is quoted the same way everywhere.
 *
 * @module
 */

// @ts-types="./_d3_dsv.d.ts"
import { csvFormatRow, csvParseRows } from "d3-dsv";

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

/** CSV records with the line each starts on. */
export interface CsvRecords {
  /** The non-blank records, each an array of cells (quotes removed, doubled quotes undone). */
  rows: string[][];
  /** The 1-based line on which each record starts (a quoted line break spans lines). */
  lines: number[];
}

/**
 * Reads CSV text into records: a quoted cell may hold commas, quotes and line breaks; CRLF and LF
 * both end a record; blank lines are skipped; a leading byte-order mark is dropped. No physical
 * line may be longer than `maxLineLength`, so a file without line breaks cannot make one huge
 * cell.
 *
 * @param text The CSV text.
 * @param maxLineLength Longest line allowed, in characters. Default 65 536.
 * @returns The records and the line each starts on (for messages).
 * @throws {RangeError} When a line is longer than `maxLineLength` (the message names it).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { csvRecords } from "./csv.ts";
 * const { rows, lines } = csvRecords('t,note,v\n0,"a\nb",1\n\n60,x,2\n');
 * assert.deepEqual(rows, [["t", "note", "v"], ["0", "a\nb", "1"], ["60", "x", "2"]]);
 * assert.deepEqual(lines, [1, 2, 5]);
 * ```
 */
export function csvRecords(text: string, maxLineLength = 65_536): CsvRecords {
  for (let pos = 0, n = 1; pos <= text.length; n++) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    if (end - pos > maxLineLength + 1) {
      throw new RangeError(`Invalid CSV: line ${n} is longer than ${maxLineLength} characters`);
    }
    pos = end + 1;
  }
  const all = csvParseRows(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const rows: string[][] = [];
  const lines: number[] = [];
  let line = 1;
  for (const row of all) {
    let breaks = 0;
    for (const cell of row) {
      for (let i = cell.indexOf("\n"); i >= 0; i = cell.indexOf("\n", i + 1)) {
        breaks++;
      }
    }
    if (!(row.length === 1 && row[0]!.trim() === "")) (rows.push(row), lines.push(line));
    line += 1 + breaks;
  }
  return { rows, lines };
}
