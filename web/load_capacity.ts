/**
 * The cached capacity analysis the Capacity page, `/api/capacity` and `/api/recommendations`
 * share: `analyzeCapacity` over the lake, computed at most once per `ttlMs` (concurrent requests
 * share one computation; the live stream never calls it). Once a result exists, an expired one
 * is still answered at once while the next is computed in the background (over a fleet the
 * analysis takes seconds; the page shows the result's age), so only the very first load waits.
 * The web app renders its result and assembles nothing itself, so the page, the API and the
 * report give the same statuses.
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
  /** How long a result is reused before a new one is computed, ms; default 60 000. */
  ttlMs?: number;
  /**
   * How long an `empty` result (no resource with a limit in the lake yet) is reused, ms; default
   * 5 000 (at most `ttlMs`). A new install's first Parquet flush comes a minute after start: a
   * first visit in that minute should not keep "nothing yet" for another full minute.
   */
  emptyTtlMs?: number;
  /** Resources that get decomposition and forecast charts; default 4. */
  top?: number;
  /** Bootstrap rounds per capacity forecast; default 200. */
  bootstrap?: number;
  /** Answer an expired result at once and refresh it in the background; default true. False:
   * an expired result is recomputed while the request waits. */
  background?: boolean;
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
  const emptyTtlMs = Math.min(ttlMs, options.emptyTtlMs ?? 5_000);
  const now = deps.now ?? Date.now;
  const background = options.background ?? true;
  let cached: { at: number; view: Promise<CapacityAnalysis> } | undefined;
  // The last finished result, answered while a newer one is computed, and whether one is.
  let done: CapacityAnalysis | undefined;
  let running = false;
  return function loadCapacity() {
    const t = now();
    const stale = done && background ? Promise.resolve(done) : undefined;
    const life = done?.status === "empty" ? emptyTtlMs : ttlMs;
    if (cached && (t - cached.at < life || (running && stale))) return stale ?? cached.view;
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
    running = true;
    view.then((v) => {
      if (cached === entry) done = v;
    }, () => {
      // not cached: the next request tries again (meanwhile the last result is answered)
      if (cached === entry) cached = undefined;
    }).finally(() => {
      if (cached === entry || cached === undefined) running = false;
    });
    return stale ?? view;
  };
}
