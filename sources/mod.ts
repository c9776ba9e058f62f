/**
 * Where the analytics may read series besides the local lake: a Prometheus query API
 * (Prometheus, VictoriaMetrics single or cluster, Mimir, Thanos Query) as a series source.
 *
 * @module
 */

export {
  PrometheusQueryError,
  type PrometheusSource,
  prometheusSource,
  type PrometheusSourceOptions,
  type PromHostExtent,
  type PromSeriesKey,
  type PromWindowRow,
  queryBase,
  type SourceTlsFiles,
  tlsClient,
} from "./prometheus_source.ts";
