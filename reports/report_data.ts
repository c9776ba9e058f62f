/**
 * The typed model of a capacity report: the capacity analysis (`analyzeCapacity`, one type
 * for every surface) with a title and the recommendations formatted for reading. Plain
 * JSON-safe data so it can be inlined in the HTML and read back by the client script.
 *
 * @module
 */

import type {
  CapacityAnalysis,
  CapacityResource,
  CapacitySeverity,
  PanelData,
  ServiceKpis,
} from "../analytics/mod.ts";

export type {
  Accuracy,
  AnomalyPoint,
  DecompositionData,
  ForecastData,
  SeriesData,
} from "../analytics/mod.ts";

/** How close a resource is to its limit (`unknown` when the evidence is insufficient). */
export type Status = CapacitySeverity;

/** One resource of one host, as the capacity analysis gives it. */
export type ResourceSection = CapacityResource;

/** One named figure of a recommendation's evidence, formatted for people. */
export interface Figure {
  /** The figure's name as the rule gives it, e.g. `growthPerDay`. */
  name: string;
  /** Its label for a reader, without the unit the value states, e.g. `growth`, `ETA low`. */
  label: string;
  /** Its value with unit, e.g. `18.6 GiB/day`. */
  value: string;
}

/** A recommendation with the evidence behind it. */
export interface RecommendationData {
  id: string;
  /** Rule that produced it, e.g. `filesystem-full`. */
  rule: string;
  severity: "info" | "warning" | "critical";
  host: string;
  title: string;
  detail: string;
  /** Evidence as short sentences, e.g. `Now 389 GiB of 500 GiB (78 %)`. */
  facts: string[];
  /** The rule's figures, formatted (the numbers behind the facts). */
  figures: Figure[];
  /** SQL the figures come from, when one query did. */
  query: string | null;
  /** Id of the resource section charting the series behind it, when the report has one. */
  resourceId: string | null;
  /** Expected effect of acting on it. */
  effect: string;
}

/** The whole report: the capacity analysis, a title, and its recommendations formatted. */
export interface ReportData extends Omit<CapacityAnalysis, "recommendations"> {
  title: string;
  /** The analysis' recommendations with their figures formatted and the chart they refer to. */
  recommendations: RecommendationData[];
  /** Service indicators at the analysis time (absent or empty without service metrics). */
  services?: ServiceKpis[];
  /** Dashboards from the config exported into the report, with their panels' data. */
  dashboards?: DashboardData[];
}

/** A dashboard in the report. */
export interface DashboardData {
  name: string;
  title: string;
  panels: PanelData[];
}
