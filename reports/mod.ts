/**
 * Self-contained HTML capacity reports: {@linkcode buildReport} computes the typed report data
 * from a lake, {@linkcode renderReport} turns it into one HTML file with d3, Observable Plot and
 * the data inlined (opens offline, makes no request). Files only: the web app serves them
 * (`web/routes/reports.ts`).
 *
 * @module
 */
export { buildReport, type BuildReportOptions, reportData } from "./build_report.ts";
export { renderReport } from "./render_report.ts";
export {
  reportFileName,
  writeReport,
  type WriteReportOptions,
  type WrittenReport,
} from "./write_report.ts";
export { createProgressBar, type ProgressBar, type ProgressBarOptions } from "./progress_bar.ts";
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
