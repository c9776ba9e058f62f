/**
 * What every metric family gets while a snapshot is taken. Private to the collectors.
 *
 * @module
 */

import { printable } from "./_printable.ts";
import type { FileCache } from "./_file_cache.ts";
import type { Labels } from "./sample.ts";
import { type Series, SeriesTable, type Snapshot } from "./snapshot.ts";

/** Rounds after which a counter not read counts as new again (its rate is `NaN` once). */
const STALE_ROUNDS = 10;

/** Shared state and helpers of one sampler, valid for one snapshot at a time. */
export class Context {
  /** The snapshot's time (ms epoch). */
  ts = 0;
  /** The snapshot's number (1 for the first). */
  round = 0;
  /**
   * CPU time of the host since boot in clock ticks as `/proc/stat`'s `cpu` line gives it (user
   * + nice + system + irq + softirq), set by the stat family, which runs first; `NaN` until it
   * has run in this snapshot. The process scan reads fewer processes when its growth is
   * explained by the processes it read.
   */
  cpuTicks = NaN;
  /** CPUs listed in `/proc/stat` (set with {@linkcode cpuTicks}; 0 until then). */
  cpuCount = 0;
  /**
   * CPUs whose non-idle ticks grew since the last snapshot (or that are new), set by the stat
   * family: the aggregate's rounding error is per CPU that ran something, so the process scan's
   * tolerance counts these rather than every CPU of a big, mostly idle host.
   */
  busyCpus = 0;
  /** The snapshot being built (reused: its arrays grow once and are overwritten). */
  readonly snap: Snapshot = {
    ts: 0,
    length: 0,
    series: [],
    values: new Float64Array(256),
    layout: 0,
  };
  /**
   * Set when a sample's series differs from the one at its place in the previous snapshot
   * (writers compare before they store; see `Snapshot.layout`).
   */
  moved = false;
  readonly table: SeriesTable;
  #labels = new Map<string, Labels>();
  #memo = new Map<object, unknown>();
  #paths = new Map<string, string>();
  // Counter memory by series id (or counter slot): typed arrays, so a rate costs no hash lookup.
  #last = new Float64Array(256);
  #lastTs = new Float64Array(256);
  #lastRound = new Float64Array(256).fill(-Infinity);

  /**
   * @param host Host name stamped on samples.
   * @param procRoot Root of the proc file system.
   * @param sysRoot Root of the sys file system.
   * @param files Cached file handles.
   */
  constructor(
    readonly host: string,
    readonly procRoot: string,
    readonly sysRoot: string,
    readonly files: FileCache,
  ) {
    this.table = new SeriesTable(host);
  }

  /** Reads `procRoot/rel`; `undefined` (remembered) if it does not exist. */
  proc(rel: string): string | undefined {
    // The same path string every time: its hash is computed once for the file cache's map.
    let path = this.#paths.get(rel);
    if (path === undefined) this.#paths.set(rel, path = `${this.procRoot}/${rel}`);
    return this.files.read(path, true);
  }

  /**
   * Returns one shared, frozen labels object per key, so snapshots do not allocate labels.
   *
   * @param key A string unique to these labels.
   * @param make Builds the labels the first time.
   */
  labels(key: string, make: () => Record<string, string>): Labels {
    let l = this.#labels.get(key);
    if (!l) {
      // values from the host's users (a FUSE mount point, its device) may hold escape sequences
      const made = make();
      for (const k in made) made[k] = printable(made[k]!);
      l = Object.freeze(made);
      this.#labels.set(key, l);
    }
    return l;
  }

  /**
   * Something a family builds once per sampler (its series, its state), kept under `key`.
   *
   * @param key Any object, usually the family's function.
   * @param make Builds the value the first time.
   */
  memo<T>(key: object, make: () => T): T {
    let v = this.#memo.get(key) as T | undefined;
    if (v === undefined) this.#memo.set(key, v = make());
    return v;
  }

  /** The series of `metric` and `labels` (interned: hold it to skip the lookup next time). */
  series(metric: string, labels: Labels): Series {
    return this.table.get(metric, labels);
  }

  /** Emits a sample of a series. */
  put(series: Series, value: number): void {
    const snap = this.snap;
    const i = snap.length++;
    if (i === snap.values.length) this.#growValues(i + 1);
    if (snap.series[i] !== series) {
      snap.series[i] = series;
      this.moved = true;
    }
    snap.values[i] = value;
  }

  /**
   * Makes room for `n` samples that the caller writes into `snap.series` and `snap.values`
   * from the returned index on (one call for a row of samples instead of one per sample: calls
   * are what costs in V8's interpreter). The caller stores a series only where it differs from
   * the one there, and then sets {@linkcode moved}.
   *
   * @param n Samples to add.
   * @returns The index of the first.
   */
  reserve(n: number): number {
    const snap = this.snap;
    const i = snap.length;
    snap.length += n;
    if (snap.length > snap.values.length) this.#growValues(snap.length);
    return i;
  }

  #growValues(size: number): void {
    const snap = this.snap;
    const bigger = new Float64Array(Math.max(size, snap.values.length * 2));
    bigger.set(snap.values);
    snap.values = bigger;
  }

  /** Emits a gauge sample. */
  gauge(metric: string, labels: Labels, value: number): void {
    this.put(this.table.get(metric, labels), value);
  }

  /** A counter of the family's own that is no series (e.g. one half of a ratio). */
  counterSlot(): CounterSlot {
    return { id: this.table.reserve() };
  }

  /**
   * Records a counter and returns its increase since it was last recorded: `NaN` the first
   * time, after a decrease (a reset or wrap: the interval is unknowable), and when the counter
   * went unrecorded for more than 10 snapshots (a device that came back).
   *
   * @param slot The series the counter belongs to, or a {@linkcode counterSlot}.
   * @param counter The counter's value now.
   * @returns The increase.
   */
  deltaOf(slot: CounterSlot, counter: number): number {
    const id = slot.id;
    if (id >= this.#last.length) this.#grow(id);
    const last = this.#last[id]!;
    const fresh = this.round - this.#lastRound[id]! > STALE_ROUNDS;
    this.#last[id] = counter;
    this.#lastTs[id] = this.ts;
    this.#lastRound[id] = this.round;
    const dv = counter - last;
    return !fresh && dv >= 0 ? dv : NaN;
  }

  /**
   * Like {@linkcode deltaOf}, per second of the real time since the counter was last recorded
   * (`NaN` also when time did not move forward).
   *
   * @param slot The series the counter belongs to, or a {@linkcode counterSlot}.
   * @param counter The counter's value now.
   * @returns The rate.
   */
  rateOf(slot: CounterSlot, counter: number): number {
    const id = slot.id;
    const dt = id < this.#lastTs.length ? (this.ts - this.#lastTs[id]!) / 1000 : NaN;
    const dv = this.deltaOf(slot, counter);
    return dt > 0 ? dv / dt : NaN;
  }

  /** Emits the per-second rate of a series' counter (see {@linkcode rateOf}), times `scale`. */
  putRate(series: Series, counter: number, scale = 1): void {
    // rateOf, deltaOf and put in one body: the same arithmetic without three calls
    const id = series.id;
    if (id >= this.#last.length) this.#grow(id);
    const last = this.#last;
    const lastTs = this.#lastTs;
    const lastRound = this.#lastRound;
    const ts = this.ts;
    const round = this.round;
    const dt = (ts - lastTs[id]!) / 1000;
    const dv = counter - last[id]!;
    const fresh = round - lastRound[id]! > STALE_ROUNDS;
    last[id] = counter;
    lastTs[id] = ts;
    lastRound[id] = round;
    const snap = this.snap;
    const i = snap.length++;
    if (i === snap.values.length) this.#growValues(i + 1);
    if (snap.series[i] !== series) {
      snap.series[i] = series;
      this.moved = true;
    }
    snap.values[i] = !fresh && dv >= 0 && dt > 0 ? (dv / dt) * scale : NaN;
  }

  /**
   * Emits the per-second rate of a counter, times `scale`.
   *
   * @param metric Metric name.
   * @param labels Labels.
   * @param counter The counter's value now.
   * @param scale Multiplier, e.g. 512 for sectors to bytes.
   */
  rate(metric: string, labels: Labels, counter: number, scale = 1): void {
    this.putRate(this.table.get(metric, labels), counter, scale);
  }

  #grow(id: number): void {
    const size = Math.max(id + 1, this.#last.length * 2);
    const grown = (a: Float64Array) => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    this.#last = grown(this.#last);
    this.#lastTs = grown(this.#lastTs);
    const rounds = new Float64Array(size).fill(-Infinity);
    rounds.set(this.#lastRound);
    this.#lastRound = rounds;
  }
}

/** What a counter is kept under: a series, or a slot of its own (same numbering). */
export interface CounterSlot {
  readonly id: number;
}

/** No labels. */
export const none: Labels = Object.freeze({});
