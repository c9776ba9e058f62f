/**
 * A capacity report's data: the one capacity analysis (`analyzeCapacity`) with a title and its
 * recommendations formatted. No analysis is assembled here and no HTML is written: see
 * `renderReport`.
 *
 * @module
 */
import { Lake } from "../lake/mod.ts";
import {
  analyzeCapacity,
  type AnalyzeCapacityOptions,
  type CapacityAnalysis,
  panelData,
  type PanelSpec,
  type SeriesSource,
  serviceKpis,
  type SqlTable,
} from "../analytics/mod.ts";
import type { DashboardData, ReportData } from "./report_data.ts";
import { recommendationData } from "./recommendation_data.ts";

/** Options of {@linkcode buildReport}: the analysis' options and a title. */
export interface BuildReportOptions extends AnalyzeCapacityOptions {
  /** Report title; default `Capacity report`. */
  title?: string;
  /** Dashboards (from the config) to export into the report; default none. Their panels read
   * the lake, so they need a lake as input. */
  dashboards?: readonly {
    name: string;
    title?: string | undefined;
    panels: readonly PanelSpec[];
  }[];
  /** Runs a SQL panel's query read-only (`deno task report` passes the SQL sandbox, as the web
   * app does); default the lake's own connection. */
  runSql?: (sql: string) => Promise<SqlTable>;
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
  const { title, dashboards = [], runSql, ...rest } = options;
  const analysis = await analyzeCapacity(input, rest);
  const data = reportData(analysis, title);
  if (!Number.isFinite(analysis.now)) return data;
  // an hour, not the page's 5 minutes: recorded data is often coarser than the live stream
  data.services = await serviceKpis(input, {
    now: analysis.now,
    windowMs: 3_600_000,
    ...(rest.services && { services: rest.services }),
  });
  if (dashboards.length > 0) {
    if (!(input instanceof Lake)) throw new TypeError("Invalid input: dashboards need a lake");
    data.dashboards = [];
    for (const d of dashboards) {
      const panels: DashboardData["panels"] = [];
      for (const p of d.panels) {
        panels.push(await panelData(input, p, { now: analysis.now, ...(runSql && { runSql }) }));
      }
      data.dashboards.push({ name: d.name, title: d.title ?? d.name, panels });
    }
  }
  return data;
}
