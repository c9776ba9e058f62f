/**
 * A small Parquet encoder for exactly the lake's raw schema, so the collector flushes a minute
 * of samples in a few milliseconds without a general-purpose writer.
 *
 * @module
 */

import { ByteWriter, T } from "./_parquet_bytes.ts";
import { bitWidth, writeHybrid, writeHybridRuns } from "./_parquet_rle.ts";
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
const INT64 = 2;
const DOUBLE = 5;
const BYTE_ARRAY = 6;
const REQUIRED = 0;
const UTF8 = 0;
const TIMESTAMP_MILLIS = 9;
const PLAIN = 0;
const RLE = 3;
const RLE_DICTIONARY = 8;
const DATA_PAGE = 0;
const DICTIONARY_PAGE = 2;

interface Chunk {
  name: string;
  type: number;
  /** Dictionary page bytes (with header) or undefined for a PLAIN column. */
  dict: Uint8Array | undefined;
  data: Uint8Array;
  stats?: [number, number];
}

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

/** Distinct strings sorted by UTF-16 code units (= byte order for the lake's ASCII names). */
function dictionary(column: ArrayLike<string>, n: number): { keys: string[]; ids: Uint32Array } {
  const first = new Map<string, number>();
  const raw = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const s = column[i]!;
    let id = first.get(s);
    if (id === undefined) first.set(s, id = first.size);
    raw[i] = id;
  }
  const keys = [...first.keys()].sort();
  const rank = new Uint32Array(keys.length);
  keys.forEach((k, r) => (rank[first.get(k)!] = r));
  for (let i = 0; i < n; i++) raw[i] = rank[raw[i]!]!;
  return { keys, ids: raw };
}

function stringDictPage(keys: string[]): Uint8Array {
  return dictPage(keys.length, (w) => {
    for (const k of keys) w.plainString(k);
  });
}

function dictPage(count: number, fill: (w: ByteWriter) => void): Uint8Array {
  const body = new ByteWriter(64 + count * 16);
  fill(body);
  return page(DICTIONARY_PAGE, count, PLAIN, body.bytes());
}

/** A data page of dictionary indices: bit width byte, then the hybrid encoding. */
function indexPage(
  n: number,
  count: number,
  write: (w: ByteWriter, width: number) => void,
): Uint8Array {
  const width = bitWidth(count);
  const body = new ByteWriter(64 + Math.ceil((n * width) / 8) + (n >> 2));
  body.byte(width);
  write(body, width);
  return page(DATA_PAGE, n, RLE_DICTIONARY, body.bytes());
}

/** Page header (Thrift) followed by the page body. */
function page(type: number, count: number, encoding: number, body: Uint8Array): Uint8Array {
  const w = new ByteWriter(body.length + 64);
  w.begin();
  w.i32(1, type);
  w.i32(2, body.length);
  w.i32(3, body.length);
  if (type === DATA_PAGE) {
    w.begin(5);
    w.i32(1, count);
    w.i32(2, encoding);
    w.i32(3, RLE); // definition levels (none: all columns are required)
    w.i32(4, RLE); // repetition levels (none)
    w.end();
  } else {
    w.begin(7);
    w.i32(1, count);
    w.i32(2, encoding);
    w.end();
  }
  w.end();
  w.append(body);
  return w.bytes();
}

function assemble(chunks: Chunk[], n: number, createdBy: string): Uint8Array {
  let size = 8;
  for (const c of chunks) size += (c.dict?.length ?? 0) + c.data.length;
  const out = new ByteWriter(size + 1024);
  out.append(MAGIC);
  const at: number[] = [];
  for (const c of chunks) {
    at.push(out.pos);
    if (c.dict) out.append(c.dict);
    out.append(c.data);
  }
  const dataBytes = out.pos - 4;
  const metaStart = out.pos;
  out.begin();
  out.i32(1, 2); // version
  out.list(2, T.STRUCT, chunks.length + 1);
  out.begin();
  out.string(4, "root");
  out.i32(5, chunks.length);
  out.end();
  for (const c of chunks) {
    out.begin();
    out.i32(1, c.type);
    out.i32(3, REQUIRED);
    out.string(4, c.name);
    if (c.type === INT64) out.i32(6, TIMESTAMP_MILLIS);
    if (c.type === BYTE_ARRAY) out.i32(6, UTF8);
    out.end();
  }
  out.i64(3, n);
  out.list(4, T.STRUCT, 1);
  out.begin();
  out.list(1, T.STRUCT, chunks.length);
  chunks.forEach((c, k) => {
    const start = at[k]!;
    const bytes = (c.dict?.length ?? 0) + c.data.length;
    out.begin();
    out.i64(2, start);
    out.begin(3);
    out.i32(1, c.type);
    out.list(2, T.I32, c.dict ? 2 : 1);
    out.zigzag(PLAIN);
    if (c.dict) out.zigzag(RLE_DICTIONARY);
    out.list(3, T.BINARY, 1);
    const name = new TextEncoder().encode(c.name);
    out.varint(name.length);
    out.append(name);
    out.i32(4, 0); // UNCOMPRESSED
    out.i64(5, n);
    out.i64(6, bytes);
    out.i64(7, bytes);
    out.i64(9, start + (c.dict?.length ?? 0));
    if (c.dict) out.i64(11, start);
    if (c.stats) {
      out.begin(12);
      out.binary(1, int64Bytes(c.stats[1]));
      out.binary(2, int64Bytes(c.stats[0]));
      out.i64(3, 0);
      out.binary(5, int64Bytes(c.stats[1]));
      out.binary(6, int64Bytes(c.stats[0]));
      out.end();
    }
    out.end();
    out.end();
  });
  out.i64(2, dataBytes); // total_byte_size
  out.i64(3, n);
  out.i64(5, 4); // file_offset
  out.i64(6, dataBytes); // total_compressed_size
  out.end();
  out.string(6, createdBy);
  out.end();
  out.i32le(out.pos - metaStart);
  out.append(MAGIC);
  return out.bytes();
}

const MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31]); // "PAR1"

function int64Bytes(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt(n), true);
  return b;
}
