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
  writePartition,
  type WriteSamplesOptions,
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
  #ts = new Float64Array(1024);
  #value = new Float64Array(1024);
  #series: RowSeries[] = [];
  #length = 0;
  #interned = new Map<string, RowSeries>();

  /** Rows held. */
  get length(): number {
    return this.#length;
  }

  /** Adds a snapshot's samples that have a value. */
  addSnapshot(snap: Snapshot): void {
    const { ts, series, values } = snap;
    this.#reserve(this.#length + snap.length);
    for (let i = 0; i < snap.length; i++) {
      const v = values[i]!;
      if (v - v !== 0) continue; // NaN or ±Infinity: no row
      const k = this.#length++;
      this.#ts[k] = ts;
      this.#value[k] = v;
      this.#series[k] = series[i]!;
    }
  }

  /** Adds rows (any hosts and times) that have a value. */
  addRows(rows: readonly LakeRow[]): void {
    this.#reserve(this.#length + rows.length);
    for (const r of rows) {
      if (!Number.isFinite(r.value)) continue;
      const key = `${r.host}\n${r.metric}\n${r.labels}`;
      let s = this.#interned.get(key);
      if (!s) this.#interned.set(key, s = { host: r.host, metric: r.metric, labelText: r.labels });
      const k = this.#length++;
      this.#ts[k] = r.ts;
      this.#value[k] = r.value;
      this.#series[k] = s;
    }
  }

  /** Forgets every row (after a flush). */
  clear(): void {
    this.#length = 0;
    this.#series.length = 0;
    this.#interned.clear();
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
    // Rows arrive in time order from one host, so there is nearly always a single group.
    const groups = new Map<string, Map<number, number[]>>();
    for (let k = 0; k < this.#length; k++) {
      const host = this.#series[k]!.host;
      const day = Math.floor(this.#ts[k]! / 86_400_000);
      let byDay = groups.get(host);
      if (!byDay) groups.set(host, byDay = new Map());
      let rows = byDay.get(day);
      if (!rows) byDay.set(day, rows = []);
      rows.push(k);
    }
    const out: WrittenFile[] = [];
    for (const host of [...groups.keys()].sort()) {
      const byDay = groups.get(host)!;
      for (const day of [...byDay.keys()].sort((a, b) => a - b)) {
        const rows = byDay.get(day)!;
        const columns = {
          ts: rows.map((k) => this.#ts[k]!),
          metric: rows.map((k) => this.#series[k]!.metric),
          labels: rows.map((k) => this.#series[k]!.labelText),
          value: rows.map((k) => this.#value[k]!),
        };
        const date = utcDate(day * 86_400_000);
        let file;
        try {
          file = writePartition(columns, { ...options, host, date });
        } catch (error) {
          // a partition that can never be written must not fail every later flush
          if (!isUnwritable(error)) throw error;
          const name = `collect-${options.id}-${date}-${hostTag(host)}`;
          const path = writeQuarantine(options.root, name, rowLines(host, columns));
          onQuarantine({ path, rows: rows.length, reason: errorText(error) });
        }
        if (file) out.push(file);
      }
    }
    return out;
  }

  #reserve(n: number): void {
    if (n <= this.#ts.length) return;
    const size = Math.max(n, this.#ts.length * 2);
    const ts = new Float64Array(size);
    ts.set(this.#ts);
    this.#ts = ts;
    const value = new Float64Array(size);
    value.set(this.#value);
    this.#value = value;
  }
}
