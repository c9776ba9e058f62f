/**
 * One resource of a report: its capacity figures from the ranking, and its chart data (series,
 * decomposition, forecast with bands, anomalies, backtested accuracy), each computed once.
 *
 * @module
 */
import {
  type CapacityRow,
  decompose,
  type Decomposition,
  forecast,
  scoreSeries,
} from "../analytics/mod.ts";
import type { ResourceSection } from "./report_data.ts";
import { downsample } from "./downsample.ts";
import { resourceName } from "./resource_name.ts";
import { round, roundAll, statusOf } from "./_grid.ts";

/** Settings shared by every section of one report (validated by `buildReport`). */
export interface SectionContext {
  /** The report's "now", ms. */
  now: number;
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

const units: Record<CapacityRow["resource"], string> = {
  filesystem: "bytes",
  memory: "bytes",
  inodes: "inodes",
  cpu: "processes",
  connections: "connections",
};

/**
 * Builds a resource's section from its capacity row and its series on the report's grid.
 *
 * The decomposition keeps only seasons that move the series by ≥ 2 % of its range (a quantized
 * linear ramp otherwise shows spurious 1–3-step "seasons"); the forecast uses those seasons and
 * looks at most as far ahead as a rolling-origin backtest over the history can check (four
 * origins), and never past the capacity horizon.
 *
 * @param id Unique section id.
 * @param row The resource's capacity row.
 * @param grid The series on a regular grid (`NaN` for gaps), trimmed to its data.
 * @param ctx Report-wide settings.
 * @returns The section.
 */
export function resourceSection(
  id: string,
  row: CapacityRow,
  grid: { ts: Float64Array; values: Float64Array },
  ctx: SectionContext,
): ResourceSection {
  const { ts, values } = grid;
  const { step, maxPoints, now } = ctx;
  const enough = values.length >= MIN_POINTS;
  const dec = enough ? meaningfulDecomposition(values) : null;
  const periods = dec?.seasonal.map((c) => c.period) ?? [];
  const horizon = enough ? forecastSteps(values.length, periods, ctx) : 0;
  const fc = horizon > 0
    ? forecast(values, { horizon, stepMs: step, season: periods.length ? periods : 0 })
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
  const last = ts.length ? ts[ts.length - 1]! : now;
  const fts = Float64Array.from(fc?.mean ?? [], (_, k) => last + (k + 1) * step);
  const f = fc
    ? downsample(fts, [fc.mean, fc.lo80, fc.hi80, fc.lo95, fc.hi95], Math.ceil(maxPoints / 2))
    : null;
  const bt = fc && fc.backtest.origins > 0 ? fc.backtest : null;
  const utilization = Number.isFinite(row.utilization) ? row.utilization : null;
  return {
    id,
    name: resourceName(row),
    host: row.host,
    resource: row.resource,
    metric: row.metric,
    labels: row.labels,
    unit: units[row.resource] ?? "",
    status: statusOf(utilization, row.eta, now),
    current: round(row.current),
    limit: round(row.limit),
    threshold: round(row.threshold),
    utilization: round(utilization),
    growthPerDay: round(row.growthPerDay),
    eta: row.eta,
    etaLow: row.etaLow,
    etaHigh: row.etaHigh,
    model: fc?.model ?? "none",
    capacityModel: row.model,
    tier: row.tier,
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
function forecastSteps(n: number, periods: number[], ctx: SectionContext): number {
  const minTrain = Math.max(8, 2 * Math.max(0, ...periods));
  const supported = Math.floor((n - minTrain) / 1.75);
  return Math.max(0, Math.min(Math.ceil(ctx.horizonMs / ctx.step), supported));
}

function anomaliesOf(ts: Float64Array, values: Float64Array, ctx: SectionContext) {
  const scores = scoreSeries(ts, values);
  return [...scores.keys()].filter((i) => scores[i]! >= ctx.anomalyScore)
    .sort((a, b) => scores[b]! - scores[a]!).slice(0, ctx.maxAnomalies)
    .sort((a, b) => a - b)
    .map((i) => ({ ts: ts[i]!, value: round(values[i]!) ?? 0, score: round(scores[i]!) ?? 0 }));
}
