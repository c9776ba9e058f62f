/**
 * The live view of services: the newest value of every service series seen in pushed batches
 * (scrapes, OTLP, StatsD, `/api/ingest`), so a service's golden signals show within a second of
 * its first sample, before the lake has flushed it.
 *
 * @module
 */
import { parseLabels } from "../../collectors/mod.ts";
import { belongs, serviceMetrics, type ServiceSpec } from "./service_catalog.ts";
import { type SeriesValue, type ServiceFigures, serviceFigures } from "./service_figures.ts";

/** Options of {@linkcode ServiceLive}. */
export interface ServiceLiveOptions {
  /** Most series kept (the oldest-updated are dropped beyond); default 20 000. */
  maxSeries?: number;
}

/** A service's live figures. */
export interface LiveFigures extends ServiceFigures {
  /** Newest sample time among its series, ms. */
  ts: number;
  /** Series that contributed. */
  series: number;
}

/** The columns of a pushed batch (the shape of the lake's `IngestBatch`). */
export interface LiveBatch {
  ts: readonly number[];
  host: readonly string[];
  metric: readonly string[];
  labels: readonly string[];
  value: readonly number[];
}

/**
 * Keeps the newest sample of every service series.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findServices } from "./service_catalog.ts";
 * import { ServiceLive } from "./service_live.ts";
 * const live = new ServiceLive();
 * live.observe({ ts: [1000], host: ["h"], metric: ["http_requests_per_second"],
 *   labels: ["code=200,service=api"], value: [42] });
 * const [spec] = findServices(live.keys());
 * assert.equal(live.figures(spec!, 2000)?.rps, 42);
 * ```
 */
export class ServiceLive {
  #names: Set<string>;
  #latest = new Map<
    string,
    { host: string; metric: string; labels: string; ts: number; value: number }
  >();
  #max: number;

  /** @param options Series limit. */
  constructor(options: ServiceLiveOptions = {}) {
    this.#max = options.maxSeries ?? 20_000;
    this.#names = new Set(serviceMetrics());
  }

  /**
   * Adds metric names to follow (a configured service's cache metrics).
   *
   * @param specs Services whose metrics to follow.
   */
  follow(specs: readonly ServiceSpec[]): void {
    for (const m of serviceMetrics(specs)) this.#names.add(m);
  }

  /**
   * Records the service series of a batch; other metrics are ignored.
   *
   * @param batch Validated samples as columns.
   */
  observe(batch: LiveBatch): void {
    for (let i = 0; i < batch.ts.length; i++) {
      const metric = batch.metric[i]!;
      if (!this.#names.has(metric)) continue;
      const host = batch.host[i]!, labels = batch.labels[i]!, ts = batch.ts[i]!;
      const key = `${host}\u0000${metric}\u0000${labels}`;
      const seen = this.#latest.get(key);
      if (seen && seen.ts > ts) continue;
      // re-insert so the map's order is the update order (the oldest go first when full)
      this.#latest.delete(key);
      this.#latest.set(key, { host, metric, labels, ts, value: batch.value[i]! });
      if (this.#latest.size > this.#max) {
        this.#latest.delete(this.#latest.keys().next().value!);
      }
    }
  }

  /** The series seen, for discovery. */
  keys(): { host: string; metric: string; labels: string }[] {
    return [...this.#latest.values()].map(({ host, metric, labels }) => ({ host, metric, labels }));
  }

  /**
   * A service's figures from its newest samples no older than `staleMs` before `now`.
   *
   * @param spec The service.
   * @param now Clock, ms.
   * @param staleMs Oldest sample used, ms before `now`; default 120 000.
   * @returns The figures, or null when no fresh sample belongs to the service.
   */
  figures(spec: ServiceSpec, now: number, staleMs = 120_000): LiveFigures | null {
    const values: SeriesValue[] = [];
    let ts = -Infinity;
    for (const s of this.#latest.values()) {
      if (s.ts < now - staleMs) continue;
      const labels = parseLabels(s.labels);
      if (!belongs(spec, s.host, labels)) continue;
      values.push({ host: s.host, metric: s.metric, labels, value: s.value });
      ts = Math.max(ts, s.ts);
    }
    if (values.length === 0) return null;
    return { ...serviceFigures(spec, values), ts, series: values.length };
  }
}
