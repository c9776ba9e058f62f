/**
 * The collector's flush as a Parquet file whose rows stay in the order they came: snapshot after
 * snapshot, a "block" of rows that share one timestamp each.
 *
 * Why not sorted by series as {@linkcode parquetEncodeSeriesRows} writes them: the collector runs
 * in V8's interpreter, where what costs is work per row, and a minute of a 64-CPU host is ~55,000
 * rows. Sorting them by series is a pass that moves every row, and the timestamps then have to be
 * bit-packed one by one. In arrival order the timestamps are one RLE run per block, and a block
 * that has the series of the block before, in the same order (a sampler's snapshots nearly always
 * do), copies that block's encoded metric and labels instead of encoding them again. What is left
 * per row is a copy of the value and its rounding. The file has the same schema and dictionaries;
 * readers (DuckDB) do not depend on the order of rows within a file, and compaction sorts anyway.
 *
 * @module
 */

import { ByteWriter } from "./_parquet_bytes.ts";
import {
  assemble,
  assembleParts,
  BYTE_ARRAY,
  type Chunk,
  DATA_PAGE,
  dictionary,
  dictPage,
  DOUBLE,
  INT64,
  page,
  PLAIN,
  RLE_DICTIONARY,
  stringDictPage,
} from "./_parquet_file.ts";
import { bitWidth, writeHybridPiece, writeHybridRuns } from "./_parquet_rle.ts";
import { quantizeValue } from "./quantize_value.ts";

/** Rows in blocks of one timestamp, their series numbered by the caller (the row buffer). */
export interface ParquetBlockRows {
  /** Per block, its timestamp (ms since the epoch, an integer). */
  blockTs: ArrayLike<number>;
  /** Block `b` holds rows `blockStart[b] … blockStart[b + 1]`: one entry more than blocks. */
  blockStart: ArrayLike<number>;
  /**
   * Per block, 1 where its rows have the series of the block before, in the same order (which
   * lets the encoder copy that block's bytes), else 0. A 1 that does not hold writes the
   * wrong series: only a caller that knows (the row buffer, from the sampler's layout) sets it.
   */
  repeat: ArrayLike<number>;
  /** Per row, the number of its series: an index into `metric` and `labels`. */
  series: Uint32Array;
  /** Per series number, the metric. */
  metric: readonly string[];
  /** Per series number, the canonical label string. */
  labels: readonly string[];
  /** Per row, the value (finite); rounded by `quantizeValue` with `quantize`. */
  value: Float64Array;
  /** Round each value by `quantizeValue` (the lake's rule). Default false. */
  quantize?: boolean;
}

/**
 * Encodes rows given in blocks as one Parquet file (one row group, uncompressed) with the
 * lake's raw schema (`ts`, `metric`, `labels`, `value`; see `parquetEncodeRows`), rows in the
 * order given.
 *
 * @param rows The rows.
 * @param createdBy The file's `created_by`. Default `"perfscope"`.
 * @returns The file's bytes.
 * @throws {RangeError} If the blocks do not fit the columns, a repeated block differs in length
 *   from the one before, a series number is out of range or a timestamp is not an integer.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parquetReadObjects } from "hyparquet";
 * import { parquetEncodeBlocks } from "./parquet_encode_blocks.ts";
 * const bytes = parquetEncodeBlocks({
 *   blockTs: [1000, 2000],
 *   blockStart: [0, 2, 4],
 *   repeat: [0, 1],
 *   series: new Uint32Array([1, 0, 1, 0]),
 *   metric: ["m", "m"],
 *   labels: ["a=1", "a=2"],
 *   value: new Float64Array([1, 2, 3, 4]),
 * });
 * const rows = await parquetReadObjects({ file: bytes.slice().buffer });
 * assert.deepEqual(rows.map((r) => [(r.ts as Date).getTime(), r.labels, r.value]), [
 *   [1000, "a=2", 1],
 *   [1000, "a=1", 2],
 *   [2000, "a=2", 3],
 *   [2000, "a=1", 4],
 * ]);
 * ```
 */
export function parquetEncodeBlocks(
  rows: ParquetBlockRows,
  createdBy = "perfscope",
): Uint8Array {
  const chunks = blockChunks(rows);
  return assemble(chunks, chunks.n, createdBy);
}

/**
 * {@linkcode parquetEncodeBlocks} as the pieces of the file, in order (concatenated, they are
 * its bytes): what the flush writes one after the other, never holding the whole file.
 *
 * @param rows The rows.
 * @param createdBy The file's `created_by`. Default `"perfscope"`.
 * @returns The pieces.
 * @throws {RangeError} As {@linkcode parquetEncodeBlocks}.
 */
export function parquetEncodeBlockParts(
  rows: ParquetBlockRows,
  createdBy = "perfscope",
): Uint8Array[] {
  const chunks = blockChunks(rows);
  return assembleParts(chunks, chunks.n, createdBy);
}

/** The column chunks of the rows, and how many rows. */
function blockChunks(rows: ParquetBlockRows): Chunk[] & { n: number } {
  const { blockTs, blockStart, repeat, series } = rows;
  const blocks = blockTs.length;
  const n = blocks > 0 ? blockStart[blocks]! : 0;
  const count = rows.metric.length;
  if (
    blockStart.length !== blocks + 1 || repeat.length < blocks || series.length < n ||
    rows.value.length < n || rows.labels.length !== count || (blocks > 0 && blockStart[0] !== 0)
  ) {
    throw new RangeError(`Invalid blocks: columns of unequal length (${blocks} blocks)`);
  }
  // The series used, from the blocks that are not repeats (the others have the same).
  const used = new Uint8Array(count);
  let min = Infinity;
  let max = -Infinity;
  for (let b = 0; b < blocks; b++) {
    const from = blockStart[b]!;
    const to = blockStart[b + 1]!;
    if (!(to >= from)) throw new RangeError(`Invalid blocks: block ${b} ends before it starts`);
    const t = blockTs[b]!;
    if (!Number.isInteger(t)) throw new RangeError(`Invalid ts: ${t}`);
    if (to > from) {
      if (t < min) min = t;
      if (t > max) max = t;
    }
    if (isRepeat(rows, b)) continue;
    for (let i = from; i < to; i++) {
      const s = series[i]!;
      if (s >= count) throw new RangeError(`Invalid series number: ${s}`);
      used[s] = 1;
    }
  }
  const live: number[] = [];
  for (let s = 0; s < count; s++) if (used[s]) live.push(s);
  const m = dictionary(live.map((s) => rows.metric[s]!), live.length);
  const l = dictionary(live.map((s) => rows.labels[s]!), live.length);
  const metricId = new Uint32Array(count);
  const labelsId = new Uint32Array(count);
  for (let j = 0; j < live.length; j++) {
    metricId[live[j]!] = m.ids[j]!;
    labelsId[live[j]!] = l.ids[j]!;
  }

  // Timestamps: a dictionary of the blocks' times, one run of the block's entry per block.
  const tsKeys = [...new Set(Array.from(blockTs))].sort((a, b) => a - b);
  const tsRank = new Map(tsKeys.map((t, k) => [t, k]));
  const runValue = new Uint32Array(blocks);
  const runLength = new Uint32Array(blocks);
  let runs = 0;
  for (let b = 0; b < blocks; b++) {
    const len = blockStart[b + 1]! - blockStart[b]!;
    if (len === 0) continue;
    runValue[runs] = tsRank.get(blockTs[b]!)!;
    runLength[runs++] = len;
  }
  const tsWidth = bitWidth(tsKeys.length);
  const tsBody = new ByteWriter(64 + 8 * runs);
  tsBody.byte(tsWidth);
  writeHybridRuns(tsBody, runValue, runLength, runs, tsWidth);

  // Metric and labels: each block encoded on its own (no padding between blocks), or copied.
  const mWidth = bitWidth(m.keys.length);
  const lWidth = bitWidth(l.keys.length);
  const mBody = new ByteWriter(64 + Math.ceil((n * mWidth) / 8) + (n >> 2));
  const lBody = new ByteWriter(64 + Math.ceil((n * lWidth) / 8) + (n >> 2));
  mBody.byte(mWidth);
  lBody.byte(lWidth);
  let mIds = new Uint32Array(0);
  let lIds = new Uint32Array(0);
  let mLast = new Uint8Array(0);
  let lLast = new Uint8Array(0);
  for (let b = 0; b < blocks; b++) {
    const from = blockStart[b]!;
    const len = blockStart[b + 1]! - from;
    if (len === 0) continue;
    if (isRepeat(rows, b)) {
      mBody.append(mLast);
      lBody.append(lLast);
      continue;
    }
    if (mIds.length < len) mIds = new Uint32Array(len), lIds = new Uint32Array(len);
    for (let k = 0; k < len; k++) {
      const s = series[from + k]!;
      mIds[k] = metricId[s]!;
      lIds[k] = labelsId[s]!;
    }
    const mAt = mBody.pos;
    const lAt = lBody.pos;
    writeHybridPiece(mBody, mIds, len, mWidth);
    writeHybridPiece(lBody, lIds, len, lWidth);
    mLast = mBody.buf.slice(mAt, mBody.pos);
    lLast = lBody.buf.slice(lAt, lBody.pos);
  }

  const values = rows.value.slice(0, n);
  if (rows.quantize) {
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      // small whole numbers (counts, most gauges) need no rounding, nor a call
      if ((v | 0) !== v) values[i] = quantizeValue(v);
    }
  }
  const chunks: Chunk[] & { n: number } = Object.assign(
    [
      {
        name: "ts",
        type: INT64,
        dict: dictPage(tsKeys.length, (w) => {
          for (const t of tsKeys) w.i64le(t);
        }),
        data: page(DATA_PAGE, n, RLE_DICTIONARY, tsBody.bytes()),
        ...(n > 0 ? { stats: [min, max] as [number, number] } : {}),
      },
      {
        name: "metric",
        type: BYTE_ARRAY,
        dict: stringDictPage(m.keys),
        data: page(DATA_PAGE, n, RLE_DICTIONARY, mBody.bytes()),
      },
      {
        name: "labels",
        type: BYTE_ARRAY,
        dict: stringDictPage(l.keys),
        data: page(DATA_PAGE, n, RLE_DICTIONARY, lBody.bytes()),
      },
      {
        name: "value",
        type: DOUBLE,
        dict: undefined,
        // Float64Array bytes are little-endian on every platform Deno runs on.
        data: page(DATA_PAGE, n, PLAIN, new Uint8Array(values.buffer, 0, n * 8)),
      },
    ] satisfies Chunk[],
    { n },
  );
  return chunks;
}

/** Whether block `b` repeats the series of a block before it (checked: same length). */
function isRepeat(rows: ParquetBlockRows, b: number): boolean {
  const len = rows.blockStart[b + 1]! - rows.blockStart[b]!;
  if (b === 0 || rows.repeat[b] !== 1 || len === 0) return false;
  // the block before with rows (empty blocks between are skipped by the encoder, too)
  let a = b - 1;
  while (a > 0 && rows.blockStart[a + 1] === rows.blockStart[a]) a--;
  if (rows.blockStart[a + 1]! - rows.blockStart[a]! !== len) {
    throw new RangeError(`Invalid blocks: block ${b} repeats a block of another length`);
  }
  return true;
}
