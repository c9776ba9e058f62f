/**
 * {@linkcode bufferedSnapshot} for a reader in another process than the writers (the `query`
 * command): the rows not yet in Parquet are those on disk, the collector's spool and the ingest
 * spool of a `serve` (its in-memory buffer holds the same rows; a row acknowledged to a client
 * is in a segment first), each settled against one listing so that a row counts once across a
 * flush.
 *
 * @module
 */

import type { BufferedFilter, BufferedRows, StoredFile } from "./buffered_rows.ts";
import { emptyBufferedRows } from "./buffered_rows.ts";
import type { BufferedSnapshot } from "./buffered_snapshot.ts";
import { ingestSpoolRows, readIngestSpool, stale } from "./ingest_spool_rows.ts";
import { storedIn } from "./_pinned_sql.ts";
import type { SpoolBuffer } from "./spool_buffer.ts";
import { type ViewFiles, viewFiles } from "./_views.ts";

/** What {@linkcode diskBufferedSnapshot} reads. */
export interface DiskBufferedOptions {
  /** The collector's spool, followed across calls; undefined: not read. */
  spool?: SpoolBuffer;
  /** Read the ingest spool (`spool_ingest/`); default false. */
  ingest?: boolean;
}

/**
 * Reads the spools, lists the lake's files and settles the rows against that listing: both
 * spools are read before the listing (rows leave them only once in a listed file), the ingest
 * writer's plan after it (see `ingest_spool_rows.ts`).
 *
 * @param root Lake root.
 * @param filter Which rows.
 * @param options Which spools.
 * @returns The listing and the rows it does not hold, or undefined when an ingest segment read
 * was retired meanwhile (take it again).
 */
export function diskBufferedSnapshot(
  root: string,
  filter: BufferedFilter,
  options: DiskBufferedOptions,
): BufferedSnapshot | undefined {
  const ingest = options.ingest ? readIngestSpool(root) : undefined;
  let listed: ViewFiles | undefined, check: StoredFile | undefined;
  const list = () => listed ??= viewFiles(root);
  const stored: StoredFile = (h, d, id) => (check ??= storedIn(list()))(h, d, id);
  // the collector's spool lists the files at its first `stored` call, after reading its segments
  const collected = options.spool?.bufferedRows(filter, stored) ?? emptyBufferedRows();
  const files = list();
  if (ingest === undefined) return { files, rows: collected };
  const pushed = ingestSpoolRows(root, ingest, filter, stored);
  if (stale(ingest)) return undefined;
  return { files, rows: appendRows(collected, pushed) };
}

/** `a` with the rows of `b` after its own (series renumbered). */
function appendRows(a: BufferedRows, b: BufferedRows): BufferedRows {
  const offset = a.host.length;
  for (let i = 0; i < b.ts.length; i++) {
    a.ts.push(b.ts[i]!), a.value.push(b.value[i]!), a.series.push(b.series[i]! + offset);
  }
  // loops, not push(...): a spread of 100,000 series would pass the argument limit
  for (let j = 0; j < b.host.length; j++) {
    a.host.push(b.host[j]!), a.metric.push(b.metric[j]!);
    a.labels.push(b.labels[j]!), a.date.push(b.date[j]!);
  }
  return a;
}
