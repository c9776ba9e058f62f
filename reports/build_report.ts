/**
 * Computes a capacity report's data from a lake: the capacity ranking, and per resource its
 * series, decomposition, forecast with bands, anomalies and backtested accuracy, plus the
 * recommendations. No HTML here: see `renderReport`.
 *
 * @module
 */
import type { Lake } from "../lake/mod.ts";
import { capacityReport, decompose, forecast, recommend, scoreSeries } from "../analytics/mod.ts";
import type { ReportData, ResourceSection } from "./report_data.ts";
import { downsample } from "./downsample.ts";
import { resourceName } from "./resource_name.ts";
import { niceStep, regularize, round, roundAll, slug, statusOf, trim } from "./_grid.ts";

const DAY = 86_400_000;

/** Options of {@linkcode buildReport}. */
export interface BuildReportOptions {
  /** "Now" in ms: the end of the range and the start of forecasts; default `Date.now()`. */
  now?: number;
  /** Length of the history read, ms; default 7 days. */
  sinceMs?: number;
  /** How far ahead to forecast, ms; default 7 days. */
  horizonMs?: number;
  /** Hosts to include; default every host in the lake. */
  hosts?: string[];
  /** Report title; default `Capacity report`. */
  title?: string;
  /** Most points per chart line (history; forecasts get half); default 400. */
  maxPoints?: number;
  /** Score at or above which a point is marked as an anomaly; default 0.9. */
  anomalyScore?: number;
  /** Most anomalies marked per resource (highest scores kept); default 20. */
  maxAnomalies?: number;
  /** Called as each resource is done, for a progress bar. */
  onProgress?: (done: number, total: number, label: string) => void;
}

/**
 * Builds the report data. Deterministic for a given lake and options (inject `now`).
 *
 * @param lake An open lake.
 * @param options Range, horizon, hosts and display limits.
 * @returns The report model for `renderReport`.
 * @throws {RangeError} If a duration or limit is not positive.
 */
export async function buildReport(
  lake: Lake,
  options: BuildReportOptions = {},
): Promise<ReportData> {
  const now = options.now ?? Date.now();
  const sinceMs = options.sinceMs ?? 7 * DAY;
  const horizonMs = options.horizonMs ?? 7 * DAY;
  const maxPoints = options.maxPoints ?? 400;
  for (
    const [k, v] of [["sinceMs", sinceMs], ["horizonMs", horizonMs], [
      "maxPoints",
      maxPoints,
    ]] as const
  ) {
    if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`Invalid ${k}: ${v}`);
  }
  const from = now - sinceMs;
  const step = niceStep(sinceMs, maxPoints);
  const progress = options.onProgress ?? (() => {});
  progress(0, 1, "capacity ranking");
  const rows = await capacityReport(lake, {
    now,
    horizonMs,
    ...(options.hosts ? { hosts: options.hosts } : {}),
  });
  const ids = new Set<string>();
  const resources: ResourceSection[] = [];
  for (const [i, row] of rows.entries()) {
    progress(i, rows.length + 1, `${row.host} ${row.resource}`);
    let id = slug(`${row.host}-${row.resource}-${row.labels}`);
    while (ids.has(id)) id += "-x";
    ids.add(id);
    const s = await lake.series({
      metric: row.metric,
      labels: row.labels,
      host: row.host,
      from,
      to: now,
      step,
    });
    const grid = trim(regularize(s.ts, s.values, from, now, step));
    resources.push(resourceSection(id, row, grid, { now, step, horizonMs, maxPoints, options }));
  }
  progress(rows.length, rows.length + 1, "recommendations");
  const recs = await recommend(lake, { now, ...(options.hosts ? { hosts: options.hosts } : {}) });
  const hosts = options.hosts ?? [...new Set(rows.map((r) => r.host))].sort();
  progress(rows.length + 1, rows.length + 1, "done");
  return {
    title: options.title ?? "Capacity report",
    generatedAt: now,
    from,
    to: now,
    horizonMs,
    hosts,
    resources,
    recommendations: recs.map((r) => ({
      id: String(r.id),
      severity: r.severity,
      title: r.title,
      detail: r.detail,
      evidence: Array.isArray(r.evidence) ? r.evidence.map(String) : [String(r.evidence)],
      effect: r.effect,
    })),
    notes: [
      `Series read at a ${step / 60_000}-minute step over ${
        sinceMs / DAY
      } days; charts show at most ${maxPoints} points per line.`,
    ],
  };
}

type Row = Awaited<ReturnType<typeof capacityReport>>[number];

function resourceSection(
  id: string,
  row: Row,
  grid: { ts: Float64Array; values: Float64Array },
  ctx: {
    now: number;
    step: number;
    horizonMs: number;
    maxPoints: number;
    options: BuildReportOptions;
  },
): ResourceSection {
  const { ts, values } = grid;
  const { step, maxPoints, now } = ctx;
  const enough = values.length >= 8;
  const dec = enough ? decompose(values) : null;
  const season = dec?.seasonal[0]?.period;
  const horizon = Math.max(1, Math.ceil(ctx.horizonMs / step));
  const fc = enough
    ? forecast(values, { horizon, stepMs: step, ...(season ? { season } : {}) })
    : null;
  const scores = enough ? scoreSeries(ts, values) : new Float64Array(0);
  const threshold = ctx.options.anomalyScore ?? 0.9;
  const anomalies = [...scores.keys()].filter((i) => scores[i]! >= threshold)
    .sort((a, b) => scores[b]! - scores[a]!).slice(0, ctx.options.maxAnomalies ?? 20)
    .sort((a, b) => a - b)
    .map((i) => ({ ts: ts[i]!, value: round(values[i]!) ?? 0, score: round(scores[i]!) ?? 0 }));
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
  const fts = fc
    ? Float64Array.from(fc.mean, (_, k) => last + (k + 1) * step)
    : new Float64Array(0);
  const f = fc
    ? downsample(fts, [fc.mean, fc.lo80, fc.hi80, fc.lo95, fc.hi95], Math.ceil(maxPoints / 2))
    : null;
  const bt = fc?.backtest;
  const eta = row.eta ?? null;
  const utilization = row.utilization ?? null;
  return {
    id,
    name: resourceName(row),
    host: row.host,
    resource: row.resource,
    metric: row.metric,
    labels: row.labels,
    unit: unitOf(row.metric),
    status: statusOf(utilization, eta, now),
    current: round(row.current),
    limit: round(row.limit),
    utilization: round(utilization),
    growthPerDay: round(row.growthPerDay),
    eta,
    etaLow: row.etaLow ?? null,
    etaHigh: row.etaHigh ?? null,
    model: fc?.model ?? row.model ?? "none",
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
    anomalies,
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

function unitOf(metric: string): string {
  if (metric.endsWith("_bytes")) return "bytes";
  if (metric.endsWith("_ratio")) return "ratio";
  if (metric.endsWith("_per_second")) return "1/s";
  if (metric.endsWith("_ms")) return "ms";
  return "";
}
