/**
 * The typed model of a capacity report: everything `renderReport` draws, computed once by
 * `buildReport`. Plain JSON-safe data (numbers, strings, arrays) so it can be inlined in the
 * HTML and read back by the client script.
 *
 * @module
 */

/** How close a resource is to its limit. */
export type Status = "ok" | "warning" | "critical" | "unknown";

/** A series sampled at `ts` (ms epoch UTC); `null` marks a missing value (JSON has no NaN). */
export interface SeriesData {
  /** Timestamps, ms since the epoch (UTC), ascending. */
  ts: number[];
  /** One value per timestamp, `null` where missing. */
  values: (number | null)[];
}

/** Trend, seasonal and remainder components on the same timestamps as the series. */
export interface DecompositionData {
  /** Timestamps shared by the three components. */
  ts: number[];
  /** Slowly varying level. */
  trend: (number | null)[];
  /** Repeating pattern (sum of the detected periods). */
  seasonal: (number | null)[];
  /** What is left: observed − trend − seasonal. */
  remainder: (number | null)[];
  /** Detected season lengths in ms, strongest first. */
  periodsMs: number[];
}

/** A forecast after the last observation, with 80 % and 95 % prediction bands. */
export interface ForecastData {
  /** Future timestamps. */
  ts: number[];
  /** Point forecast. */
  mean: (number | null)[];
  /** Lower and upper 80 % bounds. */
  lo80: (number | null)[];
  hi80: (number | null)[];
  /** Lower and upper 95 % bounds. */
  lo95: (number | null)[];
  hi95: (number | null)[];
}

/** One anomalous point, marked on the charts. */
export interface AnomalyPoint {
  /** When. */
  ts: number;
  /** Observed value. */
  value: number;
  /** Anomaly score in [0, 1]. */
  score: number;
}

/** Backtested accuracy of the model chosen for a series (`null` where not computed). */
export interface Accuracy {
  /** Mean absolute error, in the series' unit. */
  mae: number | null;
  /** Weighted absolute percentage error Σ|error| / Σ|actual| (0.05 = 5 %). */
  wape: number | null;
  /** Root mean squared error, in the series' unit. */
  rmse: number | null;
  /** Share of held-out points inside the 80 % band. */
  coverage80: number | null;
  /** Share of held-out points inside the 95 % band. */
  coverage95: number | null;
  /** Number of backtest origins. */
  origins: number;
}

/** One resource of one host: its capacity figures and charts. */
export interface ResourceSection {
  /** Stable id used for anchors and chart ids, e.g. `web-1-disk-mountpoint-data`. */
  id: string;
  /** Display name, e.g. `web-1 · filesystem /data`. */
  name: string;
  host: string;
  /** Resource name, e.g. `cpu`, `memory`, `disk`, `filesystem`. */
  resource: string;
  metric: string;
  /** Canonical label string, `""` for none. */
  labels: string;
  /** Unit of the values: `bytes`, `ratio`, or a count word (`processes`, `inodes`, …). */
  unit: string;
  status: Status;
  /** Latest value. */
  current: number | null;
  /** Capacity limit in the series' unit. */
  limit: number | null;
  /** Level treated as exhaustion (e.g. 95 % of a file system's size), in the series' unit. */
  threshold: number | null;
  /** current / limit in 0..1 (may exceed 1). */
  utilization: number | null;
  /** Growth per day in the series' unit. */
  growthPerDay: number | null;
  /** Estimated time of exhaustion (ms epoch) and its interval; `null` when not reached. */
  eta: number | null;
  etaLow: number | null;
  etaHigh: number | null;
  /** Name of the forecasting model of the chart (`none` without a forecast). */
  model: string;
  /** Trend model behind the time to exhaustion (`linear`, `quadratic`, `none`). */
  capacityModel: string;
  /** Lake tier the capacity model read (`raw`, `1m`, `1h`). */
  tier: string;
  series: SeriesData;
  decomposition: DecompositionData | null;
  forecast: ForecastData | null;
  anomalies: AnomalyPoint[];
  accuracy: Accuracy;
}

/** One named figure of a recommendation's evidence, formatted for people. */
export interface Figure {
  /** The figure's name as the rule gives it, e.g. `growthPerDay`. */
  name: string;
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

/** The whole report. */
export interface ReportData {
  title: string;
  /** When the report was built (ms epoch), from the injected clock. */
  generatedAt: number;
  /** Time range read from the lake. */
  from: number;
  to: number;
  /** How far ahead capacity forecasts (times to exhaustion) look, ms. */
  horizonMs: number;
  /** Step the series were read at, ms. */
  stepMs: number;
  hosts: string[];
  /** Resources ranked worst first (the bottleneck ranking). */
  resources: ResourceSection[];
  recommendations: RecommendationData[];
  /** Notes shown in the methods section (e.g. which rollup tier was read). */
  notes: string[];
}
