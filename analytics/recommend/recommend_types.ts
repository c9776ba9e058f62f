/**
 * The shape of a recommendation: what to do, how urgent, the numbers behind it and the series
 * to look at.
 *
 * @module
 */

/** How urgent: act now, plan this week, good to know. */
export type Severity = "critical" | "warning" | "info";

/** A series behind a recommendation, to chart or query. */
export interface SeriesRef {
  host: string;
  metric: string;
  /** Canonical label string. */
  labels: string;
  /** Range looked at, ms since the epoch (end exclusive). */
  from: number;
  to: number;
}

/** The data behind a recommendation. */
export interface Evidence {
  /** Named figures, e.g. `{ etaDays: 3.2, growthPerDay: 1.9e9 }` (null where unknown). */
  values: Record<string, number | string | null>;
  /** Series the figures come from. */
  series: SeriesRef[];
  /** SQL over the lake's views that the figures come from, when one query did. */
  query?: string;
}

/** One actionable item. */
export interface Recommendation {
  /** Stable id: rule, host and subject, e.g. `filesystem-full:db1:/var`. */
  id: string;
  /** Rule that produced it: `filesystem-full`, `cpu-saturated`, `memory-pressure`, … */
  rule: string;
  severity: Severity;
  host: string;
  /** One line with the key numbers. */
  title: string;
  /** What was seen and why it matters. */
  detail: string;
  evidence: Evidence;
  /** The evidence as short sentences, for lists in reports. */
  facts: string[];
  /** What to do and what it changes. */
  effect: string;
}

/** Sort order: critical, warning, info. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  critical: 0,
  warning: 1,
  info: 2,
};
