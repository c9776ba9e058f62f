/**
 * A service's golden signals over time: the figures of `serviceFigures` computed per step from
 * the step averages of its series.
 *
 * @module
 */
import { parseLabels } from "../../collectors/mod.ts";
import type { Lake } from "../../lake/mod.ts";
import { type SeriesSource, toSource } from "../series/series_source.ts";
import { belongs, serviceMetrics, type ServiceSpec } from "./service_catalog.ts";
import { type SeriesValue, serviceFigures } from "./service_figures.ts";

/** Options of {@linkcode serviceHistory}. */
export interface ServiceHistoryOptions {
  /** Range, ms (start inclusive, end exclusive). */
  from: number;
  to: number;
  /** Step, ms; default (to − from) / 240. */
  step?: number;
}

/** One step of a service's history (null where the step has no data for a figure). */
export interface ServicePoint {
  ts: number;
  rps: number | null;
  errorRate: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  apdex: number | null;
  inFlight: number | null;
  meanLatency: number | null;
}

/**
 * Reads a service's series over a range and computes its figures per step.
 *
 * @param input A series source or an open lake.
 * @param spec The service.
 * @param options Range and step.
 * @returns Points in time order (steps without any sample are left out).
 * @throws {RangeError} If the range or step is not positive.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memorySource } from "../series/series_source.ts";
 * import { findServices } from "./service_catalog.ts";
 * import { serviceHistory } from "./service_history.ts";
 * const src = memorySource([{ host: "h", metric: "http_requests_per_second", labels: "service=a",
 *   ts: Float64Array.of(0, 60_000), values: Float64Array.of(3, 5) }]);
 * const [spec] = findServices(await src.metrics());
 * const h = await serviceHistory(src, spec!, { from: 0, to: 120_000, step: 60_000 });
 * assert.deepEqual(h.map((p) => p.rps), [3, 5]);
 * ```
 */
export async function serviceHistory(
  input: SeriesSource | Lake,
  spec: ServiceSpec,
  options: ServiceHistoryOptions,
): Promise<ServicePoint[]> {
  const source = toSource(input);
  const { from, to } = options;
  if (!(to > from)) throw new RangeError(`Invalid range: ${from}..${to}`);
  const step = options.step ?? Math.max(1000, Math.ceil((to - from) / 240));
  if (!(step > 0)) throw new RangeError(`Invalid step: ${step}`);
  const names = new Set(serviceMetrics([spec]));
  const keys = (await source.metrics()).filter((k) =>
    names.has(k.metric) && belongs(spec, k.host, parseLabels(k.labels))
  );
  const at = new Map<number, SeriesValue[]>();
  for (const k of keys) {
    const s = await source.series({ ...k, from, to, step });
    const labels = parseLabels(k.labels);
    // a source that ignores the step (memory, CSV) gives several points a step: average them
    const steps = new Map<number, { sum: number; n: number }>();
    for (let i = 0; i < s.ts.length; i++) {
      if (!Number.isFinite(s.values[i]!)) continue;
      const t = Math.floor(s.ts[i]! / step) * step;
      const a = steps.get(t) ?? { sum: 0, n: 0 };
      a.sum += s.values[i]!, a.n++;
      steps.set(t, a);
    }
    for (const [t, a] of steps) {
      let list = at.get(t);
      if (!list) at.set(t, list = []);
      list.push({ host: k.host, metric: k.metric, labels, value: a.sum / a.n });
    }
  }
  return [...at.keys()].sort((a, b) => a - b).map((ts) => {
    const f = serviceFigures(spec, at.get(ts)!);
    return {
      ts,
      rps: f.rps,
      errorRate: f.errorRate,
      p50: f.latency?.p50 ?? null,
      p95: f.latency?.p95 ?? null,
      p99: f.latency?.p99 ?? null,
      apdex: f.apdex?.score ?? null,
      inFlight: f.inFlight,
      meanLatency: f.meanLatency,
    };
  });
}
