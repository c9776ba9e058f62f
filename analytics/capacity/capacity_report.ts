/**
 * Bottleneck prediction: every resource of every host forecast to its limit and ranked by the
 * time until it runs out.
 *
 * @module
 */
import { type Lake, sameHost } from "../../lake/mod.ts";
import type { CapacityForecast } from "./capacity_forecast.ts";
import {
  DEFAULT_THRESHOLDS,
  type FilesystemLimit,
  findResources,
  latestTime,
  type ResourceKind,
} from "./bottleneck_resources.ts";
import type { EvidenceRules } from "./evidence_rules.ts";
import { type CapacityRowFields, forecastRow } from "./forecast_row.ts";
import { sampleExtent } from "./sample_extent.ts";
import { type SeriesSource, type SourceSeries, toSource } from "../series/series_source.ts";
import { readSeries } from "../series/read_series.ts";
import { serviceCapacity } from "../services/service_capacity.ts";
import type { ServiceSetting } from "../services/service_catalog.ts";

const DAY = 86_400_000;
/** Resources whose histories are read together. */
const READ_BATCH = 64;

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
  /** Stop the bootstrap of a resource with no point ETA once it cannot have an interval
   * (`CapacityForecastOptions.earlyStop`); default true. */
  earlyStop?: boolean;
  /** A file system's limit: `df` (default: used + available) or `size`. */
  filesystemLimit?: FilesystemLimit;
  /** Overrides of the evidence rules (`DEFAULT_EVIDENCE`): history needed before an ETA. */
  evidence?: Partial<EvidenceRules>;
  /** Configured services (their USL capacity ranks with the machine resources); default the
   * discovered ones only. */
  services?: readonly ServiceSetting[];
}

/** One ranked resource. Times are ms since the epoch; null = not within the horizon. */
export interface CapacityRow extends CapacityRowFields {
  /** `filesystem`, `inodes`, `memory`, `cpu`, `connections`, `service`, `cgroup_*`. */
  resource: ResourceKind;
  /** The capacity model's fit (trend over days since `now`, seasonal profile, residual scale,
   * held-out errors); absent when there is none. */
  fit?: Pick<CapacityForecast, "trend" | "profile" | "residualScale" | "backtest">;
}

/** How urgent a resource is; `unknown` whenever the evidence is insufficient. */
export type CapacitySeverity = "ok" | "warning" | "critical" | "unknown";

/**
 * The severity of a ranked resource: `unknown` when its history is insufficient (no claim is
 * made on too little data); `critical` when past its mark, at ≥ 90 % of its limit or exhausted
 * within 3 days; `warning` at ≥ 75 % or exhausted within the horizon; else `ok`.
 *
 * @param row The resource.
 * @param now The analysis time, ms.
 * @returns The severity.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { capacitySeverity } from "./capacity_report.ts";
 * assert.equal(capacitySeverity({ status: "insufficient", utilization: 0.99, eta: null }, 0), "unknown");
 * assert.equal(capacitySeverity({ status: "crossing", utilization: 0.5, eta: 86_400_000 }, 0), "critical");
 * assert.equal(capacitySeverity({ status: "flat", utilization: 0.5, eta: null }, 0), "ok");
 * ```
 */
export function capacitySeverity(
  row: Pick<CapacityRow, "status" | "utilization" | "eta">,
  now: number,
): CapacitySeverity {
  if (row.status === "insufficient" || !Number.isFinite(row.utilization)) return "unknown";
  const soon = row.eta !== null && row.eta - now <= 3 * DAY;
  if (row.status === "over" || row.utilization >= 0.9 || soon) return "critical";
  return row.utilization >= 0.75 || row.eta !== null ? "warning" : "ok";
}

/**
 * Forecasts every resource that has a limit and ranks them: soonest ETA first, then resources
 * whose 80 % interval reaches the limit (by `etaLow`), then by utilization. Evidence rules
 * (`DEFAULT_EVIDENCE`): a resource whose history spans less than 1 day gets status
 * `insufficient` with the reason, and no ETA or growth rate; a history shorter than 1/4 of the
 * horizon looks only 4× its span ahead (`horizonMs`, `note`).
 *
 * @param input A series source or an open lake.
 * @param options Time, horizon, history, hosts and limits.
 * @returns The ranked rows (empty for an empty lake).
 * @throws {RangeError} If a duration or threshold is out of range.
 * @throws {LakeError} If DuckDB fails.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openLake, simulateHost } from "../../lake/mod.ts";
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
  input: SeriesSource | Lake,
  options: CapacityReportOptions = {},
): Promise<CapacityRow[]> {
  const source = toSource(input);
  const horizonMs = options.horizonMs ?? 30 * DAY;
  const sinceMs = options.sinceMs ?? 14 * DAY;
  if (!(horizonMs > 0)) throw new RangeError(`Invalid horizonMs: ${horizonMs}`);
  if (!(sinceMs > 0)) throw new RangeError(`Invalid sinceMs: ${sinceMs}`);
  const ratios = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  for (const [k, v] of Object.entries(ratios)) {
    if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`Invalid threshold for ${k}: ${v}`);
  }
  const now = options.now ?? await latestTime(source);
  if (!Number.isFinite(now)) return [];
  const resources = await findResources(source, {
    now,
    ...(options.filesystemLimit && { filesystemLimit: options.filesystemLimit }),
    ...(options.hosts && { hosts: options.hosts }),
    ...(options.connectionLimit !== undefined && { connectionLimit: options.connectionLimit }),
  });
  const rows: CapacityRow[] = [];
  const hosts = await source.extent();
  // read a batch of resources at a time: one lake statement per batch instead of one per
  // resource, and at most a batch of histories held at once (a fleet has thousands)
  let batch: SourceSeries[] = [];
  for (const [i, r] of resources.entries()) {
    if (i % READ_BATCH === 0) {
      const keys = resources.slice(i, i + READ_BATCH).map(({ host, metric, labels }) => ({
        host,
        metric,
        labels,
      }));
      batch = await readSeries(source, keys, {
        from: now - sinceMs,
        to: now + 1,
      });
    }
    const s = batch[i % READ_BATCH]!;
    const threshold = r.limit * ratios[r.kind];
    const { first, last } = sampleExtent(s.ts, s.values, {
      tier: s.tier,
      host: hosts.find((e) => sameHost(e.host, r.host)),
    });
    const { fields, forecast: f, known } = forecastRow(s.ts, s.values, {
      limit: r.limit,
      threshold,
      now,
      horizonMs,
      first,
      last,
      tier: s.tier,
      evidence: options.evidence,
      bootstrap: options.bootstrap,
      earlyStop: options.earlyStop,
    });
    if (f.points === 0) continue;
    rows.push({
      host: r.host,
      resource: r.kind,
      metric: r.metric,
      labels: r.labels,
      ...fields,
      limitSource: r.limitSource,
      ...(known && f.model !== "none" && {
        fit: {
          trend: f.trend,
          ...(f.profile && { profile: f.profile }),
          residualScale: f.residualScale,
          backtest: f.backtest,
        },
      }),
    });
  }
  // services: request rate against a share of the USL peak throughput fitted to their history
  const services = await serviceCapacity(source, {
    now,
    sinceMs,
    horizonMs,
    ratio: ratios.service,
    services: options.services,
    evidence: options.evidence,
    bootstrap: options.bootstrap,
  });
  for (const { row } of services) {
    if (row && (!options.hosts || options.hosts.some((h) => sameHost(h, row.host)))) {
      rows.push(row);
    }
  }
  return rows.sort(compareRows);
}

function compareRows(a: CapacityRow, b: CapacityRow): number {
  const key = (r: CapacityRow) => r.eta ?? Infinity;
  const low = (r: CapacityRow) => r.etaLow ?? Infinity;
  return key(a) - key(b) || low(a) - low(b) || b.utilization - a.utilization ||
    (a.host < b.host ? -1 : a.host > b.host ? 1 : 0);
}
