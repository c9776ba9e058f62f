/**
 * Private: hands buffered rows to DuckDB for one statement, as two tables filled by appenders
 * (rows as numbers, series as strings once each). List parameters cost ~23 µs a row and a
 * `VALUES` literal ~44 µs; appending data chunks cost ~3 µs with every column per row (one run,
 * 200 000 rows, this machine), less with the strings per series.
 *
 * The tables are made on a connection of their own: an appender's flush waits for its
 * connection, and on the lake's one it would hold the event loop until a running query ended.
 * Its statements run one at a time ({@linkcode BufferedLoader}): an appender flushed while a
 * statement of the same connection runs on DuckDB's side fails that statement ("closed pending
 * query result", seen with four reads at once).
 *
 * @module
 */

import type { DuckDBConnection } from "@duckdb/node-api";
import type { BufferedRows } from "./buffered_rows.ts";
import type { DuckDBApi } from "./_convert.ts";

/** Rows per data chunk (DuckDB's vector size). */
const CHUNK = 2048;
let tables = 0;

/** The loading connection and the queue its statements wait in. */
export class BufferedLoader {
  #connection: Promise<DuckDBConnection>;
  /** The schema of the tables exists. */
  schema = false;
  #queue: Promise<unknown> = Promise.resolve();

  /** @param connect Makes the connection (called once, now). */
  constructor(connect: () => Promise<DuckDBConnection>) {
    this.#connection = connect();
  }

  /** Runs `work` on the connection once the work queued before it has ended. */
  run<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const next = this.#queue.then(async () => work(await this.#connection));
    this.#queue = next.catch(() => {});
    return next;
  }

  /** Closes the connection after the queued work. */
  close(): void {
    this.#queue.then(() => this.#connection).then((c) => c.closeSync(), () => {});
  }
}

/** The tables holding one statement's buffered rows. */
export interface BufferedTables {
  /** A SELECT of the rows with the raw views' columns (`ts, host, metric, labels, value,
   * date`). */
  select: string;
  /** Drops the tables. */
  drop(): Promise<void>;
}

/**
 * Creates and fills the tables of one statement's buffered rows.
 *
 * @param loader The loading connection (not the one that runs the statement).
 * @param api The DuckDB module.
 * @param rows The rows.
 * @returns Their SELECT and how to drop them.
 */
export async function bufferedTables(
  loader: BufferedLoader,
  api: DuckDBApi,
  rows: BufferedRows,
): Promise<BufferedTables> {
  const { text, drop } = await loader.run(async (connection) => {
    if (!loader.schema) await connection.run("CREATE SCHEMA IF NOT EXISTS _buffered");
    loader.schema = true;
    return await fill(connection, api, rows);
  });
  return { select: text, drop: () => loader.run(drop) };
}

/** Creates and fills the two tables (on the loader's queue). */
async function fill(
  connection: DuckDBConnection,
  api: DuckDBApi,
  rows: BufferedRows,
): Promise<{ text: string; drop: () => Promise<void> }> {
  const n = ++tables;
  const rowTable = `rows_${n}`, seriesTable = `series_${n}`;
  // one statement each way (a statement costs ~10 ms on a loaded machine)
  const drop = async () => {
    await connection.run(
      `DROP TABLE IF EXISTS _buffered.${rowTable}; DROP TABLE IF EXISTS _buffered.${seriesTable}`,
    );
  };
  try {
    await connection.run(
      `CREATE TABLE _buffered.${rowTable} (ts DOUBLE, value DOUBLE, sid INTEGER); ` +
        `CREATE TABLE _buffered.${seriesTable} ` +
        "(sid INTEGER, host VARCHAR, metric VARCHAR, labels VARCHAR, date VARCHAR)",
    );
    const { DOUBLE, INTEGER, VARCHAR } = api;
    await append(connection, api, seriesTable, [INTEGER, VARCHAR, VARCHAR, VARCHAR, VARCHAR], [
      rows.host.map((_, i) => i),
      rows.host,
      rows.metric,
      rows.labels,
      rows.date,
    ]);
    await append(connection, api, rowTable, [DOUBLE, DOUBLE, INTEGER], [
      rows.ts,
      rows.value,
      rows.series,
    ]);
  } catch (error) {
    await drop();
    throw error;
  }
  return {
    text: "SELECT epoch_ms(CAST(r.ts AS BIGINT)) AS ts, s.host, s.metric, s.labels, " +
      `r.value, s.date FROM _buffered.${rowTable} r JOIN _buffered.${seriesTable} s USING (sid)`,
    drop,
  };
}

/** Appends columns to a table in chunks of {@linkcode CHUNK} rows. */
async function append(
  connection: DuckDBConnection,
  api: DuckDBApi,
  table: string,
  types: Parameters<DuckDBApi["DuckDBDataChunk"]["create"]>[0],
  columns: readonly (readonly (number | string)[])[],
): Promise<void> {
  const appender = await connection.createAppender(table, "_buffered");
  try {
    const n = columns[0]?.length ?? 0;
    for (let at = 0; at < n; at += CHUNK) {
      const m = Math.min(CHUNK, n - at);
      const chunk = api.DuckDBDataChunk.create(types, m);
      columns.forEach((c, i) => chunk.setColumnValues(i, c.slice(at, at + m)));
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
