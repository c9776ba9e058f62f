/**
 * `GET /api/metrics`: the registry, each metric with the series the lake holds, plus metrics
 * found in the lake that the registry does not know (pushed through `/api/ingest`). With an
 * analysis source (`serve --source`) the series listed are the source's.
 *
 * @module
 */
import { Hono } from "hono";
import { registry } from "../../collectors/mod.ts";
import { appMetricInfo, pushedUnit } from "../../receivers/mod.ts";
import type { WebDeps } from "../deps.ts";
import { knownParams } from "../middleware/known_params.ts";

/** One metric as `/api/metrics` lists it. */
export interface MetricListing {
  name: string;
  unit: string;
  kind: string;
  help: string;
  labels: readonly string[];
  /** Series in the lake: host and canonical labels. */
  series: { host: string; labels: string }[];
}

/**
 * Creates the metrics listing route.
 *
 * @param deps The lake.
 * @returns A Hono app to mount at the root.
 */
export function metricsRoutes(deps: WebDeps): Hono {
  return new Hono().get("/api/metrics", knownParams([]), async function listMetrics(c) {
    // serve --source: the fleet's series, not the local lake's
    const entries = deps.source ? await deps.source.open().metrics() : await deps.lake.metrics();
    const byName = new Map<string, MetricListing>();
    for (const info of registry) {
      byName.set(info.name, { ...info, series: [] });
    }
    for (const e of entries) {
      let m = byName.get(e.metric);
      if (!m) {
        // application metrics: what the receivers learned from the source (unit, kind, help);
        // a pushed one's unit from its name, or Explore's axis has none
        const app = appMetricInfo(e.metric);
        m = {
          name: e.metric,
          unit: app?.unit ?? pushedUnit(e.metric),
          kind: app?.kind ?? "gauge",
          help: app?.help || (app ? `Received by ${app.source}` : "Pushed through /api/ingest"),
          labels: [],
          series: [],
        };
        byName.set(e.metric, m);
      }
      m.series.push({ host: e.host, labels: e.labels });
    }
    const hosts = [...new Set(entries.map((e) => e.host))].sort();
    return c.json({ hosts, metrics: [...byName.values()] });
  });
}
