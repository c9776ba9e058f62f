/**
 * The raw write path: samples into `metrics/host=H/date=D/part-<id>.parquet` files with the
 * lake's own fixed-schema encoder (no DuckDB and no general Parquet writer in the collector).
 *
 * @module
 */

import { formatLabels, type Sample } from "../collectors/mod.ts";
import {
  dataFileName,
  fileNames,
  legacyPartitionDirs,
  parseDataFile,
  partitionDir,
  utcDate,
} from "./_paths.ts";
import { canonicalHost, checkHost } from "./names.ts";
import { type ParquetBlockRows, parquetEncodeBlockParts } from "./parquet_encode_blocks.ts";
import {
  parquetEncodeRows,
  parquetEncodeSeriesRows,
  type ParquetSeriesRows,
} from "./parquet_encode_rows.ts";
import { quantizeValue } from "./quantize_value.ts";
import { writeFileAtomic } from "./write_file_atomic.ts";

/** A sample as the lake stores it: labels already in canonical string form. */
export interface LakeRow {
  ts: number;
  host: string;
  metric: string;
  /** Canonical label string (`formatLabels`), `""` for none. */
  labels: string;
  value: number;
}

/** Options for {@linkcode writeSamples}. */
export interface WriteSamplesOptions {
  /** Lake root, e.g. `data`. */
  root: string;
  /** File id: the start (ms) of the data's spool segment; names the file `part-<id>.parquet`.
   * Ids of one host must grow over time (see ARCHITECTURE.md). */
  id: number;
  /** Skip a partition that already holds this id (its part file exists or a compact file with
   * an id at least as large): makes replaying a spool segment idempotent. Default `false`. */
  skipExisting?: boolean;
  /** fsync each file before its rename. Default `true`. */
  sync?: boolean;
}

/** One file written by {@linkcode writeSamples}. */
export interface WrittenFile {
  path: string;
  rows: number;
  bytes: number;
}

/**
 * Writes samples as one Parquet file per host and UTC date, atomically. Columns: `ts`
 * (TIMESTAMP millis), `metric`, `labels` (strings), `value` (double, rounded by
 * `quantizeValue`). Samples whose value is not finite (`NaN` = no value) get no row. Within a
 * file, rows are grouped by series (metric, labels), in their given order within a series (the
 * collector's flush writes its snapshots in arrival order instead: `writeBlockPartition`).
 *
 * @param samples Samples (labels as objects) or lake rows (labels as canonical strings).
 * @param options See {@linkcode WriteSamplesOptions}.
 * @returns The files written, sorted by path.
 * @throws {LakeError} If a file cannot be written.
 * @throws {RangeError} If a host name cannot be a directory name.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeSamples } from "./write_samples.ts";
 * const root = Deno.makeTempDirSync();
 * const ts = Date.UTC(2024, 0, 1);
 * const files = writeSamples([
 *   { ts, host: "h1", metric: "load_average", labels: { window: "1m" }, value: 0.5 },
 *   { ts, host: "h1", metric: "cpu_ratio", labels: "cpu=total,mode=user", value: NaN },
 * ], { root, id: ts });
 * assert.equal(files.length, 1);
 * assert.equal(files[0]!.rows, 1);
 * assert.ok(files[0]!.path.endsWith("metrics/host=h1/date=2024-01-01/part-001704067200000.parquet"));
 * ```
 */
export function writeSamples(
  samples: Iterable<Sample | LakeRow>,
  options: WriteSamplesOptions,
): WrittenFile[] {
  const groups = new Map<
    string,
    { ts: number[]; metric: string[]; labels: string[]; value: number[] }
  >();
  // One date string per UTC day and one group per host and day, found without formatting.
  const dates = new Map<number, string>();
  let lastHost = "";
  let lastDay = NaN;
  let g: { ts: number[]; metric: string[]; labels: string[]; value: number[] } | undefined;
  for (const s of samples) {
    if (!Number.isFinite(s.value)) continue;
    const day = Math.floor(s.ts / 86_400_000);
    if (!g || day !== lastDay || s.host !== lastHost) {
      let date = dates.get(day);
      if (date === undefined) dates.set(day, date = utcDate(s.ts));
      // one host whatever its case (see canonicalHost): Web1 and web1 share one file
      const key = `${canonicalHost(s.host)}\n${date}`;
      g = groups.get(key);
      if (!g) groups.set(key, g = { ts: [], metric: [], labels: [], value: [] });
      lastDay = day;
      lastHost = s.host;
    }
    g.ts.push(s.ts);
    g.metric.push(s.metric);
    g.labels.push(typeof s.labels === "string" ? s.labels : formatLabels(s.labels));
    g.value.push(s.value);
  }
  const out: WrittenFile[] = [];
  for (const [key, g] of [...groups].sort((a, b) => a[0] < b[0] ? -1 : 1)) {
    const [host, date] = key.split("\n") as [string, string];
    const file = writePartition(g, { ...options, host, date });
    if (file) out.push(file);
  }
  return out;
}

/** Rows of one partition as columns (all the same length). */
export interface RowColumns {
  /** ms since the epoch, all within the partition's UTC date. */
  ts: ArrayLike<number>;
  metric: string[];
  labels: string[];
  value: ArrayLike<number>;
}

/**
 * Writes rows already grouped by host and date (the bulk path of the simulator). Values are
 * rounded by `quantizeValue`; non-finite values must have been dropped by the caller.
 *
 * @param columns The rows.
 * @param options Where and under which id; `host` and `date` (`YYYY-MM-DD`) name the partition.
 * @returns The file written, or undefined where `skipExisting` skipped it or there were no rows.
 * @throws {LakeError} If the file cannot be written.
 */
export function writePartition(
  columns: RowColumns,
  options: WriteSamplesOptions & { host: string; date: string },
): WrittenFile | undefined {
  if (columns.ts.length === 0) return undefined;
  const dir = partitionDir(options.root, "metrics", checkHost(options.host), options.date);
  if (options.skipExisting && holds(dir, options.id, options)) return undefined;
  const value = new Float64Array(columns.value.length);
  for (let i = 0; i < value.length; i++) value[i] = quantizeValue(columns.value[i]!);
  // Uncompressed, dictionary-encoded, rows grouped by series (see parquetEncodeRows).
  const bytes = parquetEncodeRows({
    ts: columns.ts,
    metric: columns.metric,
    labels: columns.labels,
    value,
  });
  const path = `${dir}/${dataFileName("part", options.id)}`;
  writeFileAtomic(path, bytes, { sync: options.sync ?? true });
  return { path, rows: value.length, bytes: bytes.length };
}

/**
 * {@linkcode writePartition} for rows that name their series by number (see
 * `parquetEncodeSeriesRows`): the collector's flush, with the string work done per series.
 *
 * @param rows The rows; `rows.ts.length` of them.
 * @param options Where and under which id; `host` and `date` (`YYYY-MM-DD`) name the partition.
 * @returns The file written, or undefined where `skipExisting` skipped it or there were no rows.
 * @throws {LakeError} If the file cannot be written.
 */
export function writeSeriesPartition(
  rows: ParquetSeriesRows,
  options: WriteSamplesOptions & { host: string; date: string },
): WrittenFile | undefined {
  const n = rows.ts.length;
  if (n === 0) return undefined;
  const dir = partitionDir(options.root, "metrics", checkHost(options.host), options.date);
  if (options.skipExisting && holds(dir, options.id, options)) return undefined;
  // values rounded as they are reordered: no pass and no array of its own
  const bytes = parquetEncodeSeriesRows({ ...rows, quantize: true });
  const path = `${dir}/${dataFileName("part", options.id)}`;
  writeFileAtomic(path, bytes, { sync: options.sync ?? true });
  return { path, rows: n, bytes: bytes.length };
}

/**
 * {@linkcode writeSeriesPartition} for rows in blocks of one snapshot each (see
 * `parquetEncodeBlocks`): the collector's flush when every row came from its sampler's
 * snapshots, written in arrival order with the work per row cut to the value.
 *
 * @param rows The rows in blocks.
 * @param options Where and under which id; `host` and `date` (`YYYY-MM-DD`) name the partition.
 * @returns The file written, or undefined where `skipExisting` skipped it or there were no rows.
 * @throws {LakeError} If the file cannot be written.
 */
export function writeBlockPartition(
  rows: ParquetBlockRows,
  options: WriteSamplesOptions & { host: string; date: string },
): WrittenFile | undefined {
  const blocks = rows.blockTs.length;
  const n = blocks > 0 ? rows.blockStart[blocks]! : 0;
  if (n === 0) return undefined;
  const dir = partitionDir(options.root, "metrics", checkHost(options.host), options.date);
  if (options.skipExisting && holds(dir, options.id, options)) return undefined;
  const parts = parquetEncodeBlockParts({ ...rows, quantize: true });
  const path = `${dir}/${dataFileName("part", options.id)}`;
  writeFileAtomic(path, parts, { sync: options.sync ?? true });
  let bytes = 0;
  for (const p of parts) bytes += p.length;
  return { path, rows: n, bytes };
}

function holds(
  dir: string,
  id: number,
  options: { root: string; host: string; date: string },
): boolean {
  // a mixed-case directory of the host (written before host names were folded) counts too
  return holdsIn(dir, id) ||
    legacyPartitionDirs(options.root, "metrics", canonicalHost(options.host), options.date)
      .some((d) => holdsIn(d, id));
}

function holdsIn(dir: string, id: number): boolean {
  return fileNames(dir).some((name) => {
    const f = parseDataFile(name);
    return f !== undefined && (f.kind === "part" ? f.id === id : f.id >= id);
  });
}
