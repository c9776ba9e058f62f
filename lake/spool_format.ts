/**
 * The byte format of the collector's spool segments. Binary, because the spool is written
 * every second by a collector that must cost next to nothing: a snapshot is its values and
 * series numbers copied into one buffer, with no number formatting and no strings.
 *
 * A segment starts with the 8 bytes `PSPOOL1\n`, then records. Every record is a multiple of
 * 8 bytes: a header (u32 payload bytes, u8 kind, 3 zero bytes) and its payload, little-endian:
 * - kind 1, a series: u32 number (0, 1, 2… in order), u32 text bytes, the UTF-8 JSON
 *   `[host, metric, labels]`, zero padding;
 * - kind 2, a snapshot: f64 ts, u32 count, u32 zero, count f64 values (`NaN` = no value),
 *   count u32 series numbers, zero padding.
 *
 * A series is defined once per segment, before the first snapshot that uses it and in the same
 * write, so every complete snapshot can be decoded. A record cut short (the collector was
 * killed while writing it) is incomplete and ignored. A record's size must be the one its first
 * fields imply (a series' text bytes, a snapshot's count), so a damaged size field breaks the
 * decoding there instead of passing the rest of the segment off as a torn last record.
 *
 * @module
 */

import type { Series, Snapshot } from "../collectors/mod.ts";
import type { LakeRow } from "./write_samples.ts";

/** The first bytes of every segment. */
export const SPOOL_MAGIC: Uint8Array = new TextEncoder().encode("PSPOOL1\n");

const SERIES = 1;
const SNAPSHOT = 2;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Turns snapshots into records, numbering the series of one segment. */
export class SpoolEncoder {
  #numbers = new Map<Series | string, number>();
  #byId: (Series | undefined)[] = [];
  #numberById = new Uint32Array(256);
  #u8 = new Uint8Array(0);
  #u32 = new Uint32Array(0);
  #f64 = new Float64Array(0);
  #scratch = new Uint32Array(256);
  /** The snapshot object, layout and length whose numbers `#scratch` holds (see `snapshot`). */
  #lastSnap: Snapshot | undefined;
  #lastLayout = -1;
  #lastLength = -1;

  /**
   * Encodes one snapshot of a sampler: definitions of series new to this segment, then the
   * snapshot record.
   *
   * @param snap The snapshot.
   * @returns The bytes, a view of an internal buffer that the next call overwrites.
   */
  snapshot(snap: Snapshot): Uint8Array {
    const n = snap.length;
    if (
      snap === this.#lastSnap && snap.layout === this.#lastLayout && n === this.#lastLength
    ) {
      // The same series as the last snapshot (the sampler says so): the same numbers, and
      // nothing new to define.
      return this.#u8.subarray(0, this.#snapshot(0, snap.ts, n, snap.values, this.#scratch));
    }
    this.#lastSnap = undefined;
    if (this.#scratch.length < n) this.#scratch = new Uint32Array(n * 2);
    const numbers = this.#scratch;
    let pos = 0;
    const byId = this.#byId;
    const series = snap.series;
    let numberById = this.#numberById;
    for (let i = 0; i < n; i++) {
      const s = series[i]!;
      // By id first (an array index, no hashing); the map where ids of two tables collide.
      if (byId[s.id] === s) {
        numbers[i] = numberById[s.id]!;
        continue;
      }
      let k = this.#numbers.get(s);
      if (k === undefined) {
        k = this.#numbers.size;
        this.#numbers.set(s, k);
        if (byId[s.id] === undefined && s.id < 1 << 20) {
          byId[s.id] = s;
          if (s.id >= this.#numberById.length) {
            const bigger = new Uint32Array(Math.max(s.id + 1, this.#numberById.length * 2));
            bigger.set(this.#numberById);
            this.#numberById = bigger;
          }
          this.#numberById[s.id] = k;
          numberById = this.#numberById;
        }
        pos = this.#series(pos, k, definition(s));
      }
      numbers[i] = k;
    }
    const end = this.#snapshot(pos, snap.ts, n, snap.values, numbers); // may grow the buffer
    if (snap.layout !== undefined) {
      this.#lastSnap = snap;
      this.#lastLayout = snap.layout;
      this.#lastLength = n;
    }
    return this.#u8.subarray(0, end);
  }

  /**
   * Encodes rows that may differ in time and host: one snapshot record per run of equal `ts`.
   *
   * @param rows Lake rows.
   * @returns The bytes, a view of an internal buffer that the next call overwrites.
   */
  rows(rows: readonly LakeRow[]): Uint8Array {
    this.#lastSnap = undefined; // the scratch numbers are overwritten below
    if (this.#scratch.length < rows.length) this.#scratch = new Uint32Array(rows.length * 2);
    const numbers = this.#scratch;
    const values = new Float64Array(rows.length);
    let pos = 0;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const key = `${r.host}\n${r.metric}\n${r.labels}`;
      let k = this.#numbers.get(key);
      if (k === undefined) {
        k = this.#numbers.size;
        this.#numbers.set(key, k);
        pos = this.#series(pos, k, utf8.encode(JSON.stringify([r.host, r.metric, r.labels])));
      }
      numbers[i] = k;
      values[i] = r.value;
    }
    for (let from = 0; from < rows.length;) {
      let to = from + 1;
      while (to < rows.length && rows[to]!.ts === rows[from]!.ts) to++;
      pos = this.#snapshot(
        pos,
        rows[from]!.ts,
        to - from,
        values.subarray(from),
        numbers.subarray(from),
      );
      from = to;
    }
    return this.#u8.subarray(0, pos);
  }

  #reserve(end: number): void {
    if (end <= this.#u8.length) return;
    const bigger = new Uint8Array(Math.max(end, this.#u8.length * 2, 4096));
    bigger.set(this.#u8);
    this.#u8 = bigger;
    this.#u32 = new Uint32Array(bigger.buffer);
    this.#f64 = new Float64Array(bigger.buffer);
  }

  #header(pos: number, payload: number, kind: number): void {
    this.#u32[pos >> 2] = payload;
    this.#u32[(pos >> 2) + 1] = kind; // kind in the low byte, three zero bytes after it
  }

  #series(pos: number, k: number, text: Uint8Array): number {
    const payload = pad8(8 + text.length);
    this.#reserve(pos + 8 + payload);
    this.#header(pos, payload, SERIES);
    this.#u32[(pos >> 2) + 2] = k;
    this.#u32[(pos >> 2) + 3] = text.length;
    this.#u8.set(text, pos + 16);
    this.#u8.fill(0, pos + 16 + text.length, pos + 8 + payload);
    return pos + 8 + payload;
  }

  #snapshot(
    pos: number,
    ts: number,
    n: number,
    values: Float64Array,
    numbers: Uint32Array,
  ): number {
    const payload = pad8(16 + 12 * n);
    this.#reserve(pos + 8 + payload);
    this.#header(pos, payload, SNAPSHOT);
    this.#f64[(pos >> 3) + 1] = ts;
    this.#u32[(pos >> 2) + 4] = n;
    this.#u32[(pos >> 2) + 5] = 0;
    const valuesAt = pos + 24;
    this.#f64.set(n === values.length ? values : values.subarray(0, n), valuesAt >> 3);
    this.#u32.set(n === numbers.length ? numbers : numbers.subarray(0, n), (valuesAt + 8 * n) >> 2);
    this.#u8.fill(0, valuesAt + 12 * n, pos + 8 + payload);
    return pos + 8 + payload;
  }
}

const definitions = new WeakMap<Series, Uint8Array>();

/**
 * A series' definition text (`[host, metric, labels]` as UTF-8 JSON), made once per series
 * object: every segment defines its series again, and a collector starts a segment at every
 * flush (~900 series a minute on a 64-CPU host, each a JSON string and an encoding).
 */
function definition(s: Series): Uint8Array {
  let text = definitions.get(s);
  if (text === undefined) {
    definitions.set(s, text = utf8.encode(JSON.stringify([s.host, s.metric, s.labelText])));
  }
  return text;
}

function pad8(n: number): number {
  return (n + 7) & ~7;
}

/** The payload size a record must have, from its first fields (at least 16 bytes at `at`). */
function payloadSize(view: DataView, at: number, kind: number): number {
  // plain arithmetic: a damaged count can exceed what pad8's 32-bit operators hold
  const size = kind === SERIES
    ? 8 + view.getUint32(at + 4, true)
    : 16 + 12 * view.getUint32(at + 8, true);
  return Math.ceil(size / 8) * 8;
}

/** A series as a segment defines it. */
export interface SpoolSeries {
  host: string;
  metric: string;
  /** Canonical label string. */
  labels: string;
}

/** A decoded snapshot: `values[i]` belongs to `series[i]`. */
export interface SpoolSnapshot {
  ts: number;
  series: SpoolSeries[];
  values: Float64Array;
}

/**
 * Decodes a segment from its bytes, given in any pieces (a file read whole, or followed as it
 * grows). Bytes that cannot be a record (a segment that is not ours, or damaged) stop the
 * decoding: {@linkcode SpoolDecoder.broken} turns true, for good unless a reader that knows
 * where a later record starts calls {@linkcode SpoolDecoder.resume}.
 */
export class SpoolDecoder {
  #series: SpoolSeries[] = [];
  #pending = new Uint8Array(0);
  #started = false;
  #broken = false;
  #undecoded = 0;

  /** Whether undecodable bytes were met (nothing after them is decoded). */
  get broken(): boolean {
    return this.#broken;
  }

  /** Bytes not decoded because the segment is broken: from the first undecodable record (or
   * the start, for a segment that is not ours) to the last byte fed; 0 while not broken. */
  get undecodedBytes(): number {
    return this.#undecoded;
  }

  /** Bytes held back because their record is not complete yet. */
  get pendingBytes(): number {
    return this.#pending.length;
  }

  /**
   * Feeds the next bytes of the segment.
   *
   * @param chunk The bytes that follow the ones fed before.
   * @returns The snapshots completed by these bytes.
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { SPOOL_MAGIC, SpoolDecoder, SpoolEncoder } from "./spool_format.ts";
   * const bytes = new SpoolEncoder().rows([{ ts: 1, host: "h", metric: "m", labels: "", value: 2 }]);
   * const decoder = new SpoolDecoder();
   * assert.deepEqual(decoder.push(SPOOL_MAGIC), []);
   * const [snap] = decoder.push(bytes.slice(0, 9)).concat(decoder.push(bytes.slice(9)));
   * assert.equal(snap!.ts, 1);
   * assert.deepEqual(snap!.series, [{ host: "h", metric: "m", labels: "" }]);
   * assert.deepEqual([...snap!.values], [2]);
   * ```
   */
  push(chunk: Uint8Array): SpoolSnapshot[] {
    const out: SpoolSnapshot[] = [];
    if (this.#broken) this.#undecoded += chunk.length;
    if (this.#broken || chunk.length === 0) return out;
    let bytes = chunk;
    if (this.#pending.length) {
      bytes = new Uint8Array(this.#pending.length + chunk.length);
      bytes.set(this.#pending);
      bytes.set(chunk, this.#pending.length);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let pos = 0;
    if (!this.#started) {
      if (bytes.length < SPOOL_MAGIC.length) {
        if (!SPOOL_MAGIC.subarray(0, bytes.length).every((b, i) => b === bytes[i])) {
          return this.#fail(out, bytes.length);
        }
        this.#pending = bytes.slice();
        return out;
      }
      if (!SPOOL_MAGIC.every((b, i) => b === bytes[i])) return this.#fail(out, bytes.length);
      this.#started = true;
      pos = SPOOL_MAGIC.length;
    }
    while (pos + 8 <= bytes.length) {
      const payload = view.getUint32(pos, true);
      const kind = view.getUint32(pos + 4, true);
      if (payload % 8 !== 0 || (kind !== SERIES && kind !== SNAPSHOT)) {
        return this.#fail(out, bytes.length - pos);
      }
      // Every record's payload is at least 16 bytes, and its first fields (a series' text bytes,
      // a snapshot's count) fix its size. Checking that size as soon as they are here catches a
      // damaged size field, which would otherwise wait for bytes that never come (or, in a whole
      // file, pass the rest of the segment off as a torn last record).
      if (pos + 24 <= bytes.length && payload !== payloadSize(view, pos + 8, kind)) {
        return this.#fail(out, bytes.length - pos);
      }
      if (pos + 8 + payload > bytes.length) break;
      const at = pos + 8;
      if (kind === SERIES) {
        if (!this.#readSeries(view, at, payload)) return this.#fail(out, bytes.length - pos);
      } else {
        const snap = this.#readSnapshot(view, at, payload);
        if (!snap) return this.#fail(out, bytes.length - pos);
        out.push(snap);
      }
      pos = at + payload;
    }
    this.#pending = bytes.slice(pos);
    return out;
  }

  /**
   * Goes on after damage from a record boundary the caller knows (where an earlier reading of
   * the same segment stopped): the next bytes fed are taken for the start of a record. The
   * series defined before the damage are kept. Series numbers are explicit and in order, so a
   * record that defines or uses a series defined in the bytes passed over breaks the decoding
   * again instead of being read as another series.
   *
   * @returns Whether decoding goes on (false if the segment's first bytes were not ours).
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { SPOOL_MAGIC, SpoolDecoder, SpoolEncoder } from "./spool_format.ts";
   * const encoder = new SpoolEncoder();
   * const row = (ts: number) => ({ ts, host: "h", metric: "m", labels: "", value: ts });
   * const decoder = new SpoolDecoder();
   * decoder.push(SPOOL_MAGIC);
   * assert.deepEqual(decoder.push(encoder.rows([row(1)])).map((s) => s.ts), [1]);
   * decoder.push(new Uint8Array(16).fill(9)); // damaged bytes, a whole record long
   * assert.equal(decoder.broken, true);
   * assert.equal(decoder.resume(), true);
   * // the record after them uses the series defined before the damage
   * const [snap] = decoder.push(encoder.rows([row(2)]));
   * assert.deepEqual(snap!.series, [{ host: "h", metric: "m", labels: "" }]);
   * ```
   */
  resume(): boolean {
    if (!this.#started) return false;
    this.#broken = false;
    this.#pending = new Uint8Array(0);
    return true;
  }

  #fail(out: SpoolSnapshot[], undecoded: number): SpoolSnapshot[] {
    this.#broken = true;
    this.#undecoded += undecoded;
    this.#pending = new Uint8Array(0);
    return out;
  }

  #readSeries(view: DataView, at: number, payload: number): boolean {
    if (payload < 8) return false;
    const k = view.getUint32(at, true);
    const length = view.getUint32(at + 4, true);
    if (k !== this.#series.length || 8 + length > payload) return false;
    let parsed: unknown;
    try {
      parsed = JSON.parse(
        fromUtf8.decode(new Uint8Array(view.buffer, view.byteOffset + at + 8, length)),
      );
    } catch {
      return false;
    }
    if (
      !Array.isArray(parsed) || parsed.length !== 3 || !parsed.every((x) => typeof x === "string")
    ) return false;
    const [host, metric, labels] = parsed as [string, string, string];
    this.#series.push({ host, metric, labels });
    return true;
  }

  #readSnapshot(view: DataView, at: number, payload: number): SpoolSnapshot | undefined {
    if (payload < 16) return undefined;
    const ts = view.getFloat64(at, true);
    const n = view.getUint32(at + 8, true);
    if (16 + 12 * n > payload || !Number.isFinite(ts)) return undefined;
    const values = new Float64Array(n);
    const series: SpoolSeries[] = new Array(n);
    const numbersAt = at + 16 + 8 * n;
    for (let i = 0; i < n; i++) {
      const s = this.#series[view.getUint32(numbersAt + 4 * i, true)];
      if (!s) return undefined;
      series[i] = s;
      values[i] = view.getFloat64(at + 16 + 8 * i, true);
    }
    return { ts, series, values };
  }
}

/**
 * The rows of decoded snapshots.
 *
 * @param snapshots Snapshots from {@linkcode SpoolDecoder.push}.
 * @returns One row per value, in order.
 */
export function snapshotRows(snapshots: readonly SpoolSnapshot[]): LakeRow[] {
  const rows: LakeRow[] = [];
  for (const { ts, series, values } of snapshots) {
    for (let i = 0; i < series.length; i++) {
      const s = series[i]!;
      rows.push({ ts, host: s.host, metric: s.metric, labels: s.labels, value: values[i]! });
    }
  }
  return rows;
}
