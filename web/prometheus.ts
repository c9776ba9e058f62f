/**
 * Prometheus text exposition (format 0.0.4) of the latest value of every series, for `/metrics`.
 *
 * @module
 */
import type { Sample } from "../collectors/mod.ts";
import { metricInfo } from "../collectors/mod.ts";

/** The content type of the Prometheus text format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelName = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function escapeValue(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/** How a perfscope metric is named and scaled in the exposition. */
interface Exposed {
  name: string;
  scale: number;
  help: string;
  type: "gauge" | "untyped";
}

function exposed(metric: string): Exposed {
  const info = metricInfo(metric);
  // Prometheus wants base units (milliseconds become seconds) and keeps `_total` for counters
  // and `_count`/`_sum`/`_bucket` for histograms; these values are gauges.
  const ms = metric.endsWith("_ms");
  const name = ms
    ? `${metric.slice(0, -3)}_seconds`
    : metric.endsWith("_total")
    ? metric.slice(0, -6)
    : /_(count|sum|bucket)$/.test(metric)
    ? `${metric}_value`
    : metric;
  const help = info
    ? `${info.help}${ms ? " (seconds)" : ` (${info.unit})`}`
    : "Pushed through /api/ingest";
  return { name, scale: ms ? 1 / 1000 : 1, help, type: info ? "gauge" : "untyped" };
}

/**
 * Formats samples as Prometheus text: one `# HELP` and `# TYPE` per metric, one line per series
 * with a `host` label added. Names follow Prometheus' lint rules: `_ms` metrics are exposed in
 * seconds as `_seconds`, gauges named `_total` lose the suffix, `_count`/`_sum`/`_bucket` get
 * `_value` appended. Samples must be sorted so that each metric's series are adjacent
 * (as `LiveHub.latest()` returns them); names or labels Prometheus cannot carry are skipped.
 *
 * @param samples The latest sample of each series.
 * @returns The exposition text, ending with a newline (empty string for no samples).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatExposition } from "./prometheus.ts";
 * const text = formatExposition([
 *   { ts: 0, host: "web1", metric: "disk_wait_ms", labels: { device: "sda" }, value: 4 },
 * ]);
 * assert.match(text, /^# HELP disk_wait_seconds /);
 * assert.match(text, /\ndisk_wait_seconds\{device="sda",host="web1"\} 0\.004\n$/);
 * ```
 */
export function formatExposition(samples: readonly Sample[]): string {
  let out = "";
  let current: string | undefined;
  let meta: Exposed | undefined;
  for (const s of samples) {
    if (!metricName.test(s.metric)) continue;
    if (s.metric !== current) {
      current = s.metric;
      meta = exposed(s.metric);
      out += `# HELP ${meta.name} ${escapeHelp(meta.help)}\n# TYPE ${meta.name} ${meta.type}\n`;
    }
    const pairs: string[] = [];
    for (const key of Object.keys(s.labels).sort()) {
      if (!labelName.test(key) || key.startsWith("__")) continue;
      pairs.push(`${key}="${escapeValue(s.labels[key]!)}"`);
    }
    if (!("host" in s.labels)) pairs.push(`host="${escapeValue(s.host)}"`);
    pairs.sort();
    out += `${meta!.name}{${pairs.join(",")}} ${formatNumber(s.value * meta!.scale)}\n`;
  }
  return out;
}
