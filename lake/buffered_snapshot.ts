/**
 * One listing of the lake's files and the rows buffered at that moment, taken in one synchronous
 * step: what a statement that reads both must be bound to for each row to count once
 * (`Lake.includeBuffered`'s series reads and raw SQL, the SQL sandbox's statements).
 *
 * @module
 */

import type { BufferedFilter, BufferedRows, BufferedSource, StoredFile } from "./buffered_rows.ts";
import { emptyBufferedRows } from "./buffered_rows.ts";
import { type ViewFiles, viewFiles } from "./_views.ts";
import { storedIn } from "./_pinned_sql.ts";

export type { ViewFiles };

/** A filter that takes every buffered row: years 1 to 9999, every host, metric and label. */
export const EVERY_ROW: BufferedFilter = {
  from: -62_135_596_800_000, // 0001-01-01T00:00:00Z
  to: 253_402_300_800_000, // 10000-01-01T00:00:00Z
};

/** A listing and the buffered rows that are not in it. */
export interface BufferedSnapshot {
  /** The files behind each view. */
  files: ViewFiles;
  /** The rows of `filter` buffered at the listing that it does not hold. */
  rows: BufferedRows;
}

/**
 * Lists the files under `root` and copies the buffered rows of `filter` in one step.
 *
 * Exactly once, by construction: the listing is made at the source's first `stored` call (so
 * that a source fed by another process, the collector's spool, has read its rows before: see
 * `join_buffered.ts`), or after the copy when no row asks. A row leaves a buffer of this process
 * only once its file has its final name, and only on this thread, so at this step every accepted
 * row is in the listing, in the copy, or (a file the flush thread renamed a moment ago) in both,
 * which the source settles against the listing by leaving that file's rows out of the copy. A
 * statement that reads this listing (not the shared views, which another read may list again
 * meanwhile) and this copy counts each row once, whatever flushes end while it runs.
 *
 * @param root Lake root.
 * @param source The buffered rows; undefined for none.
 * @param filter Which rows (a superset of what the statement keeps).
 * @returns The listing and the copy.
 */
export function bufferedSnapshot(
  root: string,
  source: BufferedSource | undefined,
  filter: BufferedFilter,
): BufferedSnapshot {
  if (source === undefined) return { files: viewFiles(root), rows: emptyBufferedRows() };
  let listed: ViewFiles | undefined, stored: StoredFile | undefined;
  const list = () => listed ??= viewFiles(root);
  const rows = source.bufferedRows(filter, (h, d, id) => (stored ??= storedIn(list()))(h, d, id));
  return { files: list(), rows };
}
