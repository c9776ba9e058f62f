/**
 * Bottleneck prediction: every resource of every host forecast to its limit and ranked by the
 * time until it runs out.
 *
 * @module
 */
import type { Lake } from "../lake/mod.ts";
import { capacityForecast, type CapacityStatus } from "./capacity_forecast.ts";
import {
  DEFAULT_THRESHOLDS,
  findResources,
  latestTime,
  type ResourceKind,
} from "./bottleneck_resources.ts";

const DAY = 86_400_000;

/** Options of {@linkcode capacityReport}. */
export interface CapacityReportOptions {
  /** Forecast start, ms; default the latest sample time in the lake. */
  now?: number;
  /** How far ahead an ETA counts, ms; default 30 days. */
  horizonMs?: number;
  /** History read, ms; default 14 days (served from the rollup tiers). */
  sinceMs?: number;
  /** Only these hosts; default all. */
  hosts?: readonly string[];
  /** Fraction of each limit treated as exhaustion; default {@linkcode DEFAULT_THRESHOLDS}. */
  thresholds?: Partial<Record<ResourceKind, number>>;
  /** Limit for `tcp_connections_established`; default 28 232. */
  connectionLimit?: number;
  /** Bootstrap rounds per forecast; default 200. */
  bootstrap?: number;
}

/** One ranked resource. Times are ms since the epoch; null = not within the horizon. */
export interface CapacityRow {
  host: string;
  /** `filesystem`, `inodes`, `memory`, `cpu` or `connections`. */
  resource: ResourceKind;
  metric: string;
  labels: string;
  /** Latest level (median of the last three points). */
  current: number;
  /** The resource's limit (size, total, cores, configured connections). */
  limit: number;
  /** Level treated as exhaustion: limit × threshold ratio. */
  threshold: number;
  /** current / limit. */
  utilization: number;
  /** Growth at the end of the history, units per day. */
  growthPerDay: number;
  /** Median time of reaching `threshold`, and its 80 % interval. */
  eta: number | null;
  etaLow: number | null;
  etaHigh: number | null;
  /** Trend model: `linear`, `quadratic` or `none`. */
  model: string;
  status: CapacityStatus;
  /** Points in the series read, and the tier that served them. */
  points: number;
  tier: string;
}

/**
 * Forecasts every resource that has a limit and ranks them: soonest ETA first, then resources
 * whose 80 % interval reaches the limit (by `etaLow`), then by utilization.
 *
 * @param lake An open lake.
 * @param options Time, horizon, history, hosts and limits.
 * @returns The ranked rows (empty for an empty lake).
 * @throws {RangeError} If a duration or threshold is out of range.
 * @throws {LakeError} If DuckDB fails.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openLake, simulateHost } from "../lake/mod.ts";
 * import { capacityReport } from "./capacity_report.ts";
 * const root = Deno.makeTempDirSync();
 * const start = Date.UTC(2024, 0, 1);
 * simulateHost({ root, start, durationMs: 2 * 86_400_000, stepMs: 600_000, cpus: 2, topN: 1,
 *   diskFill: { from: 0.5, to: 0.8 } });
 * const lake = await openLake({ root });
 * const [first] = await capacityReport(lake, { bootstrap: 20 });
 * assert.equal(first?.labels.includes("mountpoint=/var"), true);
 * lake.close();
 * ```
 */
export async function capacityReport(
  lake: Lake,
  options: CapacityReportOptions = {},
): Promise<CapacityRow[]> {
  const horizonMs = options.horizonMs ?? 30 * DAY;
  const sinceMs = options.sinceMs ?? 14 * DAY;
  if (!(horizonMs > 0)) throw new RangeError(`Invalid horizonMs: ${horizonMs}`);
  if (!(sinceMs > 0)) throw new RangeError(`Invalid sinceMs: ${sinceMs}`);
  const ratios = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  for (const [k, v] of Object.entries(ratios)) {
    if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`Invalid threshold for ${k}: ${v}`);
  }
  const now = options.now ?? await latestTime(lake);
  if (!Number.isFinite(now)) return [];
  const resources = await findResources(lake, {
    now,
    ...(options.hosts && { hosts: options.hosts }),
    ...(options.connectionLimit !== undefined && { connectionLimit: options.connectionLimit }),
  });
  const rows: CapacityRow[] = [];
  for (const r of resources) {
    const s = await lake.series({
      metric: r.metric,
      labels: r.labels,
      host: r.host,
      from: now - sinceMs,
      to: now + 1,
    });
    const threshold = r.limit * ratios[r.kind];
    const f = capacityForecast(s.ts, s.values, {
      threshold,
      now,
      horizonMs,
      ...(options.bootstrap !== undefined && { bootstrap: options.bootstrap }),
    });
    if (f.points === 0) continue;
    rows.push({
      host: r.host,
      resource: r.kind,
      metric: r.metric,
      labels: r.labels,
      current: f.current,
      limit: r.limit,
      threshold,
      utilization: f.current / r.limit,
      growthPerDay: f.growthPerDay,
      eta: f.eta,
      etaLow: f.etaLow,
      etaHigh: f.etaHigh,
      model: f.model,
      status: f.status,
      points: f.points,
      tier: s.tier,
    });
  }
  return rows.sort(compareRows);
}

function compareRows(a: CapacityRow, b: CapacityRow): number {
  const key = (r: CapacityRow) => r.eta ?? Infinity;
  const low = (r: CapacityRow) => r.etaLow ?? Infinity;
  return key(a) - key(b) || low(a) - low(b) || b.utilization - a.utilization ||
    (a.host < b.host ? -1 : a.host > b.host ? 1 : 0);
}
