/**
 * Receivers: application metrics taken the ways applications emit them (Prometheus/OpenMetrics
 * scrape, OTLP/HTTP, StatsD over UDP) and synthetic probes, turned into the lake's columns
 * (`IngestBatch`) under one naming scheme (see CONTRACTS.md), with a cardinality limit per
 * source and an app-metric registry of units. Receivers sit beside the collectors: they never
 * import the lake; `cli/serve.ts` and `web/` hand their batches to `IngestWriter.writeBatch`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appMetricInfo, BatchBuilder, convertExposition, CumulativeState, parseExposition } from "./mod.ts";
 * const out = new BatchBuilder({ host: "h", ts: 0, source: "scrape" });
 * const page = "# TYPE temp_celsius gauge\n# UNIT temp_celsius celsius\ntemp_celsius 21.5\n# EOF\n";
 * const families = parseExposition(page, { openMetrics: true });
 * convertExposition(families, new CumulativeState(), out, { targetLabels: { target: "t" }, ts: 0 });
 * assert.deepEqual(out.batch().value, [21.5]);
 * assert.equal(appMetricInfo("temp_celsius")?.unit, "celsius");
 * ```
 *
 * @module
 */
export {
  type AppMetricInfo,
  appMetricInfo,
  appMetrics,
  appMetricsJson,
  appMetricsVersion,
  MAX_APP_METRICS,
  pushedUnit,
  recordAppMetric,
  restoreAppMetrics,
  type RestoreAppMetricsResult,
} from "./app_metrics.ts";
export {
  BatchBuilder,
  type BatchBuilderOptions,
  type IngestBatch,
  type MetricMeta,
  type PreparedLabels,
  prepareLabels,
} from "./batch_builder.ts";
export { SeriesLimit, type SeriesLimitOptions } from "./series_limit.ts";
export {
  type ExpositionSample,
  type FamilyType,
  type MetricFamily,
  parseExposition,
  type ParseExpositionOptions,
} from "./parse_exposition.ts";
export { histogramQuantile } from "./histogram_quantile.ts";
export {
  bucketLabel,
  convertExposition,
  type ConvertExpositionOptions,
  CumulativeState,
  quantileName,
} from "./convert_exposition.ts";
export {
  readCapped,
  SCRAPE_ACCEPT,
  type ScrapeOptions,
  type ScrapeResult,
  type ScrapeTarget,
  scrapeTarget,
  targetName,
} from "./scrape_target.ts";
export { ScrapeManager, type ScrapeManagerOptions, type TargetStatus } from "./scrape_manager.ts";
export { deliver, type DeliveryStats, type ReceiverSink } from "./deliver.ts";
export {
  decodeOtlpMetrics,
  decodeOtlpStatus,
  encodeOtlpRequest,
  encodeOtlpResponse,
  encodeOtlpStatus,
  type OtlpMetricsRequest,
} from "./otlp_decode.ts";
export { convertOtlp, exponentialBuckets, FRESH_START_MS, otlpMetricName } from "./convert_otlp.ts";
export {
  downscaleIndex,
  exponentialBound,
  type ExponentialLayout,
  exponentialLayout,
  MAX_EXPONENTIAL_BUCKETS,
  storedExponentialBuckets,
} from "./stored_exponential_buckets.ts";
export { type OtlpExport, OtlpReceiver, type OtlpReceiverOptions } from "./otlp_receiver.ts";
export { parseStatsdLine, type StatsdLine } from "./parse_statsd.ts";
export { StatsdAggregator, type StatsdAggregatorOptions } from "./statsd_aggregator.ts";
export {
  parseListen,
  StatsdServer,
  type StatsdServerOptions,
  type StatsdStatus,
} from "./statsd_server.ts";
export { type ProbeResult, probeSamples, type ProbeSpec, runProbe } from "./probe.ts";
export { ProbeManager, type ProbeManagerOptions } from "./probe_manager.ts";
export { type Receivers, startReceivers, type StartReceiversOptions } from "./start_receivers.ts";
