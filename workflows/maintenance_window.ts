/**
 * Maintenance windows: the window of a given length with the lowest forecast load (mean of the
 * upper 80 % band over the window) in the next days, never overlapping a blackout, with a
 * confidence from how well the seasonal profile predicted the past weeks.
 *
 * @module
 */
import { Cron } from "croner";
import type { SeriesSource } from "../analytics/mod.ts";
import { type BlackoutConfig, formatDuration } from "../config/mod.ts";
import { sameHost } from "../lake/mod.ts";
import { forecastLoad, historySpan, profileConfidence, readLoad } from "./load_profile.ts";

const MIN = 60_000, HOUR = 60 * MIN, DAY = 24 * HOUR;

/** Options of {@linkcode findMaintenanceWindow}. */
export interface MaintenanceWindowOptions {
  /** Window length, ms. */
  durationMs: number;
  /** Look this far ahead from `now`, ms. Default 7 days. */
  withinMs?: number;
  /** Host. Default the host with the most recent data. */
  host?: string;
  /** `cpu_busy` (default), `memory_used_ratio` or any lake metric. */
  metric?: string;
  /** Canonical labels of a lake metric. */
  labels?: string;
  /** Now, ms epoch. Default `Date.now()`. */
  now?: number;
  /** Periods to avoid. */
  blackouts?: readonly BlackoutConfig[];
  /** Time zone of recurring blackouts' cron. Default UTC. */
  timezone?: string;
  /** History read, ms. Default 28 days. */
  historyMs?: number;
}

/** A candidate window. */
export interface WindowCandidate {
  start: string;
  end: string;
  /** Mean of the upper 80 % band over the window. */
  expectedLoad: number;
  /** Highest upper-band point in it. */
  peakLoad: number;
}

/** The answer. */
export interface MaintenanceWindow {
  /** `ok`; `insufficient` (not enough data yet); `blocked` (blackouts cover every window). */
  status: "ok" | "insufficient" | "blocked";
  /** One line for people. */
  message: string;
  host: string | null;
  metric: string;
  best: WindowCandidate | null;
  /** Next best windows that overlap neither the best nor each other (up to 2). */
  alternatives: WindowCandidate[];
  method: "forecast" | "profile" | null;
  /** How the load was predicted. */
  note: string;
  /** 0–1, `null` when no past period could be checked. */
  confidence: number | null;
  confidenceLabel: "high" | "medium" | "low" | "unknown";
  /** How the confidence was measured. */
  confidenceNote: string;
  /** Blackout periods inside the range that were avoided. */
  blackouts: { start: string; end: string; name?: string }[];
}

/**
 * The blackout periods overlapping `[from, to)`.
 *
 * @param blackouts Configured blackouts.
 * @param from Start, ms.
 * @param to End, ms.
 * @param timezone Time zone of cron blackouts. Default UTC.
 * @returns Intervals, ms.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { blackoutIntervals } from "./maintenance_window.ts";
 * const day = 86_400_000, t = Date.UTC(2026, 0, 5);
 * const got = blackoutIntervals([{ cron: "0 9 * * *", duration: 8 * 3_600_000 }], t, t + 2 * day);
 * assert.equal(got.length, 2);
 * assert.equal(new Date(got[0]!.start).toISOString(), "2026-01-05T09:00:00.000Z");
 * ```
 */
export function blackoutIntervals(
  blackouts: readonly BlackoutConfig[],
  from: number,
  to: number,
  timezone = "UTC",
): { start: number; end: number; name?: string }[] {
  const out: { start: number; end: number; name?: string }[] = [];
  for (const b of blackouts) {
    const named = b.name === undefined ? {} : { name: b.name };
    if ("start" in b) {
      const start = Date.parse(b.start), end = Date.parse(b.end);
      if (end > from && start < to) out.push({ start, end, ...named });
      continue;
    }
    const cron = new Cron(b.cron, { paused: true, timezone });
    let t = cron.previousRuns(1, new Date(from))[0] ?? cron.nextRun(new Date(from));
    for (let n = 0; t && t.getTime() < to && n < 10_000; n++) {
      const start = t.getTime();
      if (start + b.duration > from) out.push({ start, end: start + b.duration, ...named });
      t = cron.nextRun(t);
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

function gridStep(durationMs: number): number {
  return durationMs >= 2 * HOUR ? HOUR : durationMs >= 30 * MIN ? 15 * MIN : 5 * MIN;
}

function iso(t: number): string {
  return new Date(t).toISOString();
}

/**
 * Finds the quietest maintenance window.
 *
 * @param source Where series come from (`lakeSource(lake)`).
 * @param options Length, range, host, metric, blackouts, clock.
 * @returns The window with its confidence; `insufficient` with less than one day of data.
 * @throws {RangeError} When the duration is not positive or longer than the range.
 */
export async function findMaintenanceWindow(
  source: SeriesSource,
  options: MaintenanceWindowOptions,
): Promise<MaintenanceWindow> {
  const { durationMs } = options;
  const withinMs = options.withinMs ?? 7 * DAY;
  if (!(durationMs > 0) || !(withinMs >= durationMs)) {
    throw new RangeError(
      `Invalid window: ${durationMs} ms within ${withinMs} ms (the window must fit)`,
    );
  }
  const metric = options.metric ?? "cpu_busy";
  const now = options.now ?? Date.now();
  const extents = await source.extent();
  const extent = options.host === undefined
    ? extents.slice().sort((a, b) => b.last - a.last)[0]
    // host names are case-insensitive (lake canonicalHost): --host Web1 is the lake's web1
    : extents.find((e) => e.host === options.host) ??
      extents.find((e) => sameHost(e.host, options.host!));
  const empty = (message: string, host: string | null): MaintenanceWindow => ({
    status: "insufficient",
    message,
    host,
    metric,
    best: null,
    alternatives: [],
    method: null,
    note: "",
    confidence: null,
    confidenceLabel: "unknown",
    confidenceNote: "",
    blackouts: [],
  });
  if (!extent) {
    return empty(
      options.host === undefined
        ? "Not enough data yet: the lake is empty"
        : `Not enough data yet: no data for host ${options.host}`,
      options.host ?? null,
    );
  }
  if (metric !== "cpu_busy" && metric !== "memory_used_ratio") {
    // a misspelt metric read "Not enough data yet: 0 s of cpu_bussy", as if waiting would help
    const held = (await source.metrics()).some((k) =>
      k.host === extent.host && k.metric === metric
    );
    if (!held) {
      return empty(
        `No samples of ${metric} on ${extent.host}: check the metric name (cpu_busy, memory_used_ratio or one the lake holds)`,
        extent.host,
      );
    }
  }
  const stepMs = gridStep(durationMs);
  const end = Math.ceil(Math.min(now, extent.last + 1) / stepMs) * stepMs;
  const points = Math.round((options.historyMs ?? 28 * DAY) / stepMs);
  const from = end - points * stepMs;
  const history = await readLoad(source, {
    host: extent.host,
    metric,
    ...(options.labels !== undefined && { labels: options.labels }),
    from,
    stepMs,
    points,
  });
  const span = historySpan(history, stepMs);
  if (span < DAY) {
    // the grid rounds up to whole steps (one sample of a 2-hour window's hourly grid reads as
    // "1 h"): the host's first-to-last sample bounds what the data covers
    const seen = formatDuration(Math.min(span, Math.max(0, extent.last - extent.first)));
    return empty(
      `Not enough data yet: ${seen} of ${metric} on ${extent.host} (at least 1 day is needed to see a daily pattern)`,
      extent.host,
    );
  }
  const first = Math.ceil(now / stepMs) * stepMs;
  const horizon = Math.ceil((now + withinMs - end) / stepMs);
  const f = forecastLoad(history, { from, stepMs, horizon, metric });
  const L = Math.ceil(durationMs / stepMs);
  const blocks = blackoutIntervals(
    options.blackouts ?? [],
    first,
    now + withinMs,
    options.timezone,
  );
  const candidates: WindowCandidate[] = [];
  for (let s = first; s + L * stepMs <= now + withinMs + stepMs / 2; s += stepMs) {
    const e = s + durationMs;
    if (blocks.some((b) => b.start < e && b.end > s)) continue;
    let sum = 0, peak = -Infinity, n = 0;
    for (let k = 0; k < L; k++) {
      const v = f.hi80[(s - end) / stepMs + k];
      if (v === undefined || !Number.isFinite(v)) continue;
      sum += v, n++, peak = Math.max(peak, v);
    }
    if (n > 0) {
      candidates.push({ start: iso(s), end: iso(e), expectedLoad: sum / n, peakLoad: peak });
    }
  }
  const conf = profileConfidence(history, from, stepMs);
  const confidence = Number.isFinite(conf.confidence)
    ? Math.round(conf.confidence * 100) / 100
    : null;
  const label = confidence === null
    ? "unknown"
    : confidence >= 0.7
    ? "high"
    : confidence >= 0.4
    ? "medium"
    : "low";
  const confidenceNote = conf.periods === 0
    ? "no past period to check the profile against yet"
    : `rank correlation of the seasonal profile with the actual load over the last ${conf.periods} ${conf.unit}${
      conf.periods > 1 ? "s" : ""
    }`;
  const base = {
    host: extent.host,
    metric,
    method: f.method,
    note: f.note,
    confidence,
    confidenceLabel: label,
    confidenceNote,
    blackouts: blocks.map((b) => ({
      start: iso(b.start),
      end: iso(b.end),
      ...(b.name !== undefined && { name: b.name }),
    })),
  } as const;
  if (candidates.length === 0) {
    return {
      ...base,
      status: "blocked",
      message: "No window fits: blackouts cover every candidate in the range",
      best: null,
      alternatives: [],
    };
  }
  const sorted = candidates.slice().sort((a, b) =>
    a.expectedLoad - b.expectedLoad || a.start.localeCompare(b.start)
  );
  const chosen: WindowCandidate[] = [];
  for (const c of sorted) {
    if (chosen.length === 3) break;
    if (chosen.every((o) => c.end <= o.start || c.start >= o.end)) chosen.push(c);
  }
  const best = chosen[0]!;
  return {
    ...base,
    status: "ok",
    message: `Quietest ${formatHours(durationMs)} on ${extent.host}: ${best.start} → ${best.end} ` +
      `(${metric} upper 80 % ≈ ${best.expectedLoad.toPrecision(3)}; confidence ${label}${
        f.method === "profile" ? "; from an hour-of-week median profile, history is short" : ""
      })`,
    best,
    alternatives: chosen.slice(1),
  };
}

function formatHours(ms: number): string {
  return ms % HOUR === 0 ? `${ms / HOUR} h` : `${ms / MIN} min`;
}
