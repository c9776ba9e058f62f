/**
 * `serve`'s series limit of `/api/ingest`, from `receivers_limits`, and the metric that counts
 * its refusals among serve's own samples.
 *
 * @module
 */
import type { PerfscopeConfig } from "../config/mod.ts";
import type { IngestBatch } from "../lake/mod.ts";
import { IngestSeriesLimit } from "../web/mod.ts";

/** The name of the refusals' rate, stored as a sample of serve's host. */
export const INGEST_REFUSED_METRIC = "perfscope_ingest_refused_samples_per_second";

/**
 * The limit of `/api/ingest`: `receivers_limits.max_series_per_source` new series per pushed host
 * and `max_ingest_series` for all hosts together, per hour (defaults in `IngestSeriesLimit`).
 *
 * @param config The loaded configuration.
 * @returns The limit (a reload applies new numbers to it with `IngestSeriesLimit.resize`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ingestSeriesLimit } from "./_ingest_series_limit.ts";
 * assert.equal(ingestSeriesLimit({ receivers_limits: { max_series_per_source: 5 } }).maxPerHost, 5);
 * ```
 */
export function ingestSeriesLimit(config: PerfscopeConfig): IngestSeriesLimit {
  const l = config.receivers_limits ?? {};
  return new IngestSeriesLimit({
    ...(l.max_series_per_source !== undefined && { maxPerHost: l.max_series_per_source }),
    ...(l.max_ingest_series !== undefined && { maxTotal: l.max_ingest_series }),
  });
}

/**
 * Stores the rate of refused samples (`perfscope_ingest_refused_samples_per_second{reason=
 * "series_limit"}`) every `intervalMs`, from the first refusal on (a serve that never refused
 * stores nothing), so it shows on `/metrics`, the Live page and in the lake.
 *
 * @param limit The limit whose counter is read.
 * @param options Where the samples go, their host column and the interval (default 10 s).
 * @returns Stops the timer.
 */
export function reportIngestRefusals(
  limit: Pick<IngestSeriesLimit, "refusedSamples">,
  options: { host: string; write: (batch: IngestBatch) => void; intervalMs?: number },
): () => void {
  const intervalMs = options.intervalMs ?? 10_000;
  let last = 0;
  const timer = setInterval(() => {
    const count = limit.refusedSamples;
    if (count === 0) return;
    const rate = (count - last) / (intervalMs / 1000);
    last = count;
    try {
      options.write({
        ts: [Date.now()],
        host: [options.host],
        metric: [INGEST_REFUSED_METRIC],
        labels: ["reason=series_limit"],
        value: [rate],
      });
    } catch {
      // a busy writer loses this point; the next one carries the rate on
    }
  }, intervalMs);
  Deno.unrefTimer(timer);
  return () => clearInterval(timer);
}
