/**
 * A hand-written remote write 1.0 body encoder for the sender's hot path: it writes the protobuf
 * bytes and their Snappy block stream in one pass, without searching for matches. The library
 * path ({@linkcode encodeWriteRequest}: `pbf`, then `snappyjs`) misses the collector's CPU
 * budget when V8 runs interpreted (`--lite-mode`): a 5-second batch of ~180 series costs
 * ~10 ms there, most of it in Snappy's byte-by-byte hashing. This encoder knows where the
 * repeats are instead of looking for them (bench/remote_write_bench.ts prints both side by side):
 *
 * - a label pair already written in this request (`host=…`, `__name__=…` of several series) is a
 *   Snappy copy of its last occurrence;
 * - a sample whose value equals the same second's value in the previous series, or is 0 as an
 *   earlier series' at that second, is one copy of that sample; otherwise its timestamp is a copy of the previous series' (the series of a
 *   batch share their seconds), and its value a copy of the series' previous sample, or of an
 *   earlier zero, when equal;
 * - adjacent copies from the same distance merge, so runs of equal series cost a few bytes.
 *
 * The label pairs' protobuf bytes are kept per label array (a `WeakMap`: the sender keeps one
 * array per series), so stable series are not encoded again each request. The input is
 * columnar, as the spool holds it: one array of values per second, one entry per series.
 *
 * @module
 */

import { encodeWriteRequest, type WriteSeries } from "./encode_write_request.ts";

/** Label pairs `[name, value]`, sorted by name. */
export type WriteLabels = WriteSeries["labels"];

/** A batch in columns: `values[k][j]` is series `j`'s value at `ts[k]` (`NaN`: none). */
export interface WriteColumns {
  /** One label array per series (kept by the caller: the encoder caches by its identity). */
  labels: readonly WriteLabels[];
  /** Times, ms since the epoch, ascending. */
  ts: readonly number[];
  /** One array per time, one value per series. */
  values: readonly ArrayLike<number>[];
}

/** A series' label pairs as protobuf `Label` fields, with where each pair ends. */
interface LabelBytes {
  bytes: Uint8Array;
  ends: Int32Array;
  /** Where each pair's value starts (its head ends: tags, name, lengths). */
  headEnds: Int32Array;
  /** Numbers from the encoder's table of that epoch: per distinct pair, per distinct head
   * (name and value length), per distinct value of 4 bytes or more (-1 for shorter ones: a
   * copy would not be shorter). */
  ids: Int32Array;
  heads: Int32Array;
  values: Int32Array;
  epoch: number;
}

const utf8 = new TextEncoder();
// Protobuf tags (field << 3 | wire type) of prompb's WriteRequest, TimeSeries, Label, Sample.
const TAG_TIMESERIES = 0x0a; // WriteRequest.timeseries = 1, length-delimited
const TAG_LABEL = 0x0a; // TimeSeries.labels = 1
const TAG_SAMPLE = 0x12; // TimeSeries.samples = 2
const TAG_NAME = 0x0a; // Label.name = 1
const TAG_VALUE = 0x12; // Label.value = 2
const TAG_DOUBLE = 0x09; // Sample.value = 1, 64-bit
const TAG_TIMESTAMP = 0x10; // Sample.timestamp = 2, varint
/** Bytes of a sample before its timestamp varint: tag, length, double tag, 8 value bytes. */
const HEAD = 11;
/** Room for the Snappy preamble (the uncompressed length as a varint) before the elements. */
const PREAMBLE = 5;
/** Options of {@linkcode WriteRequestEncoder}. */
export interface WriteRequestEncoderOptions {
  /** Distinct label pairs, heads and values remembered before the table starts again between
   * two requests (bounds memory when series come and go). Default `262144`. */
  maxPairs?: number;
}

/**
 * Encodes remote write requests (protobuf + Snappy) with a per-label-array cache; one instance
 * per sender.
 */
export class WriteRequestEncoder {
  #maxPairs: number;
  #labels = new WeakMap<object, LabelBytes>();
  #pairIds = new Map<string, number>();
  #epoch = 0;
  #pairGen = new Int32Array(1024);
  #pairPos = new Int32Array(1024);
  #gen = 0;
  #raw = new Uint8Array(1 << 16);
  #view = new DataView(this.#raw.buffer);
  #out = new Uint8Array(1 << 16);

  /**
   * @param options See {@linkcode WriteRequestEncoderOptions}.
   * @throws {RangeError} If `maxPairs` is not a positive integer.
   */
  constructor(options: WriteRequestEncoderOptions = {}) {
    const max = options.maxPairs ?? 1 << 18;
    if (!(Number.isInteger(max) && max > 0)) throw new RangeError(`Invalid maxPairs: ${max}`);
    this.#maxPairs = max;
  }

  /**
   * Encodes series as a remote write 1.0 request body.
   *
   * @param series The series (labels sorted by name; times ascending).
   * @returns The body.
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { decodeWriteRequest } from "./encode_write_request.ts";
   * import { WriteRequestEncoder } from "./write_request_encoder.ts";
   * const labels: [string, string][] = [["__name__", "up"], ["host", "h"]];
   * const series = [{ labels, ts: [1000, 2000], values: [1, 1] }];
   * assert.deepEqual(decodeWriteRequest(new WriteRequestEncoder().encode(series)), series);
   * ```
   */
  encode(series: readonly WriteSeries[]): Uint8Array {
    const times = [...new Set(series.flatMap((s) => s.ts))].sort((a, b) => a - b);
    const column = new Map(times.map((t, k) => [t, k]));
    const values = times.map(() => new Float64Array(series.length).fill(NaN));
    for (let j = 0; j < series.length; j++) {
      const s = series[j]!;
      // a time twice in one series does not fit in columns: the library takes it as it is
      if (new Set(s.ts).size !== s.ts.length) return encodeWriteRequest(series);
      s.ts.forEach((t, i) => values[column.get(t)!]![j] = s.values[i]!);
    }
    return this.encodeColumns({ labels: series.map((s) => s.labels), ts: times, values }).body;
  }

  /**
   * Encodes a batch in columns as a remote write 1.0 request body. Series without a value are
   * left out.
   *
   * @param columns The batch.
   * @returns The body and the number of samples in it.
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { decodeWriteRequest } from "./encode_write_request.ts";
   * import { WriteRequestEncoder } from "./write_request_encoder.ts";
   * const labels: [string, string][][] = [[["__name__", "a"]], [["__name__", "b"]]];
   * const { body, samples } = new WriteRequestEncoder().encodeColumns({
   *   labels,
   *   ts: [1000, 2000],
   *   values: [new Float64Array([1, NaN]), new Float64Array([2, NaN])],
   * });
   * assert.equal(samples, 2);
   * assert.deepEqual(decodeWriteRequest(body), [{ labels: labels[0], ts: [1000, 2000], values: [1, 2] }]);
   * ```
   */
  encodeColumns(columns: WriteColumns): { body: Uint8Array; samples: number } {
    const { labels, ts, values } = columns;
    const n = ts.length;
    const widths = new Int32Array(n);
    let maxWidth = 1;
    for (let k = 0; k < n; k++) {
      const t = ts[k]!;
      // negative or fractional times are not what the spool holds: the library handles them
      if (!(t >= 0 && Number.isSafeInteger(t))) return libraryColumns(columns);
      widths[k] = varintLength(t);
      if (widths[k]! > maxWidth) maxWidth = widths[k]!;
    }
    if (this.#pairIds.size >= this.#maxPairs) {
      // series come and go (processes): forget every pair and the label bytes numbered by them,
      // only between requests (a request's pair numbers must all be of one table)
      this.#pairIds.clear();
      this.#epoch++;
    }
    const cached: LabelBytes[] = new Array(labels.length);
    let bound = 16;
    for (let j = 0; j < labels.length; j++) {
      const lb = cached[j] = this.#labelBytes(labels[j]!);
      bound += lb.bytes.length + 11 + n * (12 + maxWidth);
    }
    this.#reserve(bound);
    const raw = this.#raw;
    const view = this.#view;
    const out = this.#out;
    const gen = ++this.#gen;
    const pairGen = this.#pairGen;
    const pairPos = this.#pairPos;
    /** Per time: where its last sample starts (uncompressed) and that sample's value. */
    const slotStart = new Int32Array(n).fill(-1);
    const slotValue = new Float64Array(n);
    /** Per time, and per timestamp width: where the last sample of value +0 starts. */
    const zeroAt = new Int32Array(n).fill(-1);
    const zeroStart = new Int32Array(12).fill(-1);
    let rp = 0; // uncompressed bytes so far
    let op = PREAMBLE; // compressed bytes so far
    let lit = -1; // where the pending literal starts (-1: none)
    let copyOffset = 0;
    let copyLength = 0; // pending copy (0: none)
    let samples = 0;
    let prevSeries = -1;
    let prevLength = -1;
    for (let j = 0; j < cached.length; j++) {
      const lb = cached[j]!;
      let length = lb.bytes.length;
      for (let k = 0; k < n; k++) {
        const v = values[k]![j]!;
        if (v === v) length += 12 + widths[k]!;
      }
      if (length === lb.bytes.length) continue; // no value at all: not sent
      // series header: a copy of the previous series' when as long (the copy then runs on
      // through the label pairs they share), else literal
      const seriesStart = rp;
      if (length === prevLength) {
        if (lit >= 0) op = emitLiteral(out, op, raw, lit, rp), lit = -1;
        const offset = rp - prevSeries;
        const len = 1 + varintLength(length);
        if (copyLength > 0 && copyOffset === offset) copyLength += len;
        else {
          if (copyLength > 0) op = emitCopy(out, op, copyOffset, copyLength);
          copyOffset = offset;
          copyLength = len;
        }
        rp += len;
      } else {
        if (copyLength > 0) op = emitCopy(out, op, copyOffset, copyLength), copyLength = 0;
        if (lit < 0) lit = rp;
        raw[rp] = TAG_TIMESERIES;
        rp += 1 + writeUvarint(raw, rp + 1, length);
      }
      prevSeries = seriesStart;
      prevLength = length;
      // label pairs: a copy of the same pair's last occurrence; else its head (tags, name and
      // lengths) and its value each a copy of an earlier one when there is one, else literal
      let from = 0;
      for (let p = 0; p < lb.ids.length; p++) {
        const to = lb.ends[p]!;
        const id = lb.ids[p]!;
        const head = lb.heads[p]!;
        const headLength = lb.headEnds[p]! - from;
        const value = lb.values[p]!;
        const pairStart = rp;
        const whole = pairGen[id] === gen;
        pairGen[id] = gen;
        for (let part = whole ? 2 : 0; part < 3; part++) {
          // part 0: the head, 1: the value, 2: the whole pair
          let src = -1;
          let len: number;
          if (part === 2) {
            if (!whole) break;
            src = pairPos[id]!;
            len = to - from;
          } else if (part === 0) {
            if (pairGen[head] === gen) src = pairPos[head]!;
            pairGen[head] = gen;
            len = headLength;
          } else {
            if (value >= 0 && pairGen[value] === gen) src = pairPos[value]!;
            if (value >= 0) pairGen[value] = gen;
            len = to - from - headLength;
          }
          if (src >= 0) {
            if (lit >= 0) op = emitLiteral(out, op, raw, lit, rp), lit = -1;
            const offset = rp - src;
            if (copyLength > 0 && copyOffset === offset) copyLength += len;
            else {
              if (copyLength > 0) op = emitCopy(out, op, copyOffset, copyLength);
              copyOffset = offset;
              copyLength = len;
            }
          } else {
            if (copyLength > 0) op = emitCopy(out, op, copyOffset, copyLength), copyLength = 0;
            if (lit < 0) lit = rp;
            const at = part === 0 ? from : from + headLength;
            raw.set(lb.bytes.subarray(at, at + len), rp);
          }
          rp += len;
          if (part === 1) break;
        }
        pairPos[id] = pairStart;
        pairPos[head] = pairStart;
        if (value >= 0) pairPos[value] = pairStart + headLength;
        from = to;
      }
      let prevStart = -1;
      let prevValue = NaN;
      let prevWidth = 0;
      for (let k = 0; k < n; k++) {
        const v = values[k]![j]!;
        if (v !== v) continue;
        samples++;
        const w = widths[k]!;
        const start = rp;
        const before = slotStart[k]!;
        const sv = slotValue[k]!;
        // where this sample's bytes can be copied from, and how many (0: written as a literal)
        let src = -1;
        let len = 0;
        const zero = v === 0 && 1 / v > 0;
        if (before >= 0 && sv === v && (v !== 0 || 1 / sv === 1 / v)) {
          src = before;
          len = 12 + w;
        } else if (zero && zeroAt[k]! >= 0) {
          src = zeroAt[k]!;
          len = 12 + w;
        } else if (prevWidth === w && prevValue === v && (v !== 0 || 1 / prevValue === 1 / v)) {
          src = prevStart;
          len = HEAD;
        } else if (zero && zeroStart[w]! >= 0) {
          src = zeroStart[w]!;
          len = HEAD;
        }
        if (len > 0) {
          if (lit >= 0) op = emitLiteral(out, op, raw, lit, rp), lit = -1;
          const offset = rp - src;
          if (copyLength > 0 && copyOffset === offset) copyLength += len;
          else {
            if (copyLength > 0) op = emitCopy(out, op, copyOffset, copyLength);
            copyOffset = offset;
            copyLength = len;
          }
          rp += len;
        } else {
          if (copyLength > 0) op = emitCopy(out, op, copyOffset, copyLength), copyLength = 0;
          if (lit < 0) lit = rp;
          raw[rp] = TAG_SAMPLE;
          raw[rp + 1] = HEAD - 1 + w; // double tag, 8 bytes, timestamp tag, varint
          raw[rp + 2] = TAG_DOUBLE;
          view.setFloat64(rp + 3, v, true);
          rp += HEAD;
        }
        if (len !== 12 + w) {
          // the timestamp: a copy of the same time's in an earlier series, else literal
          if (before >= 0) {
            if (lit >= 0) op = emitLiteral(out, op, raw, lit, rp), lit = -1;
            const offset = rp - (before + HEAD);
            if (copyLength > 0 && copyOffset === offset) copyLength += 1 + w;
            else {
              if (copyLength > 0) op = emitCopy(out, op, copyOffset, copyLength);
              copyOffset = offset;
              copyLength = 1 + w;
            }
            rp += 1 + w;
          } else {
            if (copyLength > 0) op = emitCopy(out, op, copyOffset, copyLength), copyLength = 0;
            if (lit < 0) lit = rp;
            raw[rp] = TAG_TIMESTAMP;
            rp += 1 + writeUvarint(raw, rp + 1, ts[k]!);
          }
        }
        if (zero) zeroStart[w] = zeroAt[k] = start;
        slotStart[k] = start;
        slotValue[k] = v;
        prevStart = start;
        prevValue = v;
        prevWidth = w;
      }
    }
    if (lit >= 0) op = emitLiteral(out, op, raw, lit, rp);
    if (copyLength > 0) op = emitCopy(out, op, copyOffset, copyLength);
    // the preamble goes right before the first element
    const w = varintLength(rp);
    writeUvarint(out, PREAMBLE - w, rp);
    const body = out.slice(PREAMBLE - w, op);
    if (this.#raw.length > 1 << 20) {
      // a catch-up batch after an outage grew the buffers: do not keep megabytes for 5 s batches
      this.#raw = new Uint8Array(1 << 16);
      this.#view = new DataView(this.#raw.buffer);
      this.#out = new Uint8Array(1 << 16);
    }
    return { body, samples };
  }

  #labelBytes(labels: WriteLabels): LabelBytes {
    const cached = this.#labels.get(labels);
    if (cached && cached.epoch === this.#epoch) return cached;
    const parts: Uint8Array[] = [];
    const ends = new Int32Array(labels.length);
    const ids = new Int32Array(labels.length);
    const headEnds = new Int32Array(labels.length);
    const heads = new Int32Array(labels.length);
    const values = new Int32Array(labels.length);
    let total = 0;
    for (let i = 0; i < labels.length; i++) {
      const [name, value] = labels[i]!;
      const n = utf8.encode(name);
      const v = utf8.encode(value);
      const inner = 2 + varintLength(n.length) + n.length + varintLength(v.length) + v.length;
      const pair = new Uint8Array(1 + varintLength(inner) + inner);
      let at = writeTag(pair, 0, TAG_LABEL, inner);
      at += writeTag(pair, at, TAG_NAME, n.length);
      pair.set(n, at);
      at += n.length;
      at += writeTag(pair, at, TAG_VALUE, v.length);
      headEnds[i] = total + at;
      pair.set(v, at);
      parts.push(pair);
      ends[i] = total += pair.length;
      ids[i] = this.#pairId(`p${name.length}:${name}${value}`);
      heads[i] = this.#pairId(`h${name.length}:${name}${v.length}`);
      values[i] = v.length >= 4 ? this.#pairId(`v${value}`) : -1;
    }
    const bytes = new Uint8Array(total);
    for (let i = 0; i < parts.length; i++) bytes.set(parts[i]!, i === 0 ? 0 : ends[i - 1]!);
    const entry = { bytes, ends, headEnds, ids, heads, values, epoch: this.#epoch };
    this.#labels.set(labels, entry);
    return entry;
  }

  #pairId(key: string): number {
    let id = this.#pairIds.get(key);
    if (id !== undefined) return id;
    id = this.#pairIds.size;
    this.#pairIds.set(key, id);
    if (id >= this.#pairGen.length) {
      const gen = new Int32Array(this.#pairGen.length * 2);
      gen.set(this.#pairGen);
      this.#pairGen = gen;
      const pos = new Int32Array(this.#pairPos.length * 2);
      pos.set(this.#pairPos);
      this.#pairPos = pos;
    }
    return id;
  }

  /** Makes room for `n` uncompressed bytes and their worst-case compressed form. */
  #reserve(n: number): void {
    if (n > this.#raw.length) {
      this.#raw = new Uint8Array(Math.max(n, this.#raw.length * 2));
      this.#view = new DataView(this.#raw.buffer);
    }
    // a 2-byte timestamp as a 5-byte copy is the worst case: 2.5 times
    const worst = PREAMBLE + Math.ceil(2.5 * n) + 16;
    if (worst > this.#out.length) this.#out = new Uint8Array(Math.max(worst, this.#out.length * 2));
  }
}

/** Appends a Snappy literal element of `raw[from, to)`; returns the new output length. */
function emitLiteral(out: Uint8Array, op: number, raw: Uint8Array, from: number, to: number) {
  const n = to - from;
  const m = n - 1;
  // up to 60 bytes: the length is in the tag; else 1–4 length bytes follow it
  if (n <= 60) {
    out[op++] = m << 2;
  } else if (n <= 0x100) {
    out[op++] = 60 << 2;
    out[op++] = m;
  } else if (n <= 0x10000) {
    out[op++] = 61 << 2;
    out[op++] = m & 0xff;
    out[op++] = m >> 8;
  } else if (n <= 0x1000000) {
    out[op++] = 62 << 2;
    out[op++] = m & 0xff;
    out[op++] = (m >> 8) & 0xff;
    out[op++] = m >> 16;
  } else {
    out[op++] = 63 << 2;
    out[op++] = m & 0xff;
    out[op++] = (m >> 8) & 0xff;
    out[op++] = (m >> 16) & 0xff;
    out[op++] = m >>> 24;
  }
  out.set(raw.subarray(from, to), op);
  return op + n;
}

/** Appends Snappy copy elements (`length` bytes from `offset` back); returns the new length. */
function emitCopy(out: Uint8Array, op: number, offset: number, length: number): number {
  while (length > 0) {
    if (length >= 4 && length <= 11 && offset < 2048) {
      // the 2-byte form: 3 offset bits in the tag
      out[op++] = ((offset >> 8) << 5) | ((length - 4) << 2) | 1;
      out[op++] = offset & 0xff;
      return op;
    }
    // at most 64 per element; a tail under 4 would miss the 2-byte form, so leave 4 or more
    const n = length > 64 ? (length - 64 < 4 ? 60 : 64) : length;
    if (offset < 0x10000) {
      out[op++] = ((n - 1) << 2) | 2;
      out[op++] = offset & 0xff;
      out[op++] = offset >> 8;
    } else {
      out[op++] = ((n - 1) << 2) | 3;
      out[op++] = offset & 0xff;
      out[op++] = (offset >> 8) & 0xff;
      out[op++] = (offset >> 16) & 0xff;
      out[op++] = offset >>> 24;
    }
    length -= n;
  }
  return op;
}

/** The library path for what this encoder does not take (times that are not whole, ≥ 0). */
function libraryColumns(columns: WriteColumns): { body: Uint8Array; samples: number } {
  const series: WriteSeries[] = [];
  let samples = 0;
  columns.labels.forEach((labels, j) => {
    const s = { labels, ts: [] as number[], values: [] as number[] };
    columns.ts.forEach((t, k) => {
      const v = columns.values[k]![j]!;
      if (v === v) s.ts.push(t), s.values.push(v);
    });
    samples += s.ts.length;
    if (s.ts.length > 0) series.push(s);
  });
  return { body: encodeWriteRequest(series), samples };
}

function varintLength(n: number): number {
  let w = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    w++;
  }
  return w;
}

/** Writes an unsigned varint at `at`; returns its length. */
function writeUvarint(buf: Uint8Array, at: number, n: number): number {
  let i = at;
  while (n >= 128) {
    buf[i++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  buf[i++] = n;
  return i - at;
}

/** Writes a one-byte tag and a length varint at `at`; returns the bytes written. */
function writeTag(buf: Uint8Array, at: number, tag: number, length: number): number {
  buf[at] = tag;
  return 1 + writeUvarint(buf, at + 1, length);
}
