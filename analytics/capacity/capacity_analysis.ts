/**
 * The one capacity analysis: capacity ranking → forecasts → decomposition → recommendations,
 * with the evidence behind every number. The Capacity page, `/api/capacity`,
 * `/api/recommendations`, the HTML report, the notebooks and the `capacity`/`train` commands
 * all render or print its result, so they cannot disagree.
 *
 * @module
 */
import { canonicalHost, type Lake } from "../../lake/mod.ts";
import { capacityReport, type CapacityRow, capacitySeverity } from "./capacity_report.ts";
import { type FilesystemLimit, type ResourceKind } from "./bottleneck_resources.ts";
import { capacityCharts } from "./capacity_charts.ts";
import {
  DEFAULT_EVIDENCE,
  type EvidenceRules,
  historySpan,
  judgeHistory,
} from "./evidence_rules.ts";
import { recommend } from "../recommend/recommend.ts";
import { listingOnce, type SeriesSource, toSource } from "../series/series_source.ts";
import { readSeries } from "../series/read_series.ts";
import { niceStep, regularize, round, slug, startAtFirstSample, trim } from "./_grid.ts";
import { resourceName } from "./resource_name.ts";
import type { CapacityAnalysis, CapacityResource, HostSpan } from "./capacity_analysis_types.ts";
import { methodNotes } from "./capacity_notes.ts";
import type { ServiceSetting } from "../services/service_catalog.ts";

const DAY = 86_400_000;

/** Options of {@linkcode analyzeCapacity}. */
export interface AnalyzeCapacityOptions {
  /** Analysis time, ms; default the latest sample time of the source. */
  now?: number;
  /** Longest history read, ms; default 14 days. */
  sinceMs?: number;
  /** How far ahead an ETA counts, ms; default 30 days. */
  horizonMs?: number;
  /** Only these hosts; default all. */
  hosts?: readonly string[];
  /** Fraction of each limit treated as exhaustion (see `capacityReport`). */
  thresholds?: Partial<Record<ResourceKind, number>>;
  /** Limit for `tcp_connections_established`; default 28 232. */
  connectionLimit?: number;
  /** A file system's limit: `df` (default: used + available, as `df` shows) or `size`. */
  filesystemLimit?: FilesystemLimit;
  /** Overrides of the evidence rules; default {@linkcode DEFAULT_EVIDENCE}. */
  evidence?: Partial<EvidenceRules>;
  /** Bootstrap rounds per capacity forecast; default 200. */
  bootstrap?: number;
  /** Stop the bootstrap of a resource with no point ETA once its rounds show it cannot have an
   * interval (`CapacityForecastOptions.earlyStop`); default true. False: every round, always. */
  earlyStop?: boolean;
  /** Resources (in ranking order) that get chart data; default all. */
  charts?: number;
  /** Most points per chart line (forecasts get half); default 400. */
  maxPoints?: number;
  /** Score at or above which a point is an anomaly; default 0.9. */
  anomalyScore?: number;
  /** Most anomalies kept per resource; default 20. */
  maxAnomalies?: number;
  /** Clock for `generatedAt`, ms; default `Date.now`. */
  clock?: () => number;
  /** Configured services (USL capacity); default the discovered ones only. */
  services?: readonly ServiceSetting[];
  /** Called as each resource is done, for a progress bar. */
  onProgress?: (done: number, total: number, label: string) => void;
}

const units: Record<ResourceKind, string> = {
  filesystem: "bytes",
  memory: "bytes",
  inodes: "inodes",
  cpu: "processes",
  connections: "connections",
  service: "req/s",
  cgroup_memory: "bytes",
  cgroup_cpu: "cores",
};

/**
 * Runs the capacity analysis over a source. Deterministic for a given source and options
 * (inject `now` and `clock`).
 *
 * Evidence rules (defaults in `DEFAULT_EVIDENCE`): a resource whose history spans less than
 * 1 day has status `insufficient`, severity `unknown`, the reason, and no ETA, growth rate,
 * forecast or recommendation; an ETA looks at most 4× the history ahead; a "for N min" claim
 * needs 10 min of data in its window and states the span the data covers.
 *
 * @param input A series source (or an open lake).
 * @param options Time, range, horizon, hosts, limits and display settings.
 * @returns The analysis.
 * @throws {RangeError} If a duration, threshold or limit is out of range.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openLake, simulateHost } from "../../lake/mod.ts";
 * import { analyzeCapacity } from "./capacity_analysis.ts";
 * const root = Deno.makeTempDirSync();
 * simulateHost({ root, start: Date.UTC(2024, 0, 1), durationMs: 7 * 60_000, stepMs: 10_000, cpus: 2, topN: 1 });
 * const lake = await openLake({ root });
 * const a = await analyzeCapacity(lake, { bootstrap: 10 });
 * assert.equal(a.status, "insufficient");
 * assert.ok(a.resources.every((r) => r.status === "insufficient" && r.severity === "unknown"));
 * assert.match(a.resources[0]!.reason!, /^7 min of history; ETAs need 1 day$/);
 * lake.close();
 * ```
 */
export async function analyzeCapacity(
  input: SeriesSource | Lake,
  options: AnalyzeCapacityOptions = {},
): Promise<CapacityAnalysis> {
  const source = listingOnce(toSource(input));
  const sinceMs = options.sinceMs ?? 14 * DAY;
  const horizonMs = options.horizonMs ?? 30 * DAY;
  const maxPoints = options.maxPoints ?? 400;
  for (const [k, v] of [["sinceMs", sinceMs], ["horizonMs", horizonMs], ["maxPoints", maxPoints]]) {
    if (!(Number(v) > 0) || !Number.isFinite(v)) throw new RangeError(`Invalid ${k}: ${v}`);
  }
  const rules: EvidenceRules = { ...DEFAULT_EVIDENCE, ...options.evidence };
  // host names are case-insensitive (lake canonicalHost): hosts ["Web1"] takes web1 and Web1
  const wanted = options.hosts ? new Set(options.hosts.map(canonicalHost)) : undefined;
  const extent = (await source.extent()).filter((e) =>
    !wanted || wanted.has(canonicalHost(e.host))
  );
  const latest = extent.length ? Math.max(...extent.map((e) => e.last)) : NaN;
  const now = options.now ?? latest;
  const lookBack = now - sinceMs;
  const hosts: HostSpan[] = extent.map((e) => {
    const first = Math.max(e.first, lookBack);
    const last = Math.min(e.last, now);
    const v = judgeHistory(first, last, horizonMs, rules);
    return {
      host: e.host,
      first,
      last,
      spanMs: v.spanMs,
      sufficient: v.sufficient,
      reason: v.reason,
    };
  });
  const from = hosts.length ? Math.min(...hosts.map((h) => h.first)) : lookBack;
  const to = Number.isFinite(now) ? now : from;
  const stepMs = niceStep(Math.max(to - from, 60_000), maxPoints);
  const progress = options.onProgress ?? (() => {});
  progress(0, 1, "capacity ranking");
  const shared = {
    horizonMs,
    sinceMs,
    ...(options.hosts && { hosts: options.hosts }),
    ...(options.thresholds && { thresholds: options.thresholds }),
    ...(options.connectionLimit !== undefined && { connectionLimit: options.connectionLimit }),
    ...(options.bootstrap !== undefined && { bootstrap: options.bootstrap }),
    ...(options.earlyStop !== undefined && { earlyStop: options.earlyStop }),
    ...(options.filesystemLimit && { filesystemLimit: options.filesystemLimit }),
    ...(options.services && { services: options.services }),
    evidence: rules,
  };
  const rows = Number.isFinite(now) ? await capacityReport(source, { now, ...shared }) : [];
  const ctx = {
    step: stepMs,
    horizonMs,
    maxPoints,
    anomalyScore: options.anomalyScore ?? 0.9,
    maxAnomalies: options.maxAnomalies ?? 20,
  };
  const ids = new Set<string>();
  const resources: CapacityResource[] = [];
  const charted = options.charts ?? Infinity;
  const keysOf = (row: CapacityRow) =>
    row.sumOf ?? [{ host: row.host, metric: row.metric, labels: row.labels }];
  // the charted resources' series in one read (a lake statement per tier, not one per series),
  // when they are few; else each resource's as it comes, so a fleet's are not all held at once
  const early = Number.isFinite(charted) && charted <= 16
    ? await readSeries(
      source,
      rows.slice(0, charted).flatMap(keysOf),
      { from, to: to + 1, step: stepMs },
    )
    : undefined;
  let at = 0;
  for (const [i, row] of rows.entries()) {
    progress(i, rows.length + 1, `${row.host} ${row.resource}`);
    let id = slug(`${row.host}-${row.resource}-${row.labels}`);
    while (ids.has(id)) id += "-x";
    ids.add(id);
    const empty = { ts: new Float64Array(0), values: new Float64Array(0) };
    let grid: { ts: Float64Array; values: Float64Array } = empty;
    if (i < charted) {
      const keys = keysOf(row);
      const read = early?.slice(at, at += keys.length) ??
        await readSeries(source, keys, { from, to: to + 1, step: stepMs });
      const parts = read.map((s) => regularize(s.ts, s.values, from, to + 1, stepMs));
      grid = startAtFirstSample(trim(sumGrids(parts) ?? empty), row.first, stepMs);
    }
    resources.push(
      resourceOf(
        id,
        row,
        now,
        capacityCharts(grid, row.status !== "insufficient", ctx, row.metric),
      ),
    );
  }
  progress(rows.length, rows.length + 1, "recommendations");
  const recommendations = rows.length
    ? await recommend(source, { now, ...shared, capacity: rows })
    : [];
  progress(rows.length + 1, rows.length + 1, "done");
  const usable = rows.filter((r) => r.status !== "insufficient").length;
  const groups = await analysedGroups(source, hosts);
  const status = rows.length === 0 ? "empty" : usable === 0 ? "insufficient" : "ready";
  // a query API's name, not "the lake", where capacity reads a TSDB (`--source`)
  const place = source.where ?? "the lake";
  return {
    status,
    reason: status === "empty"
      ? hosts.length === 0 && wanted
        ? `No samples from ${[...wanted].join(", ")} in ${place}`
        : hosts.length === 0
        // a new install: the collector's first flush to Parquet comes about a minute in
        ? place === "the lake"
          ? "No samples in the lake yet (a collector writes its first minute about a minute after it starts)"
          : `No samples in ${place} yet`
        : "No resource with a known limit yet (file systems, memory, CPU)"
      : status === "insufficient"
      // the history's verdict, not the first row's own words ("at or past the threshold now; …"
      // is about one resource, not the analysis)
      ? hosts.find((h) => h.host === rows[0]!.host)?.reason ?? rows[0]!.reason ??
        "Too little history"
      : null,
    generatedAt: (options.clock ?? Date.now)(),
    now,
    from,
    to,
    sinceMs,
    horizonMs,
    stepMs,
    source: source.name,
    evidence: rules,
    filesystemLimit: options.filesystemLimit ?? "df",
    hosts,
    resources,
    recommendations,
    notes: methodNotes({
      stepMs,
      sinceMs,
      horizonMs,
      maxPoints,
      rules,
      rows,
      filesystemLimit: options.filesystemLimit ?? "df",
    }),
    ...(groups && { hostGroups: groups }),
  };
}

/**
 * The sum of series on one grid, point by point over the series that have a value there (as the
 * services' request rate is summed for its forecast); NaN where none has; undefined for none.
 */
function sumGrids(
  grids: { ts: Float64Array; values: Float64Array }[],
): { ts: Float64Array; values: Float64Array } | undefined {
  if (grids.length <= 1) return grids[0];
  const values = new Float64Array(grids[0]!.ts.length).fill(NaN);
  for (const g of grids) {
    for (let i = 0; i < values.length; i++) {
      const v = g.values[i]!;
      if (Number.isFinite(v)) values[i] = (Number.isNaN(values[i]!) ? 0 : values[i]!) + v;
    }
  }
  return { ts: grids[0]!.ts, values };
}

/** The analysed hosts' group labels, when the source knows any (undefined otherwise). */
async function analysedGroups(
  source: SeriesSource,
  hosts: readonly HostSpan[],
): Promise<Record<string, Record<string, string>> | undefined> {
  if (!source.hostGroups) return undefined;
  const all = await source.hostGroups();
  const out: Record<string, Record<string, string>> = {};
  let any = false;
  for (const { host } of hosts) {
    const labels = all.get(host) ?? {};
    out[host] = labels;
    any ||= Object.keys(labels).length > 0;
  }
  return any ? out : undefined;
}

function resourceOf(
  id: string,
  row: CapacityRow,
  now: number,
  charts: ReturnType<typeof capacityCharts>,
): CapacityResource {
  // the span judgeHistory judged (and the host list states), not a second computation of it
  const spanMs = historySpan(row.first, row.last);
  return {
    id,
    name: resourceName(row),
    host: row.host,
    resource: row.resource,
    metric: row.metric,
    labels: row.labels,
    unit: units[row.resource],
    status: row.status,
    severity: capacitySeverity(row, now),
    reason: row.reason,
    current: round(row.current),
    limit: round(row.limit),
    threshold: round(row.threshold),
    utilization: round(row.utilization),
    growthPerDay: round(row.growthPerDay),
    eta: row.eta,
    etaLow: row.etaLow,
    etaHigh: row.etaHigh,
    model: row.model,
    evidence: {
      first: Number.isFinite(row.first) ? row.first : null,
      last: Number.isFinite(row.last) ? row.last : null,
      spanMs: Number.isFinite(spanMs) ? spanMs : null,
      horizonMs: row.horizonMs,
      note: row.note,
      points: row.points,
      tier: row.tier,
      limitSource: row.limitSource,
      trendBacktest: row.fit
        ? {
          linearMae: round(row.fit.backtest.linearMae),
          quadraticMae: round(row.fit.backtest.quadraticMae),
          holdout: row.fit.backtest.holdout,
        }
        : null,
    },
    ...charts,
  };
}
