/**
 * Recommendations: rules over the capacity ranking and the recent window that produce
 * actionable items with evidence, severity and the expected effect.
 *
 * @module
 */
import type { Lake } from "../../lake/mod.ts";
import {
  type FilesystemLimit,
  latestTime,
  type ResourceKind,
} from "../capacity/bottleneck_resources.ts";
import { claimSpan, type EvidenceRules } from "../capacity/evidence_rules.ts";
import { type SeriesSource, toSource } from "../series/series_source.ts";
import { capacityReport, type CapacityRow } from "../capacity/capacity_report.ts";
import { capacityRecommendations } from "./recommend_capacity.ts";
import { pressureRecommendations } from "./recommend_pressure.ts";
import { type Recommendation, SEVERITY_RANK } from "./recommend_types.ts";
import { readWindows } from "./recommend_window.ts";

const DAY = 86_400_000;

/** Options of {@linkcode recommend}. */
export interface RecommendOptions {
  /** Time the rules look back from, ms; default the latest sample time in the lake. */
  now?: number;
  /** Only these hosts; default all. */
  hosts?: readonly string[];
  /** Recent window for saturation and error rules, ms; default 15 minutes. */
  windowMs?: number;
  /** Capacity horizon, ms; default 30 days. */
  horizonMs?: number;
  /** History read for capacity forecasts, ms; default 14 days. */
  sinceMs?: number;
  /** Rows of an earlier `capacityReport` to reuse (skips recomputing it). */
  capacity?: readonly CapacityRow[];
  /** Fraction of each limit treated as exhaustion (see `capacityReport`). */
  thresholds?: Partial<Record<ResourceKind, number>>;
  /** Limit for `tcp_connections_established`; default 28 232. */
  connectionLimit?: number;
  /** ETA within this is critical; default 3 days. Within `warningMs` (default 14 days): warning. */
  criticalMs?: number;
  warningMs?: number;
  /** Bootstrap rounds per capacity forecast; default 200. */
  bootstrap?: number;
  /** A file system's limit: `df` (default: used + available) or `size`. */
  filesystemLimit?: FilesystemLimit;
  /** Overrides of the evidence rules (`DEFAULT_EVIDENCE`). */
  evidence?: Partial<EvidenceRules>;
}

/**
 * Produces recommendations for a lake, most severe first: resources that run out within the
 * horizon (`filesystem-full`, `inodes-full`, `memory-full`, `cpu-full`, `connections-full`) and
 * what the last minutes show (`cpu-saturated`, `memory-pressure`, `disk-saturated`,
 * `network-errors`, `tcp-retransmits`). A healthy lake gives none or only `info` items.
 * Evidence rules: resources with too little history (status `insufficient`) give nothing, and
 * the window rules need `minWindowMs` of data in the window (10 min by default) and state the
 * span the data covers, never the window asked for.
 *
 * @param input A series source or an open lake.
 * @param options Time, hosts, windows and limits.
 * @returns The recommendations (empty for an empty lake).
 * @throws {RangeError} If a duration is not positive.
 * @throws {LakeError} If DuckDB fails.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openLake, simulateHost } from "../../lake/mod.ts";
 * import { recommend } from "./recommend.ts";
 * const root = Deno.makeTempDirSync();
 * const start = Date.UTC(2024, 0, 1), end = start + 86_400_000;
 * simulateHost({ root, start, durationMs: end - start, stepMs: 300_000, cpus: 2, topN: 1,
 *   cpuSaturation: { from: end - 3_600_000, durationMs: 3_600_000 } });
 * const lake = await openLake({ root });
 * const recs = await recommend(lake, { bootstrap: 20 });
 * assert.ok(recs.some((r) => r.rule === "cpu-saturated" && r.severity !== "info"));
 * lake.close();
 * ```
 */
export async function recommend(
  input: SeriesSource | Lake,
  options: RecommendOptions = {},
): Promise<Recommendation[]> {
  const source = toSource(input);
  const windowMs = options.windowMs ?? 15 * 60_000;
  const sinceMs = options.sinceMs ?? 14 * DAY;
  if (!(windowMs > 0)) throw new RangeError(`Invalid windowMs: ${windowMs}`);
  const now = options.now ?? await latestTime(source);
  if (!Number.isFinite(now)) return [];
  const windows = await readWindows(source, {
    from: now - windowMs,
    to: now + 1,
    hosts: options.hosts,
  });
  const rows = options.capacity ?? await capacityReport(source, {
    now,
    sinceMs,
    ...(options.horizonMs !== undefined && { horizonMs: options.horizonMs }),
    ...(options.hosts && { hosts: options.hosts }),
    ...(options.thresholds && { thresholds: options.thresholds }),
    ...(options.connectionLimit !== undefined && { connectionLimit: options.connectionLimit }),
    ...(options.bootstrap !== undefined && { bootstrap: options.bootstrap }),
    ...(options.filesystemLimit && { filesystemLimit: options.filesystemLimit }),
    ...(options.evidence && { evidence: options.evidence }),
  });
  // A window rule needs enough data in the window to call a state sustained.
  const sustained = windows.filter((w) =>
    claimSpan(windowMs, w.to - w.from, options.evidence) !== null
  );
  const recs = [
    ...capacityRecommendations(rows, {
      now,
      sinceMs,
      windows: new Map(windows.map((w) => [w.host, w])),
      ...(options.criticalMs !== undefined && { criticalMs: options.criticalMs }),
      ...(options.warningMs !== undefined && { warningMs: options.warningMs }),
    }),
    ...sustained.flatMap(pressureRecommendations),
  ];
  return recs
    .map((r, i) => [r, i] as const)
    .sort(([a, i], [b, j]) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || i - j)
    .map(([r]) => r);
}
