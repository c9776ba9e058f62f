/**
 * The load a maintenance window and the balance advice stand on: a host's load series on a
 * regular grid, its forecast (the analytics' combined forecast with daily and weekly seasons,
 * upper 80 % band) or, with less than two weeks of history, an hour-of-week median profile, and a
 * confidence from how well the seasonal profile predicted the past weeks (or days).
 *
 * @module
 */
import { forecast, type SeriesSource, transformFor } from "../analytics/mod.ts";

const HOUR = 3_600_000, DAY = 24 * HOUR, WEEK = 7 * DAY;

/** Options of {@linkcode readLoad}. */
export interface ReadLoadOptions {
  host: string;
  /** `cpu_busy`, `memory_used_ratio` or a lake metric. */
  metric: string;
  /** Canonical labels of a lake metric. Default: the only label set, else the unlabelled one, else the first. */
  labels?: string;
  from: number;
  stepMs: number;
  /** Grid points. */
  points: number;
}

/**
 * Reads a host's load on a regular grid (`NaN` where no sample fell).
 *
 * @param source Where series come from.
 * @param options Host, metric, grid.
 * @returns One value per grid point.
 */
export async function readLoad(
  source: SeriesSource,
  options: ReadLoadOptions,
): Promise<Float64Array> {
  const { host, from, stepMs, points } = options;
  const to = from + points * stepMs;
  const grid = async (metric: string, labels: string) => {
    const s = await source.series({ metric, labels, host, from, to, step: stepMs, agg: "avg" });
    const sums = new Float64Array(points), counts = new Float64Array(points);
    for (let i = 0; i < s.ts.length; i++) {
      const k = Math.floor((s.ts[i]! - from) / stepMs), v = s.values[i]!;
      if (k >= 0 && k < points && Number.isFinite(v)) sums[k]! += v, counts[k]!++;
    }
    return sums.map((x, k) => (counts[k] ? x / counts[k]! : NaN));
  };
  if (options.metric === "cpu_busy") {
    return (await grid("cpu_ratio", "cpu=total,mode=idle")).map((v) => 1 - v);
  }
  if (options.metric === "memory_used_ratio") {
    const [used, total] = await Promise.all([
      grid("memory_bytes", "state=used"),
      grid("memory_bytes", "state=total"),
    ]);
    return used.map((u, k) => u / total[k]!);
  }
  let labels = options.labels;
  if (labels === undefined) {
    const sets = (await source.metrics()).filter((k) =>
      k.host === host && k.metric === options.metric
    ).map((k) => k.labels);
    labels = sets.length === 1 || !sets.includes("") ? sets[0] ?? "" : "";
  }
  return await grid(options.metric, labels);
}

/** A load forecast on the grid after the history. */
export interface LoadForecast {
  /** `forecast` (the analytics' model) or `profile` (hour-of-week median). */
  method: "forecast" | "profile";
  /** Point forecast. */
  mean: Float64Array;
  /** Upper bound of the 80 % band. */
  hi80: Float64Array;
  /** In words, e.g. `hour-of-week median profile: only 5 days of history (2 weeks for a forecast)`. */
  note: string;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * q, lo = Math.floor(at), hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

/** Slot of a time in the week (hours since Monday 00:00 UTC) and in the day. */
function slots(t: number): [number, number] {
  const h = Math.floor(t / HOUR);
  return [(h + 72) % 168, h % 24]; // the epoch was a Thursday: +72 h puts Monday at 0
}

/**
 * The hour-of-week median profile of a history, with the 10th–90th percentile band: each future
 * point gets the median of the past values in its hour of the week when at least two weeks
 * saw it, else of its hour of the day.
 *
 * @param history Values on the grid from `from`.
 * @param from Time of the first point.
 * @param stepMs Grid step.
 * @param start Time of the first predicted point.
 * @param horizon Points to predict.
 * @returns Median and upper 80 % band per point (`NaN` where no past value fits).
 */
export function profileForecast(
  history: Float64Array,
  from: number,
  stepMs: number,
  start: number,
  horizon: number,
): { mean: Float64Array; hi80: Float64Array } {
  const week = new Map<number, number[]>(), day = new Map<number, number[]>();
  history.forEach((v, i) => {
    if (!Number.isFinite(v)) return;
    const [w, d] = slots(from + i * stepMs);
    (week.get(w) ?? week.set(w, []).get(w)!).push(v);
    (day.get(d) ?? day.set(d, []).get(d)!).push(v);
  });
  const mean = new Float64Array(horizon), hi80 = new Float64Array(horizon);
  for (let h = 0; h < horizon; h++) {
    const [w, d] = slots(start + h * stepMs);
    const weekValues = week.get(w) ?? [];
    const values =
      (weekValues.length >= 2 * Math.max(1, HOUR / stepMs) ? weekValues : day.get(d) ?? []).slice()
        .sort((a, b) => a - b);
    mean[h] = quantile(values, 0.5);
    hi80[h] = quantile(values, 0.9);
  }
  return { mean, hi80 };
}

/** Span of the history from its first to its last finite value, ms. */
export function historySpan(history: Float64Array, stepMs: number): number {
  let first = -1, last = -1;
  history.forEach((v, i) => {
    if (!Number.isFinite(v)) return;
    if (first < 0) first = i;
    last = i;
  });
  return first < 0 ? 0 : (last - first + 1) * stepMs;
}

/**
 * Forecasts the load: the analytics' forecast with daily and weekly seasons when the history
 * spans two weeks, else the hour-of-week median profile (and the note says so). A bounded ratio
 * (`cpu_busy`, `memory_used_ratio`, `cpu_ratio`, …) is forecast with the transform
 * `transformFor` gives it (none, by the rule of bench/ratio_transform_bench.ts); any other
 * metric without a transform too, since its upper band is read as a peak (measured for event rates
 * in bench/nonratio_transform_bench.ts: its rule chose nothing, so this stays).
 *
 * @param history Values on the grid, oldest first, ending just before `start`.
 * @param options Grid, horizon and the metric (default `cpu_busy`).
 * @returns The forecast with its method and note.
 */
export function forecastLoad(
  history: Float64Array,
  options: { from: number; stepMs: number; horizon: number; metric?: string },
): LoadForecast {
  const { from, stepMs, horizon } = options;
  const start = from + history.length * stepMs;
  const span = historySpan(history, stepMs);
  const daily = DAY / stepMs, weekly = WEEK / stepMs;
  if (span >= 2 * WEEK && Number.isInteger(weekly) && weekly * 2 <= history.length) {
    const f = forecast(history, {
      horizon,
      season: [daily, weekly],
      stepMs,
      models: ["snaive", "seasonal_mean", "ets"],
      // The upper band is read as a peak: `forecast()`'s Box-Cox default widened a calm host's
      // 80 % band from 0.59 to 0.88, above its 28-day maximum 0.56 (tests/workflows:
      // balanceAdvice). Ratios take the rule chosen for them; other metrics stay without.
      transform: transformFor(options.metric ?? "cpu_busy", "none"),
    });
    return {
      method: "forecast",
      mean: f.mean,
      hi80: f.hi80,
      note: `forecast (${f.model}) with daily and weekly seasons`,
    };
  }
  const p = profileForecast(history, from, stepMs, start, horizon);
  const days = Math.round((span / DAY) * 10) / 10;
  return {
    method: "profile",
    ...p,
    note: `hour-of-week median profile: only ${days} days of history (a forecast needs 2 weeks)`,
  };
}

function ranks(a: number[]): number[] {
  const order = a.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const r = new Array<number>(a.length);
  order.forEach(([, i], k) => (r[i] = k));
  return r;
}

/** Spearman rank correlation of two equal-length arrays (no ties correction). */
function spearman(a: number[], b: number[]): number {
  const n = a.length;
  if (n < 3) return NaN;
  const ra = ranks(a), rb = ranks(b);
  let d2 = 0;
  for (let i = 0; i < n; i++) d2 += (ra[i]! - rb[i]!) ** 2;
  return 1 - (6 * d2) / (n * (n * n - 1));
}

/**
 * How well the seasonal profile predicted the past: for each of the last (up to 3) weeks — or
 * days, when the history is shorter than two weeks — the profile built from the data before it
 * predicts it, and the rank correlation between predicted and actual load says whether it knew
 * the quiet hours from the busy ones. The confidence is the mean correlation, clamped to [0, 1].
 *
 * @param history Values on the grid.
 * @param from Time of the first point.
 * @param stepMs Grid step.
 * @returns The confidence (`NaN` with no period to check) and how many periods were checked.
 */
export function profileConfidence(
  history: Float64Array,
  from: number,
  stepMs: number,
): { confidence: number; periods: number; unit: "week" | "day" } {
  const span = historySpan(history, stepMs);
  const unit = span >= 2 * WEEK ? "week" : "day";
  const len = Math.round((unit === "week" ? WEEK : DAY) / stepMs);
  const scores: number[] = [];
  for (let k = 1; k <= 3; k++) {
    const end = history.length - (k - 1) * len, begin = end - len;
    if (begin < len) break;
    const past = history.subarray(0, begin);
    if (historySpan(past, stepMs) < DAY) break;
    const p = profileForecast(past, from, stepMs, from + begin * stepMs, len);
    const a: number[] = [], b: number[] = [];
    for (let i = 0; i < len; i++) {
      const actual = history[begin + i]!, predicted = p.mean[i]!;
      if (Number.isFinite(actual) && Number.isFinite(predicted)) a.push(predicted), b.push(actual);
    }
    const s = spearman(a, b);
    if (Number.isFinite(s)) scores.push(s);
  }
  if (scores.length === 0) return { confidence: NaN, periods: 0, unit };
  const mean = scores.reduce((x, y) => x + y, 0) / scores.length;
  return { confidence: Math.min(1, Math.max(0, mean)), periods: scores.length, unit };
}
