/**
 * Where the analytics may read series besides the local lake: a Prometheus query API
 * (Prometheus, VictoriaMetrics single or cluster, Mimir, Thanos Query) as a series source, and
 * what a series source is ({@linkcode SeriesSource}, the analytics' contract).
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
export type {
  HostExtent,
  SeriesKey,
  SeriesSource,
  SourceSeries,
  SourceSeriesOptions,
  WindowRow,
} from "./series_source.ts";
