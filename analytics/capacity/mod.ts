/**
 * Capacity: time until a limit (`capacityForecast`, robust trend and seasonal fits), bottleneck
 * ranking (`findResources`), evidence rules, the capacity report and `analyzeCapacity`, the one
 * analysis (with its charts) that the web page, the API, reports and the CLI render.
 *
 * @module
 */

export {
  BOOTSTRAP_STOPS,
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
  evidenceText,
  type EvidenceVerdict,
  type ForecastVerdict,
  historySpan,
  historyText,
  judgeForecastHorizon,
  judgeHistory,
  spanText,
} from "./evidence_rules.ts";
export { downsample, type Downsampled } from "./downsample.ts";
export { resourceName } from "./resource_name.ts";
export {
  groupLabels,
  type HostGroup,
  hostGroupsBy,
  type HostGroupsOptions,
  NO_GROUP,
} from "./host_groups.ts";
export {
  type ForecastFields,
  forecastRow,
  type ForecastRowOptions,
  rowReason,
} from "./forecast_row.ts";
export { sampleExtent, type SampleExtentOptions } from "./sample_extent.ts";
