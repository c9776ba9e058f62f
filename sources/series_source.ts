/**
 * What a series source is: the contract between where series are stored (the local lake, a
 * Prometheus query API, series in memory) and the analytics that read them. It sits here, below
 * analytics, so a source in this folder has the analytics' own type rather than a restated
 * shape; the analytics re-export it and implement the lake and in-memory sources.
 *
 * @module
 */

/** One series' identity. */
export interface SeriesKey {
  host: string;
  metric: string;
  /** Canonical label string, `""` for none. */
  labels: string;
}

/** What {@linkcode SeriesSource.series} reads. */
export interface SourceSeriesOptions {
  metric: string;
  labels: string;
  host: string;
  /** Range, ms (start inclusive, end exclusive). */
  from: number;
  to: number;
  /** Bucket width, ms; default the tier's own (raw instants for raw data). */
  step?: number;
  /** Value of a bucket; default `avg`. */
  agg?: "avg" | "last";
}

/** A series read: timestamps (ms, ascending), values (NaN where missing), and the tier. */
export interface SourceSeries {
  /** Storage tier that served it: `raw`, `1m`, `1h`, or `memory`. */
  tier: string;
  ts: Float64Array;
  values: Float64Array;
}

/** First and last sample time of a host, ms. */
export interface HostExtent {
  host: string;
  first: number;
  last: number;
}

/** Summary of one series over a window (see {@linkcode SeriesSource.windowStats}). */
export interface WindowRow extends SeriesKey {
  avg: number;
  median: number;
  max: number;
  /** Finite samples. */
  n: number;
  /** The newest value in the window. */
  lastValue: number;
  /** First and last sample time in the window, ms. */
  first: number;
  last: number;
}

/** A place series come from. */
export interface SeriesSource {
  /** What it is, for methods notes, e.g. `lake data`. */
  readonly name: string;
  /**
   * Where its samples are, for messages such as "No samples from h in …": a query API's name;
   * absent for the lake (and the lake-like sources of tests), which read as "the lake".
   */
  readonly where?: string;
  /** Every series present. */
  metrics(): Promise<SeriesKey[]>;
  /** One series over a range. */
  series(options: SourceSeriesOptions): Promise<SourceSeries>;
  /** Several series over one range, each what {@linkcode SeriesSource.series} gives for it, in
   * the keys' order: for a source where one read of many costs little more than one read (the
   * lake: a statement per tier instead of one per series). Optional; `readSeries` falls back
   * to one `series` call per key. */
  seriesBatch?(
    keys: readonly SeriesKey[],
    options: Omit<SourceSeriesOptions, keyof SeriesKey>,
  ): Promise<SourceSeries[]>;
  /** First and last sample time per host (empty when there is no data). */
  extent(): Promise<HostExtent[]>;
  /** Per-series summaries of the given metrics over `[from, to)`, and the query behind them
   * when there is one (shown as evidence). */
  windowStats(
    metrics: readonly string[],
    from: number,
    to: number,
  ): Promise<{ rows: WindowRow[]; query?: string }>;
  /** Each host's group labels (a fleet's external labels such as `env`, `dc`, `role`), where
   * the source knows them (a query API does; the lake does not). Optional. */
  hostGroups?(): Promise<Map<string, Record<string, string>>>;
}
