/**
 * {@linkcode Lake.table} over one listing of the lake's files and the rows not yet in Parquet
 * taken with it: the `query` command's statement, which may be any statement (SHOW, DESCRIBE,
 * PIVOT…), so the listing is bound through views, not the CTEs of a series read.
 *
 * @module
 */

import type { Lake } from "./open_lake.ts";
import { type BufferedSnapshot, EVERY_ROW } from "./buffered_snapshot.ts";
import type { BufferedFilter } from "./buffered_rows.ts";
import { bufferedFilterOf, castMsOn } from "./buffered_filter_of.ts";
import { BufferedScan } from "./_buffered_scan.ts";
import { converters } from "./_convert.ts";
import { VANISHED, viewBody, type ViewFiles } from "./_views.ts";
import { LakeError } from "./errors.ts";
import { errorText } from "./write_file_atomic.ts";

/** Snapshots a source would not settle (an ingest segment retired while read) before failing. */
const ATTEMPTS = 8;

/** The table functions of each lake's connection (registered once). */
const scans = new WeakMap<Lake, BufferedScan>();

/**
 * Runs one statement over the files of a snapshot and its rows, like {@linkcode Lake.table}:
 * for the statement's connection only, each view is a temporary one over that listing, and
 * `samples` adds the snapshot's rows (the rollup views stay buckets up to the last compaction,
 * as in `/api/query`). A flush that ends while it runs changes neither; a file a compaction
 * removed meanwhile fails the statement, and it runs again on a new snapshot.
 *
 * @param lake The open lake (its views are left as they were).
 * @param sql One statement.
 * @param take Takes a snapshot (listing and rows in one step) of the rows `filter` keeps, or
 * undefined when it must be taken again (see `diskBufferedSnapshot`). The filter is what the
 * statement can read, from DuckDB's syntax tree of it (`bufferedFilterOf`; every row when
 * unsure).
 * @returns Column names and rows, as {@linkcode Lake.table} returns them.
 * @throws {LakeError} If the SQL fails, or 8 snapshots in a row did not settle.
 */
export async function tableWithBuffered(
  lake: Lake,
  sql: string,
  take: (filter: BufferedFilter) => BufferedSnapshot | undefined,
): Promise<{ columns: string[]; rows: unknown[][] }> {
  const api = await import("@duckdb/node-api");
  const display = converters(api).display;
  const conn = lake.connection;
  let scan = scans.get(lake);
  if (scan === undefined) scans.set(lake, scan = new BufferedScan(conn, api));
  const filter = await neededRows(conn, sql);
  for (let attempt = 1;; attempt++) {
    const snapshot = take(filter);
    if (snapshot === undefined) {
      if (attempt < ATTEMPTS) continue;
      throw new LakeError("Query failed: the spool kept changing while it was read, try again");
    }
    const { files, rows } = snapshot;
    const held = rows.ts.length > 0 ? scan.add(rows) : undefined;
    const names = Object.keys(files) as (keyof ViewFiles)[];
    try {
      for (const name of names) {
        const body = viewBody(name, files[name]);
        const text = name === "samples" && held ? `${body} UNION ALL ${held.select}` : body;
        await conn.run(`CREATE OR REPLACE TEMP VIEW ${name} AS ${text}`);
      }
      const reader = await conn.runAndReadAll(sql);
      return { columns: reader.columnNames(), rows: reader.convertRows(display) };
    } catch (error) {
      if (!VANISHED.test(errorText(error)) || attempt >= ATTEMPTS) {
        throw new LakeError(`Query failed: ${errorText(error)}`, { cause: error });
      }
    } finally {
      for (const name of names) await conn.run(`DROP VIEW IF EXISTS temp.${name}`).catch(() => {});
      await held?.drop();
    }
  }
}

/** The buffered rows `sql` can read (every row when its syntax tree cannot tell). */
async function neededRows(conn: Lake["connection"], sql: string): Promise<BufferedFilter> {
  try {
    const reader = await conn.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR)", [sql]);
    return await bufferedFilterOf(String(reader.getRowsJson()[0]![0]), castMsOn(conn));
  } catch {
    return EVERY_ROW;
  }
}
