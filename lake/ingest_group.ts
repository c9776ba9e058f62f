/**
 * The rows of one host × UTC date waiting for Parquet, in typed arrays (about 20 bytes a row,
 * where JS arrays of numbers and strings took about 40, plus a series table), so the ingest
 * writer's buffer costs what its row budget says.
 *
 * @module
 */

/** Buffered rows of one partition. */
export class IngestGroup {
  /** Spool segments the rows came from. */
  readonly segments: Set<number> = new Set();
  #ts = new Float64Array(256);
  #value = new Float64Array(256);
  #series = new Uint32Array(256);
  #length = 0;
  #byMetric = new Map<string, Map<string, number>>();
  #metrics: string[] = [];
  #labels: string[] = [];
  #prevMetric = "";
  #prevLabels = "";
  #prevSeries = -1;

  /**
   * @param host The partition's host.
   * @param date Its UTC date, `YYYY-MM-DD`.
   */
  constructor(readonly host: string, readonly date: string) {}

  /** Rows buffered. */
  get length(): number {
    return this.#length;
  }

  /** Bytes the typed arrays hold (capacity, not only the rows). */
  get bytes(): number {
    return this.#ts.byteLength + this.#value.byteLength + this.#series.byteLength;
  }

  /**
   * Adds one row.
   *
   * @param ts ms since the epoch.
   * @param metric Metric name.
   * @param labels Canonical labels.
   * @param value Value (`NaN`: none).
   */
  push(ts: number, metric: string, labels: string, value: number): void {
    let k = this.#prevSeries;
    if (k < 0 || metric !== this.#prevMetric || labels !== this.#prevLabels) {
      let byLabels = this.#byMetric.get(metric);
      if (byLabels === undefined) this.#byMetric.set(metric, byLabels = new Map());
      k = byLabels.get(labels) ?? -1;
      if (k < 0) {
        k = this.#metrics.length;
        byLabels.set(labels, k);
        this.#metrics.push(metric);
        this.#labels.push(labels);
      }
      this.#prevMetric = metric, this.#prevLabels = labels, this.#prevSeries = k;
    }
    const n = this.#length;
    if (n === this.#ts.length) this.#grow(n * 2);
    this.#ts[n] = ts, this.#value[n] = value, this.#series[n] = k;
    this.#length = n + 1;
  }

  #grow(size: number): void {
    const ts = new Float64Array(size), value = new Float64Array(size);
    const series = new Uint32Array(size);
    ts.set(this.#ts.subarray(0, this.#length));
    value.set(this.#value.subarray(0, this.#length));
    series.set(this.#series.subarray(0, this.#length));
    this.#ts = ts, this.#value = value, this.#series = series;
  }

  /**
   * The rows with a finite value, as typed columns and the series table, for the flush thread
   * (the typed arrays can be transferred).
   *
   * @returns Copies; the group is unchanged.
   */
  typed(): {
    ts: Float64Array;
    value: Float64Array;
    series: Uint32Array;
    metrics: string[];
    labels: string[];
  } {
    let n = 0;
    for (let i = 0; i < this.#length; i++) if (Number.isFinite(this.#value[i]!)) n++;
    const ts = new Float64Array(n), value = new Float64Array(n), series = new Uint32Array(n);
    let j = 0;
    for (let i = 0; i < this.#length; i++) {
      const v = this.#value[i]!;
      if (!Number.isFinite(v)) continue;
      ts[j] = this.#ts[i]!, value[j] = v, series[j] = this.#series[i]!;
      j++;
    }
    return { ts, value, series, metrics: this.#metrics.slice(), labels: this.#labels.slice() };
  }

  /**
   * The rows as columns for the Parquet writer.
   *
   * @param finiteOnly Leave out rows without a finite value (they are not stored).
   * @returns Columns of the kept rows (new arrays; the group is unchanged).
   */
  columns(finiteOnly: boolean): {
    ts: Float64Array;
    metric: string[];
    labels: string[];
    value: Float64Array;
  } {
    let n = 0;
    for (let i = 0; i < this.#length; i++) {
      if (!finiteOnly || Number.isFinite(this.#value[i]!)) n++;
    }
    const ts = new Float64Array(n), value = new Float64Array(n);
    const metric = new Array<string>(n), labels = new Array<string>(n);
    let j = 0;
    for (let i = 0; i < this.#length; i++) {
      const v = this.#value[i]!;
      if (finiteOnly && !Number.isFinite(v)) continue;
      const k = this.#series[i]!;
      ts[j] = this.#ts[i]!,
        value[j] = v,
        metric[j] = this.#metrics[k]!,
        labels[j] = this.#labels[k]!;
      j++;
    }
    return { ts, metric, labels, value };
  }
}
