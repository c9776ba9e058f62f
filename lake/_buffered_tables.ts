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
import { appendBuffered, bufferedSelectSql, bufferedTablesSql } from "./append_buffered.ts";

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

  /** Closes the connection after the queued work.
   *
   * @returns Settles once it is closed (the database must not close before). */
  close(): Promise<void> {
    return this.#queue.then(() => this.#connection).then((c) => c.closeSync(), () => {});
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
  const names = { schema: "_buffered", rows: `rows_${n}`, series: `series_${n}` };
  // one statement each way (a statement costs ~10 ms on a loaded machine)
  const drop = async () => {
    await connection.run(
      `DROP TABLE IF EXISTS _buffered.${names.rows}; DROP TABLE IF EXISTS _buffered.${names.series}`,
    );
  };
  try {
    await connection.run(bufferedTablesSql(names));
    await appendBuffered(connection, api, rows, names);
  } catch (error) {
    await drop();
    throw error;
  }
  return { text: bufferedSelectSql(names), drop };
}
