/**
 * Reads one time series out of CSV text: the input of the forecast, anomaly and capacity
 * commands, and of notebooks that start from a file.
 *
 * @module
 */
import { csvRecords } from "../../format/mod.ts";

/** Which columns to read. */
export interface CsvSeriesOptions {
  /** Time column; default `timestamp`, else the first column. */
  timeColumn?: string;
  /** Value column; default `value`, else the last numeric column. */
  valueColumn?: string;
  /** Longest line accepted, in characters (a bound on memory for foreign input). Default
   * `65536`. */
  maxLineLength?: number;
  /** Refuse rows whose time is earlier than the row before (equal times pass). Default
   * `false`: rows keep their order, whatever it is. */
  ascending?: boolean;
}

/** A series read from CSV. Rows keep their order; unparseable and infinite values are `NaN`. */
export interface CsvSeries {
  /** The time column used. */
  timeColumn: string;
  /** The value column used. */
  valueColumn: string;
  /** Milliseconds since the epoch (UTC), one per row. */
  ts: Float64Array;
  /** Values, one per row (`NaN` where empty or not a number). */
  values: Float64Array;
  /** The sampling step in ms: the median gap between consecutive rows. */
  stepMs: number;
}

/** The furthest a JavaScript `Date` reaches from the epoch, ms (ECMA-262, "Time Values"). */
const MAX_DATE_MS = 8.64e15;

/**
 * Parses a timestamp: ISO 8601, `YYYY-MM-DD HH:MM:SS` (read as UTC), or a number of epoch
 * seconds (< 1e11) or milliseconds.
 *
 * @param text The cell.
 * @returns Milliseconds since the epoch, or `NaN` where it is not a timestamp (or one a `Date`
 * cannot hold).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTimestamp } from "./csv_series.ts";
 * assert.equal(parseTimestamp("2016-07-01 01:00:00"), Date.UTC(2016, 6, 1, 1));
 * assert.equal(parseTimestamp("1467334800"), Date.UTC(2016, 6, 1, 1));
 * ```
 */
export function parseTimestamp(text: string): number {
  const t = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    const ms = Math.abs(n) < 1e11 ? n * 1000 : n;
    // past ±8.64e15 ms a Date is invalid: refused here, with its line, not later without one
    return Math.abs(ms) <= MAX_DATE_MS ? ms : NaN;
  }
  const m = t.match(/^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/);
  return m ? Date.parse(`${m[1]}T${m[2]}Z`) : Date.parse(t);
}

/**
 * Reads a time series from CSV text with a header row.
 *
 * @param text The CSV text.
 * @param options Which columns to read.
 * @returns The series, with its step inferred from the data.
 * @throws {RangeError} If there is no data row, a line is too long, a named column is absent,
 * no numeric value column exists, a timestamp cannot be parsed, or (with `ascending`) time goes
 * backwards (the message names the line).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCsvSeries } from "./csv_series.ts";
 * const s = readCsvSeries("timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 01:00:00,2\n");
 * assert.equal(s.stepMs, 3_600_000);
 * assert.deepEqual([...s.values], [1, 2]);
 * ```
 */
export function readCsvSeries(text: string, options: CsvSeriesOptions = {}): CsvSeries {
  // quoted cells may hold commas, quotes and line breaks: the one CSV reader (d3-dsv) splits
  const { rows: records, lines: numbers } = csvRecords(text, options.maxLineLength ?? 65_536);
  if (records.length < 2) {
    throw new RangeError("Invalid CSV: needs a header row and at least one data row");
  }
  const header = records[0]!.map((h) => h.trim());
  const rows = records.slice(1);
  const timeColumn = options.timeColumn ??
    (header.includes("timestamp") ? "timestamp" : header[0]!);
  const ti = header.indexOf(timeColumn);
  if (ti < 0) throw new RangeError(`Invalid --time-column: ${timeColumn} is not in the header`);
  let valueColumn = options.valueColumn;
  if (valueColumn === undefined) {
    if (header.includes("value") && header.indexOf("value") !== ti) valueColumn = "value";
    else {
      const numeric = header.filter((_, i) =>
        i !== ti &&
        rows.slice(0, 20).some((r) =>
          r[i] !== undefined && r[i]!.trim() !== "" && Number.isFinite(Number(r[i]))
        )
      );
      valueColumn = numeric.at(-1);
      if (valueColumn === undefined) throw new RangeError("Invalid CSV: no numeric value column");
    }
  }
  const vi = header.indexOf(valueColumn);
  if (vi < 0) throw new RangeError(`Invalid --value-column: ${valueColumn} is not in the header`);
  const ts = new Float64Array(rows.length);
  const values = new Float64Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const t = parseTimestamp(row[ti] ?? "");
    if (Number.isNaN(t)) {
      throw new RangeError(`Invalid timestamp on line ${numbers[r + 1]}: ${row[ti] ?? ""}`);
    }
    if (options.ascending && r > 0 && t < ts[r - 1]!) {
      throw new RangeError(
        `Invalid CSV: time goes backwards on line ${numbers[r + 1]} (${row[ti]!.trim()} after ` +
          `${rows[r - 1]![ti]!.trim()}); sort the rows by time`,
      );
    }
    ts[r] = t;
    const cell = (row[vi] ?? "").trim();
    // "Infinity" and "1e400" are no more a measurement than "inf": missing, like any non-number
    const value = cell === "" ? NaN : Number(cell);
    values[r] = Number.isFinite(value) ? value : NaN;
  }
  return { timeColumn, valueColumn, ts, values, stepMs: medianStep(ts) };
}

/**
 * The median gap between consecutive timestamps: the sampling step of a series.
 *
 * @param ts Timestamps in ms, ascending.
 * @returns The median gap, or `NaN` with fewer than two points.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { medianStep } from "./csv_series.ts";
 * assert.equal(medianStep(Float64Array.of(0, 60, 120, 500)), 60);
 * ```
 */
export function medianStep(ts: Float64Array): number {
  if (ts.length < 2) return NaN;
  const gaps = new Float64Array(ts.length - 1);
  for (let i = 1; i < ts.length; i++) gaps[i - 1] = ts[i]! - ts[i - 1]!;
  gaps.sort();
  return gaps[gaps.length >> 1]!;
}
