/**
 * Which series belong to which service: services named in the config (a label set), or
 * discovered from the metric conventions (OpenTelemetry and Prometheus client HTTP metrics)
 * by their `service` label, else their scrape `target`, else their host.
 *
 * @module
 */
import { parseLabels } from "../../collectors/mod.ts";
import type { SeriesKey } from "../series/series_source.ts";

/** Request-duration histograms in seconds, as stored (`h_count_per_second`,
 * `h_bucket_per_second`, …): OpenTelemetry's through a Prometheus exporter, pushed over OTLP
 * (`http.server.request.duration`, unit `s`, with `.` → `_`), and prom-client's. */
export const REQUEST_HISTOGRAMS: readonly string[] = [
  "http_server_request_duration_seconds",
  "http_server_request_duration",
  "http_request_duration_seconds",
];
/** Request timers in milliseconds, as StatsD stores them (`http.request.duration` timed with
 * hot-shots → `http_request_duration_count_per_second`, `_p50`, `_p95`, `_p99`, `_max`, in ms):
 * no buckets, so no Apdex, and percentiles weighted by request rate across series. */
export const REQUEST_TIMERS_MS: readonly string[] = ["http_request_duration"];
/** Request counters, as stored (`http_requests_total`, or StatsD's `http.requests` →
 * `http_requests_per_second`). */
export const REQUEST_COUNTERS: readonly string[] = ["http_requests_per_second"];
/** Database query-duration histograms. */
export const DB_HISTOGRAMS: readonly string[] = [
  "db_client_operation_duration_seconds",
  "db_client_operation_duration",
  "db_query_duration_seconds",
];
/** Requests in flight (gauges). */
export const IN_FLIGHT: readonly string[] = [
  "http_server_active_requests",
  "http_requests_in_flight",
  "http_server_requests_in_flight",
];
/** Default cache counters (from `cache_hits_total`, `cache_misses_total`). */
export const CACHE_DEFAULT = { hits: "cache_hits_per_second", misses: "cache_misses_per_second" };
/** Labels that carry an HTTP status code, in order of preference. */
export const STATUS_LABELS: readonly string[] = [
  "http_response_status_code",
  "code",
  "status",
  "status_code",
  "http_status_code",
];

/** A service as the analyses need it. */
export interface ServiceSpec {
  name: string;
  /** Labels its series carry (subset match); empty with `host` set for a host-named service. */
  labels: Record<string, string>;
  /** Only series of this host (services discovered by host name). */
  host?: string;
  /** Apdex threshold T, seconds. */
  apdex: number;
  /** SLO target ratio. */
  slo: number;
  /** Rate metrics of cache hits and misses. */
  cache: { hits: string; misses: string };
  /** Where the service comes from: `config`, `label service`, `label target` or `host`. */
  origin: string;
}

/** Settings of a configured service (see `config/schema_services.ts`). */
export interface ServiceSetting {
  name: string;
  labels?: Record<string, string> | undefined;
  apdex?: number | undefined;
  slo?: number | undefined;
  cache?: { hits: string; misses: string } | undefined;
}

/** Every metric name the service analyses read (for one `windowStats` call). */
export function serviceMetrics(specs: readonly ServiceSpec[] = []): string[] {
  const names = new Set<string>([...REQUEST_COUNTERS, ...IN_FLIGHT]);
  for (const h of [...REQUEST_HISTOGRAMS, ...DB_HISTOGRAMS, ...REQUEST_TIMERS_MS]) {
    for (const s of ["_count_per_second", "_sum_per_second", "_bucket_per_second"]) {
      names.add(h + s);
    }
    for (const q of ["_p50", "_p95", "_p99"]) names.add(h + q);
  }
  names.add(CACHE_DEFAULT.hits).add(CACHE_DEFAULT.misses);
  for (const s of specs) names.add(s.cache.hits).add(s.cache.misses);
  return [...names];
}

/** Metrics whose presence makes a service discoverable. */
function isRequestMetric(metric: string): boolean {
  return REQUEST_COUNTERS.includes(metric) ||
    [...REQUEST_HISTOGRAMS, ...REQUEST_TIMERS_MS].some((h) => metric === `${h}_count_per_second`);
}

/**
 * The services to report: the configured ones (defaults: labels `{service: NAME}`, Apdex
 * 0.5 s, SLO 0.999, the conventional cache counters), then any discovered from request
 * metrics that no configured service claims.
 *
 * @param keys Every series present.
 * @param configured Services from the config; default none.
 * @returns The services, configured first, then discovered ones by name.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findServices } from "./service_catalog.ts";
 * const keys = [{ host: "h", metric: "http_requests_per_second", labels: "code=200,service=api" }];
 * assert.deepEqual(findServices(keys).map((s) => [s.name, s.origin]), [["api", "label service"]]);
 * ```
 */
export function findServices(
  keys: readonly SeriesKey[],
  configured: readonly ServiceSetting[] = [],
): ServiceSpec[] {
  const out: ServiceSpec[] = configured.map((c) => ({
    name: c.name,
    labels: c.labels ?? { service: c.name },
    apdex: c.apdex ?? 0.5,
    slo: c.slo ?? 0.999,
    cache: c.cache ?? CACHE_DEFAULT,
    origin: "config",
  }));
  const found = new Map<string, ServiceSpec>();
  for (const k of keys) {
    if (!isRequestMetric(k.metric)) continue;
    const labels = parseLabels(k.labels);
    if (out.some((s) => belongs(s, k.host, labels))) continue;
    const spec: ServiceSpec = labels.service !== undefined
      ? { ...defaults(labels.service, "label service"), labels: { service: labels.service } }
      : labels.target !== undefined
      ? { ...defaults(labels.target, "label target"), labels: { target: labels.target } }
      : { ...defaults(k.host, "host"), labels: {}, host: k.host };
    if (!found.has(spec.name)) found.set(spec.name, spec);
  }
  return [...out, ...[...found.values()].sort((a, b) => a.name < b.name ? -1 : 1)];
}

function defaults(name: string, origin: string): Omit<ServiceSpec, "labels"> {
  return { name, apdex: 0.5, slo: 0.999, cache: CACHE_DEFAULT, origin };
}

/**
 * Whether a series belongs to a service: it carries every label of the service (and is of its
 * host, for a host-named service).
 *
 * @param spec The service.
 * @param host The series' host.
 * @param labels The series' labels.
 * @returns True when it belongs.
 */
export function belongs(
  spec: Pick<ServiceSpec, "labels" | "host">,
  host: string,
  labels: Record<string, string>,
): boolean {
  if (spec.host !== undefined && spec.host !== host) return false;
  for (const [k, v] of Object.entries(spec.labels)) if (labels[k] !== v) return false;
  return true;
}

/** The status code of a series (`"500"`), or undefined when it has none. */
export function statusOf(labels: Record<string, string>): string | undefined {
  for (const l of STATUS_LABELS) if (labels[l] !== undefined) return labels[l];
  return undefined;
}

/** Whether a status counts as an error: 5xx. */
export function isErrorStatus(status: string | undefined): boolean {
  return status !== undefined && /^5\d\d$|^5xx$/i.test(status);
}
