/**
 * The golden signals of one service from one value per series (a window's average, or the
 * latest sample): requests per second, errors, latency percentiles, Apdex, cache hit ratio,
 * database query percentiles and requests in flight.
 *
 * @module
 */
import {
  DB_HISTOGRAMS,
  IN_FLIGHT,
  isErrorStatus,
  REQUEST_COUNTERS,
  REQUEST_HISTOGRAMS,
  REQUEST_TIMERS_MS,
  type ServiceSpec,
  statusOf,
} from "./service_catalog.ts";
import {
  type Apdex,
  type Bucket,
  bucketApdex,
  bucketQuantile,
  parseBound,
  rateAtOrBelow,
} from "./bucket_quantile.ts";

/** One series' value. */
export interface SeriesValue {
  host: string;
  metric: string;
  labels: Record<string, string>;
  value: number;
}

/** Latency percentiles in seconds, and how they were found. */
export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** `buckets` (recomputed from the summed buckets) or `quantile series` (the stored
   * `_p50/_p95/_p99`, weighted by request rate when several series). */
  from: "buckets" | "quantile series";
  /** The histogram's metric name. */
  metric: string;
}

/** Figures of a service from one value per series. */
export interface ServiceFigures {
  /** Requests per second (null without request metrics). */
  rps: number | null;
  /** 5xx per second (null when no series has a status label). */
  errorsPerSecond: number | null;
  /** errors / requests; null without status labels or without requests. */
  errorRate: number | null;
  successRate: number | null;
  latency: Percentiles | null;
  /** Mean latency, s (sum / count of the request histogram). */
  meanLatency: number | null;
  apdex: Apdex | null;
  cacheHitRatio: number | null;
  db: Percentiles | null;
  /** Requests in flight (gauge), null without one. */
  inFlight: number | null;
  /** The request-rate metric used. */
  requestMetric: string | null;
}

/**
 * Computes a service's figures from values of its series.
 *
 * @param spec The service (Apdex threshold, cache metrics).
 * @param values One value per series of the service.
 * @returns The figures; each null when its series are missing.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serviceFigures } from "./service_figures.ts";
 * const spec = { name: "api", labels: {}, apdex: 0.5, slo: 0.999, origin: "config",
 *   cache: { hits: "cache_hits_per_second", misses: "cache_misses_per_second" } };
 * const v = (code: string, value: number) =>
 *   ({ host: "h", metric: "http_requests_per_second", labels: { code }, value });
 * const f = serviceFigures(spec, [v("200", 95), v("500", 5)]);
 * assert.equal(f.rps, 100);
 * assert.equal(f.errorRate, 0.05);
 * ```
 */
export function serviceFigures(
  spec: ServiceSpec,
  values: readonly SeriesValue[],
): ServiceFigures {
  const fin = values.filter((v) => Number.isFinite(v.value));
  const of = (metric: string) => fin.filter((v) => v.metric === metric);
  const sum = (list: readonly SeriesValue[]) => list.reduce((a, v) => a + v.value, 0);
  const hist = REQUEST_HISTOGRAMS.find((h) =>
    fin.some((v) => v.metric.startsWith(h + "_") && v.metric.length > h.length + 1)
  );
  // a StatsD timer (ms) only when no histogram: its quantiles are per series, not from buckets
  const timer = hist
    ? undefined
    : REQUEST_TIMERS_MS.find((t) =>
      of(`${t}_count_per_second`).length > 0 || of(`${t}_p50`).length > 0
    );
  const counter = REQUEST_COUNTERS.find((m) => of(m).length > 0);
  const timed = hist ?? timer;
  const requestMetric = counter ??
    (timed && of(`${timed}_count_per_second`).length ? `${timed}_count_per_second` : null);
  const req = requestMetric ? of(requestMetric) : [];
  const rps = requestMetric ? sum(req) : null;
  const withStatus = req.filter((v) => statusOf(v.labels) !== undefined);
  const errorsPerSecond = withStatus.length
    ? sum(withStatus.filter((v) => isErrorStatus(statusOf(v.labels))))
    : null;
  const errorRate = errorsPerSecond !== null && rps !== null && rps > 0
    ? errorsPerSecond / rps
    : null;
  let meanLatency: number | null = null;
  if (hist) {
    const c = sum(of(`${hist}_count_per_second`)), s = sum(of(`${hist}_sum_per_second`));
    if (c > 0 && of(`${hist}_sum_per_second`).length) meanLatency = s / c;
  }
  const buckets = hist ? bucketsOf(of(`${hist}_bucket_per_second`)) : [];
  const hits = of(spec.cache.hits), misses = of(spec.cache.misses);
  const lookups = sum(hits) + sum(misses);
  const dbHist = DB_HISTOGRAMS.find((h) => fin.some((v) => v.metric.startsWith(h + "_")));
  const flight = IN_FLIGHT.find((m) => of(m).length > 0);
  return {
    rps,
    errorsPerSecond,
    errorRate,
    successRate: errorRate === null ? null : 1 - errorRate,
    latency: hist ? percentiles(hist, fin) : timer ? inSeconds(percentiles(timer, fin)) : null,
    meanLatency,
    apdex: buckets.length ? bucketApdex(buckets, spec.apdex) : null,
    cacheHitRatio: hits.length && misses.length && lookups > 0 ? sum(hits) / lookups : null,
    db: dbHist ? percentiles(dbHist, fin) : null,
    inFlight: flight ? sum(of(flight)) : null,
    requestMetric,
  };
}

/** Percentiles of a millisecond timer in seconds. */
function inSeconds(p: Percentiles | null): Percentiles | null {
  if (!p) return null;
  const s = (v: number | null) => v === null ? null : v / 1000;
  return { ...p, p50: s(p.p50), p95: s(p.p95), p99: s(p.p99) };
}

/**
 * Buckets summed over series: every histogram series (host and labels but `bucket`) read at
 * every bound any of them has, interpolated within its own buckets where it lacks that bound.
 * Series with the same bounds (explicit buckets) add up exactly; exponential histograms stored
 * at different scales or ranges (OTLP) add up without a series' missing bounds making the sum
 * fall between two bounds.
 */
function bucketsOf(list: readonly SeriesValue[]): Bucket[] {
  const groups = new Map<string, Bucket[]>();
  const bounds = new Set<number>();
  for (const v of list) {
    const le = parseBound(v.labels.bucket ?? "");
    if (Number.isNaN(le)) continue;
    const { bucket: _, ...rest } = v.labels;
    const key = `${v.host}\u0000${canonical(rest)}`;
    let g = groups.get(key);
    if (!g) groups.set(key, g = []);
    g.push({ le, rate: v.value });
    bounds.add(le);
  }
  if (groups.size === 1) return [...groups.values()][0]!;
  return [...bounds].map((le) => {
    let rate = 0;
    for (const g of groups.values()) {
      // a series' own bound exactly; a missing one interpolated (at +Inf: its highest bound)
      rate += g.find((b) => b.le === le)?.rate ?? rateAtOrBelow(g, le);
    }
    return { le, rate };
  });
}

function percentiles(hist: string, values: readonly SeriesValue[]): Percentiles | null {
  const buckets = bucketsOf(values.filter((v) => v.metric === `${hist}_bucket_per_second`));
  const at = (q: number) => {
    const x = bucketQuantile(buckets, q);
    return Number.isFinite(x) ? x : null;
  };
  if (buckets.length) {
    const p = { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
    if (p.p50 !== null) return { ...p, from: "buckets", metric: hist };
  }
  const counts = values.filter((v) => v.metric === `${hist}_count_per_second`);
  const weight = (v: SeriesValue) => {
    const key = canonical(v.labels);
    const c = counts.find((c) => c.host === v.host && canonical(c.labels) === key);
    return c ? c.value : 1;
  };
  const q = (suffix: string) => {
    const list = values.filter((v) => v.metric === `${hist}_${suffix}`);
    let w = 0, s = 0;
    for (const v of list) w += weight(v), s += weight(v) * v.value;
    return list.length === 0 ? null : w > 0 ? s / w : list[0]!.value;
  };
  const p = { p50: q("p50"), p95: q("p95"), p99: q("p99") };
  if (p.p50 === null && p.p95 === null && p.p99 === null) return null;
  return { ...p, from: "quantile series", metric: hist };
}

function canonical(labels: Record<string, string>): string {
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(",");
}
