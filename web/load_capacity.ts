/**
 * Loads what the Capacity page shows from analytics. Until analytics can answer (or when the
 * lake holds too little history) it says so instead of drawing made-up numbers.
 *
 * @module
 */
import type { WebDeps } from "./deps.ts";

/** A resource row of the Capacity page. */
export interface CapacityResource {
  host: string;
  resource: string;
  metric: string;
  labels: string;
  unit: string;
  status: string;
  current: number | null;
  limit: number | null;
  utilization: number | null;
  growthPerDay: number | null;
  eta: number | null;
  etaLow: number | null;
  etaHigh: number | null;
  model: string;
  series: { ts: number[]; values: (number | null)[] };
  decomposition: {
    ts: number[];
    trend: (number | null)[];
    seasonal: (number | null)[];
    remainder: (number | null)[];
  } | null;
  forecast: {
    ts: number[];
    mean: (number | null)[];
    lo80: (number | null)[];
    hi80: (number | null)[];
    lo95: (number | null)[];
    hi95: (number | null)[];
  } | null;
}

/** A recommendation shown on the Capacity page. */
export interface CapacityRecommendation {
  severity: string;
  title: string;
  detail: string;
}

/** What the Capacity page shows. */
export type CapacityView =
  | { state: "empty"; reason: string }
  | {
    state: "ready";
    generatedAt: number;
    from: number;
    horizonMs: number;
    resources: CapacityResource[];
    recommendations: CapacityRecommendation[];
  };

/**
 * Loads the capacity view.
 *
 * @param _deps The lake and clock.
 * @returns The view, or an empty state with the reason.
 */
export function loadCapacity(_deps: WebDeps): Promise<CapacityView> {
  return Promise.resolve({
    state: "empty",
    reason: "Capacity analytics are not available in this build yet.",
  });
}
