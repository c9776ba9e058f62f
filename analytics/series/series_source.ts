/**
 * Where the analytics read series: a {@linkcode SeriesSource}. The lake is one source
 * ({@linkcode lakeSource}), series held in memory or read from CSV another
 * ({@linkcode memorySource}); a remote query API can be a third. The capacity analysis and the
 * recommendation rules receive a source and never reach into a storage layer themselves.
 *
 * @module
 */
import { type Lake, meanSql, sameHost } from "../../lake/mod.ts";
import type { HostExtent, SeriesKey, SeriesSource, WindowRow } from "../../sources/mod.ts";
import { type CsvSeriesOptions, readCsvSeries } from "./csv_series.ts";

export type {
  HostExtent,
  SeriesKey,
  SeriesSource,
  SourceSeries,
  SourceSeriesOptions,
  WindowRow,
} from "../../sources/mod.ts";

/**
 * A source over an open lake. Series reads pick the tier from the data that exists (a 14-day
 * look-back on a lake holding minutes of data reads raw samples, not one hourly row). The
 * extent is read once per source: make a new source to see newer data. Series reads, the
 * listing, the extent and the window statistics include the rows the lake's buffered source
 * holds (`Lake.includeBuffered`, as serve sets it), each once.
 *
 * @param lake An open lake (the caller closes it).
 * @returns The source.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openLake, writeSamples } from "../../lake/mod.ts";
 * import { lakeSource } from "./series_source.ts";
 * const root = Deno.makeTempDirSync();
 * const t = Date.UTC(2024, 0, 1);
 * writeSamples([0, 1, 2].map((i) => ({ ts: t + i * 60_000, host: "h", metric: "m", labels: {}, value: i })), { root, id: t });
 * const lake = await openLake({ root });
 * const s = await lakeSource(lake).series({ metric: "m", labels: "", host: "h", from: t - 14 * 86_400_000, to: t + 180_000 });
 * assert.equal(s.tier, "raw");
 * assert.deepEqual([...s.values], [0, 1, 2]);
 * lake.close();
 * ```
 */
export function lakeSource(lake: Lake): SeriesSource {
  let extents: Promise<HostExtent[]> | undefined;
  return {
    name: `lake ${lake.root}`,
    metrics: () => lake.metrics(),
    async series(o) {
      // The lake picks the tier from the data that exists (see `Lake.series`).
      const s = await lake.series({
        metric: o.metric,
        labels: o.labels,
        host: o.host,
        from: o.from,
        to: o.to,
        ...(o.step !== undefined && { step: o.step }),
        ...(o.agg && { agg: o.agg }),
      });
      return { tier: s.tier, ts: s.ts, values: s.values };
    },
    async seriesBatch(keys, o) {
      const all = await lake.seriesBatch(keys, {
        from: o.from,
        to: o.to,
        ...(o.step !== undefined && { step: o.step }),
        ...(o.agg && { agg: o.agg }),
      });
      return all.map((s) => ({ tier: s.tier, ts: s.ts, values: s.values }));
    },
    extent() {
      return extents ??= lake.extent();
    },
    async windowStats(metrics, from, to) {
      const query = windowSql(metrics);
      const range = { from: Math.floor(from), to: Math.ceil(to) };
      // with the lake's buffered rows included (serve), those of the window count too, each
      // once across a flush, as in series reads
      const buffered = range.to > range.from ? { ...range, metrics: new Set(metrics) } : undefined;
      const rows = await lake.query<WindowRow>(query, range, buffered && { buffered });
      return { rows: rows.map((r) => ({ ...r, n: Number(r.n) })), query };
    },
  };
}

function windowSql(metrics: readonly string[]): string {
  const list = metrics.map((m) => `'${m.replaceAll("'", "''")}'`).join(", ");
  // the overflow-free mean: two samples of 1.7e308 in the window averaged to Infinity
  return `SELECT host, metric, labels, ${meanSql("value")} AS avg,
  quantile_cont(value, 0.5) AS median, max(value) AS max, count(*) AS n,
  arg_max(value, ts) AS "lastValue", min(epoch_ms(ts)) AS first, max(epoch_ms(ts)) AS last
FROM samples
WHERE metric IN (${list})
  AND isfinite(value)
  AND (metric <> 'cpu_ratio' OR labels LIKE 'cpu=total,%' OR labels LIKE '%mode=idle')
  AND ts >= epoch_ms(CAST($from AS BIGINT)) AND ts < epoch_ms(CAST($to AS BIGINT))
GROUP BY ALL`;
}

/** A series held in memory, e.g. read from a CSV file. */
export interface MemorySeries extends SeriesKey {
  ts: Float64Array;
  values: Float64Array;
}

/**
 * A source over series held in memory (a CSV file read with `readCsvSeries`, a notebook's
 * DataFrame, a test). Reads return the points in range (no bucketing: `step` is ignored).
 *
 * @param series The series; timestamps ascending.
 * @param name What they are, for methods notes; default `memory`.
 * @returns The source.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memorySource } from "./series_source.ts";
 * const src = memorySource([{ host: "h", metric: "m", labels: "", ts: Float64Array.of(0, 60_000), values: Float64Array.of(1, 2) }]);
 * assert.deepEqual(await src.extent(), [{ host: "h", first: 0, last: 60_000 }]);
 * const s = await src.series({ host: "h", metric: "m", labels: "", from: 1, to: 120_000 });
 * assert.deepEqual([...s.values], [2]);
 * ```
 */
export function memorySource(series: readonly MemorySeries[], name = "memory"): SeriesSource {
  const find = (k: SeriesKey) => {
    const same = (s: MemorySeries) => s.metric === k.metric && s.labels === k.labels;
    // host names are case-insensitive (lake canonicalHost): a CSV's Web1 is asked for as web1
    return series.find((s) => s.host === k.host && same(s)) ??
      series.find((s) => sameHost(s.host, k.host) && same(s));
  };
  return {
    name,
    metrics: () =>
      Promise.resolve(series.map(({ host, metric, labels }) => ({ host, metric, labels }))),
    series(o) {
      const s = find(o);
      const idx: number[] = [];
      for (let i = 0; s && i < s.ts.length; i++) {
        if (s.ts[i]! >= o.from && s.ts[i]! < o.to) idx.push(i);
      }
      return Promise.resolve({
        tier: "memory",
        ts: Float64Array.from(idx, (i) => s!.ts[i]!),
        values: Float64Array.from(idx, (i) => s!.values[i]!),
      });
    },
    extent() {
      const by = new Map<string, HostExtent>();
      for (const s of series) {
        if (s.ts.length === 0) continue;
        const e = by.get(s.host) ?? { host: s.host, first: Infinity, last: -Infinity };
        e.first = Math.min(e.first, s.ts[0]!);
        e.last = Math.max(e.last, s.ts[s.ts.length - 1]!);
        by.set(s.host, e);
      }
      return Promise.resolve([...by.values()].sort((a, b) => (a.host < b.host ? -1 : 1)));
    },
    windowStats(metrics, from, to) {
      const rows: WindowRow[] = [];
      for (const s of series) {
        if (!metrics.includes(s.metric)) continue;
        const v: number[] = [];
        let first = NaN, last = NaN, lastValue = NaN;
        for (let i = 0; i < s.ts.length; i++) {
          if (s.ts[i]! < from || s.ts[i]! >= to || !Number.isFinite(s.values[i]!)) continue;
          v.push(s.values[i]!);
          if (Number.isNaN(first)) first = s.ts[i]!;
          last = s.ts[i]!;
          lastValue = s.values[i]!;
        }
        if (v.length === 0) continue;
        const sorted = [...v].sort((a, b) => a - b);
        const mid = (sorted.length - 1) / 2;
        rows.push({
          host: s.host,
          metric: s.metric,
          labels: s.labels,
          avg: v.reduce((a, b) => a + b, 0) / v.length,
          median: (sorted[Math.floor(mid)]! + sorted[Math.ceil(mid)]!) / 2,
          max: sorted[sorted.length - 1]!,
          n: v.length,
          lastValue,
          first,
          last,
        });
      }
      return Promise.resolve({ rows });
    },
  };
}

/** Options of {@linkcode csvSource}: which columns, and the series' identity. */
export interface CsvSourceOptions extends CsvSeriesOptions {
  /** Host the values belong to; default `csv`. */
  host?: string;
  /** Metric name, e.g. `filesystem_used_bytes` (what makes it a capacity resource); default
   * `value`. */
  metric?: string;
  /** Canonical labels; default `""`. */
  labels?: string;
  /** Name for methods notes; default `csv`. */
  name?: string;
}

/**
 * A source over one series read from CSV text (`readCsvSeries`: a header row, a time and a
 * value column), e.g. an export from another monitoring system.
 *
 * @param text The CSV text.
 * @param options Columns, host, metric and labels.
 * @returns The source.
 * @throws {RangeError} If the CSV has no data row or a named column is missing.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { csvSource } from "./series_source.ts";
 * const src = csvSource("timestamp,value\n2024-01-01T00:00:00Z,1\n2024-01-01T00:01:00Z,2\n",
 *   { host: "db1", metric: "memory_bytes", labels: "state=used" });
 * assert.deepEqual(await src.metrics(), [{ host: "db1", metric: "memory_bytes", labels: "state=used" }]);
 * const [e] = await src.extent();
 * assert.equal(e!.last - e!.first, 60_000);
 * ```
 */
export function csvSource(text: string, options: CsvSourceOptions = {}): SeriesSource {
  const { host = "csv", metric = "value", labels = "", name = "csv", ...columns } = options;
  const s = readCsvSeries(text, columns);
  const order = [...s.ts.keys()].sort((a, b) => s.ts[a]! - s.ts[b]!);
  const ts = Float64Array.from(order, (i) => s.ts[i]!);
  const values = Float64Array.from(order, (i) => s.values[i]!);
  return memorySource([{ host, metric, labels, ts, values }], name);
}

/**
 * The source behind a value: a source as is, a lake wrapped with {@linkcode lakeSource}.
 *
 * @param input A source or an open lake.
 * @returns The source.
 */
export function toSource(input: SeriesSource | Lake): SeriesSource {
  return "windowStats" in input ? input : lakeSource(input);
}

/**
 * The same source, reading the hosts' extents once: an analysis asks for them in several steps
 * (the host list, each resource's span, the services' rows), and a source that does not keep
 * them (Prometheus, VictoriaMetrics, a test's memory fleet) would query them each time.
 *
 * @param source Any source.
 * @returns A source whose `extent()` is read at most once; everything else is the source's own.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { extentOnce, memorySource } from "./series_source.ts";
 * const inner = memorySource([{ host: "h", metric: "m", labels: "", ts: Float64Array.of(0, 60_000), values: Float64Array.of(1, 2) }]);
 * let reads = 0;
 * const counted = { ...inner, extent: () => (reads++, inner.extent()) };
 * const once = extentOnce(counted);
 * assert.deepEqual(await once.extent(), await once.extent());
 * assert.equal(reads, 1);
 * assert.equal((await once.series({ metric: "m", labels: "", host: "h", from: 0, to: 1e6 })).values.length, 2);
 * ```
 */
export function extentOnce(source: SeriesSource): SeriesSource {
  let extents: Promise<HostExtent[]> | undefined;
  return new Proxy(source, {
    get(target, key) {
      if (key === "extent") return () => (extents ??= target.extent());
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * The same source, reading the hosts' extents and the series listing once each: the capacity
 * analysis lists the series for its resources and again for its services, and on a lake each
 * listing scans the hourly rollups and the raw files not yet in them.
 *
 * @param source Any source.
 * @returns A source whose `extent()` and `metrics()` are read at most once each; everything
 * else is the source's own.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listingOnce, memorySource } from "./series_source.ts";
 * const inner = memorySource([{ host: "h", metric: "m", labels: "", ts: Float64Array.of(0), values: Float64Array.of(1) }]);
 * let reads = 0;
 * const once = listingOnce({ ...inner, metrics: () => (reads++, inner.metrics()) });
 * assert.deepEqual(await once.metrics(), await once.metrics());
 * assert.equal(reads, 1);
 * ```
 */
export function listingOnce(source: SeriesSource): SeriesSource {
  let keys: Promise<SeriesKey[]> | undefined;
  const inner = extentOnce(source);
  return new Proxy(inner, {
    get(target, key) {
      if (key === "metrics") return () => (keys ??= target.metrics());
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
