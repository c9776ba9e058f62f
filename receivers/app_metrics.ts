/**
 * The app-metric registry: unit, kind and help of the metrics the receivers store, learned from
 * the sources (`# HELP`/`# UNIT`/`# TYPE`, the OTLP unit and description, StatsD types), so the
 * web app can show units for application metrics as it does for the collector's.
 *
 * @module
 */

/** What a stored application metric means. */
export interface AppMetricInfo {
  /** Stored name, e.g. `http_requests_per_second`. */
  readonly name: string;
  /** Unit, e.g. `s`, `ms`, `bytes`, `1/s`; empty when unknown. */
  readonly unit: string;
  /** `gauge` for a level read as is; `rate` for a counter turned into a per-second rate. */
  readonly kind: "gauge" | "rate";
  /** What the value is (the source's help text, or what the receiver made of it). */
  readonly help: string;
  /** Where it came from: `scrape`, `otlp`, `statsd` or `probe`. */
  readonly source: string;
}

/** Most names kept (a label explosion cannot grow it without bound: the oldest go first). */
const MAX_ENTRIES = 50_000;
const infos = new Map<string, AppMetricInfo>();

/**
 * Records (or updates) what a stored metric means.
 *
 * @param info The metric's metadata.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appMetricInfo, recordAppMetric } from "./app_metrics.ts";
 * recordAppMetric({ name: "doc_latency_p99", unit: "s", kind: "gauge", help: "p99", source: "scrape" });
 * assert.equal(appMetricInfo("doc_latency_p99")?.unit, "s");
 * ```
 */
export function recordAppMetric(info: AppMetricInfo): void {
  const old = infos.get(info.name);
  if (old && old.unit === info.unit && old.help === info.help && old.kind === info.kind) return;
  if (!old && infos.size >= MAX_ENTRIES) infos.delete(infos.keys().next().value!);
  infos.set(info.name, Object.freeze({ ...info }));
}

/**
 * What a stored application metric means, if a receiver has seen it since serve started.
 *
 * @param name Stored metric name.
 * @returns Its metadata, or undefined.
 */
export function appMetricInfo(name: string): AppMetricInfo | undefined {
  return infos.get(name);
}

/** Every application metric seen so far, in the order first seen. */
export function appMetrics(): AppMetricInfo[] {
  return [...infos.values()];
}

/**
 * A unit from a metric name's suffix or an OTLP/UCUM unit: `seconds`/`s` → `s`, `ms` → `ms`,
 * `bytes`/`By` → `bytes`, `ratio`/`1` as is.
 *
 * @param name The source's metric name.
 * @param declared A unit the source declared (`# UNIT`, OTLP `unit`); wins when set.
 * @returns The unit, or the empty string.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { perSecond, unitOf } from "./app_metrics.ts";
 * assert.equal(unitOf("http_request_duration_seconds_bucket"), "s");
 * assert.equal(unitOf("rpc.duration", "ms"), "ms");
 * assert.equal(perSecond(unitOf("net_bytes_total")), "bytes/s");
 * ```
 */
export function unitOf(name: string, declared = ""): string {
  const u = declared.trim();
  if (u) {
    if (u === "By" || u === "bytes") return "bytes";
    if (u === "seconds") return "s";
    if (u === "milliseconds") return "ms";
    if (u === "1") return "";
    return u.replace(/^\{(.*)\}$/, "$1");
  }
  const base = name.replace(/_(total|count|sum|bucket|created)$/, "");
  if (/_seconds$/.test(base)) return "s";
  if (/_(milliseconds|ms)$/.test(base)) return "ms";
  if (/_bytes$/.test(base)) return "bytes";
  if (/_ratio$/.test(base)) return "ratio";
  return "";
}

/**
 * The unit of a per-second rate of something measured in `unit` (seconds per second is a ratio).
 *
 * @param unit The unit of the counted quantity.
 * @returns The rate's unit.
 */
export function perSecond(unit: string): string {
  return unit === "" ? "1/s" : unit === "s" ? "ratio" : `${unit}/s`;
}
