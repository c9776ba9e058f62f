/**
 * Turns a decoded OTLP metrics request into stored samples (names as in CONTRACTS.md): `.` in
 * names becomes `_`; the resource's `service.name` becomes the label `service`; a gauge or a
 * cumulative non-monotonic sum is stored as is (a delta non-monotonic sum is refused: its points
 * are changes over their interval, not levels, and perfscope does not know the level they change;
 * Prometheus' OTLP receiver refuses them too); a monotonic sum becomes `<name>_per_second` (cumulative:
 * the increase since the previous export, resets seen from the start time or a decrease, and a
 * new series' first export over its start time when that is recent ({@linkcode FRESH_START_MS});
 * delta: the value over its interval); an explicit-bucket histogram becomes count and sum rates,
 * bucket rates and p50/p95/p99 over the interval; an exponential histogram becomes count and
 * sum rates and quantiles from its exponential buckets at their own resolution, and bucket
 * rates in at most 40 coarser `le` buckets (see `stored_exponential_buckets.ts`); a summary
 * keeps its quantiles.
 *
 * @module
 */
import { perSecond, unitOf } from "./app_metrics.ts";
import type { BatchBuilder, MetricMeta } from "./batch_builder.ts";
import { bucketLabel, type CumulativeState, quantileName } from "./convert_exposition.ts";
import { histogramQuantile } from "./histogram_quantile.ts";
import { formatLabels } from "../labels/mod.ts";
import { addLabels, metricName } from "./_labels.ts";
import { cleanLabelNames, type LabelPair } from "./_clean_label_names.ts";
import {
  type ExponentialLayout,
  exponentialLayout,
  MAX_EXPONENTIAL_BUCKETS,
  storedExponentialBuckets,
} from "./stored_exponential_buckets.ts";
import type {
  OtlpAnyValue,
  OtlpExpHistogramPoint,
  OtlpHistogramPoint,
  OtlpKeyValue,
  OtlpMetric,
  OtlpMetricsRequest,
} from "./otlp_decode.ts";

const DELTA = 1;

/** UCUM units as Prometheus' OTLP translation spells them in name suffixes. */
const UNIT_WORDS: Record<string, string> = {
  d: "days",
  h: "hours",
  min: "minutes",
  s: "seconds",
  ms: "milliseconds",
  us: "microseconds",
  ns: "nanoseconds",
  By: "bytes",
  KiBy: "kibibytes",
  MiBy: "mebibytes",
  GiBy: "gibibytes",
  KBy: "kilobytes",
  MBy: "megabytes",
  GBy: "gigabytes",
  m: "meters",
  V: "volts",
  A: "amperes",
  J: "joules",
  W: "watts",
  g: "grams",
  Cel: "celsius",
  Hz: "hertz",
  "%": "percent",
};

/**
 * The stored name of an OTLP metric: `.` → `_`, plus the unit as a suffix the way Prometheus
 * names OTLP metrics (`http.server.request.duration` in `s` →
 * `http_server_request_duration_seconds`, the name the services conventions look for), unless
 * the name already ends with it; annotations (`{request}`) and `1` add nothing.
 *
 * @param name The OTLP name.
 * @param unit The OTLP unit.
 * @returns The stored base name.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { otlpMetricName } from "./convert_otlp.ts";
 * assert.equal(otlpMetricName("http.server.request.duration", "s"), "http_server_request_duration_seconds");
 * assert.equal(otlpMetricName("net.io", "By/s"), "net_io_bytes_per_second");
 * assert.equal(otlpMetricName("queue.depth", "{job}"), "queue_depth");
 * ```
 */
export function otlpMetricName(name: string, unit = ""): string {
  const base = metricName(name);
  const u = unit.trim();
  if (base === "" || u === "" || u === "1" || u.startsWith("{")) return base;
  const [num, per] = u.split("/", 2) as [string, string | undefined];
  const word = unitWord(num);
  if (!word) return base;
  const perWord = per === undefined ? "" : unitWord(per);
  const suffix = per === undefined
    ? word
    : perWord
    ? `${word}_per_${perWord.replace(/s$/, "")}`
    : word;
  return base.endsWith(`_${suffix}`) ? base : `${base}_${suffix}`;
}
/** A unit as a name suffix word; `""` for none. */
function unitWord(unit: string): string {
  // an own key only: the unit `constructor` read Object's source into the name (the export was
  // refused whole) and `By/constructor` was a 500
  if (Object.hasOwn(UNIT_WORDS, unit)) return UNIT_WORDS[unit]!;
  return /^[A-Za-z]+$/.test(unit) ? unit.toLowerCase() : "";
}

const QUANTILES = [0.5, 0.95, 0.99] as const;

/** An attribute value as label text (arrays and maps as JSON). */
function text(v: OtlpAnyValue | undefined): string {
  if (!v) return "";
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return String(v.boolValue);
  if (v.intValue !== undefined) return String(v.intValue);
  if (v.doubleValue !== undefined) return String(v.doubleValue);
  if (v.bytesValue !== undefined) return v.bytesValue;
  if (v.arrayValue) return JSON.stringify((v.arrayValue.values ?? []).map(text));
  if (v.kvlistValue) {
    return JSON.stringify(
      Object.fromEntries((v.kvlistValue.values ?? []).map((kv) => [kv.key, text(kv.value)])),
    );
  }
  return "";
}

/** A point's labels: attributes whose keys clean to one name join their values (see
 * `cleanLabelNames`), the resource's (`service`) win, a clashing attribute is kept as
 * `exported_<name>`, as is a histogram's own `bucket` attribute (`reserved`), the name its
 * bounds are stored under. */
function attributes(
  base: Record<string, string>,
  attrs: OtlpKeyValue[] | undefined,
  reserved?: string,
): Record<string, string> {
  const out = { ...base };
  if (!attrs?.length) return out;
  const own: LabelPair[] = [];
  for (const kv of attrs) own.push([kv.key, text(kv.value)]);
  addLabels(out, cleanLabelNames(own), reserved);
  return out;
}

/** Options for {@linkcode convertOtlp}. */
export interface ConvertOtlpOptions {
  /** Time for points without one (`time_unix_nano` 0), ms. */
  now: number;
  /** Most bucket series stored per exponential histogram series (at least 8); default
   * {@linkcode MAX_EXPONENTIAL_BUCKETS} (40). */
  maxExponentialBuckets?: number;
}

/** What a conversion dropped, for the partial-success answer. */
export interface OtlpConversion {
  /** Data points in the request. */
  points: number;
  /** Data points refused (delta non-monotonic sums), counted in `points` too. */
  refused: number;
  /** Why, one entry per refused metric (its OTLP name and the reason). */
  refusals: string[];
}

/**
 * Adds a request's data points to a batch.
 *
 * @param req The decoded request.
 * @param state Cumulative values of earlier exports (for rates).
 * @param out Where the samples go.
 * @param options Clock.
 * @returns The number of data points read.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BatchBuilder, convertOtlp, CumulativeState } from "./mod.ts";
 * const out = new BatchBuilder({ host: "h", ts: 5, source: "otlp" });
 * const req = { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: "up.time", gauge: { dataPoints: [{ asDouble: 9 }] } }] }] }] };
 * assert.equal(convertOtlp(req, new CumulativeState(), out, { now: 5 }).points, 1);
 * assert.deepEqual(out.batch().metric, ["up_time"]);
 * ```
 */
export function convertOtlp(
  req: OtlpMetricsRequest,
  state: CumulativeState,
  out: BatchBuilder,
  options: ConvertOtlpOptions,
): OtlpConversion {
  let points = 0, refused = 0;
  const refusals = new Set<string>();
  const maxBuckets = options.maxExponentialBuckets ?? MAX_EXPONENTIAL_BUCKETS;
  for (const rm of req.resourceMetrics ?? []) {
    const service = rm.resource?.attributes?.find((kv) => kv.key === "service.name");
    const base: Record<string, string> = service ? { service: text(service.value) } : {};
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        if (m.sum && !m.sum.isMonotonic && m.sum.aggregationTemporality === DELTA) {
          // a delta UpDownCounter: each point is a change, and storing it as the gauge's value
          // would chart the changes as levels; a running total would start from an unknown level
          const n = m.sum.dataPoints?.length ?? 0;
          points += n;
          refused += n;
          refusals.add(
            `metric ${JSON.stringify(m.name ?? "")}: a non-monotonic sum with delta temporality ` +
              "carries changes, not levels (send it as cumulative)",
          );
          continue;
        }
        if (otlpMetricName(m.name ?? "", m.unit ?? "") === "") {
          // no name to store under ("" or only characters a name drops): said, not dropped unseen
          const n = dataPoints(m);
          points += n;
          refused += n;
          refusals.add(`metric ${JSON.stringify(m.name ?? "")}: no metric name to store it under`);
          continue;
        }
        // one point's buckets cannot be read, not the metric's: its other points are stored
        const { kept, problem, dropped } = readablePoints(m);
        points += dropped;
        refused += dropped;
        if (problem !== undefined) {
          refusals.add(`metric ${JSON.stringify(m.name ?? "")}: ${problem}`);
        }
        points += metric(kept, base, state, out, options.now, maxBuckets);
      }
    }
  }
  return { points, refused, refusals: [...refusals] };
}

/** A metric without its histogram points whose buckets cannot be read, and why the first was. */
function readablePoints(
  m: OtlpMetric,
): { kept: OtlpMetric; problem?: string | undefined; dropped: number } {
  if (m.histogram?.dataPoints) {
    const r = readable(m.histogram.dataPoints, bucketsProblem);
    return r.problem === undefined ? { kept: m, dropped: 0 } : {
      kept: { ...m, histogram: { ...m.histogram, dataPoints: r.points } },
      problem: r.problem,
      dropped: r.dropped,
    };
  }
  if (m.exponentialHistogram?.dataPoints) {
    const r = readable(m.exponentialHistogram.dataPoints, scaleProblem);
    return r.problem === undefined ? { kept: m, dropped: 0 } : {
      kept: { ...m, exponentialHistogram: { ...m.exponentialHistogram, dataPoints: r.points } },
      problem: r.problem,
      dropped: r.dropped,
    };
  }
  return { kept: m, dropped: 0 };
}

/** The points `problemOf` finds nothing wrong with, how many it dropped, and the first reason. */
function readable<P>(
  points: P[],
  problemOf: (point: P) => string | undefined,
): { points: P[]; problem: string | undefined; dropped: number } {
  const why = points.map((p) => problemOf(p));
  const kept = points.filter((_, i) => why[i] === undefined);
  return {
    points: kept,
    problem: why.find((w) => w !== undefined),
    dropped: points.length - kept.length,
  };
}

/**
 * Why an exponential histogram point's scale cannot be read, or `undefined`: the SDKs' range is
 * -10 … 20; beyond it the bounds were all 1 (scale 1000: every quantile 1) or overflowed to
 * +Inf (scale -1000: the quantiles dropped).
 */
function scaleProblem(p: OtlpExpHistogramPoint): string | undefined {
  const scale = p.scale ?? 0;
  return Number.isInteger(scale) && scale >= -10 && scale <= 20
    ? undefined
    : `an exponential histogram point has scale ${scale} (from -10 to 20)`;
}

/**
 * Why a histogram point's buckets cannot be read, or `undefined`. OTLP asks for one count more
 * than bounds (or no counts) and strictly increasing bounds; read anyway, a missing count was 0
 * and an extra one dropped (p99 at the first bound with 80 % of the requests above it) and
 * unsorted bounds gave a p95 below the p50.
 */
function bucketsProblem(p: OtlpHistogramPoint): string | undefined {
  const bounds = p.explicitBounds ?? [], counts = p.bucketCounts?.length ?? 0;
  if (counts !== 0 && counts !== bounds.length + 1) {
    return `a histogram point has ${counts} bucketCounts for ${bounds.length} explicitBounds ` +
      "(there must be one more count than bounds)";
  }
  // NaN fails the comparison, and so does an explicit +Inf (the last bucket's bound already)
  if (!bounds.every((b, i) => b < (bounds[i + 1] ?? Infinity))) {
    return `a histogram point's explicitBounds do not increase strictly ` +
      `(${bounds.slice(0, 5).join(", ")}${bounds.length > 5 ? ", …" : ""}; +Inf is implied)`;
  }
  return undefined;
}

/** How many data points a metric carries, whatever its kind. */
function dataPoints(m: OtlpMetric): number {
  const kind = m.gauge ?? m.sum ?? m.histogram ?? m.exponentialHistogram ?? m.summary;
  return kind?.dataPoints?.length ?? 0;
}

function tsOf(nano: number | undefined, now: number): number {
  return nano ? Math.round(nano / 1e6) : now;
}

function metric(
  m: OtlpMetric,
  base: Record<string, string>,
  state: CumulativeState,
  out: BatchBuilder,
  now: number,
  maxBuckets: number,
): number {
  const name = otlpMetricName(m.name ?? "", m.unit ?? "");
  if (name === "") return 0;
  const help = m.description ?? "";
  const unit = unitOf(m.name, m.unit ?? "");
  let n = 0;
  if (m.gauge || (m.sum && !m.sum.isMonotonic)) {
    const meta: MetricMeta = { unit, kind: "gauge", help };
    for (const p of (m.gauge ?? m.sum)!.dataPoints ?? []) {
      n++;
      out.add(
        name,
        attributes(base, p.attributes),
        p.asDouble ?? p.asInt ?? NaN,
        meta,
        tsOf(p.timeUnixNano, now),
      );
    }
  } else if (m.sum) {
    const delta = m.sum.aggregationTemporality === DELTA;
    const rate = `${name.replace(/_total$/, "")}_per_second`;
    const meta: MetricMeta = { unit: perSecond(unit), kind: "rate", help };
    for (const p of m.sum.dataPoints ?? []) {
      n++;
      const labels = attributes(base, p.attributes);
      const ts = tsOf(p.timeUnixNano, now);
      const d = interval(state, `${rate}\u0000${formatLabels(labels)}`, ts, p, [
        p.asDouble ?? p.asInt ?? NaN,
      ], delta);
      if (d) out.add(rate, labels, d.increase[0]! / d.seconds, meta, ts);
    }
  } else if (m.histogram) {
    const delta = m.histogram.aggregationTemporality === DELTA;
    for (const p of m.histogram.dataPoints ?? []) {
      n++;
      const labels = attributes(base, p.attributes, "bucket");
      const ts = tsOf(p.timeUnixNano, now);
      const bounds = [...(p.explicitBounds ?? []), Infinity];
      const cumulative: number[] = [];
      let acc = 0;
      for (let i = 0; i < bounds.length; i++) cumulative.push(acc += p.bucketCounts?.[i] ?? 0);
      const key = `${name}\u0000${formatLabels(labels)}\u0000${bounds.length}`;
      const d = interval(state, key, ts, p, [...cumulative, p.count ?? acc, p.sum ?? NaN], delta);
      if (d) histogramSamples(out, name, unit, help, labels, bounds, d, ts, true);
    }
  } else if (m.exponentialHistogram) {
    const delta = m.exponentialHistogram.aggregationTemporality === DELTA;
    for (const p of m.exponentialHistogram.dataPoints ?? []) {
      n++;
      const labels = attributes(base, p.attributes, "bucket");
      const ts = tsOf(p.timeUnixNano, now);
      const { bounds, cumulative } = exponentialBuckets(p);
      // the buckets' layout (scale, offsets) is part of the key: a change restarts the rates
      const layout = `${p.scale}/${p.positive?.offset}/${p.negative?.offset}/${bounds.length}`;
      const key = `${name}\u0000${formatLabels(labels)}\u0000${layout}`;
      const total = cumulative[cumulative.length - 1] ?? 0;
      const d = interval(state, key, ts, p, [...cumulative, p.count ?? total, p.sum ?? NaN], delta);
      if (d) histogramSamples(out, name, unit, help, labels, bounds, d, ts, false);
      // the stored buckets: coarser, in a layout the series keeps (quantiles above use the
      // point's own resolution)
      const sd = storedInterval(
        state,
        `${name}\u0000${formatLabels(labels)}`,
        p,
        ts,
        delta,
        maxBuckets,
      );
      if (sd) bucketSamples(out, name, help, labels, sd.bounds, sd, ts);
    }
  } else if (m.summary) {
    for (const p of m.summary.dataPoints ?? []) {
      n++;
      const labels = attributes(base, p.attributes);
      const ts = tsOf(p.timeUnixNano, now);
      for (const qv of p.quantileValues ?? []) {
        const q = qv.quantile ?? NaN;
        if (!(q >= 0 && q <= 1)) continue;
        out.add(quantileName(name, q), labels, qv.value ?? NaN, { unit, kind: "gauge", help }, ts);
      }
      const d = interval(state, `${name}\u0000${formatLabels(labels)}`, ts, p, [
        p.count ?? NaN,
        p.sum ?? NaN,
      ], false);
      if (d) {
        out.add(`${name}_count_per_second`, labels, d.increase[0]! / d.seconds, {
          unit: "1/s",
          kind: "rate",
          help,
        }, ts);
        out.add(`${name}_sum_per_second`, labels, d.increase[1]! / d.seconds, {
          unit: perSecond(unit),
          kind: "rate",
          help,
        }, ts);
      }
    }
  }
  return n;
}

/**
 * The longest span from a cumulative series' start time to its first export that is taken as
 * that export's interval, ms (one minute: the SDKs' default export interval).
 *
 * A cumulative point carries the time its counting started, so the first export of a series
 * already gives a rate (value ÷ span) and a new service shows after one export, not two. That
 * is only a fair "now" figure when the counting started recently: an exporter that has run for
 * hours (perfscope restarted, or a series forgotten after a long silence) would give the
 * average since its start, which can be far from the current rate. Within a minute the figure
 * is an average over at most a minute, no coarser than what an exporter at the SDKs' default
 * 60 s interval gives with every export; an older start waits for the second export and its
 * difference, as before. A start of 0 (unknown), in the future or at the point's time gives
 * nothing either.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BatchBuilder, convertOtlp, CumulativeState, FRESH_START_MS } from "./mod.ts";
 * const t = 1_700_000_000_000;
 * const first = (startMs: number) => {
 *   const out = new BatchBuilder({ host: "h", ts: t, source: "otlp" });
 *   const point = { asInt: 30, timeUnixNano: t * 1e6, startTimeUnixNano: startMs * 1e6 };
 *   const sum = { isMonotonic: true, aggregationTemporality: 2, dataPoints: [point] };
 *   const req = { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: "hits", sum }] }] }] };
 *   convertOtlp(req, new CumulativeState(), out, { now: t });
 *   return out.batch().value;
 * };
 * assert.deepEqual(first(t - 1500), [20]); // 30 since 1.5 s ago
 * assert.deepEqual(first(t - FRESH_START_MS - 1), []); // too old: wait for the next export
 * ```
 */
export const FRESH_START_MS = 60_000;

/** The increase over a point's interval: a delta point's own values over its start→time span,
 * a cumulative point's difference to the previous export (or, on its first export, its values
 * since a recent start: {@linkcode FRESH_START_MS}). */
function interval(
  state: CumulativeState,
  key: string,
  ts: number,
  p: { startTimeUnixNano?: number },
  values: number[],
  delta: boolean,
): { increase: number[]; seconds: number } | undefined {
  const start = p.startTimeUnixNano ? p.startTimeUnixNano / 1e6 : NaN;
  if (!delta) {
    const first = !state.has(key);
    const d = state.increase(key, ts, values, start);
    if (d || !first) return d;
    const span = ts - start;
    return span > 0 && span <= FRESH_START_MS
      ? { increase: values, seconds: span / 1000 }
      : undefined;
  }
  if (start < ts) return { increase: values, seconds: (ts - start) / 1000 };
  // a delta point without its start: the time since the series' previous point
  const d = state.increase(key, ts, values);
  return d && { increase: values, seconds: d.seconds };
}

function histogramSamples(
  out: BatchBuilder,
  name: string,
  unit: string,
  help: string,
  labels: Record<string, string>,
  bounds: number[],
  d: { increase: number[]; seconds: number },
  ts: number,
  buckets: boolean,
): void {
  const n = bounds.length, inc = d.increase, s = d.seconds;
  out.add(`${name}_count_per_second`, labels, inc[n]! / s, { unit: "1/s", kind: "rate", help }, ts);
  if (!Number.isNaN(inc[n + 1]!)) {
    out.add(`${name}_sum_per_second`, labels, inc[n + 1]! / s, {
      unit: perSecond(unit),
      kind: "rate",
      help,
    }, ts);
  }
  if (buckets) bucketSamples(out, name, help, labels, bounds, d, ts);
  const window = inc.slice(0, n);
  for (const q of QUANTILES) {
    const v = histogramQuantile(q, bounds, window);
    if (!Number.isNaN(v)) {
      out.add(quantileName(name, q), labels, v, { unit, kind: "gauge", help }, ts);
    }
  }
}

/** What an exponential histogram series remembers: its stored layout and its last point. */
interface ExponentialMemory {
  layout: ExponentialLayout;
  point: OtlpExpHistogramPoint;
  ts: number;
}

/**
 * The stored buckets' increase over a point's interval. A cumulative series' previous point is
 * laid out again in the current layout (exact: the layout only widens or coarsens), so a
 * layout change, e.g. the SDK lowering its scale as its range grows, loses no interval.
 */
function storedInterval(
  state: CumulativeState,
  series: string,
  p: OtlpExpHistogramPoint,
  ts: number,
  delta: boolean,
  maxBuckets: number,
): { bounds: number[]; increase: number[]; seconds: number } | undefined {
  let old: ExponentialMemory | undefined;
  const { layout } = state.note<ExponentialMemory>(`${series}\u0000exponential`, (o) => {
    old = o;
    return { layout: exponentialLayout(p, o?.layout, maxBuckets), point: p, ts };
  });
  const cur = storedExponentialBuckets(p, layout);
  if (delta) {
    const key = `${series}\u0000stored/${cur.bounds.join(",")}`;
    const d = interval(state, key, ts, p, cur.cumulative, true);
    return d && { bounds: cur.bounds, ...d };
  }
  const start = p.startTimeUnixNano ? p.startTimeUnixNano / 1e6 : NaN;
  if (!old) {
    // a new series: its first export over a recent start, as its count and sum (interval())
    const span = ts - start;
    return span > 0 && span <= FRESH_START_MS
      ? { bounds: cur.bounds, increase: cur.cumulative, seconds: span / 1000 }
      : undefined;
  }
  if (!(ts > old.ts)) return undefined;
  const before = storedExponentialBuckets(old.point, layout);
  if (before.bounds.join(",") !== cur.bounds.join(",")) return undefined; // zero threshold moved
  const reset = start > old.ts || cur.cumulative.some((v, i) => v < before.cumulative[i]!);
  return {
    bounds: cur.bounds,
    increase: cur.cumulative.map((v, i) => reset ? v : v - before.cumulative[i]!),
    seconds: (ts - old.ts) / 1000,
  };
}

/** `<name>_bucket_per_second{bucket=<le>}` for the first `bounds.length` increases. */
function bucketSamples(
  out: BatchBuilder,
  name: string,
  help: string,
  labels: Record<string, string>,
  bounds: number[],
  d: { increase: number[]; seconds: number },
  ts: number,
): void {
  const meta: MetricMeta = { unit: "1/s", kind: "rate", help };
  for (let i = 0; i < bounds.length; i++) {
    const le = bucketLabel(bounds[i]!);
    const withBound = { ...labels };
    addLabels(withBound, [["bucket", le]]);
    out.add(
      `${name}_bucket_per_second`,
      withBound,
      d.increase[i]! / d.seconds,
      meta,
      ts,
    );
  }
}

/**
 * An exponential histogram as upper bounds and cumulative counts: negative buckets (largest
 * magnitude first), the zero bucket, positive buckets, then `+Inf`. Bucket `i` of scale `s`
 * covers (base^i, base^(i+1)] with base = 2^(2^-s) (OTLP data model); a bucket is put just
 * below the lowest one so the first bucket interpolates from its lower bound, not from 0.
 *
 * @param p The data point.
 * @returns Bounds (ascending, last `Infinity`) and cumulative counts.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exponentialBuckets } from "./convert_otlp.ts";
 * const b = exponentialBuckets({ scale: 0, positive: { offset: 1, bucketCounts: [3] } });
 * assert.deepEqual(b, { bounds: [2, 4, Infinity], cumulative: [0, 3, 3] });
 * ```
 */
export function exponentialBuckets(
  p: Pick<
    OtlpExpHistogramPoint,
    "scale" | "zeroCount" | "zeroThreshold" | "positive" | "negative"
  >,
): { bounds: number[]; cumulative: number[] } {
  const base = 2 ** (2 ** -(p.scale ?? 0));
  const bounds: number[] = [];
  const counts: number[] = [];
  const neg = p.negative?.bucketCounts ?? [];
  const negOff = p.negative?.offset ?? 0;
  if (neg.length > 0) {
    bounds.push(-(base ** (negOff + neg.length)));
    counts.push(0);
    for (let i = neg.length - 1; i >= 0; i--) {
      bounds.push(-(base ** (negOff + i)));
      counts.push(neg[i]!);
    }
  }
  const pos = p.positive?.bucketCounts ?? [];
  const posOff = p.positive?.offset ?? 0;
  const zero = p.zeroCount ?? 0;
  if (zero > 0 || neg.length === 0) {
    bounds.push(neg.length === 0 && pos.length > 0 ? base ** posOff : p.zeroThreshold ?? 0);
    counts.push(zero);
  }
  for (let i = 0; i < pos.length; i++) {
    bounds.push(base ** (posOff + i + 1));
    counts.push(pos[i]!);
  }
  bounds.push(Infinity);
  counts.push(0);
  const cumulative: number[] = [];
  let acc = 0;
  for (const c of counts) cumulative.push(acc += c);
  return { bounds, cumulative };
}
