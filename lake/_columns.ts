/**
 * Reading DuckDB result columns into `Float64Array`s without a JS object per row, and putting
 * such columns in time order.
 *
 * @module
 */

import type { DuckDBDataChunk, DuckDBDoubleVector, DuckDBValue } from "@duckdb/node-api";

/** Runs SQL with named parameters and returns the result's chunks. */
export type ReadChunks = (
  sql: string,
  params: Record<string, DuckDBValue>,
) => Promise<DuckDBDataChunk[]>;

/** What a double vector holds at run time (`items` and `validity` are private in the typings
 * but a pinned, documented layout of @duckdb/node-api 1.5: a view on DuckDB's own buffer). */
interface RawDoubles {
  items?: unknown;
  validity?: { data: unknown; itemValid(i: number): boolean };
}

/** A double column of result chunks as one Float64Array, SQL NULL → `NaN`. */
export function doubles(chunks: readonly DuckDBDataChunk[], column: number): Float64Array {
  let n = 0;
  for (const c of chunks) n += c.rowCount;
  const out = new Float64Array(n);
  let at = 0;
  for (const c of chunks) {
    const vector = c.getColumnVector(column) as DuckDBDoubleVector;
    copyDoubles(vector, 0, c.rowCount, out, at);
    at += c.rowCount;
  }
  return out;
}

/** Copies `n` items of a double vector from `from` into `out` at `at`, NULL → `NaN`. */
export function copyDoubles(
  vector: DuckDBDoubleVector,
  from: number,
  n: number,
  out: Float64Array,
  at: number,
): void {
  const raw = vector as unknown as RawDoubles;
  if (!(raw.items instanceof Float64Array) || raw.validity === undefined) {
    for (let i = 0; i < n; i++) out[at + i] = vector.getItem(from + i) ?? NaN;
    return;
  }
  out.set(raw.items.subarray(from, from + n), at);
  if (raw.validity.data === null) return;
  for (let i = 0; i < n; i++) if (!raw.validity.itemValid(from + i)) out[at + i] = NaN;
}

/** Puts a series' points in time order (returns `entry` itself when already sorted: the
 * common case). */
export function sortByTime<T extends { ts: Float64Array; values: Float64Array }>(entry: T): T {
  const { ts, values } = entry;
  let sorted = true;
  for (let i = 1; i < ts.length && sorted; i++) sorted = ts[i - 1]! <= ts[i]!;
  if (sorted) return entry;
  const order = Array.from(ts.keys()).sort((a, b) => ts[a]! - ts[b]!);
  return {
    ...entry,
    ts: Float64Array.from(order, (i) => ts[i]!),
    values: Float64Array.from(order, (i) => values[i]!),
  };
}
