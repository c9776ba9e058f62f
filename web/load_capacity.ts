/**
 * The cached capacity analysis the Capacity page, `/api/capacity` and `/api/recommendations`
 * share: `analyzeCapacity` over the lake, computed at most once per `ttlMs` (concurrent requests
 * share one computation; the live stream never calls it). The web app renders its result and
 * assembles nothing itself, so the page, the API and the report give the same statuses.
 *
 * @module
 */
import {
  analyzeCapacity,
  type CapacityAnalysis,
  lakeSource,
  type ServiceSetting,
} from "../analytics/mod.ts";
import type { WebDeps } from "./deps.ts";

/** Options for {@linkcode capacityLoader}. */
export interface CapacityLoaderOptions {
  /** How far ahead an ETA counts, ms; default 30 days (the analysis' default). */
  horizonMs?: number;
  /** Longest history read, ms; default 14 days (the analysis' default). */
  sinceMs?: number;
  /** How long a result is reused, ms; default 60 000. */
  ttlMs?: number;
  /** Resources that get decomposition and forecast charts; default 4. */
  top?: number;
  /** Bootstrap rounds per capacity forecast; default 200. */
  bootstrap?: number;
  /** Configured services, whose USL capacity ranks with the machine resources; default the
   * discovered ones only. */
  services?: readonly ServiceSetting[];
}

/**
 * Creates the cached loader the page and the API routes share.
 *
 * @param deps The lake and the clock.
 * @param options Horizon, look-back, cache time, chart count, bootstrap rounds.
 * @returns A function giving the (possibly cached) analysis; a failed computation is not cached.
 */
export function capacityLoader(
  deps: WebDeps,
  options: CapacityLoaderOptions = {},
): () => Promise<CapacityAnalysis> {
  const ttlMs = options.ttlMs ?? 60_000;
  const now = deps.now ?? Date.now;
  let cached: { at: number; view: Promise<CapacityAnalysis> } | undefined;
  return function loadCapacity() {
    const t = now();
    if (cached && t - cached.at < ttlMs) return cached.view;
    const view = analyzeCapacity(deps.source?.open() ?? lakeSource(deps.lake), {
      charts: options.top ?? 4,
      clock: now,
      ...(options.horizonMs !== undefined && { horizonMs: options.horizonMs }),
      ...(options.sinceMs !== undefined && { sinceMs: options.sinceMs }),
      ...(options.bootstrap !== undefined && { bootstrap: options.bootstrap }),
      ...(options.services && { services: options.services }),
    });
    const entry = { at: t, view };
    cached = entry;
    view.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return view;
  };
}
