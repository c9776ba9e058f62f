/**
 * Buffered rows ({@linkcode BufferedRows}) as DuckDB tables: the tables' SQL, the SELECT that
 * reads them with the raw views' columns, and the appends that fill them. Shared by the lake's
 * series reads (`_buffered_tables.ts`) and the SQL sandbox's process (`web/_sql_child.ts`),
 * which both read these rows together with the Parquet files in one statement.
 *
 * Two tables, rows as numbers and series as strings once each: appending data chunks costs a
 * few µs a row where list parameters cost ~23 µs and a `VALUES` literal ~44 µs (see
 * `_buffered_tables.ts`).
 *
 * @module
 */

import type { DuckDBConnection } from "@duckdb/node-api";
import type { BufferedRows } from "./buffered_rows.ts";
import type { DuckDBApi } from "./_convert.ts";

/** Rows per data chunk (DuckDB's vector size). */
const CHUNK = 2048;

/**
 * {@linkcode BufferedRows} whose number columns may be typed arrays (what the SQL sandbox's
 * process receives as bytes): a chunk of one is a view, not a copy, and DuckDB's vector is
 * filled from it about twice as fast as from an array of numbers (500,000 rows, one run).
 */
export type BufferedColumns =
  & Omit<BufferedRows, "ts" | "value" | "series">
  & {
    /** ms since the epoch, per row. */
    ts: ArrayLike<number>;
    /** Value per row. */
    value: ArrayLike<number>;
    /** Index into the series table, per row. */
    series: ArrayLike<number>;
  };

/** Where one set of buffered rows lives: a schema and its two tables. */
export interface BufferedTableNames {
  /** Schema, e.g. `_buffered` (made by the caller). */
  schema: string;
  /** Table of rows: `ts DOUBLE` (ms), `value DOUBLE`, `sid INTEGER`. */
  rows: string;
  /** Table of series: `sid INTEGER`, `host`, `metric`, `labels`, `date` (all VARCHAR). */
  series: string;
}

/**
 * The statements that create the two tables (one text, two statements).
 *
 * @param names The tables.
 * @returns The SQL.
 */
export function bufferedTablesSql(names: BufferedTableNames): string {
  const { schema, rows, series } = names;
  return `CREATE TABLE ${schema}.${rows} (ts DOUBLE, value DOUBLE, sid INTEGER); ` +
    `CREATE TABLE ${schema}.${series} ` +
    "(sid INTEGER, host VARCHAR, metric VARCHAR, labels VARCHAR, date VARCHAR)";
}

/**
 * The SELECT of the tables' rows with the raw views' columns, `ts` a TIMESTAMP as in Parquet.
 *
 * @param names The tables.
 * @returns `SELECT ts, host, metric, labels, value, date FROM …`.
 */
export function bufferedSelectSql(names: BufferedTableNames): string {
  const { schema, rows, series } = names;
  return "SELECT epoch_ms(CAST(r.ts AS BIGINT)) AS ts, s.host, s.metric, s.labels, " +
    `r.value, s.date FROM ${schema}.${rows} r JOIN ${schema}.${series} s USING (sid)`;
}

/**
 * Appends `rows` to the two tables (made with {@linkcode bufferedTablesSql}).
 *
 * @param connection The connection that appends (its appenders flush before this returns).
 * @param api The DuckDB module.
 * @param rows The rows.
 * @param names The tables.
 */
export async function appendBuffered(
  connection: DuckDBConnection,
  api: DuckDBApi,
  rows: BufferedColumns,
  names: BufferedTableNames,
): Promise<void> {
  const { DOUBLE, INTEGER, VARCHAR } = api;
  await append(connection, api, names.schema, names.series, [
    INTEGER,
    VARCHAR,
    VARCHAR,
    VARCHAR,
    VARCHAR,
  ], [rows.host.map((_, i) => i), rows.host, rows.metric, rows.labels, rows.date]);
  await append(connection, api, names.schema, names.rows, [DOUBLE, DOUBLE, INTEGER], [
    rows.ts,
    rows.value,
    rows.series,
  ]);
}

/** Appends columns to a table in chunks of {@linkcode CHUNK} rows. */
async function append(
  connection: DuckDBConnection,
  api: DuckDBApi,
  schema: string,
  table: string,
  types: Parameters<DuckDBApi["DuckDBDataChunk"]["create"]>[0],
  columns: readonly (ArrayLike<number> | readonly string[])[],
): Promise<void> {
  const appender = await connection.createAppender(table, schema);
  try {
    const n = columns[0]?.length ?? 0;
    for (let at = 0; at < n; at += CHUNK) {
      const m = Math.min(CHUNK, n - at);
      const chunk = api.DuckDBDataChunk.create(types, m);
      columns.forEach((c, i) => chunk.setColumnValues(i, part(c, at, m)));
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/** Rows `at` to `at + m` of a column: a view of a typed array, a copy of an array. */
function part(column: ArrayLike<number> | readonly string[], at: number, m: number) {
  // setColumnValues reads by index and length only, so a typed array's view serves as one
  return (ArrayBuffer.isView(column)
    ? (column as Float64Array).subarray(at, at + m)
    : (column as readonly (number | string)[]).slice(at, at + m)) as readonly (number | string)[];
}
