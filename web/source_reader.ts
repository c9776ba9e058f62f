/**
 * Reading series from the analysis source (`serve --source`, a fleet's query API) instead of
 * the lake: one opened source shared by requests for a minute (it caches its discovery and host
 * extents, which cost a query per host), and `/api/series`' many-series answer built from
 * single-series reads.
 *
 * @module
 */
import type { SeriesSource } from "../analytics/mod.ts";
import { pickStep, sameHost, type SeriesEntry, type SeriesManyResult } from "../lake/mod.ts";
import type { AnalysisSource } from "./deps.ts";

/** Most series one `/api/series` request may read from a fleet source. */
export const MAX_SOURCE_SERIES = 500;

/** Series read at once from a fleet source. */
const CONCURRENCY = 8;

/**
 * Shares one opened source between requests for `ttlMs`, then opens a fresh one (so new hosts
 * and newer samples show within a minute).
 *
 * @param source The analysis source.
 * @param options Clock (ms) and how long an opened source is reused (default 60 000 ms).
 * @returns A function giving the current source.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memorySource } from "../analytics/mod.ts";
 * import { sharedSource } from "./source_reader.ts";
 * let opened = 0, t = 0;
 * const get = sharedSource({ name: "m", open: () => (opened++, memorySource([])) }, { now: () => t });
 * get(); get();
 * t = 60_000;
 * get();
 * assert.equal(opened, 2);
 * ```
 */
export function sharedSource(
  source: AnalysisSource,
  options: { now?: () => number; ttlMs?: number } = {},
): () => SeriesSource {
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? 60_000;
  let cached: { at: number; source: SeriesSource } | undefined;
  return () => {
    const t = now();
    if (!cached || t - cached.at >= ttlMs) cached = { at: t, source: source.open() };
    return cached.source;
  };
}

/** What {@linkcode sourceSeriesMany} reads (as the lake's `seriesMany`). */
export interface SourceSeriesManyOptions {
  metric?: string;
  metrics?: readonly string[];
  host?: string;
  /** Exact canonical labels. */
  labels?: string;
  /** SQL `LIKE` pattern on the canonical labels (`%`, `_`). */
  labelsLike?: string;
  from: number;
  to: number;
  step?: number;
  maxPoints?: number;
}

/** A SQL `LIKE` pattern as a regular expression. */
function likePattern(like: string): RegExp {
  const body = [...like].map((ch) =>
    ch === "%" ? ".*" : ch === "_" ? "." : ch.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  ).join("");
  return new RegExp(`^${body}$`, "s");
}

/**
 * Every matching series of a source over a range, each bucketed as the lake's `seriesMany`
 * would (the step from `maxPoints` unless given).
 *
 * @param source The source.
 * @param o Which series, the range and the budget.
 * @returns The tier, the step and the series (sorted by host, metric, labels).
 * @throws {RangeError} If more than {@linkcode MAX_SOURCE_SERIES} series match.
 */
export async function sourceSeriesMany(
  source: SeriesSource,
  o: SourceSeriesManyOptions,
): Promise<SeriesManyResult> {
  const metrics = new Set([...(o.metric ? [o.metric] : []), ...(o.metrics ?? [])]);
  const like = o.labelsLike === undefined ? undefined : likePattern(o.labelsLike);
  const keys = (await source.metrics()).filter((k) =>
    (metrics.size === 0 || metrics.has(k.metric)) &&
    (o.host === undefined || sameHost(k.host, o.host)) &&
    (o.labels === undefined || k.labels === o.labels) &&
    (like === undefined || like.test(k.labels))
  );
  if (keys.length > MAX_SOURCE_SERIES) {
    throw new RangeError(
      `Too many series: ${keys.length} match, at most ${MAX_SOURCE_SERIES} from ${source.name} ` +
        "(narrow with host= or labels=)",
    );
  }
  const { tier, step } = pickStep(o.from, o.to, {
    ...(o.step !== undefined && { step: o.step }),
    ...(o.maxPoints !== undefined && { maxPoints: o.maxPoints }),
  });
  const series: SeriesEntry[] = new Array(keys.length);
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const i = next++;
      const k = keys[i]!;
      const s = await source.series({
        ...k,
        from: o.from,
        to: o.to,
        ...(step !== undefined && { step }),
      });
      series[i] = { ...k, ts: s.ts, values: s.values };
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, keys.length) }, worker));
  return { tier, step, series };
}
