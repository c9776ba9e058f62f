/**
 * `GET /api/services`: every service's indicators (window figures, availability, burn rates)
 * with its live figures from the newest pushed samples, and every probe's availability over the
 * same windows; `GET /api/services/history?service=&range=`:
 * one service's golden signals over time.
 *
 * @module
 */
import { Hono } from "hono";
import { zValidator } from "@hono/zod-validator";
import { z } from "zod";
import {
  findServices,
  lakeSource,
  type LiveFigures,
  type ProbeAvailability,
  probeAvailability,
  type SeriesSource,
  serviceHistory,
  type ServiceKpis,
  serviceKpis,
  ServiceLive,
  type ServiceSetting,
  serviceWithoutData,
} from "../../analytics/mod.ts";
import type { WebDeps } from "../deps.ts";
import { BadRequestError, echo, NotFoundError } from "../errors.ts";
import { parseLabels } from "../../collectors/mod.ts";
import { parseDurationMs, rejectInvalid } from "../validate.ts";
import { knownParams } from "../middleware/known_params.ts";

/** A service as `/api/services` sends it. */
export interface ServiceView extends ServiceKpis {
  /** Figures from the newest pushed samples (null when none in the last 2 minutes). */
  live: LiveFigures | null;
}

/** Options of {@linkcode serviceRoutes}. */
export interface ServiceRoutesOptions {
  /** Configured services; default none. */
  services?: readonly ServiceSetting[];
  /** How long window figures are reused, ms; default 10 000 (live figures are always fresh). */
  ttlMs?: number;
}

const historySchema = z.object({
  service: z.string().min(1).max(200),
  range: z.string().optional(),
});

/**
 * Creates the services routes and starts following pushed batches for live figures.
 *
 * @param deps The lake, the live hub and the clock.
 * @param options Configured services and the cache time.
 * @returns A Hono app to mount at the root.
 */
export function serviceRoutes(deps: WebDeps, options: ServiceRoutesOptions = {}): Hono {
  const now = deps.now ?? Date.now;
  const configured = options.services ?? [];
  const live = new ServiceLive();
  live.follow(findServices([], configured));
  deps.hub.onBatch((batch) => live.observe(batch));
  const ttlMs = options.ttlMs ?? 10_000;
  let cached: { at: number; view: Promise<ServiceKpis[]> } | undefined;
  let probesCached: { at: number; view: Promise<ProbeAvailability[]> } | undefined;
  function probes(t: number): Promise<ProbeAvailability[]> {
    if (probesCached && t - probesCached.at < ttlMs) return probesCached.view;
    const view = probeAvailability(
      reuseLongWindows(deps.source?.open() ?? lakeSource(deps.lake), long, t),
      { now: t },
    );
    const entry = { at: t, view };
    probesCached = entry;
    view.catch(() => probesCached === entry && (probesCached = undefined));
    return view;
  }
  const long = new Map<string, { at: number; rows: ReturnType<SeriesSource["windowStats"]> }>();
  function windowed(t: number): Promise<ServiceKpis[]> {
    if (cached && t - cached.at < ttlMs) return cached.view;
    const view = serviceKpis(
      reuseLongWindows(deps.source?.open() ?? lakeSource(deps.lake), long, t),
      {
        now: t,
        services: configured,
      },
    );
    const entry = { at: t, view };
    cached = entry;
    view.catch(() => cached === entry && (cached = undefined));
    return view;
  }
  async function views(): Promise<ServiceView[]> {
    const t = now();
    const kpis = await windowed(t);
    const out: ServiceView[] = kpis.map((k) => {
      const spec = findServices([], configured).find((s) => s.name === k.name) ??
        specOf(k);
      return { ...k, live: live.figures(spec, t) };
    });
    // services seen only in pushed samples so far (not yet flushed to the lake)
    for (const spec of findServices(live.keys(), configured)) {
      if (out.some((v) => v.name === spec.name)) continue;
      const figures = live.figures(spec, t);
      if (figures) out.push({ ...serviceWithoutData(spec, 300_000), live: figures });
    }
    return out;
  }
  return new Hono()
    .get("/api/services", knownParams([]), async function services(c) {
      const list = await views();
      return c.json({ now: now(), services: list, probes: await probes(now()) });
    })
    .get(
      "/api/services/history",
      knownParams(Object.keys(historySchema.shape)),
      zValidator("query", historySchema, rejectInvalid),
      async function history(c) {
        const q = c.req.valid("query");
        const rangeMs = q.range === undefined ? 3_600_000 : parseDurationMs(q.range);
        if (rangeMs === undefined || rangeMs > 31 * 86_400_000) {
          throw new BadRequestError(
            `Invalid range: ${echo(q.range)} (use e.g. 15m, 1h, 7d; at most 31d)`,
          );
        }
        const t = now();
        const keys = deps.source ? await deps.source.open().metrics() : await deps.lake.metrics();
        const spec = findServices(keys, configured).find((s) => s.name === q.service);
        if (!spec) throw new NotFoundError(`Unknown service: ${echo(q.service)}`);
        const points = await serviceHistory(deps.source?.open() ?? lakeSource(deps.lake), spec, {
          from: t - rangeMs,
          to: t + 1,
        });
        return c.json({ service: spec.name, from: t - rangeMs, to: t, points });
      },
    );
}

/** Windows at least this long are re-read at most every {@linkcode LONG_TTL_MS}. */
const LONG_WINDOW_MS = 6 * 3_600_000;
const LONG_TTL_MS = 300_000;

/**
 * The source with its long windows (6 h and more: the burn rates' 6 h, 1 d, 3 d and the 30-day
 * availability) reused for 5 minutes: they scan hours to days of samples, and a few minutes more
 * or less change them by little, while the page asks every second.
 */
function reuseLongWindows(
  source: SeriesSource,
  cache: Map<string, { at: number; rows: ReturnType<SeriesSource["windowStats"]> }>,
  now: number,
): SeriesSource {
  return {
    ...source,
    metrics: () => source.metrics(),
    series: (o) => source.series(o),
    extent: () => source.extent(),
    windowStats(metrics, from, to) {
      if (to - from < LONG_WINDOW_MS) return source.windowStats(metrics, from, to);
      const key = `${to - from}\u0000${metrics.join(",")}`;
      const hit = cache.get(key);
      if (hit && now - hit.at < LONG_TTL_MS) return hit.rows;
      const rows = source.windowStats(metrics, from, to);
      cache.set(key, { at: now, rows });
      rows.catch(() => cache.get(key)?.rows === rows && cache.delete(key));
      return rows;
    },
  };
}

function specOf(k: ServiceKpis) {
  return {
    name: k.name,
    labels: parseLabels(k.labels),
    ...(k.host !== null && { host: k.host }),
    apdex: k.apdexThreshold,
    slo: k.sloTarget,
    cache: { hits: "cache_hits_per_second", misses: "cache_misses_per_second" },
    origin: k.origin,
  };
}
