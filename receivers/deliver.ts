/**
 * Hands a receiver's batch to the lake (through the sink serve gives) and tells what became of
 * it: stored, dropped because the writer is busy (`IngestBusy`: UDP and scrape paths drop and
 * count), or refused (a `RangeError` from the lake's validation).
 *
 * @module
 */
import type { IngestBatch } from "./batch_builder.ts";
import type { LogLimiter } from "./_log_limiter.ts";

/** Where receivers put their samples: serve's glue to `IngestWriter.writeBatch` and the live
 * stream. Throws as `writeBatch` does (a `RangeError` on bad input, an error named `IngestBusy`
 * when the writer is behind). */
export type ReceiverSink = (batch: IngestBatch) => void;

/** Counts of what happened to a source's samples. */
export interface DeliveryStats {
  /** Samples stored. */
  stored: number;
  /** Samples dropped because the writer was busy. */
  busy: number;
  /** Samples refused by the lake's validation. */
  refused: number;
}

/**
 * Delivers a batch, counting and logging (rate-limited) instead of throwing.
 *
 * @param sink The sink.
 * @param batch The samples (an empty batch is not delivered).
 * @param stats Counters to update.
 * @param logs Rate-limited log.
 * @param source Name for the log lines, e.g. `scrape app`.
 * @returns True if stored.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deliver } from "./deliver.ts";
 * import { LogLimiter } from "./_log_limiter.ts";
 * const stats = { stored: 0, busy: 0, refused: 0 };
 * const lines: string[] = [];
 * const busy = () => {
 *   throw Object.assign(new Error("Busy"), { name: "IngestBusy" });
 * };
 * const batch = { ts: [1], host: ["h"], metric: ["m"], labels: [""], value: [1] };
 * assert.equal(deliver(busy, batch, stats, new LogLimiter((l) => lines.push(l)), "statsd"), false);
 * assert.deepEqual(stats, { stored: 0, busy: 1, refused: 0 });
 * ```
 */
export function deliver(
  sink: ReceiverSink,
  batch: IngestBatch,
  stats: DeliveryStats,
  logs: LogLimiter,
  source: string,
): boolean {
  if (batch.ts.length === 0) return true;
  try {
    sink(batch);
    stats.stored += batch.ts.length;
    return true;
  } catch (error) {
    const e = error as Error;
    if (e?.name === "IngestBusy") {
      stats.busy += batch.ts.length;
      logs.line(
        `${source}:busy`,
        `${source}: the lake writer is busy; ${batch.ts.length} samples dropped`,
      );
    } else {
      stats.refused += batch.ts.length;
      logs.line(
        `${source}:refused`,
        `${source}: ${batch.ts.length} samples refused: ${e?.message ?? e}`,
      );
    }
    return false;
  }
}
