/**
 * Recommendations from the capacity ranking: a resource that reaches its limit within the
 * horizon, with the ETA, its 80 % interval, the growth rate and what would buy time.
 *
 * @module
 */
import type { CapacityRow } from "../capacity/capacity_report.ts";
import { formatPercent, formatQuantity, formatSpan } from "./recommend_format.ts";
import type { Recommendation, Severity } from "./recommend_types.ts";
import { type HostWindow, stat, statsOf } from "./recommend_window.ts";
import { parseLabels } from "../../collectors/mod.ts";

const DAY = 86_400_000;

/** Options of {@linkcode capacityRecommendations}. */
export interface CapacityRecommendationOptions {
  /** Forecast start, ms. */
  now: number;
  /** History the forecasts read, ms (for the series references). */
  sinceMs: number;
  /** ETA within this many ms is critical; default 3 days. */
  criticalMs?: number;
  /** ETA within this many ms is a warning (later ones within the horizon: info); default 14 days. */
  warningMs?: number;
  /** Recent windows per host, for the busiest disk and process; optional. */
  windows?: ReadonlyMap<string, HostWindow>;
}

const nouns: Record<
  CapacityRow["resource"],
  (row: CapacityRow, l: Record<string, string>) => string
> = {
  filesystem: (_, l) => `File system ${l.mountpoint ?? "?"}`,
  inodes: (_, l) => `Inodes of ${l.mountpoint ?? "?"}`,
  memory: () => "Memory",
  cpu: () => "CPU run queue",
  connections: () => "TCP connections",
  service: (_, l) => `Service ${l.service ?? l.target ?? "?"}`,
};

function unitOf(row: CapacityRow): string {
  if (row.resource === "service") return "req/s";
  return row.resource === "filesystem" || row.resource === "memory"
    ? "bytes"
    : row.resource === "inodes"
    ? "inodes"
    : row.resource === "cpu"
    ? "processes"
    : "connections";
}

/**
 * Turns ranked capacity rows into recommendations: one per row whose ETA is within the
 * horizon (or already past the limit). Severity: over or ETA ≤ `criticalMs` critical, ≤
 * `warningMs` warning, else info. The title gives the 80 % interval of the ETA unless both
 * ends print the same (e.g. an interval of minutes around "5.2 days"), in which case the ETA
 * stands alone; the evidence keeps the exact ends.
 *
 * @param rows Rows from `capacityReport`.
 * @param options Time, history and severity bounds.
 * @returns Recommendations in the rows' order.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { capacityRecommendations } from "./recommend_capacity.ts";
 * const now = Date.UTC(2024, 0, 8);
 * const [r] = capacityRecommendations([{
 *   host: "db1", resource: "filesystem", metric: "filesystem_used_bytes",
 *   labels: "device=sda1,fstype=xfs,mountpoint=/var", current: 85, limit: 100, threshold: 95,
 *   utilization: 0.85, growthPerDay: 5, eta: now + 2 * 86_400_000, etaLow: now + 1.5 * 86_400_000,
 *   etaHigh: now + 3 * 86_400_000, model: "linear", status: "crossing", points: 168, tier: "1h",
 *   reason: null, horizonMs: 30 * 86_400_000, note: null, first: now - 7 * 86_400_000, last: now,
 *   limitSource: "filesystem_size_bytes",
 * }], { now, sinceMs: 7 * 86_400_000 });
 * assert.equal(r?.severity, "critical");
 * assert.match(r!.title, /^File system \/var on db1 reaches 95 % in 2\.0 days \(80 %: 36 h–3\.0 days\)/);
 * ```
 */
export function capacityRecommendations(
  rows: readonly CapacityRow[],
  options: CapacityRecommendationOptions,
): Recommendation[] {
  const { now } = options;
  const out: Recommendation[] = [];
  for (const row of rows) {
    if (row.eta === null) continue;
    const labels = parseLabels(row.labels);
    const unit = unitOf(row);
    const q = (v: number) => formatQuantity(v, unit);
    const span = row.eta - now;
    const severity: Severity = row.status === "over" || span <= (options.criticalMs ?? 3 * DAY)
      ? "critical"
      : span <= (options.warningMs ?? 14 * DAY)
      ? "warning"
      : "info";
    const level = row.resource === "cpu"
      ? `${q(row.threshold)} (${formatPercent(row.threshold / row.limit)} of ${row.limit} cores)`
      : row.resource === "service"
      ? `${formatPercent(row.threshold / row.limit)} of its USL peak throughput (${q(row.limit)})`
      : formatPercent(row.threshold / row.limit);
    const subject = `${nouns[row.resource](row, labels)} on ${row.host}`;
    // Compare the printed ends, not the ms: an interval narrower than the text's precision
    // would read "5.2 days–5.2 days"; the ETA alone says as much.
    const low = row.etaLow === null ? null : formatSpan(row.etaLow - now);
    const high = row.etaHigh === null ? "beyond the horizon" : formatSpan(row.etaHigh - now);
    const interval = low !== null && low !== high ? ` (80 %: ${low}–${high})` : "";
    const title = row.status === "over"
      ? `${subject} is at ${formatPercent(row.utilization)}, past its ${level} mark`
      : `${subject} reaches ${level} in ${formatSpan(span)}${interval} at ${
        row.growthPerDay >= 0 ? "+" : ""
      }${q(row.growthPerDay)}/day`;
    const facts = [
      `Now ${q(row.current)} of ${q(row.limit)} (${formatPercent(row.utilization)})`,
      `Growth ${
        q(row.growthPerDay)
      } per day (${row.model} trend over ${row.points} points, ${row.tier} tier)`,
    ];
    const extra = clues(row, labels, options.windows?.get(row.host));
    facts.push(...extra.facts);
    const week = Math.max(0, row.growthPerDay * 7);
    out.push({
      id: `${row.resource}-full:${row.host}:${labels.mountpoint ?? row.labels}`,
      rule: `${row.resource}-full`,
      severity,
      host: row.host,
      title,
      detail: `${subject}: ${facts.join("; ")}.`,
      evidence: {
        values: {
          current: row.current,
          limit: row.limit,
          threshold: row.threshold,
          utilization: row.utilization,
          growthPerDay: row.growthPerDay,
          etaDays: span / DAY,
          etaLowDays: row.etaLow === null ? null : (row.etaLow - now) / DAY,
          etaHighDays: row.etaHigh === null ? null : (row.etaHigh - now) / DAY,
          model: row.model,
          ...extra.values,
        },
        series: [{
          host: row.host,
          metric: row.metric,
          labels: row.labels,
          from: now - options.sinceMs,
          to: now + 1,
        }],
      },
      facts,
      effect: effectOf(row, q(week)),
    });
  }
  return out;
}

function effectOf(row: CapacityRow, week: string): string {
  switch (row.resource) {
    case "filesystem":
      return `Freeing or adding ${week} (a week of growth) postpones the mark by about 7 days; ` +
        "find what writes (logs, dumps, WAL, caches) and rotate or move it";
    case "inodes":
      return `Removing ${week} (a week of growth) postpones the mark by about 7 days; ` +
        "look for directories of many small files (caches, sessions, mail queues)";
    case "memory":
      return `Freeing ${week} (a week of growth) postpones it by about 7 days; a steady rise ` +
        "usually means a leak: restart or fix the growing process, or add memory";
    case "cpu":
      return "Each core added raises the limit by one runnable process; moving or throttling " +
        "the busiest process lowers the run queue by its share";
    case "service":
      return "Past its USL peak more concurrency lowers throughput: add instances (scale out) " +
        "before the mark, and cut the contention (σ: locks, a shared queue, one database) and " +
        `coherency cost (κ: cache and session sync) that bend the curve; ${row.limitSource}`;
    case "connections":
      return `Closing ${week} (a week of growth) postpones it by about 7 days; check for ` +
        "connection leaks and use pooling or keep-alive";
  }
}

/** The busiest disk behind a file system and the busiest processes, from the recent window. */
function clues(row: CapacityRow, labels: Record<string, string>, w: HostWindow | undefined) {
  const facts: string[] = [];
  const values: Record<string, number | string | null> = {};
  if (!w) return { facts, values };
  if (row.resource === "filesystem" && labels.device) {
    const disk = labels.device.replace(/(?<=\d)p\d+$|(?<=[a-z])\d+$/, "");
    const writes = stat(w, "disk_write_bytes_per_second", `device=${disk}`);
    if (writes) {
      facts.push(`Disk ${disk} writes ${formatQuantity(writes.avg, "bytes")}/s on average lately`);
      values.disk = disk;
      values.diskWriteBytesPerSecond = writes.avg;
    }
  }
  const rank = row.resource === "memory" ? "memory" : "cpu";
  const metric = rank === "memory" ? "process_rss_bytes" : "process_cpu_ratio";
  let top: [string, number] | undefined;
  for (const [l, s] of statsOf(w, metric)) {
    const p = parseLabels(l);
    if (p.rank_by === rank && (!top || s.avg > top[1])) top = [p.name ?? "?", s.avg];
  }
  if (top && row.resource !== "connections" && row.resource !== "inodes") {
    const how = rank === "memory" ? formatQuantity(top[1], "bytes") : `${top[1].toFixed(2)} cores`;
    facts.push(
      `Top process by ${rank}: ${top[0]} (${how})${
        row.resource === "filesystem" ? "; no per-process write data is collected" : ""
      }`,
    );
    values.topProcess = top[0];
  }
  return { facts, values };
}
