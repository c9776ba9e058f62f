/**
 * Loads what the Capacity page and `/api/capacity` show: the bottleneck ranking
 * (`capacityReport`), the recommendations (`recommend`, reusing the ranking), and for the top
 * resources the decomposition and the forecast bands. It is expensive (a bootstrap per
 * resource), so the result is cached for `ttlMs` and concurrent requests share one computation;
 * the live stream never calls it. When the lake holds too little history it says so.
 *
 * @module
 */
import { metricInfo } from "../collectors/mod.ts";
import {
  capacityReport,
  type CapacityRow,
  decompose,
  forecast,
  recommend,
  type Recommendation,
} from "../analytics/mod.ts";
import type { WebDeps } from "./deps.ts";

/** A resource row of the Capacity page; times in ms, `null` = not within the horizon. */
export interface CapacityResource extends Omit<CapacityRow, "status"> {
  status: string;
  unit: string;
  /** The history read (top resources only, else empty). */
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

/** A recommendation shown on the Capacity page (as `recommend` produced it). */
export type CapacityRecommendation = Recommendation;

/** What the Capacity page shows. */
export type CapacityView =
  | { state: "empty"; reason: string }
  | {
    state: "ready";
    generatedAt: number;
    /** Time the analysis looks from (the newest sample). */
    from: number;
    horizonMs: number;
    resources: CapacityResource[];
    recommendations: CapacityRecommendation[];
  };

/** Options for {@linkcode capacityLoader}. */
export interface CapacityLoaderOptions {
  /** How far ahead an ETA counts, ms; default 30 days. */
  horizonMs?: number;
  /** How long a result is reused, ms; default 60 000. */
  ttlMs?: number;
  /** Resources that get decomposition and forecast charts; default 4. */
  top?: number;
  /** Bootstrap rounds per capacity forecast; default 200. */
  bootstrap?: number;
}

const DAY = 86_400_000;
const nullable = (a: ArrayLike<number>) => Array.from(a, (v) => Number.isFinite(v) ? v : null);

async function charts(deps: WebDeps, row: CapacityRow, now: number, horizonMs: number) {
  const s = await deps.lake.series({
    metric: row.metric,
    labels: row.labels,
    host: row.host,
    from: now - 14 * DAY,
    to: now + 1,
  });
  const ts = Array.from(s.ts);
  const out: Pick<CapacityResource, "series" | "decomposition" | "forecast"> = {
    series: { ts, values: nullable(s.values) },
    decomposition: null,
    forecast: null,
  };
  if (ts.length < 24) return out;
  const d = decompose(s.values);
  const seasonal = new Float64Array(ts.length);
  for (const c of d.seasonal) for (let i = 0; i < ts.length; i++) seasonal[i]! += c.values[i]!;
  out.decomposition = {
    ts,
    trend: nullable(d.trend),
    seasonal: nullable(seasonal),
    remainder: nullable(d.remainder),
  };
  const step = (ts[ts.length - 1]! - ts[0]!) / (ts.length - 1);
  const horizon = Math.max(1, Math.min(Math.round(horizonMs / step), ts.length, 500));
  const f = forecast(s.values, { horizon, stepMs: step });
  const last = ts[ts.length - 1]!;
  out.forecast = {
    ts: Array.from({ length: horizon }, (_, i) => last + (i + 1) * step),
    mean: nullable(f.mean),
    lo80: nullable(f.lo80),
    hi80: nullable(f.hi80),
    lo95: nullable(f.lo95),
    hi95: nullable(f.hi95),
  };
  return out;
}

async function compute(deps: WebDeps, o: Required<CapacityLoaderOptions>): Promise<CapacityView> {
  const rows = await capacityReport(deps.lake, { horizonMs: o.horizonMs, bootstrap: o.bootstrap });
  const usable = rows.filter((r) => r.status !== "insufficient");
  if (usable.length === 0) {
    return {
      state: "empty",
      reason: rows.length === 0
        ? "The lake holds no resource with a known limit yet (file systems, memory, CPU)."
        : `The lake holds too little history to forecast (${
          rows[0]!.points
        } points for the best-covered resource).`,
    };
  }
  const recommendations = await recommend(deps.lake, {
    capacity: rows,
    horizonMs: o.horizonMs,
    bootstrap: o.bootstrap,
  });
  const from = await latest(deps);
  const resources: CapacityResource[] = [];
  for (const [i, row] of usable.entries()) {
    const empty = { series: { ts: [], values: [] }, decomposition: null, forecast: null };
    let parts: Pick<CapacityResource, "series" | "decomposition" | "forecast"> = empty;
    if (i < o.top) {
      try {
        parts = await charts(deps, row, from, o.horizonMs);
      } catch {
        parts = empty; // a chart that cannot be fitted is left out, the row stays
      }
    }
    resources.push({ ...row, unit: metricInfo(row.metric)?.unit ?? "", ...parts });
  }
  return {
    state: "ready",
    generatedAt: (deps.now ?? Date.now)(),
    from,
    horizonMs: o.horizonMs,
    resources,
    recommendations,
  };
}

async function latest(deps: WebDeps): Promise<number> {
  const [row] = await deps.lake.query<{ t: number | bigint | null }>(
    "SELECT epoch_ms(max(ts)) AS t FROM samples",
  );
  return Number(row?.t ?? NaN);
}

/**
 * Creates the cached loader the page and the API routes share.
 *
 * @param deps The lake and the clock.
 * @param options Horizon, cache time, chart count, bootstrap rounds.
 * @returns A function giving the (possibly cached) view; a failed computation is not cached.
 */
export function capacityLoader(
  deps: WebDeps,
  options: CapacityLoaderOptions = {},
): () => Promise<CapacityView> {
  const o: Required<CapacityLoaderOptions> = {
    horizonMs: options.horizonMs ?? 30 * DAY,
    ttlMs: options.ttlMs ?? 60_000,
    top: options.top ?? 4,
    bootstrap: options.bootstrap ?? 200,
  };
  const now = deps.now ?? Date.now;
  let cached: { at: number; view: Promise<CapacityView> } | undefined;
  return function loadCapacity() {
    const t = now();
    if (cached && t - cached.at < o.ttlMs) return cached.view;
    const view = compute(deps, o);
    const entry = { at: t, view };
    cached = entry;
    view.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return view;
  };
}
