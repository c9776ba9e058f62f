/**
 * The byte format of the ingest spool (`DATA/spool_ingest/<id>.ispool`): pushed samples in a
 * compact binary form, about 4–12 bytes a sample instead of the ~90 of their JSON lines, so the
 * spool written before each answer costs little disk and little I/O.
 *
 * A segment starts with the 8 bytes `PSINGS1\n`, then one record per accepted request:
 * a 16-byte header (u32 magic `ISR1`, u32 payload bytes, u32 CRC-32 of the payload, u32 rows),
 * then the payload:
 * - f64 base ts;
 * - varint count of series new to the segment, each a varint length and the UTF-8 JSON
 *   `[host, metric, labels]` (numbered 0, 1, 2… across the segment, in order);
 * - per row: varint `series × 4 + kind`, zigzag varint of `ts − previous ts` (the base for the
 *   first row), then the value by kind: 0 none (`NaN`), 1 an integer as a zigzag varint,
 *   2 a float32 that holds it exactly, 3 a float64.
 *
 * A record is written with one `write(2)`, so `kill -9` leaves at most a torn last record, which
 * is dropped on replay (the request was never answered). A record whose checksum does not match,
 * or whose size runs past the end of the file while another record header follows, is damage:
 * the decoding stops there and the bytes after it are counted.
 *
 * @module
 */
import { crc32 as zlibCrc32 } from "node:zlib";
import type { IngestBatch } from "./ingest_lines.ts";

/** The first bytes of every binary ingest segment. */
export const INGEST_SPOOL_MAGIC: Uint8Array = new TextEncoder().encode("PSINGS1\n");
const RECORD_MAGIC = 0x31525349; // "ISR1" little-endian
const HEADER = 16;

/**
 * CRC-32 (IEEE) of bytes: node:zlib's native one, 25–40× faster on the spool's kilobyte payloads
 * than the slicing-by-8 table loop it replaced (measured side by side on 6 and 60 KB).
 *
 * @param bytes The bytes.
 * @returns The checksum as an unsigned 32-bit number.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crc32 } from "./ingest_spool_format.ts";
 * assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
 * ```
 */
export function crc32(bytes: Uint8Array): number {
  return zlibCrc32(bytes);
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder("utf-8", { fatal: true });
const TWO_49 = 2 ** 49;

/**
 * Turns accepted batches into records of one segment, numbering its series. A record's new
 * series count as defined only once {@linkcode IngestSpoolEncoder.commit} says the record is
 * on disk, so a failed write never leaves later records pointing at an undefined series.
 */
export class IngestSpoolEncoder {
  #series = new Map<string, Map<string, Map<string, number>>>();
  #count = 0;
  #fresh: [string, string, string][] = [];
  #buf = new Uint8Array(1 << 16);
  #view = new DataView(this.#buf.buffer);
  /** Each row's series number, reused from batch to batch. */
  #numbers = new Uint32Array(1024);

  /** Series defined in the segment so far. */
  get series(): number {
    return this.#count;
  }

  #reserve(end: number): void {
    if (end <= this.#buf.length) return;
    const bigger = new Uint8Array(Math.max(end, this.#buf.length * 2));
    bigger.set(this.#buf);
    this.#buf = bigger;
    this.#view = new DataView(bigger.buffer);
  }

  /** Numbers the rows' series into `#numbers`, new ones into `#fresh`. A batch repeats one host
   * and runs of one metric: their maps are looked up when they change, not per row. */
  #numberRows(batch: IngestBatch, n: number): Uint32Array {
    if (this.#numbers.length < n) {
      this.#numbers = new Uint32Array(Math.max(n, this.#numbers.length * 2));
    }
    const numbers = this.#numbers;
    let host: string | undefined, metric: string | undefined, labels: string | undefined;
    let byMetric!: Map<string, Map<string, number>>;
    let byLabels!: Map<string, number>;
    let k = 0;
    for (let i = 0; i < n; i++) {
      const h = batch.host[i]!, m = batch.metric[i]!, l = batch.labels[i]!;
      if (h !== host) {
        const known = this.#series.get(h);
        if (known === undefined) this.#series.set(h, byMetric = new Map());
        else byMetric = known;
        host = h, metric = undefined;
      }
      if (m !== metric) {
        const known = byMetric.get(m);
        if (known === undefined) byMetric.set(m, byLabels = new Map());
        else byLabels = known;
        metric = m, labels = undefined;
      }
      if (l !== labels) {
        const known = byLabels.get(l);
        if (known === undefined) {
          k = this.#count + this.#fresh.length;
          byLabels.set(l, k);
          this.#fresh.push([h, m, l]);
        } else k = known;
        labels = l;
      }
      numbers[i] = k;
    }
    return numbers;
  }

  /**
   * Encodes one batch as a record (call {@linkcode commit} or {@linkcode rollback} after writing
   * it, before the next call).
   *
   * @param batch Validated samples, `ts` whole ms.
   * @returns The record, a view of an internal buffer that the next call overwrites.
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { decodeIngestSegment, INGEST_SPOOL_MAGIC, IngestSpoolEncoder } from "./ingest_spool_format.ts";
   * const enc = new IngestSpoolEncoder();
   * const batch = { ts: [1e12, 1e12], host: ["h", "h"], metric: ["m", "m"], labels: ["a=1", "a=2"], value: [1, 0.5] };
   * const record = enc.encode(batch).slice();
   * enc.commit();
   * const { batches } = decodeIngestSegment(new Uint8Array([...INGEST_SPOOL_MAGIC, ...record]));
   * assert.deepEqual(batches, [batch]);
   * ```
   */
  encode(batch: IngestBatch): Uint8Array {
    const n = batch.ts.length;
    if (this.#fresh.length !== 0) this.rollback();
    const numbers = this.#numberRows(batch, n);
    let pos = HEADER;
    this.#reserve(pos + 8 + 10);
    const base = n > 0 ? batch.ts[0]! : 0;
    this.#view.setFloat64(pos, base, true);
    pos += 8;
    pos = writeVarint(this.#buf, pos, this.#fresh.length);
    for (const s of this.#fresh) {
      // straight into the buffer: at most 3 bytes a UTF-16 unit, behind a length prefix sized for
      // the units (UTF-8 never has fewer bytes than units; moved along in the rare case of more)
      const text = JSON.stringify(s);
      this.#reserve(pos + 20 + 3 * text.length);
      const at = writeVarint(this.#buf, pos, text.length);
      const { written } = utf8.encodeInto(text, this.#buf.subarray(at));
      let start = at;
      if (written !== text.length) {
        // the text moves first: a longer prefix written where it is would overwrite its start
        start = pos + 1;
        for (let v = written; v >= 128; v = Math.floor(v / 128)) start++;
        if (start !== at) this.#buf.copyWithin(start, at, at + written);
        writeVarint(this.#buf, pos, written);
      }
      pos = start + written;
    }
    // a row takes at most 30 bytes: a series varint, a ts delta and a value of 10 each at most
    this.#reserve(pos + 30 * n);
    const buf = this.#buf, view = this.#view;
    let prevTs = base;
    for (let i = 0; i < n; i++) {
      const v = batch.value[i]!;
      let kind: number;
      if (v !== v) kind = 0;
      else if (Number.isInteger(v) && Math.abs(v) < TWO_49 && !Object.is(v, -0)) kind = 1;
      else if (Math.fround(v) === v) kind = 2;
      else kind = 3;
      pos = writeVarint(buf, pos, numbers[i]! * 4 + kind);
      const ts = batch.ts[i]!;
      const d = ts - prevTs;
      pos = writeVarint(buf, pos, d >= 0 ? d * 2 : -d * 2 - 1);
      prevTs = ts;
      if (kind === 1) pos = writeVarint(buf, pos, v >= 0 ? v * 2 : -v * 2 - 1);
      else if (kind === 2) {
        view.setFloat32(pos, v, true);
        pos += 4;
      } else if (kind === 3) {
        view.setFloat64(pos, v, true);
        pos += 8;
      }
    }
    const payload = buf.subarray(HEADER, pos);
    view.setUint32(0, RECORD_MAGIC, true);
    view.setUint32(4, pos - HEADER, true);
    view.setUint32(8, crc32(payload), true);
    view.setUint32(12, n, true);
    return buf.subarray(0, pos);
  }

  /** The last encoded record is on disk: its new series are defined. */
  commit(): void {
    this.#count += this.#fresh.length;
    this.#fresh = [];
  }

  /** The last encoded record was not written: forget its new series. */
  rollback(): void {
    for (const [h, m, l] of this.#fresh) this.#series.get(h)?.get(m)?.delete(l);
    this.#fresh = [];
  }
}

/** Writes a non-negative integer below 2^53 as a varint at `pos`; returns the end. */
function writeVarint(b: Uint8Array, pos: number, v: number): number {
  // 32-bit steps while it fits (series numbers, small deltas and values), float steps above
  while (v >= 0x80000000) {
    b[pos++] = (v % 128) | 128;
    v = Math.floor(v / 128);
  }
  while (v >= 128) {
    b[pos++] = (v & 127) | 128;
    v >>>= 7;
  }
  b[pos++] = v;
  return pos;
}

/** A segment's complete records, and the bytes after them that are damage, not a torn record. */
export interface IngestSegmentContent {
  /** One batch per record, in order. */
  batches: IngestBatch[];
  /** Bytes from the first damaged record to the end; 0 for a sound segment or one whose last
   * record is only torn (cut short by a crash). */
  undecoded: number;
}

class Reader {
  pos: number;
  constructor(readonly bytes: Uint8Array, readonly view: DataView, start: number) {
    this.pos = start;
  }
  varint(end: number): number {
    let v = 0, scale = 1;
    for (;;) {
      if (this.pos >= end || scale > 2 ** 56) throw new RangeError("Damaged varint");
      const b = this.bytes[this.pos++]!;
      v += (b & 127) * scale;
      if (b < 128) return v;
      scale *= 128;
    }
  }
  zigzag(end: number): number {
    const z = this.varint(end);
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }
}

/** True if a record header with a matching checksum starts anywhere in `bytes[from..]`. */
function recordFollows(bytes: Uint8Array, view: DataView, from: number): boolean {
  for (let at = bytes.indexOf(0x49, from); at >= 0; at = bytes.indexOf(0x49, at + 1)) {
    if (at + HEADER > bytes.length || view.getUint32(at, true) !== RECORD_MAGIC) continue;
    const size = view.getUint32(at + 4, true);
    if (at + HEADER + size > bytes.length) continue;
    if (crc32(bytes.subarray(at + HEADER, at + HEADER + size)) === view.getUint32(at + 8, true)) {
      return true;
    }
  }
  return false;
}

/**
 * Decodes a binary ingest segment read whole.
 *
 * @param bytes The file's bytes.
 * @returns Its records as batches, and the count of damaged bytes (a segment that does not start
 * with {@linkcode INGEST_SPOOL_MAGIC} is damaged whole, except an empty one cut short before
 * its magic was written).
 */
export function decodeIngestSegment(bytes: Uint8Array): IngestSegmentContent {
  const batches: IngestBatch[] = [];
  const records = ingestSegmentRecords(bytes);
  for (let r = records.next();; r = records.next()) {
    if (r.done) return { batches, undecoded: r.value.undecoded };
    batches.push(r.value);
  }
}

/**
 * {@linkcode decodeIngestSegment} a slice at a time: each record's samples are decoded when asked
 * for, at most `sliceRows` of them a batch, so a replay holds one slice decoded at a time and can
 * stop within a large request. A record is checked (CRC-32) before its first slice; one whose
 * contents then fail to decode (which only a faulty writer makes) ends the decoding there as
 * damage, after the slices of it already given.
 *
 * @param bytes The file's bytes.
 * @param sliceRows Most samples a batch (default: a record's all).
 * @returns The samples as batches, in order; when done, the count of damaged bytes (as
 * {@linkcode IngestSegmentContent.undecoded}) and of records decoded whole.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { INGEST_SPOOL_MAGIC, IngestSpoolEncoder, ingestSegmentRecords } from "./ingest_spool_format.ts";
 * const enc = new IngestSpoolEncoder();
 * const record = enc.encode({ ts: [1, 2], host: ["h", "h"], metric: ["m", "m"], labels: ["", ""], value: [2, 3] });
 * const slices = [...ingestSegmentRecords(new Uint8Array([...INGEST_SPOOL_MAGIC, ...record]), 1)];
 * assert.deepEqual(slices.map((b) => b.ts), [[1], [2]]);
 * ```
 */
export function* ingestSegmentRecords(
  bytes: Uint8Array,
  sliceRows = Infinity,
): Generator<IngestBatch, { undecoded: number; records: number }> {
  let records = 0;
  const magic = INGEST_SPOOL_MAGIC;
  const head = Math.min(bytes.length, magic.length);
  for (let i = 0; i < head; i++) {
    if (bytes[i] !== magic[i]) return { undecoded: bytes.length, records };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const series: [string, string, string][] = [];
  let at = magic.length;
  const damaged = () => ({ undecoded: bytes.length - at, records });
  while (at < bytes.length) {
    if (at + HEADER > bytes.length) {
      // a header cut short; anything but the start of one is damage
      const rest = bytes.subarray(at);
      const magicBytes = [0x49, 0x53, 0x52, 0x31];
      const torn = rest.every((b, i) => i >= magicBytes.length || b === magicBytes[i]);
      return torn ? { undecoded: 0, records } : damaged();
    }
    if (view.getUint32(at, true) !== RECORD_MAGIC) return damaged();
    const size = view.getUint32(at + 4, true);
    const end = at + HEADER + size;
    if (end > bytes.length) {
      // cut short by a crash, unless a whole record follows (then the size field is damaged)
      return recordFollows(bytes, view, at + HEADER) ? damaged() : { undecoded: 0, records };
    }
    if (crc32(bytes.subarray(at + HEADER, end)) !== view.getUint32(at + 8, true)) return damaged();
    const rows = view.getUint32(at + 12, true);
    const slices = recordSlices(bytes, view, at + HEADER, end, rows, series, sliceRows);
    for (;;) {
      let next: IteratorResult<IngestBatch, void>;
      try {
        next = slices.next();
      } catch {
        return damaged();
      }
      if (next.done) break;
      yield next.value;
    }
    at = end;
    records++;
  }
  return { undecoded: 0, records };
}

/** Bytes of a record's header (magic, payload size, CRC-32, rows). */
export const INGEST_RECORD_HEADER_BYTES = HEADER;

/**
 * The whole size of the record whose header starts `bytes` (header and payload), for readers
 * that follow a segment a record at a time.
 *
 * @param bytes At least {@linkcode INGEST_RECORD_HEADER_BYTES} bytes from a record's start.
 * @returns The record's size, or `undefined` if the bytes are not a record header (damage).
 */
export function ingestRecordSize(bytes: Uint8Array): number | undefined {
  if (bytes.length < HEADER) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER);
  if (view.getUint32(0, true) !== RECORD_MAGIC) return undefined;
  return HEADER + view.getUint32(4, true);
}

/**
 * Decodes one whole record of a binary ingest segment (see {@linkcode ingestRecordSize}).
 *
 * @param record The record's bytes, header included.
 * @param series The segment's series so far (`[host, metric, labels]`, in order); the series
 * the record defines are appended to it.
 * @returns The record's samples.
 * @throws {RangeError} If the record is damaged (its checksum or its contents); `series` is
 * left as it was.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeIngestRecord, IngestSpoolEncoder } from "./ingest_spool_format.ts";
 * const enc = new IngestSpoolEncoder();
 * const batch = { ts: [1e12], host: ["h"], metric: ["m"], labels: ["a=1"], value: [3] };
 * const record = enc.encode(batch).slice();
 * const series: [string, string, string][] = [];
 * assert.deepEqual(decodeIngestRecord(record, series), batch);
 * assert.deepEqual(series, [["h", "m", "a=1"]]);
 * ```
 */
export function decodeIngestRecord(
  record: Uint8Array,
  series: [string, string, string][],
): IngestBatch {
  const size = ingestRecordSize(record);
  if (size === undefined || size !== record.length) throw new RangeError("Damaged record header");
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  if (crc32(record.subarray(HEADER)) !== view.getUint32(8, true)) {
    throw new RangeError("Damaged record: its checksum does not match");
  }
  const defined = series.length;
  try {
    return decodeRecord(record, view, HEADER, size, view.getUint32(12, true), series);
  } catch (error) {
    series.length = defined;
    throw new RangeError(`Damaged record: ${(error as Error).message}`, { cause: error });
  }
}

function decodeRecord(
  bytes: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  rows: number,
  series: [string, string, string][],
): IngestBatch {
  const [batch] = recordSlices(bytes, view, start, end, rows, series, Infinity);
  return batch ?? { ts: [], host: [], metric: [], labels: [], value: [] };
}

/** A record's samples, `sliceRows` at most a batch (one empty batch for a record of none). */
function* recordSlices(
  bytes: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  rows: number,
  series: [string, string, string][],
  sliceRows: number,
): Generator<IngestBatch, void> {
  if (start + 8 > end) throw new RangeError("Damaged record");
  let ts = view.getFloat64(start, true);
  const r = new Reader(bytes, view, start + 8);
  const fresh = r.varint(end);
  const defined = series.length;
  for (let s = 0; s < fresh; s++) {
    const length = r.varint(end);
    if (r.pos + length > end) throw new RangeError("Damaged series");
    const parsed: unknown = JSON.parse(fromUtf8.decode(bytes.subarray(r.pos, r.pos + length)));
    r.pos += length;
    if (
      !Array.isArray(parsed) || parsed.length !== 3 || !parsed.every((x) => typeof x === "string")
    ) throw new RangeError("Damaged series");
    series.push(parsed as [string, string, string]);
  }
  let i = 0;
  do {
    const out: IngestBatch = { ts: [], host: [], metric: [], labels: [], value: [] };
    try {
      for (const last = Math.min(rows, i + sliceRows); i < last; i++) {
        const key = r.varint(end);
        const kind = key % 4;
        const s = series[(key - kind) / 4];
        if (s === undefined) throw new RangeError("Damaged series number");
        ts += r.zigzag(end);
        let v: number;
        if (kind === 0) v = NaN;
        else if (kind === 1) v = r.zigzag(end);
        else if (kind === 2) {
          if (r.pos + 4 > end) throw new RangeError("Damaged value");
          v = view.getFloat32(r.pos, true);
          r.pos += 4;
        } else {
          if (r.pos + 8 > end) throw new RangeError("Damaged value");
          v = view.getFloat64(r.pos, true);
          r.pos += 8;
        }
        out.ts.push(ts), out.host.push(s[0]), out.metric.push(s[1]), out.labels.push(s[2]);
        out.value.push(v);
      }
      if (i === rows && r.pos !== end) throw new RangeError("Damaged record");
    } catch (error) {
      series.length = defined; // a damaged record defines nothing
      throw error;
    }
    yield out;
  } while (i < rows);
}

/**
 * Counts the samples of a segment's whole records from their headers alone (no payload is
 * decoded or checked), stopping at a record cut short or at bytes that are not a record: what a
 * replay left unread would write, for the line that says so.
 *
 * @param bytes The file's bytes.
 * @returns The samples of the records before the first that is cut short or damaged.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { INGEST_SPOOL_MAGIC, IngestSpoolEncoder, ingestSegmentRows } from "./ingest_spool_format.ts";
 * const encoder = new IngestSpoolEncoder();
 * const record = encoder.encode({ ts: [1, 2], host: ["h", "h"], metric: ["m", "m"], labels: ["", ""], value: [1, 2] });
 * assert.equal(ingestSegmentRows(new Uint8Array([...INGEST_SPOOL_MAGIC, ...record])), 2);
 * ```
 */
export function ingestSegmentRows(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let rows = 0;
  for (let at = INGEST_SPOOL_MAGIC.length; at + HEADER <= bytes.length;) {
    if (view.getUint32(at, true) !== RECORD_MAGIC) break;
    const end = at + HEADER + view.getUint32(at + 4, true);
    if (end > bytes.length) break;
    rows += view.getUint32(at + 12, true);
    at = end;
  }
  return rows;
}
