/**
 * The collector's columnar form of one snapshot: each series is an object made once and
 * reused, each snapshot a list of series with a parallel array of values. A second-by-second
 * collector thus allocates nothing per sample; {@linkcode Sample} records are built only for
 * consumers that ask for them.
 *
 * @module
 */

import { formatLabels, type Labels, type Sample } from "./sample.ts";

/** One series (host, metric, labels), interned: the same object in every snapshot. */
export interface Series {
  /** Unique within the table that made it (0, 1, 2, … in order of first use). */
  readonly id: number;
  readonly host: string;
  readonly metric: string;
  readonly labels: Labels;
  /** `formatLabels(labels)`: the form the lake stores. */
  readonly labelText: string;
}

/**
 * One snapshot in columns. A sampler reuses the object: it is valid until its next snapshot.
 * `series[i]` has `values[i]` for `i < length`; all share `ts`.
 */
export interface Snapshot {
  /** Milliseconds since the epoch. */
  ts: number;
  /** Number of samples. */
  length: number;
  series: Series[];
  /** `NaN` where a rate could not be computed. May be longer than `length`. */
  values: Float64Array;
  /**
   * Set by samplers that reuse the object: it changes whenever `series[0…length)` differs from
   * the previous snapshot's, so a consumer that saw the last one can reuse what it derived
   * from the series (the spool's and the row buffer's numbering) when it is the same.
   * Absent: unknown, every snapshot is taken as new.
   */
  layout?: number;
}

/**
 * Interns the series of one host by metric and labels object. Labels are told apart by
 * identity, which is cheap and right for a sampler that keeps one frozen labels object per
 * series; a labels object no longer used is dropped with its series (weakly held).
 */
export class SeriesTable {
  #byLabels = new WeakMap<Labels, Map<string, Series>>();
  #next = 0;

  /** @param host The host of every series of this table. */
  constructor(readonly host: string) {}

  /** Takes an id that no series of this table will have (for state kept beside series). */
  reserve(): number {
    return this.#next++;
  }

  /**
   * The series of `metric` and `labels`, made on first use.
   *
   * @param metric Metric name.
   * @param labels Labels (compared by identity).
   * @returns The interned series.
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { SeriesTable } from "./snapshot.ts";
   * const table = new SeriesTable("h");
   * const labels = { cpu: "0" };
   * const a = table.get("cpu_ratio", labels);
   * assert.equal(table.get("cpu_ratio", labels), a);
   * assert.equal(a.labelText, "cpu=0");
   * assert.notEqual(table.get("load_average", labels), a);
   * ```
   */
  get(metric: string, labels: Labels): Series {
    let byMetric = this.#byLabels.get(labels);
    if (!byMetric) this.#byLabels.set(labels, byMetric = new Map());
    let series = byMetric.get(metric);
    if (!series) {
      const host = this.host;
      series = Object.freeze({
        id: this.#next++,
        host,
        metric,
        labels,
        labelText: labelText(labels),
      });
      byMetric.set(metric, series);
    }
    return series;
  }
}

const texts = new WeakMap<Labels, string>();

/**
 * `formatLabels(labels)`, computed once per frozen labels object (a sampler keeps one per
 * series); labels that are not frozen could change, so they are formatted every time.
 *
 * @param labels The labels.
 * @returns The canonical string.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labelText } from "./snapshot.ts";
 * assert.equal(labelText(Object.freeze({ mode: "user", cpu: "0" })), "cpu=0,mode=user");
 * ```
 */
export function labelText(labels: Labels): string {
  if (!Object.isFrozen(labels)) return formatLabels(labels);
  let text = texts.get(labels);
  if (text === undefined) texts.set(labels, text = formatLabels(labels));
  return text;
}

/**
 * A snapshot's samples as records.
 *
 * @param snapshot The snapshot.
 * @returns One {@linkcode Sample} per entry, in order.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SeriesTable, snapshotSamples } from "./snapshot.ts";
 * const s = new SeriesTable("h").get("m", {});
 * const samples = snapshotSamples({ ts: 5, length: 1, series: [s], values: new Float64Array([2, 9]) });
 * assert.deepEqual(samples, [{ ts: 5, host: "h", metric: "m", labels: {}, value: 2 }]);
 * ```
 */
export function snapshotSamples(snapshot: Snapshot): Sample[] {
  const { ts, series, values } = snapshot;
  const out: Sample[] = new Array(snapshot.length);
  for (let i = 0; i < snapshot.length; i++) {
    const s = series[i]!;
    out[i] = { ts, host: s.host, metric: s.metric, labels: s.labels, value: values[i]! };
  }
  return out;
}
