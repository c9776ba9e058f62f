/**
 * Self-contained HTML capacity reports: {@linkcode buildReport} computes the typed report data
 * from a lake, {@linkcode renderReport} turns it into one HTML file with d3, Observable Plot and
 * the data inlined (opens offline, makes no request), and {@linkcode reportRoutes} serves the
 * generated reports from `DATA/reports/` in the web app.
 *
 * @module
 */
export { buildReport, type BuildReportOptions } from "./build_report.ts";
export { renderReport } from "./render_report.ts";
export {
  listReports,
  type ReportFile,
  reportRoutes,
  type ReportRoutesOptions,
} from "./report_routes.ts";
export { createProgressBar, type ProgressBar, type ProgressBarOptions } from "./progress_bar.ts";
export { downsample, type Downsampled } from "./downsample.ts";
export {
  escapeHtml,
  formatDuration,
  formatEta,
  formatGrowth,
  formatTime,
  formatValue,
} from "./format_value.ts";
export { loadAssets, type ReportAssets } from "./load_assets.ts";
export type {
  Accuracy,
  AnomalyPoint,
  DecompositionData,
  Figure,
  ForecastData,
  RecommendationData,
  ReportData,
  ResourceSection,
  SeriesData,
  Status,
} from "./report_data.ts";
