/**
 * A small Parquet encoder for exactly the lake's raw schema, so the collector flushes a minute
 * of samples in a few milliseconds without a general-purpose writer.
 *
 * @module
 */

import {
  assemble,
  BYTE_ARRAY,
  type Chunk,
  DATA_PAGE,
  dictionary,
  dictPage,
  DOUBLE,
  indexPage,
  INT64,
  page,
  PLAIN,
  stringDictPage,
} from "./_parquet_file.ts";
import { writeHybrid, writeHybridRuns } from "./_parquet_rle.ts";
import { quantizeValue } from "./quantize_value.ts";

/** Rows as columns, all of the same length (the shape `writePartition` receives). */
export interface ParquetRows {
  /** ms since the epoch (integers). */
  ts: ArrayLike<number>;
  metric: ArrayLike<string>;
  /** Canonical label strings. */
  labels: ArrayLike<string>;
  /** Values, written as given (no rounding; `NaN` is stored as a NaN double). */
  value: ArrayLike<number>;
}

// parquet.thrift enums

/**
 * Encodes rows as one Parquet file (one row group, uncompressed) with the lake's raw schema:
 * `ts` INT64 TIMESTAMP_MILLIS, `metric` and `labels` BYTE_ARRAY UTF8, `value` DOUBLE, all
 * required. Rows are reordered by series (metric, then labels, both in byte order) and by their
 * original order within a series. `ts`, `metric` and `labels` are dictionary-encoded
 * (PLAIN dictionary page, RLE_DICTIONARY data page), `value` is PLAIN; `ts` carries min/max
 * statistics. Any Parquet reader (DuckDB, hyparquet) reads it.
 *
 * @param rows The rows.
 * @param createdBy The file's `created_by`. Default `"perfscope"`.
 * @returns The file's bytes.
 * @throws {RangeError} If the columns differ in length or a timestamp is not an integer.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parquetReadObjects } from "hyparquet";
 * import { parquetEncodeRows } from "./parquet_encode_rows.ts";
 * const bytes = parquetEncodeRows({
 *   ts: [2000, 1000], metric: ["m", "m"], labels: ["a=1", "a=1"], value: [2, 1],
 * });
 * const rows = await parquetReadObjects({ file: bytes.slice().buffer });
 * assert.deepEqual(rows.map((r) => [(r.ts as Date).getTime(), r.labels, r.value]), [
 *   [2000, "a=1", 2],
 *   [1000, "a=1", 1],
 * ]);
 * ```
 */
export function parquetEncodeRows(rows: ParquetRows, createdBy = "perfscope"): Uint8Array {
  const n = rows.ts.length;
  if (rows.metric.length !== n || rows.labels.length !== n || rows.value.length !== n) {
    throw new RangeError(`Invalid rows: columns of unequal length (${n} timestamps)`);
  }
  const metricIds = dictionary(rows.metric, n);
  const labelIds = dictionary(rows.labels, n);
  // Counting sort of the rows by series (metric id, then labels id), stable within a series.
  const seriesIds = new Map<number, number>();
  const stride = labelIds.keys.length;
  const seriesOf = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const key = metricIds.ids[i]! * stride + labelIds.ids[i]!;
    seriesOf[i] = key;
    if (!seriesIds.has(key)) seriesIds.set(key, 0);
  }
  const keys = [...seriesIds.keys()].sort((a, b) => a - b);
  keys.forEach((k, s) => seriesIds.set(k, s));
  const seriesIndex = new Uint32Array(n);
  for (let i = 0; i < n; i++) seriesIndex[i] = seriesIds.get(seriesOf[i]!)!;
  const identity = new Uint32Array(keys.length);
  for (let s = 0; s < keys.length; s++) identity[s] = s;
  return encodeSorted(
    scanRows(rows.ts, n, seriesIndex, keys.length),
    rows.value,
    n,
    seriesIndex,
    identity,
    keys.length,
    metricIds.keys,
    labelIds.keys,
    (s) => Math.floor(keys[s]! / stride),
    (s) => keys[s]! % stride,
    createdBy,
    false,
  );
}

/** Rows whose series are numbered by the caller (the collector's row buffer). */
export interface ParquetSeriesRows {
  /** ms since the epoch (integers). */
  ts: ArrayLike<number>;
  /** Per row, the number of its series: an index into `metric` and `labels`. */
  series: Uint32Array;
  /** Per series number, the metric. */
  metric: readonly string[];
  /** Per series number, the canonical label string. */
  labels: readonly string[];
  /** Values, written as given unless `quantize`. */
  value: ArrayLike<number>;
  /** Round each value by `quantizeValue` (the lake's rule) as it is written. Default false. */
  quantize?: boolean;
}

/**
 * {@linkcode parquetEncodeRows} for rows that name their series by number: the same bytes for
 * the same rows, with the string work done once per series instead of once per row (the
 * collector's flush: a minute of ~1,000 series is 60,000 rows). Series numbers that are not
 * used by any row are ignored; two numbers with the same metric and labels are one series.
 *
 * @param rows The rows (`rows.series.length` may exceed `rows.ts.length`; the extra is unused).
 * @param createdBy The file's `created_by`. Default `"perfscope"`.
 * @returns The file's bytes.
 * @throws {RangeError} If a column is shorter than `ts` or a timestamp is not an integer.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parquetEncodeRows, parquetEncodeSeriesRows } from "./parquet_encode_rows.ts";
 * const bytes = parquetEncodeSeriesRows({
 *   ts: [1000, 1000, 2000], series: new Uint32Array([0, 1, 0]),
 *   metric: ["m", "a"], labels: ["x=1", ""], value: [1, 2, 3],
 * });
 * const same = parquetEncodeRows({
 *   ts: [1000, 1000, 2000], metric: ["m", "a", "m"], labels: ["x=1", "", "x=1"], value: [1, 2, 3],
 * });
 * assert.deepEqual(bytes, same);
 * ```
 */
export function parquetEncodeSeriesRows(
  rows: ParquetSeriesRows,
  createdBy = "perfscope",
): Uint8Array {
  const n = rows.ts.length;
  const count = rows.metric.length;
  if (rows.series.length < n || rows.value.length < n || rows.labels.length !== count) {
    throw new RangeError(`Invalid rows: columns of unequal length (${n} timestamps)`);
  }
  const sid = rows.series;
  const scan = scanRows(rows.ts, n, sid, count);
  const live: number[] = [];
  for (let s = 0; s < count; s++) if (scan.counts[s]) live.push(s);
  const metricOf = live.map((s) => rows.metric[s]!);
  const labelsOf = live.map((s) => rows.labels[s]!);
  const m = dictionary(metricOf, live.length);
  const l = dictionary(labelsOf, live.length);
  const stride = l.keys.length;
  // Rank of each used series number among the distinct (metric, labels) keys: the keys with
  // the position appended, sorted as numbers by the built-in sort (no comparator called in the
  // interpreter; equal keys stay in order of position, as a stable sort keeps them).
  const width = live.length;
  const order = new Float64Array(width);
  for (let j = 0; j < width; j++) order[j] = (m.ids[j]! * stride + l.ids[j]!) * width + j;
  order.sort();
  const rank = new Uint32Array(count);
  const metricOfRank: number[] = [];
  const labelsOfRank: number[] = [];
  let prev = -1;
  for (let q = 0; q < width; q++) {
    const j = order[q]! % width;
    const key = m.ids[j]! * stride + l.ids[j]!;
    if (key !== prev) {
      metricOfRank.push(m.ids[j]!);
      labelsOfRank.push(l.ids[j]!);
      prev = key;
    }
    rank[live[j]!] = metricOfRank.length - 1;
  }
  return encodeSorted(
    scan,
    rows.value,
    n,
    sid,
    rank,
    metricOfRank.length,
    m.keys,
    l.keys,
    (s) => metricOfRank[s]!,
    (s) => labelsOfRank[s]!,
    createdBy,
    rows.quantize ?? false,
  );
}

/** What one pass over the rows finds: rows per series number, and the timestamps' dictionary. */
interface RowScan {
  /** Rows per series number. */
  counts: Uint32Array;
  /** Per row, the rank of its timestamp among the distinct ones. */
  tsId: Uint32Array;
  /** The distinct timestamps, ascending. */
  tsKeys: number[];
  min: number;
  max: number;
}

/**
 * Counts the rows of each series number and ranks the timestamps, in one pass.
 *
 * @throws {RangeError} If a series number is not below `numbers`, or a timestamp not an integer.
 */
function scanRows(ts: ArrayLike<number>, n: number, sid: Uint32Array, numbers: number): RowScan {
  const counts = new Uint32Array(numbers);
  // Timestamps come in runs (a snapshot's rows share one): the map is asked once per run.
  const tsDict = new Map<number, number>();
  const tsId = new Uint32Array(n);
  let min = Infinity;
  let max = -Infinity;
  let last = NaN;
  let lastId = 0;
  for (let i = 0; i < n; i++) {
    counts[sid[i]!]!++; // a number out of range is not counted: found below
    const t = ts[i]!;
    if (t !== last) {
      if (!Number.isInteger(t)) throw new RangeError(`Invalid ts: ${t}`);
      let id = tsDict.get(t);
      if (id === undefined) tsDict.set(t, id = tsDict.size);
      if (t < min) min = t;
      if (t > max) max = t;
      last = t;
      lastId = id;
    }
    tsId[i] = lastId;
  }
  let counted = 0;
  for (let s = 0; s < numbers; s++) counted += counts[s]!;
  if (counted !== n) {
    for (let i = 0; i < n; i++) {
      if (sid[i]! >= numbers) throw new RangeError(`Invalid series number: ${sid[i]}`);
    }
  }
  const tsKeys = [...tsDict.keys()].sort((a, b) => a - b);
  const tsRank = new Uint32Array(tsKeys.length);
  let inOrder = true; // timestamps first seen in time order: the ids are the ranks
  tsKeys.forEach((t, k) => {
    const id = tsDict.get(t)!;
    tsRank[id] = k;
    if (id !== k) inOrder = false;
  });
  if (!inOrder) { for (let i = 0; i < n; i++) tsId[i] = tsRank[tsId[i]!]!; }
  return { counts, tsId, tsKeys, min, max };
}

/**
 * The file of rows given their series' rank in (metric, labels) order: rows are reordered by
 * that rank (counting sort, stable) and the columns written. `rankOf` maps each row's series
 * number (`seriesOfRow`) to its rank. The metric and labels columns are written from one run
 * per series (all of a series' rows share them), the rest per row. With `quantize`, values are
 * rounded by `quantizeValue` as they are reordered.
 */
function encodeSorted(
  scan: RowScan,
  value: ArrayLike<number>,
  n: number,
  seriesOfRow: Uint32Array,
  rankOf: Uint32Array,
  seriesCount: number,
  metricKeys: string[],
  labelKeys: string[],
  metricOf: (s: number) => number,
  labelsOf: (s: number) => number,
  createdBy: string,
  quantize: boolean,
): Uint8Array {
  const { counts, tsId, tsKeys, min, max } = scan;
  const rowsOf = new Uint32Array(seriesCount);
  for (let s = 0; s < counts.length; s++) if (counts[s]) rowsOf[rankOf[s]!]! += counts[s]!;
  const starts = new Uint32Array(seriesCount);
  const metricOfSeries = new Uint32Array(seriesCount);
  const labelsOfSeries = new Uint32Array(seriesCount);
  for (let s = 0, at = 0; s < seriesCount; s++) {
    starts[s] = at;
    at += rowsOf[s]!;
    metricOfSeries[s] = metricOf(s);
    labelsOfSeries[s] = labelsOf(s);
  }
  const tsIdx = new Uint32Array(n);
  const values = new Float64Array(n);
  if (quantize) {
    for (let i = 0; i < n; i++) {
      const r = starts[rankOf[seriesOfRow[i]!]!]!++;
      tsIdx[r] = tsId[i]!;
      const v = value[i]!;
      // small whole numbers (counts, most gauges) need no rounding
      values[r] = (v | 0) === v ? v : quantizeValue(v);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const r = starts[rankOf[seriesOfRow[i]!]!]!++;
      tsIdx[r] = tsId[i]!;
      values[r] = value[i]!;
    }
  }

  const chunks: Chunk[] = [
    {
      name: "ts",
      type: INT64,
      dict: dictPage(tsKeys.length, (w) => {
        for (const t of tsKeys) w.i64le(t);
      }),
      data: indexPage(n, tsKeys.length, (w, width) => writeHybrid(w, tsIdx, n, width)),
      ...(n > 0 ? { stats: [min, max] as [number, number] } : {}),
    },
    {
      name: "metric",
      type: BYTE_ARRAY,
      dict: stringDictPage(metricKeys),
      data: indexPage(
        n,
        metricKeys.length,
        (w, width) => writeHybridRuns(w, metricOfSeries, rowsOf, seriesCount, width),
      ),
    },
    {
      name: "labels",
      type: BYTE_ARRAY,
      dict: stringDictPage(labelKeys),
      data: indexPage(
        n,
        labelKeys.length,
        (w, width) => writeHybridRuns(w, labelsOfSeries, rowsOf, seriesCount, width),
      ),
    },
    {
      name: "value",
      type: DOUBLE,
      dict: undefined,
      // Float64Array bytes are little-endian on every platform Deno runs on.
      data: page(DATA_PAGE, n, PLAIN, new Uint8Array(values.buffer)),
    },
  ];
  return assemble(chunks, n, createdBy);
}
