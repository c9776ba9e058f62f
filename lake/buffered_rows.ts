/**
 * Rows accepted but not yet in Parquet, as a reader of the lake asks for them: the contract
 * between the ingest writer (which holds them) and {@linkcode Lake} (which answers series reads
 * from Parquet and these rows together, see `Lake.includeBuffered`).
 *
 * @module
 */

/** Which buffered rows a read wants: a superset of what its SQL filter keeps (the SQL applies
 * the exact filter, `labels LIKE` included, to these rows as to stored ones). */
export interface BufferedFilter {
  /** Range start, ms (inclusive). */
  from: number;
  /** Range end, ms (exclusive). */
  to: number;
  /** Canonical (lower-case) host; default every host. */
  host?: string;
  /** Metric names; default every metric. */
  metrics?: ReadonlySet<string>;
  /** Exact canonical labels; default any. */
  labels?: string;
}

/** Rows as columns, each naming its series by number in the series table (`host`, `metric`,
 * `labels`, `date` per series), so a row costs two numbers and an index. */
export interface BufferedRows {
  /** ms since the epoch, per row. */
  ts: number[];
  /** Value per row, finite and rounded as Parquet stores it (`quantizeValue`). */
  value: number[];
  /** Index into the series table, per row. */
  series: number[];
  /** Per series: host (lower case). */
  host: string[];
  /** Per series: metric. */
  metric: string[];
  /** Per series: canonical labels. */
  labels: string[];
  /** Per series: the UTC date of its partition, `YYYY-MM-DD`. */
  date: string[];
}

/** Says whether the files a read lists already hold the file `id` of a partition (its part, or
 * a compaction that took it in). */
export type StoredFile = (host: string, date: string, id: number) => boolean;

/** Something holding rows not yet in Parquet (the ingest writer, the collector's spool). */
export interface BufferedSource {
  /**
   * The buffered rows that match `filter`, leaving out the rows whose Parquet file `stored`
   * says the read lists already. Synchronous: the read lists its files at the first call of
   * `stored` (after this returns when it is not called) and takes the rows in the same step, so
   * no flush of this process can move rows between the two; a source that another process
   * takes rows out of reads them before its first call of `stored` (`SpoolBuffer`).
   */
  bufferedRows(filter: BufferedFilter, stored: StoredFile): BufferedRows;
  /** The series that have buffered rows Parquet will hold (a finite value). */
  bufferedSeries(): { host: string; metric: string; labels: string }[];
  /** Per host, the first and last time of a buffered row Parquet will hold, ms. */
  bufferedExtent(): Map<string, { first: number; last: number }>;
}

/** Empty rows. */
export function emptyBufferedRows(): BufferedRows {
  return { ts: [], value: [], series: [], host: [], metric: [], labels: [], date: [] };
}
