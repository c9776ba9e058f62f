/**
 * What every metric family gets while a snapshot is taken. Private to the collectors.
 *
 * @module
 */

import type { Counters } from "./_counters.ts";
import type { FileCache } from "./_file_cache.ts";
import type { Labels } from "./sample.ts";
import { SeriesTable, type Snapshot } from "./snapshot.ts";

/** Shared state and helpers of one sampler, valid for one snapshot at a time. */
export class Context {
  /** The snapshot's time (ms epoch). */
  ts = 0;
  /** The snapshot's number (1 for the first). */
  round = 0;
  /** The snapshot being built (reused: its arrays grow once and are overwritten). */
  readonly snap: Snapshot = { ts: 0, length: 0, series: [], values: new Float64Array(256) };
  readonly table: SeriesTable;
  #labels = new Map<string, Labels>();

  /**
   * @param host Host name stamped on samples.
   * @param procRoot Root of the proc file system.
   * @param sysRoot Root of the sys file system.
   * @param files Cached file handles.
   * @param counters Counter memory for rates.
   */
  constructor(
    readonly host: string,
    readonly procRoot: string,
    readonly sysRoot: string,
    readonly files: FileCache,
    readonly counters: Counters,
  ) {
    this.table = new SeriesTable(host);
  }

  /** Reads `procRoot/rel`; `undefined` (remembered) if it does not exist. */
  proc(rel: string): string | undefined {
    return this.files.read(`${this.procRoot}/${rel}`, true);
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
      l = Object.freeze(make());
      this.#labels.set(key, l);
    }
    return l;
  }

  /** Emits a gauge sample. */
  gauge(metric: string, labels: Labels, value: number): void {
    const snap = this.snap;
    const i = snap.length++;
    if (i === snap.values.length) {
      const bigger = new Float64Array(i * 2);
      bigger.set(snap.values);
      snap.values = bigger;
    }
    snap.series[i] = this.table.get(metric, labels);
    snap.values[i] = value;
  }

  /**
   * Emits the per-second rate of a counter, times `scale`.
   *
   * @param metric Metric name.
   * @param labels Labels.
   * @param key Counter key, unique within the metric.
   * @param counter The counter's value now.
   * @param scale Multiplier, e.g. 512 for sectors to bytes.
   */
  rate(metric: string, labels: Labels, key: string, counter: number, scale = 1): void {
    const r = this.counters.rateIn(metric, key, counter);
    this.gauge(metric, labels, r * scale);
  }
}

/** No labels. */
export const none: Labels = Object.freeze({});
