/**
 * A capacity report's data: the one capacity analysis (`analyzeCapacity`) with a title and its
 * recommendations formatted. No analysis is assembled here and no HTML is written: see
 * `renderReport`.
 *
 * @module
 */
import type { Lake } from "../lake/mod.ts";
import {
  analyzeCapacity,
  type AnalyzeCapacityOptions,
  type CapacityAnalysis,
  type SeriesSource,
} from "../analytics/mod.ts";
import type { ReportData } from "./report_data.ts";
import { recommendationData } from "./recommendation_data.ts";

/** Options of {@linkcode buildReport}: the analysis' options and a title. */
export interface BuildReportOptions extends AnalyzeCapacityOptions {
  /** Report title; default `Capacity report`. */
  title?: string;
}

/**
 * Turns a capacity analysis into the report's data.
 *
 * @param analysis The analysis.
 * @param title Report title; default `Capacity report`.
 * @returns The report model for `renderReport`.
 */
export function reportData(analysis: CapacityAnalysis, title = "Capacity report"): ReportData {
  return {
    ...analysis,
    title,
    recommendations: analysis.recommendations.map((r) => recommendationData(r, analysis.resources)),
  };
}

/**
 * Runs the capacity analysis and builds the report data. Deterministic for a given source and
 * options (inject `now` and `clock`).
 *
 * @param input A series source or an open lake.
 * @param options The analysis' options (default: 14 days of history, a 30-day horizon, every
 * resource charted) and the title.
 * @returns The report model for `renderReport`.
 * @throws {RangeError} If a duration or limit is not positive.
 */
export async function buildReport(
  input: SeriesSource | Lake,
  options: BuildReportOptions = {},
): Promise<ReportData> {
  const { title, ...rest } = options;
  return reportData(await analyzeCapacity(input, rest), title);
}
