/**
 * The typed result of `analyzeCapacity`: plain JSON-safe data (numbers, strings, arrays, `null`
 * for missing) so the web app can send it, the report can inline it and a notebook can tabulate
 * it unchanged.
 *
 * @module
 */
import type { ResourceKind } from "./bottleneck_resources.ts";
import type { CapacityStatus } from "./capacity_forecast.ts";
import type { CapacitySeverity } from "./capacity_report.ts";
import type { ChartData } from "./capacity_charts.ts";
import type { EvidenceRules } from "./evidence_rules.ts";
import type { Recommendation } from "../recommend/recommend_types.ts";

/** The history behind a resource's numbers. */
export interface ResourceEvidence {
  /** First and last sample read, ms (null when none). */
  first: number | null;
  last: number | null;
  /** last − first, ms. */
  spanMs: number | null;
  /** How far ahead the ETA looked, ms (the horizon, cut to 4× the history; 0 when
   * insufficient), and why it is shorter when it is. */
  horizonMs: number;
  note: string | null;
  /** Finite points the capacity model used. */
  points: number;
  /** Tier that served them (`raw`, `1m`, `1h`, `memory`). */
  tier: string;
  /** Where the limit comes from, e.g. `filesystem_used_bytes + filesystem_free_bytes (as df shows)`. */
  limitSource: string;
  /** Held-out mean absolute errors of the capacity trend candidates (null without a fit). */
  trendBacktest: { linearMae: number | null; quadraticMae: number | null; holdout: number } | null;
}

/** One resource of one host: its capacity figures, the evidence, and its chart data. */
export interface CapacityResource extends ChartData {
  /** Stable id for anchors and chart ids, e.g. `web-1-filesystem-mountpoint-data`. */
  id: string;
  /** Display name, e.g. `web-1 · filesystem /data`. */
  name: string;
  host: string;
  resource: ResourceKind;
  metric: string;
  /** Canonical label string, `""` for none. */
  labels: string;
  /** Unit of the values: `bytes`, or a count word (`processes`, `inodes`, `connections`). */
  unit: string;
  /** What the capacity model found; `insufficient` when the evidence rules say too little. */
  status: CapacityStatus;
  /** How urgent; always `unknown` when `status` is `insufficient`. */
  severity: CapacitySeverity;
  /** Why there is no ETA, e.g. `7 min of history; ETAs need 1 day` (null otherwise). */
  reason: string | null;
  /** Latest level, limit, exhaustion mark (limit × threshold ratio), in the unit. */
  current: number | null;
  limit: number | null;
  threshold: number | null;
  /** current / limit. */
  utilization: number | null;
  /** Growth per day in the unit (null when the history is insufficient). */
  growthPerDay: number | null;
  /** Time of reaching the mark (ms epoch) and its 80 % interval; null when not in the horizon. */
  eta: number | null;
  etaLow: number | null;
  etaHigh: number | null;
  /** Capacity trend model: `linear`, `quadratic` or `none`. */
  model: string;
  evidence: ResourceEvidence;
}

/** The data span of one host within the look-back. */
export interface HostSpan {
  host: string;
  /** First and last sample within the look-back, ms. */
  first: number;
  last: number;
  spanMs: number;
  /** Whether the span meets the evidence rules for an ETA. */
  sufficient: boolean;
  /** Why not (null when sufficient). */
  reason: string | null;
}

/** The whole analysis. */
export interface CapacityAnalysis {
  /** `empty`: no resource with a limit; `insufficient`: none with enough history; `ready`. */
  status: "empty" | "insufficient" | "ready";
  /** Why not ready (null when ready). */
  reason: string | null;
  /** When it was computed (ms epoch, from the injected clock). */
  generatedAt: number;
  /** Analysis time: forecasts start here (the latest sample by default); NaN without data. */
  now: number;
  /** The data actually covered: the earliest sample in the look-back to `now` (not the range
   * asked for). */
  from: number;
  to: number;
  /** Look-back asked for and horizon, ms. */
  sinceMs: number;
  horizonMs: number;
  /** Grid step of the chart series, ms. */
  stepMs: number;
  /** Where the series came from, e.g. `lake data`. */
  source: string;
  /** The evidence rules applied, and the history an ETA needed here. */
  evidence: EvidenceRules;
  /** How file system limits were read: `df` (used + available) or `size`. */
  filesystemLimit: "df" | "size";
  /** Real data span per host. */
  hosts: HostSpan[];
  /** Resources ranked worst first (the bottleneck ranking). */
  resources: CapacityResource[];
  /** Recommendations, most severe first. */
  recommendations: Recommendation[];
  /** Method notes (tiers read, steps, rules), for the report's methods section. */
  notes: string[];
  /** Each analysed host's group labels (`env`, `dc`, `role`…), when the source has them (a
   * fleet's query API); absent otherwise. See `hostGroupsBy`. */
  hostGroups?: Record<string, Record<string, string>>;
}
