/**
 * Computes a capacity report's data from a lake: the capacity ranking, and per resource its
 * series, decomposition, forecast with bands, anomalies and backtested accuracy, plus the
 * recommendations. No HTML here: see `renderReport`.
 *
 * @module
 */
import type { Lake } from "../lake/mod.ts";
import { capacityReport, type CapacityRow, recommend } from "../analytics/mod.ts";
import type { ReportData, ResourceSection } from "./report_data.ts";
import { resourceSection } from "./resource_section.ts";
import { recommendationData } from "./recommendation_data.ts";
import { formatDuration } from "./format_value.ts";
import { niceStep, regularize, slug, trim } from "./_grid.ts";

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
  /** Rows of an earlier `capacityReport` over the same range and horizon, to reuse; default:
   * computed here. */
  capacity?: readonly CapacityRow[];
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
  const anomalyScore = options.anomalyScore ?? 0.9;
  const maxAnomalies = options.maxAnomalies ?? 20;
  const from = now - sinceMs;
  const step = niceStep(sinceMs, maxPoints);
  const hosts = options.hosts ? { hosts: options.hosts } : {};
  const progress = options.onProgress ?? (() => {});
  progress(0, 1, "capacity ranking");
  // The ranking is computed once, over the report's own range and horizon, and handed to
  // recommend() so it does not compute it again.
  const rows = options.capacity ??
    await capacityReport(lake, { now, horizonMs, sinceMs, ...hosts });
  const ids = new Set<string>();
  const resources: ResourceSection[] = [];
  const ctx = { now, step, horizonMs, maxPoints, anomalyScore, maxAnomalies };
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
    resources.push(
      resourceSection(id, row, trim(regularize(s.ts, s.values, from, now, step)), ctx),
    );
  }
  progress(rows.length, rows.length + 1, "recommendations");
  const recs = await recommend(lake, { now, horizonMs, sinceMs, capacity: rows, ...hosts });
  progress(rows.length + 1, rows.length + 1, "done");
  const tiers = [...new Set(rows.map((r) => r.tier))].sort().join(", ");
  return {
    title: options.title ?? "Capacity report",
    generatedAt: now,
    from,
    to: now,
    horizonMs,
    stepMs: step,
    hosts: options.hosts ?? [...new Set(rows.map((r) => r.host))].sort(),
    resources,
    recommendations: recs.map((r) => recommendationData(r, resources)),
    notes: [
      `Charts: series read at a ${formatDuration(step)} step over ${
        formatDuration(sinceMs)
      }, at most ${maxPoints} points per line.`,
      `Times to exhaustion: capacity model over the same ${formatDuration(sinceMs)}${
        tiers ? ` (lake tier ${tiers})` : ""
      }, looking ${formatDuration(horizonMs)} ahead.`,
      `Forecast lines reach at most ${
        formatDuration(horizonMs)
      } ahead, and no further than four backtest origins over the history can check.`,
    ],
  };
}
