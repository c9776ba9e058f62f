/**
 * Analytics: typed-array kernels and lake-level analyses. Reading series (CSV), decomposition
 * and forecasting, anomaly scores, capacity (time until a limit), bottleneck ranking,
 * recommendations, persisted models and DataFrame helpers for notebooks.
 *
 * Everything here is pure or takes a `SeriesSource` (`lakeSource`, `memorySource`); nothing
 * imports web/ or reports/. `analyzeCapacity` is the one capacity analysis every surface renders. DataFrame
 * helpers load danfojs only when called.
 *
 * @module
 */

export {
  type CsvSeries,
  type CsvSeriesOptions,
  medianStep,
  parseTimestamp,
  readCsvSeries,
} from "./csv_series.ts";
export * from "./forecasting.ts";
export {
  type AnomalyDetector,
  type AnomalyDetectorOptions,
  createAnomalyDetector,
  scoreSeries,
} from "./anomaly.ts";
export {
  type CapacityForecast,
  capacityForecast,
  type CapacityForecastOptions,
  type CapacityStatus,
} from "./capacity_forecast.ts";
export { huberQuadratic, theilSen, type TrendCoefficients } from "./capacity_robust_fit.ts";
export { type SeasonalProfile } from "./capacity_season.ts";
export { generateLeak, type GenerateLeakOptions, type Leak } from "./capacity_leak.ts";
export {
  capacityReport,
  type CapacityReportOptions,
  type CapacityRow,
  type CapacitySeverity,
  capacitySeverity,
} from "./capacity_report.ts";
export {
  DEFAULT_THRESHOLDS,
  type FilesystemLimit,
  findResources,
  type FindResourcesOptions,
  latestTime,
  latestValue,
  type Resource,
  type ResourceKind,
} from "./bottleneck_resources.ts";
export { recommend, type RecommendOptions } from "./recommend.ts";
export type { Evidence, Recommendation, SeriesRef, Severity } from "./recommend_types.ts";
export { formatPercent, formatQuantity, formatSpan } from "./recommend_format.ts";
export {
  loadModel,
  loadModels,
  modelFileName,
  modelKey,
  type ModelLoadError,
  modelsDir,
  parseModel,
  saveModel,
  type StoredModel,
} from "./persist_models.ts";
export {
  forecastFrame,
  recommendationsFrame,
  seriesFrame,
  toDataFrame,
  type ToDataFrameOptions,
} from "./frames.ts";
export { analyzeCapacity, type AnalyzeCapacityOptions } from "./capacity_analysis.ts";
export type {
  CapacityAnalysis,
  CapacityResource,
  HostSpan,
  ResourceEvidence,
} from "./capacity_analysis_types.ts";
export {
  type Accuracy,
  type AnomalyPoint,
  capacityCharts,
  type ChartContext,
  type ChartData,
  type DecompositionData,
  type ForecastData,
  type SeriesData,
} from "./capacity_charts.ts";
export {
  claimSpan,
  DEFAULT_EVIDENCE,
  type EvidenceRules,
  type EvidenceVerdict,
  judgeHistory,
  spanText,
} from "./evidence_rules.ts";
export {
  csvSource,
  type CsvSourceOptions,
  type HostExtent,
  lakeSource,
  type MemorySeries,
  memorySource,
  type SeriesKey,
  type SeriesSource,
  type SourceSeries,
  type SourceSeriesOptions,
  toSource,
  type WindowRow,
} from "./series_source.ts";
export { downsample, type Downsampled } from "./downsample.ts";
export { resourceName } from "./resource_name.ts";
