/**
 * Service indicators over windows: the golden signals of every service over the last minutes,
 * availability over 1 h, 1 d and 30 d, SLO burn rates and the error budget left, each stated
 * only when the data behind it is enough ("not enough data yet" otherwise).
 *
 * @module
 */
import { formatLabels, parseLabels } from "../../collectors/mod.ts";
import type { Lake } from "../../lake/mod.ts";
import {
  type SeriesKey,
  type SeriesSource,
  toSource,
  type WindowRow,
} from "../series/series_source.ts";
import { BURN_WINDOWS, type BurnRate, burnRates } from "./burn_rate.ts";
import {
  belongs,
  findServices,
  serviceMetrics,
  type ServiceSetting,
  type ServiceSpec,
} from "./service_catalog.ts";
import { type ServiceFigures, serviceFigures } from "./service_figures.ts";
import { spanText } from "../capacity/evidence_rules.ts";

const MIN = 60_000, HOUR = 3_600_000, DAY = 86_400_000;
/** Longest source read whole to learn each service's own span for a window it cannot cover. */
const FULL_READ_MS = 6 * HOUR;

/** Options of {@linkcode serviceKpis}. */
export interface ServiceKpisOptions {
  /** Analysis time, ms; default the latest sample time of the source. */
  now?: number;
  /** Window of the golden signals, ms; default 5 minutes. */
  windowMs?: number;
  /** Configured services; default none (discovered ones only). */
  services?: readonly ServiceSetting[];
  /** Samples a window needs before a figure is stated; default 10. */
  minSamples?: number;
  /** Share of an availability or burn window the data must cover; default 0.5. */
  minCoverage?: number;
  /** Availability windows, ms; default 1 h, 1 d, 30 d. */
  availabilityWindows?: readonly number[];
}

/** A figure over a window, or why there is none. */
export interface WindowFigure {
  windowMs: number;
  value: number | null;
  reason: string | null;
}

/** One service's indicators. */
export interface ServiceKpis extends ServiceFigures {
  name: string;
  /** `config`, `label service`, `label target` or `host`. */
  origin: string;
  /** Canonical labels selecting the service's series (`""` for a host-named one). */
  labels: string;
  host: string | null;
  /** Window of the golden signals, ms. */
  windowMs: number;
  /** `ok`, or `insufficient` when the window holds too few samples (figures are then null). */
  status: "ok" | "insufficient";
  /** e.g. `not enough data yet: 3 samples in 5 min (figures need 10)`. */
  reason: string | null;
  /** Samples of the request series in the window, and the span they cover, ms. */
  samples: number;
  spanMs: number;
  /** Transactions per minute (rps × 60). */
  tpm: number | null;
  apdexThreshold: number;
  sloTarget: number;
  availability: WindowFigure[];
  burn: BurnRate[];
  /** Share of the 30-day error budget left (negative when overspent). */
  errorBudget: WindowFigure;
  /** The service's series (for drill-down into Explore). */
  series: SeriesKey[];
}

/**
 * Computes the indicators of every service (configured or discovered) from a source.
 *
 * @param input A series source or an open lake.
 * @param options Time, window, services and evidence settings.
 * @returns The services' indicators, configured services first.
 * @throws {RangeError} If a window or setting is out of range.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memorySource } from "../series/series_source.ts";
 * import { serviceKpis } from "./service_kpis.ts";
 * const ts = Float64Array.from({ length: 3 }, (_, i) => i * 15_000);
 * const src = memorySource([{ host: "h", metric: "http_requests_per_second",
 *   labels: "code=200,service=api", ts, values: new Float64Array(3).fill(5) }]);
 * const [api] = await serviceKpis(src);
 * assert.equal(api?.status, "insufficient");
 * assert.equal(api?.rps, null);
 * assert.match(api!.reason!, /^not enough data yet: 3 samples/);
 * ```
 */
export async function serviceKpis(
  input: SeriesSource | Lake,
  options: ServiceKpisOptions = {},
): Promise<ServiceKpis[]> {
  const source = toSource(input);
  const windowMs = options.windowMs ?? 5 * MIN;
  const minSamples = options.minSamples ?? 10;
  const minCoverage = options.minCoverage ?? 0.5;
  if (!(windowMs > 0)) throw new RangeError(`Invalid windowMs: ${windowMs}`);
  if (!(minSamples >= 1)) throw new RangeError(`Invalid minSamples: ${minSamples}`);
  if (!(minCoverage > 0 && minCoverage <= 1)) {
    throw new RangeError(`Invalid minCoverage: ${minCoverage}`);
  }
  const keys = await source.metrics();
  const specs = findServices(keys, options.services);
  if (specs.length === 0) return [];
  const extent = await source.extent();
  const now = options.now ?? Math.max(...extent.map((e) => e.last), -Infinity);
  if (!Number.isFinite(now)) return specs.map((s) => serviceWithoutData(s, windowMs, keys));
  const metrics = serviceMetrics(specs);
  const oldest = Math.min(...extent.map((e) => e.first));
  const cache = new Map<number, Promise<WindowRow[]>>();
  const rowsOf = (reach: number) => {
    let p = cache.get(reach);
    if (!p) {
      cache.set(reach, p = source.windowStats(metrics, now - reach, now + 1).then((r) => r.rows));
    }
    return p;
  };
  // A read reaching back past the source's first sample holds all of it: each service's own
  // first and last sample are exact in it.
  const all = Number.isFinite(oldest) ? Math.max(0, now - oldest) + 1 : Infinity;
  const availabilityWindows = options.availabilityWindows ?? [HOUR, DAY, 30 * DAY];
  // ascending: a window that is not read learns the service's span from the longest one read
  const windows = [
    ...new Set([
      ...availabilityWindows,
      ...BURN_WINDOWS.flatMap((b) => [b.longMs, b.shortMs]),
      30 * DAY,
    ]),
  ].sort((a, b) => a - b);
  const out: ServiceKpis[] = [];
  for (const spec of specs) {
    let longest = { reach: 0, m: measure(spec, []) };
    const at = async (reach: number) => {
      const m = measure(spec, await rowsOf(reach));
      if (reach >= longest.reach) longest = { reach, m };
      return m;
    };
    const main = await at(windowMs);
    const enough = main.samples >= minSamples;
    const few = (n: number, w: number) =>
      `not enough data yet: ${samplesText(n)} in ${spanText(w)} (need ${minSamples})`;
    const figureOver = async (w: number) => {
      if (now - oldest < w * minCoverage) {
        // The source's data cannot cover the window, so neither can the service's: say how much
        // the service itself has. Known exactly from a read holding all the data, made here
        // when the source is young (a few hours: a cheap read). On an older source, from the
        // longest window read, "more than" that when the service's data fills it.
        if (longest.reach < all && all <= FULL_READ_MS) await at(all);
        const { reach, m } = longest;
        if (m.samples < 2) return { rate: null, reason: few(m.samples, reach >= all ? w : reach) };
        const own = spanText(m.spanMs);
        const more = reach < all && m.spanMs >= reach * minCoverage &&
          own !== spanText(now - oldest);
        return {
          rate: null,
          reason: `not enough data yet: ${more ? "more than " : ""}${own} of ${spanText(w)}`,
        };
      }
      const m = w === windowMs ? main : await at(w);
      // the service's own data in the window: a span when it has one (one sample has none)
      if (m.samples < 2) return { rate: null, reason: few(m.samples, w) };
      if (m.spanMs < w * minCoverage) {
        return {
          rate: null,
          reason: `not enough data yet: ${spanText(Math.max(0, m.spanMs))} of ${spanText(w)}`,
        };
      }
      if (m.samples < minSamples) return { rate: null, reason: few(m.samples, w) };
      if (m.figures.errorRate === null) {
        return {
          rate: null,
          reason: m.figures.rps === null
            ? "no request metrics"
            : "no status label on the request metrics",
        };
      }
      return { rate: m.figures.errorRate, reason: null };
    };
    const rates = new Map<number, { rate: number | null; reason: string | null }>();
    for (const w of windows) rates.set(w, await figureOver(w));
    const month = rates.get(30 * DAY)!;
    const f = main.figures;
    const nulled: ServiceFigures = enough ? f : {
      ...f,
      rps: null,
      errorsPerSecond: null,
      errorRate: null,
      successRate: null,
      latency: null,
      meanLatency: null,
      apdex: null,
      cacheHitRatio: null,
      db: null,
      inFlight: null,
    };
    out.push({
      ...nulled,
      name: spec.name,
      origin: spec.origin,
      labels: formatLabels(spec.labels),
      host: spec.host ?? null,
      windowMs,
      status: enough ? "ok" : "insufficient",
      reason: enough
        ? null
        : `not enough data yet: ${samplesText(main.samples)} in ${
          spanText(windowMs)
        } (figures need ${minSamples})`,
      samples: main.samples,
      spanMs: main.spanMs,
      tpm: nulled.rps === null ? null : nulled.rps * 60,
      apdexThreshold: spec.apdex,
      sloTarget: spec.slo,
      availability: availabilityWindows.map((w) => {
        const r = rates.get(w)!;
        return { windowMs: w, value: r.rate === null ? null : 1 - r.rate, reason: r.reason };
      }),
      burn: burnRates((w) => rates.get(w)!, spec.slo),
      errorBudget: {
        windowMs: 30 * DAY,
        value: month.rate === null ? null : 1 - month.rate / (1 - spec.slo),
        reason: month.reason,
      },
      series: drillDown(
        keys.filter((k) => metrics.includes(k.metric)),
        spec,
        nulled.requestMetric ?? f.requestMetric,
      ),
    });
  }
  return out;
}

/** `no samples`, `1 sample`, `3 samples`. */
function samplesText(n: number): string {
  return n === 0 ? "no samples" : `${n} sample${n === 1 ? "" : "s"}`;
}

function measure(spec: ServiceSpec, rows: readonly WindowRow[]) {
  const mine = rows.filter((r) => belongs(spec, r.host, parseLabels(r.labels)));
  const values = mine.map((r) => ({
    host: r.host,
    metric: r.metric,
    labels: parseLabels(r.labels),
    value: r.avg,
  }));
  const figures = serviceFigures(spec, values);
  const req = mine.filter((r) => r.metric === figures.requestMetric);
  let samples = 0, first = Infinity, last = -Infinity;
  for (const r of req) {
    samples = Math.max(samples, r.n);
    first = Math.min(first, r.first);
    last = Math.max(last, r.last);
  }
  return { figures, samples, spanMs: req.length ? last - first : 0 };
}

/**
 * The indicators of a service with no samples in the source yet: every figure null, the reason
 * `not enough data yet: no samples`.
 *
 * @param spec The service.
 * @param windowMs Window of the golden signals, ms.
 * @param keys Series present (those of the service are listed for drill-down); default none.
 * @returns The indicators.
 */
export function serviceWithoutData(
  spec: ServiceSpec,
  windowMs: number,
  keys: readonly SeriesKey[] = [],
): ServiceKpis {
  const f = serviceFigures(spec, []);
  const none = { value: null, reason: "not enough data yet: no samples" };
  return {
    ...f,
    name: spec.name,
    origin: spec.origin,
    labels: formatLabels(spec.labels),
    host: spec.host ?? null,
    windowMs,
    status: "insufficient",
    reason: "not enough data yet: no samples",
    samples: 0,
    spanMs: 0,
    tpm: null,
    apdexThreshold: spec.apdex,
    sloTarget: spec.slo,
    availability: [],
    burn: burnRates(() => ({ rate: null, reason: none.reason }), spec.slo),
    errorBudget: { windowMs: 30 * DAY, ...none },
    series: drillDown(keys, spec, null),
  };
}

/** Most series listed per service for drill-down (a service with many routes has thousands). */
const MAX_DRILL_DOWN = 50;

/** The service's series for drill-down, request-rate series first, at most 50. */
function drillDown(
  keys: readonly SeriesKey[],
  spec: ServiceSpec,
  requestMetric: string | null,
): SeriesKey[] {
  const mine = keys.filter((k) => belongs(spec, k.host, parseLabels(k.labels)));
  const first = mine.filter((k) => k.metric === requestMetric);
  const rest = mine.filter((k) => k.metric !== requestMetric);
  return [...first, ...rest].slice(0, MAX_DRILL_DOWN);
}
