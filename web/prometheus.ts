/**
 * Prometheus text exposition (format 0.0.4) of the latest value of every series, for `/metrics`.
 *
 * @module
 */
import type { Sample } from "../collectors/mod.ts";
import { metricInfo } from "../collectors/mod.ts";
import { isReservedLabel } from "../lake/mod.ts";

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

/** The labels of one exposed line: the sample's host always as `host`; a sample label the
 * exposition owns (`host`, `le`, `quantile`, `job`, `instance`) renamed `exported_<name>` as
 * Prometheus does on a clash; `__*` and names Prometheus cannot carry skipped. */
function labelPairs(s: Sample): string {
  const pairs = new Map<string, string>();
  for (const key of Object.keys(s.labels)) {
    if (!labelName.test(key) || key.startsWith("__")) continue;
    const name = isReservedLabel(key) ? `exported_${key}` : key;
    if (!pairs.has(name)) pairs.set(name, s.labels[key]!);
  }
  pairs.set("host", s.host);
  return [...pairs.keys()].sort().map((k) => `${k}="${escapeValue(pairs.get(k)!)}"`).join(",");
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
 * with a `host` label added (a sample's own `host`, `le`, `quantile`, `job` or `instance` label
 * is exposed as `exported_<name>`, so it can neither pose as another host nor break the format).
 * Names follow Prometheus' lint rules: `_ms` metrics are exposed in seconds as `_seconds`,
 * gauges named `_total` lose the suffix, `_count`/`_sum`/`_bucket` get `_value` appended. Where
 * two metrics map to one exposed name, the first in name order keeps it and the other is left
 * out; names or labels Prometheus cannot carry are skipped, and so is a second line of a series.
 *
 * @param samples The latest sample of each series, in any order.
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
  const byMetric = new Map<string, Sample[]>();
  for (const s of samples) {
    if (!metricName.test(s.metric)) continue;
    const list = byMetric.get(s.metric);
    if (list) list.push(s);
    else byMetric.set(s.metric, [s]);
  }
  const taken = new Set<string>();
  let out = "";
  for (const metric of [...byMetric.keys()].sort()) {
    const meta = exposed(metric);
    if (taken.has(meta.name)) continue;
    taken.add(meta.name);
    out += `# HELP ${meta.name} ${escapeHelp(meta.help)}\n# TYPE ${meta.name} ${meta.type}\n`;
    const seen = new Set<string>();
    for (const s of byMetric.get(metric)!) {
      const labels = labelPairs(s);
      if (seen.has(labels)) continue;
      seen.add(labels);
      out += `${meta.name}{${labels}} ${formatNumber(s.value * meta.scale)}\n`;
    }
  }
  return out;
}
