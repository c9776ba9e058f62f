/**
 * The chart data of one resource: its series on a regular grid, decomposition, forecast with
 * bands, anomalies and backtested accuracy, each computed once. Plain JSON-safe data (numbers,
 * `null` for missing) that the Capacity page, the API, the report and the notebooks draw.
 *
 * @module
 */
import { decompose, type Decomposition } from "../forecast/decompose.ts";
import { forecast } from "../forecast/forecast.ts";
import { transformFor } from "../forecast/transform_for.ts";
import { scoreSeries } from "../anomaly/anomaly.ts";
import { downsample } from "./downsample.ts";
import { round, roundAll } from "./_grid.ts";

/** A series sampled at `ts` (ms epoch UTC); `null` marks a missing value (JSON has no NaN). */
export interface SeriesData {
  /** Timestamps, ms since the epoch (UTC), ascending. */
  ts: number[];
  /** One value per timestamp, `null` where missing. */
  values: (number | null)[];
}

/** Trend, seasonal and remainder components on the same timestamps as the series. */
export interface DecompositionData {
  ts: number[];
  /** Slowly varying level. */
  trend: (number | null)[];
  /** Repeating pattern (sum of the detected periods). */
  seasonal: (number | null)[];
  /** What is left: observed − trend − seasonal. */
  remainder: (number | null)[];
  /** Detected season lengths in ms, strongest first. */
  periodsMs: number[];
}

/** A forecast after the last observation, with 80 % and 95 % prediction bands. */
export interface ForecastData {
  ts: number[];
  mean: (number | null)[];
  lo80: (number | null)[];
  hi80: (number | null)[];
  lo95: (number | null)[];
  hi95: (number | null)[];
}

/** One anomalous point. */
export interface AnomalyPoint {
  ts: number;
  value: number;
  /** Anomaly score in [0, 1]. */
  score: number;
}

/** Backtested accuracy of the chart's forecast (`null` where not computed). */
export interface Accuracy {
  /** Mean absolute error, in the series' unit. */
  mae: number | null;
  /** Weighted absolute percentage error Σ|error| / Σ|actual| (0.05 = 5 %). */
  wape: number | null;
  /** Root mean squared error, in the series' unit. */
  rmse: number | null;
  /** Share of held-out points inside the 80 % and 95 % bands. */
  coverage80: number | null;
  coverage95: number | null;
  /** Number of backtest origins. */
  origins: number;
}

/** The chart data of a resource. */
export interface ChartData {
  /** Forecasting model of the chart (`none` without a forecast). */
  forecastModel: string;
  series: SeriesData;
  decomposition: DecompositionData | null;
  forecast: ForecastData | null;
  anomalies: AnomalyPoint[];
  accuracy: Accuracy;
}

/** Settings shared by every resource of one analysis. */
export interface ChartContext {
  /** Grid step of the series, ms. */
  step: number;
  /** Capacity horizon, ms: the longest forecast drawn. */
  horizonMs: number;
  /** Most points per chart line (forecasts get half). */
  maxPoints: number;
  /** Score at or above which a point is an anomaly. */
  anomalyScore: number;
  /** Most anomalies kept. */
  maxAnomalies: number;
}

/** A season is kept when it moves the series by at least this share of its range. */
const MIN_SEASON_SHARE = 0.02;
/** Fewest points worth decomposing and forecasting. */
const MIN_POINTS = 8;

/**
 * Builds a resource's chart data from its series on the analysis grid.
 *
 * With `evidence` false (a history too short for the evidence rules) only the observed series
 * is given: no decomposition, forecast or anomaly is drawn from a sliver of data. Otherwise the
 * decomposition keeps only seasons that move the series by ≥ 2 % of its range (a quantized
 * linear ramp otherwise shows spurious 1–3-step "seasons"), and the forecast uses those
 * seasons and looks at most as far ahead as a rolling-origin backtest over the history can
 * check (four origins), and never past the capacity horizon. Its transform is `transformFor`'s
 * for the metric: a bounded ratio gets the rule chosen for ratios, any other metric (today every
 * resource: bytes, inodes, processes, connections, requests, cores) `forecast()`'s default.
 *
 * @param grid The series on a regular grid (`NaN` for gaps), trimmed to its data.
 * @param evidence Whether the history is long enough to model.
 * @param ctx Analysis-wide settings.
 * @param metric The resource's metric (default: unknown, `forecast()`'s default transform).
 * @returns The chart data.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { capacityCharts } from "./capacity_charts.ts";
 * const ts = Float64Array.from({ length: 7 }, (_, i) => i * 60_000);
 * const c = capacityCharts({ ts, values: ts.map((t) => t / 1000) }, false,
 *   { step: 60_000, horizonMs: 86_400_000, maxPoints: 400, anomalyScore: 0.9, maxAnomalies: 20 });
 * assert.equal(c.forecast, null);
 * assert.equal(c.series.ts.length, 7);
 * ```
 */
export function capacityCharts(
  grid: { ts: Float64Array; values: Float64Array },
  evidence: boolean,
  ctx: ChartContext,
  metric?: string,
): ChartData {
  const { ts, values } = grid;
  const { step, maxPoints } = ctx;
  const enough = evidence && values.length >= MIN_POINTS;
  const dec = enough ? meaningfulDecomposition(values) : null;
  const periods = dec?.seasonal.map((c) => c.period) ?? [];
  const horizon = enough ? forecastSteps(values.length, periods, ctx) : 0;
  const fc = horizon > 0
    ? forecast(values, {
      horizon,
      stepMs: step,
      season: periods.length ? periods : 0,
      transform: transformFor(metric),
    })
    : null;
  const seasonalSum = new Float64Array(values.length);
  for (const c of dec?.seasonal ?? []) {
    for (let i = 0; i < c.values.length; i++) seasonalSum[i]! += c.values[i]!;
  }
  const hist = downsample(
    ts,
    dec ? [values, dec.trend, seasonalSum, dec.remainder] : [values],
    maxPoints,
  );
  const [obs = [], trend = [], seasonal = [], remainder = []] = hist.columns;
  const last = ts.length ? ts[ts.length - 1]! : 0;
  const fts = Float64Array.from(fc?.mean ?? [], (_, k) => last + (k + 1) * step);
  const f = fc
    ? downsample(fts, [fc.mean, fc.lo80, fc.hi80, fc.lo95, fc.hi95], Math.ceil(maxPoints / 2))
    : null;
  const bt = fc && fc.backtest.origins > 0 ? fc.backtest : null;
  return {
    forecastModel: fc?.model ?? "none",
    series: { ts: hist.ts, values: roundAll(obs) },
    decomposition: dec
      ? {
        ts: hist.ts,
        trend: roundAll(trend),
        seasonal: roundAll(seasonal),
        remainder: roundAll(remainder),
        periodsMs: dec.seasonal.map((c) => c.period * step),
      }
      : null,
    forecast: f
      ? {
        ts: f.ts,
        mean: roundAll(f.columns[0]!),
        lo80: roundAll(f.columns[1]!),
        hi80: roundAll(f.columns[2]!),
        lo95: roundAll(f.columns[3]!),
        hi95: roundAll(f.columns[4]!),
      }
      : null,
    anomalies: enough ? anomaliesOf(ts, values, ctx) : [],
    accuracy: {
      mae: round(bt?.mae),
      wape: round(bt?.wape),
      rmse: round(bt ? Math.sqrt(bt.mse) : null),
      coverage80: round(bt?.coverage80),
      coverage95: round(bt?.coverage95),
      origins: bt?.origins ?? 0,
    },
  };
}

/** MSTL with automatic periods, refitted without the seasons too small to matter. */
function meaningfulDecomposition(values: Float64Array): Decomposition {
  const first = decompose(values);
  const range = spread(values);
  const kept = first.seasonal.filter((c) => spread(c.values) >= MIN_SEASON_SHARE * range);
  if (kept.length === first.seasonal.length) return first;
  return decompose(values, { periods: kept.map((c) => c.period) });
}

/** Largest minus smallest finite value (0 when none). */
function spread(values: Float64Array): number {
  let lo = Infinity, hi = -Infinity;
  for (const v of values) if (Number.isFinite(v)) (lo = Math.min(lo, v), hi = Math.max(hi, v));
  return hi > lo ? hi - lo : 0;
}

/**
 * Steps to forecast: the capacity horizon, capped so that four rolling origins ⌈H/4⌉ apart still
 * leave `forecast()`'s minimum training length (two of the longest season, at least 8 points).
 */
function forecastSteps(n: number, periods: number[], ctx: ChartContext): number {
  const minTrain = Math.max(8, 2 * Math.max(0, ...periods));
  const supported = Math.floor((n - minTrain) / 1.75);
  return Math.max(0, Math.min(Math.ceil(ctx.horizonMs / ctx.step), supported));
}

function anomaliesOf(ts: Float64Array, values: Float64Array, ctx: ChartContext) {
  const scores = scoreSeries(ts, values);
  return [...scores.keys()].filter((i) => scores[i]! >= ctx.anomalyScore)
    .sort((a, b) => scores[b]! - scores[a]!).slice(0, ctx.maxAnomalies)
    .sort((a, b) => a - b)
    .map((i) => ({ ts: ts[i]!, value: round(values[i]!) ?? 0, score: round(scores[i]!) ?? 0 }));
}
