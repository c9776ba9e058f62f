/**
 * Hand-made capacity rows, resources and analyses for the renderers' and rules' tests, with
 * every field set so each test states only what it is about.
 *
 * @module
 */
import type { CapacityAnalysis, CapacityResource, CapacityRow } from "../../analytics/mod.ts";
import { DEFAULT_EVIDENCE } from "../../analytics/mod.ts";

/** A `crossing` file system row with a week of history; override what the test is about. */
export function capacityRow(over: Partial<CapacityRow> = {}): CapacityRow {
  return {
    host: "h",
    resource: "filesystem",
    metric: "filesystem_used_bytes",
    labels: "mountpoint=/var",
    current: 50,
    limit: 100,
    threshold: 95,
    utilization: 0.5,
    growthPerDay: 2,
    eta: null,
    etaLow: null,
    etaHigh: null,
    model: "linear",
    status: "crossing",
    reason: null,
    horizonMs: 30 * 86_400_000,
    note: null,
    points: 168,
    tier: "1h",
    first: 0,
    last: 7 * 86_400_000,
    limitSource: "filesystem_used_bytes + filesystem_free_bytes (as df shows)",
    ...over,
  };
}

/** A resource as the analysis gives it; override what the test is about. */
export function capacityResource(over: Partial<CapacityResource> = {}): CapacityResource {
  return {
    id: "h-filesystem-mountpoint-var",
    name: "h · filesystem /var",
    host: "h",
    resource: "filesystem",
    metric: "filesystem_used_bytes",
    labels: "mountpoint=/var",
    unit: "bytes",
    status: "crossing",
    severity: "warning",
    reason: null,
    current: 1,
    limit: 2,
    threshold: 1.9,
    utilization: 0.5,
    growthPerDay: 0.1,
    eta: null,
    etaLow: null,
    etaHigh: null,
    model: "linear",
    evidence: {
      first: 0,
      last: 7 * 86_400_000,
      spanMs: 7 * 86_400_000,
      horizonMs: 28 * 86_400_000,
      note: null,
      points: 168,
      tier: "1h",
      limitSource: "filesystem_size_bytes",
      trendBacktest: null,
    },
    forecastModel: "none",
    series: { ts: [0, 1], values: [1, null] },
    decomposition: null,
    forecast: null,
    anomalies: [],
    accuracy: {
      mae: null,
      wape: null,
      rmse: null,
      coverage80: null,
      coverage95: null,
      origins: 0,
    },
    ...over,
  };
}

/** A `ready` analysis at `now` with the given resources; override the rest. */
export function capacityAnalysis(over: Partial<CapacityAnalysis> = {}): CapacityAnalysis {
  const now = over.now ?? Date.UTC(2024, 0, 1);
  return {
    status: "ready",
    reason: null,
    generatedAt: now,
    now,
    from: now - 7 * 86_400_000,
    to: now,
    sinceMs: 14 * 86_400_000,
    horizonMs: 30 * 86_400_000,
    stepMs: 1_800_000,
    source: "test",
    evidence: { ...DEFAULT_EVIDENCE },
    filesystemLimit: "df",
    hosts: [],
    resources: [],
    recommendations: [],
    notes: [],
    ...over,
  };
}
