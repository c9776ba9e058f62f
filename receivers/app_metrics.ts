/**
 * The app-metric registry: unit, kind and help of the metrics the receivers store, learned from
 * the sources (`# HELP`/`# UNIT`/`# TYPE`, the OTLP unit and description, StatsD types), so the
 * web app can show units for application metrics as it does for the collector's.
 *
 * @module
 */
import { spaceControls } from "../format/escape_controls.js";

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
export const MAX_APP_METRICS = 50_000;
/** Longest unit kept (longer ones are cut: a unit is a short word). */
const MAX_UNIT = 64;
/** Longest help text kept (a source's `# HELP` or OTLP description may be any length). */
const MAX_HELP = 1024;
/** Longest metric name (as the lake's). */
const MAX_NAME = 200;
/** A stored name as the receivers make them (snake_case; never `__…`, see `metricName`). */
const NAME = /^(?!__)[a-z_][a-z0-9_]*$/;
const SOURCES = new Set(["scrape", "otlp", "statsd", "probe"]);
const infos = new Map<string, AppMetricInfo>();
/** Bumped by every change, so a saver writes only when something is new. */
let version = 0;

/**
 * A source's unit or help text as kept: at most `max` UTF-16 units (the last `more`), never cut
 * between the halves of a pair, a lone surrogate as U+FFFD and control characters as spaces. An
 * OTLP description or unit is anyone's text, and the pages, reports and API show it: a CSI
 * (U+009B), a newline or a right-to-left override in it reached them as sent, and a cut could
 * leave half an emoji.
 */
function shown(text: string, max: number, more: string): string {
  let out = text;
  if (out.length > max) {
    let end = max - more.length;
    if (/[\ud800-\udbff]/.test(out[end - 1] ?? "")) end--;
    out = out.slice(0, end) + more;
  }
  if (!out.isWellFormed()) out = out.toWellFormed();
  return spaceControls(out);
}

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
  const unit = shown(info.unit, MAX_UNIT, "");
  const help = shown(info.help, MAX_HELP, "…");
  const old = infos.get(info.name);
  if (old && old.unit === unit && old.help === help && old.kind === info.kind) return;
  if (!old && infos.size >= MAX_APP_METRICS) infos.delete(infos.keys().next().value!);
  infos.set(info.name, Object.freeze({ ...info, unit, help }));
  version++;
}

/**
 * What a stored application metric means, if a receiver has seen it (since serve started, or
 * before, once {@linkcode restoreAppMetrics} has read the saved registry).
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
 * A number that changes whenever the registry does (a saver compares it with the one it saved).
 *
 * @returns The registry's version.
 */
export function appMetricsVersion(): number {
  return version;
}

/**
 * The registry as the text of its file (`DATA/receivers/app_metrics.json`: the receivers do no
 * file I/O of their own here; serve writes it with the lake's atomic writer).
 *
 * @returns JSON: `{"version":1,"metrics":[{name,unit,kind,help,source},…]}`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appMetricsJson, recordAppMetric, restoreAppMetrics } from "./app_metrics.ts";
 * recordAppMetric({ name: "doc_heat", unit: "celsius", kind: "gauge", help: "", source: "otlp" });
 * const text = appMetricsJson();
 * assert.match(text, /"doc_heat"/);
 * assert.deepEqual(restoreAppMetrics(text), { restored: 0, skipped: 0 }); // known already
 * ```
 */
export function appMetricsJson(): string {
  return JSON.stringify({ version: 1, metrics: [...infos.values()] });
}

/** What {@linkcode restoreAppMetrics} did. */
export interface RestoreAppMetricsResult {
  /** Entries added to the registry. */
  restored: number;
  /** Entries refused (a bad name, kind, source or field type; or past the size limit). */
  skipped: number;
}

/**
 * Adds the entries of a saved registry (the text {@linkcode appMetricsJson} made) to this
 * process's: what a receiver recorded since the start wins over the file (it is newer). Each
 * entry is checked as the receivers would have made it; a bad one is skipped and counted, and
 * the registry never grows past {@linkcode MAX_APP_METRICS} names.
 *
 * @param text The file's text.
 * @returns How many entries were restored and skipped.
 * @throws {SyntaxError} If the text is not JSON.
 * @throws {RangeError} If it is JSON but not a saved registry.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appMetricInfo, restoreAppMetrics } from "./app_metrics.ts";
 * const saved = { version: 1, metrics: [
 *   { name: "doc_wait", unit: "ms", kind: "gauge", help: "Wait", source: "otlp" },
 *   { name: "Bad Name", unit: "", kind: "gauge", help: "", source: "otlp" },
 * ] };
 * assert.deepEqual(restoreAppMetrics(JSON.stringify(saved)), { restored: 1, skipped: 1 });
 * assert.equal(appMetricInfo("doc_wait")?.unit, "ms");
 * assert.throws(() => restoreAppMetrics("[]"), RangeError);
 * ```
 */
export function restoreAppMetrics(text: string): RestoreAppMetricsResult {
  const raw: unknown = JSON.parse(text);
  const list = (raw as { metrics?: unknown } | null)?.metrics;
  if ((raw as { version?: unknown } | null)?.version !== 1 || !Array.isArray(list)) {
    throw new RangeError("Invalid app-metric registry: not a version 1 file with a metrics list");
  }
  const result = { restored: 0, skipped: 0 };
  for (const entry of list as unknown[]) {
    const info = savedInfo(entry);
    if (!info || (!infos.has(info.name) && infos.size >= MAX_APP_METRICS)) {
      result.skipped++;
      continue;
    }
    if (infos.has(info.name)) continue;
    // saved before its text was cleaned as recorded
    const clean = {
      ...info,
      unit: shown(info.unit, MAX_UNIT, ""),
      help: shown(info.help, MAX_HELP, "…"),
    };
    infos.set(info.name, Object.freeze(clean));
    version++;
    result.restored++;
  }
  return result;
}

/** One saved entry, if it is one a receiver could have recorded. */
function savedInfo(entry: unknown): AppMetricInfo | undefined {
  if (typeof entry !== "object" || entry === null) return undefined;
  const { name, unit, kind, help, source } = entry as Record<string, unknown>;
  if (typeof name !== "string" || name.length > MAX_NAME || !NAME.test(name)) return undefined;
  if (typeof unit !== "string" || unit.length > MAX_UNIT) return undefined;
  if (typeof help !== "string" || help.length > MAX_HELP) return undefined;
  if (kind !== "gauge" && kind !== "rate") return undefined;
  if (typeof source !== "string" || !SOURCES.has(source)) return undefined;
  return { name, unit, kind, help, source };
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
  const key = `${declared}\u0000${name}`;
  const hit = unitMemo.get(key);
  if (hit !== undefined) return hit;
  const unit = unitFrom(name, declared);
  // a scrape asks for the same families every time; a name explosion only restarts the memo
  if (unitMemo.size > 20_000) unitMemo.clear();
  unitMemo.set(key, unit);
  return unit;
}

const unitMemo = new Map<string, string>();

function unitFrom(name: string, declared: string): string {
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

/**
 * The unit a metric pushed through `/api/ingest` (which declares none) implies by its stored name:
 * a quantile's `_p95` and a rate's `_per_second` are the suffixes the receivers add, so
 * `http_request_duration_seconds_p95` is in `s` and `http_requests_per_second` in `1/s`.
 *
 * @param name The stored metric name.
 * @returns The unit, or the empty string.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pushedUnit } from "./app_metrics.ts";
 * assert.equal(pushedUnit("http_request_duration_seconds_p95"), "s");
 * assert.equal(pushedUnit("http_requests_per_second"), "1/s");
 * assert.equal(pushedUnit("net_bytes_per_second"), "bytes/s");
 * assert.equal(pushedUnit("queue_depth"), "");
 * ```
 */
export function pushedUnit(name: string): string {
  const base = name.replace(/_p\d+(_\d+)?$/, "");
  const rate = base.match(/^(.+)_per_second$/);
  return rate ? perSecond(unitOf(rate[1]!)) : unitOf(base);
}
