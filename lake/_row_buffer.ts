/**
 * The collector's minute of rows between Parquet flushes, in columns: a number per row for the
 * time and the value and a pointer to an interned series, instead of an object per row that
 * the garbage collector would copy until the flush. Private to the lake.
 *
 * @module
 */

import type { Snapshot } from "../collectors/mod.ts";
import { utcDate } from "./_paths.ts";
import {
  hostTag,
  isUnwritable,
  logQuarantine,
  type Quarantined,
  rowLines,
  writeQuarantine,
} from "./quarantine.ts";
import { errorText } from "./write_file_atomic.ts";
import {
  type LakeRow,
  writeBlockPartition,
  type WriteSamplesOptions,
  writeSeriesPartition,
  type WrittenFile,
} from "./write_samples.ts";

/** What a row needs of its series. */
interface RowSeries {
  readonly host: string;
  readonly metric: string;
  readonly labelText: string;
}

/** Rows with a finite value, in arrival order. */
export class RowBuffer {
  /**
   * Per row, its time: only once rows came from `addRows` (`#blocky` false). Rows from snapshots
   * have their block's time, and a column of 8 bytes a row (~0.5 MB for a big host's minute) is
   * made from the blocks only where a rare path asks for it (see `#rowTs`).
   */
  #ts: Float64Array | undefined;
  #value = new Float64Array(1024);
  /** Per row, the buffer's number of its series (an index into `#list`). */
  #sid = new Uint32Array(1024);
  #length = 0;
  /** Earliest and latest row time: one UTC date when both fall on it (no look at each row). */
  #minTs = Infinity;
  #maxTs = -Infinity;
  /** The series in order of first use since the last clear. */
  #list: RowSeries[] = [];
  /** Numbers of series by their sampler id (no hashing on the second-by-second path). */
  #byId: (RowSeries | undefined)[] = [];
  #numberById = new Uint32Array(256);
  /** Numbers of series whose sampler id is taken by another series, and of rows' series. */
  #numbers = new Map<RowSeries | string, number>();
  /** Per position of the last snapshot, its series' number; valid for `#layoutSnap`. */
  #layoutNumbers = new Uint32Array(256);
  #layoutSnap: Snapshot | undefined;
  #layout = -1;
  /**
   * The rows as blocks of one snapshot each (see `parquetEncodeBlocks`): a block's time, its
   * first row, and whether it has the series of the block before in the same order. Kept while
   * every row came from `addSnapshot` (`#blocky`).
   */
  #blockTs = new Float64Array(64);
  #blockStart = new Uint32Array(65);
  #repeat = new Uint8Array(64);
  #blocks = 0;
  #blocky = true;
  /** Whether the last block took every sample of its snapshot, numbered by `#layoutNumbers`. */
  #lastWhole = false;

  /** Rows held. */
  get length(): number {
    return this.#length;
  }

  /** Adds a snapshot's samples that have a value. */
  addSnapshot(snap: Snapshot): void {
    const { ts, series, values } = snap;
    const n = snap.length;
    this.#reserve(this.#length + n);
    let relaid = false;
    if (snap !== this.#layoutSnap || snap.layout === undefined || snap.layout !== this.#layout) {
      relaid = true;
      // New series at some place: number them (series with no value yet get a number too,
      // which writes nothing: the encoder skips numbers no row uses).
      if (this.#layoutNumbers.length < n) this.#layoutNumbers = new Uint32Array(n * 2);
      const numbers = this.#layoutNumbers;
      const byId = this.#byId;
      for (let i = 0; i < n; i++) {
        const s = series[i]!;
        numbers[i] = byId[s.id] === s ? this.#numberById[s.id]! : this.#number(s);
      }
      this.#layoutSnap = snap.layout === undefined ? undefined : snap;
      this.#layout = snap.layout ?? -1;
    }
    const numbers = this.#layoutNumbers;
    const valueCol = this.#value;
    const sid = this.#sid;
    const start = this.#length;
    let k = start;
    if (ts < this.#minTs) this.#minTs = ts;
    if (ts > this.#maxTs) this.#maxTs = ts;
    // A snapshot without NaN or infinities (the usual one, found by three built-in searches)
    // is copied whole, not sample by sample: the loop below is ~0.2 µs a sample in lite mode.
    const own = n === values.length ? values : values.subarray(0, n);
    const whole = !own.includes(NaN) && !own.includes(Infinity) && !own.includes(-Infinity);
    if (whole) {
      valueCol.set(own, start);
      sid.set(n === numbers.length ? numbers : numbers.subarray(0, n), start);
      k = start + n;
    } else {
      for (let i = 0; i < n; i++) {
        const v = values[i]!;
        if (v - v !== 0) continue; // NaN or ±Infinity: no row
        valueCol[k] = v;
        sid[k++] = numbers[i]!;
      }
    }
    this.#ts?.fill(ts, start, k);
    this.#length = k;
    if (k > start) {
      const b = this.#blocks++;
      if (b + 1 >= this.#blockTs.length) this.#growBlocks();
      this.#blockTs[b] = ts;
      this.#blockStart[b + 1] = k;
      // the same numbers in the same order as the block before: its bytes can be copied
      this.#repeat[b] = whole && this.#lastWhole && !relaid && b > 0 &&
          this.#blockStart[b]! - this.#blockStart[b - 1]! === n
        ? 1
        : 0;
    }
    this.#lastWhole = whole && k > start;
  }

  /** Adds rows (any hosts and times) that have a value. */
  addRows(rows: readonly LakeRow[]): void {
    this.#reserve(this.#length + rows.length);
    const ts = this.#ts ??= this.#rowTs(this.#value.length);
    this.#blocky = false; // rows of any times and hosts: written sorted by series
    this.#lastWhole = false;
    for (const r of rows) {
      if (!Number.isFinite(r.value)) continue;
      const key = `${r.host}\n${r.metric}\n${r.labels}`;
      let n = this.#numbers.get(key);
      if (n === undefined) {
        n = this.#list.length;
        this.#list.push({ host: r.host, metric: r.metric, labelText: r.labels });
        this.#numbers.set(key, n);
      }
      const k = this.#length++;
      if (r.ts < this.#minTs) this.#minTs = r.ts;
      if (r.ts > this.#maxTs) this.#maxTs = r.ts;
      ts[k] = r.ts;
      this.#value[k] = r.value;
      this.#sid[k] = n;
    }
  }

  /** Forgets every row (after a flush). */
  clear(): void {
    this.#length = 0;
    this.#minTs = Infinity;
    this.#maxTs = -Infinity;
    this.#list = [];
    this.#byId = [];
    this.#numbers.clear();
    this.#layoutSnap = undefined;
    this.#blocks = 0;
    this.#blocky = true;
    this.#lastWhole = false;
    this.#ts = undefined;
  }

  /**
   * Writes the rows as one Parquet file per host and UTC date (see `writePartition`), in
   * order of host, then date. The buffer is left as it was: clear it after a success.
   *
   * A partition that can never be written (see `quarantine.ts`) goes to the quarantine.
   *
   * @param options Root and file id.
   * @param onQuarantine Receives each quarantined partition; default one line on stderr.
   * @returns The files written.
   * @throws {LakeError} If a file cannot be written for now (disk full).
   */
  write(
    options: WriteSamplesOptions,
    onQuarantine: (q: Quarantined) => void = logQuarantine,
  ): WrittenFile[] {
    const n = this.#length;
    const list = this.#list;
    const metric = list.map((s) => s.metric);
    const labels = list.map((s) => s.labelText);
    // Rows arrive in time order from one host, so there is nearly always a single group: it is
    // written from the buffer's columns as they are.
    const hosts = [...new Set(list.map((s) => s.host))].sort();
    const hostOf = new Uint32Array(list.length);
    list.forEach((s, j) => (hostOf[j] = hosts.indexOf(s.host)));
    const dayOf = (t: number) => Math.floor(t / 86_400_000);
    const single = hosts.length <= 1 && dayOf(this.#minTs) === dayOf(this.#maxTs);
    // per-row times: the buffer's own, else made from the blocks for the paths that need them
    const rowTs = this.#ts ?? (single && this.#blocky ? undefined : this.#rowTs(n));
    const tsOf = (k: number) => rowTs ? rowTs[k]! : this.#blockTs[0]!;
    const firstDay = n > 0 ? dayOf(tsOf(0)) : 0;
    const groups: { host: string; day: number; rows: number[] | undefined }[] = [];
    if (single) {
      if (n > 0) groups.push({ host: hosts[0]!, day: firstDay, rows: undefined });
    } else {
      const byKey = new Map<string, { host: string; day: number; rows: number[] }>();
      for (let k = 0; k < n; k++) {
        const h = hostOf[this.#sid[k]!]!;
        const day = dayOf(rowTs![k]!);
        const key = `${h} ${day}`;
        let g = byKey.get(key);
        if (!g) byKey.set(key, g = { host: hosts[h]!, day, rows: [] });
        g.rows.push(k);
      }
      groups.push(
        ...[...byKey.values()].sort((a, b) =>
          a.host < b.host ? -1 : a.host > b.host ? 1 : a.day - b.day
        ),
      );
    }
    const out: WrittenFile[] = [];
    for (const { host, day, rows } of groups) {
      const series = rows ? Uint32Array.from(rows, (k) => this.#sid[k]!) : this.#sid.subarray(0, n);
      const value = rows
        ? Float64Array.from(rows, (k) => this.#value[k]!)
        : this.#value.subarray(0, n);
      // made only where asked: the block path writes times per block
      const times = () =>
        rows
          ? Float64Array.from(rows, (k) => rowTs![k]!)
          : rowTs
          ? rowTs.subarray(0, n)
          : this.#rowTs(n);
      const date = utcDate(day * 86_400_000);
      let file;
      try {
        file = rows === undefined && this.#blocky
          ? writeBlockPartition({
            blockTs: this.#blockTs.subarray(0, this.#blocks),
            blockStart: this.#blockStart.subarray(0, this.#blocks + 1),
            repeat: this.#repeat.subarray(0, this.#blocks),
            series,
            metric,
            labels,
            value,
          }, { ...options, host, date })
          : writeSeriesPartition({ ts: times(), series, metric, labels, value }, {
            ...options,
            host,
            date,
          });
      } catch (error) {
        // a partition that can never be written must not fail every later flush
        if (!isUnwritable(error)) throw error;
        const name = `collect-${options.id}-${date}-${hostTag(host)}`;
        const m = series.length;
        const text = {
          ts: times(),
          metric: Array.from({ length: m }, (_, i) => metric[series[i]!]!),
          labels: Array.from({ length: m }, (_, i) => labels[series[i]!]!),
          value,
        };
        const path = writeQuarantine(options.root, name, rowLines(host, text));
        onQuarantine({ path, rows: m, reason: errorText(error) });
      }
      if (file) out.push(file);
    }
    return out;
  }

  /** Numbers a series new to the buffer (or whose sampler id another series holds). */
  #number(s: RowSeries & { readonly id: number }): number {
    let n = this.#numbers.get(s);
    if (n !== undefined) return n;
    n = this.#list.length;
    this.#list.push(s);
    this.#numbers.set(s, n);
    if (this.#byId[s.id] === undefined && s.id < 1 << 20) {
      this.#byId[s.id] = s;
      if (s.id >= this.#numberById.length) {
        const bigger = new Uint32Array(Math.max(s.id + 1, this.#numberById.length * 2));
        bigger.set(this.#numberById);
        this.#numberById = bigger;
      }
      this.#numberById[s.id] = n;
    }
    return n;
  }

  #growBlocks(): void {
    const size = this.#blockTs.length * 2;
    const ts = new Float64Array(size);
    ts.set(this.#blockTs);
    this.#blockTs = ts;
    const start = new Uint32Array(size + 1);
    start.set(this.#blockStart);
    this.#blockStart = start;
    const repeat = new Uint8Array(size);
    repeat.set(this.#repeat);
    this.#repeat = repeat;
  }

  /** Per row, its time, from the blocks (rows from snapshots), in an array of `size`. */
  #rowTs(size: number): Float64Array {
    const ts = new Float64Array(Math.max(size, this.#length));
    for (let b = 0; b < this.#blocks; b++) {
      ts.fill(this.#blockTs[b]!, this.#blockStart[b]!, this.#blockStart[b + 1]!);
    }
    return ts;
  }

  #reserve(n: number): void {
    if (n <= this.#value.length) return;
    const size = Math.max(n, this.#value.length * 2);
    if (this.#ts) {
      const ts = new Float64Array(size);
      ts.set(this.#ts);
      this.#ts = ts;
    }
    const value = new Float64Array(size);
    value.set(this.#value);
    this.#value = value;
    const sid = new Uint32Array(size);
    sid.set(this.#sid);
    this.#sid = sid;
  }
}
