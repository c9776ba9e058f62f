/**
 * The refusal the ingest path gives when it is behind: backpressure instead of memory or disk
 * that grows with the load. Every producer (`/api/ingest`, the receivers) gets it from the same
 * `IngestWriter`; HTTP answers 503 (507 for a full disk) with `Retry-After`, UDP and scrape
 * paths drop and count.
 *
 * @module
 */

/** Why the writer refused: its row buffer, its spool's disk budget, the disk itself, or the
 * process's resident memory past its mark. */
export type IngestBusyReason = "buffer" | "spool" | "disk" | "memory";

/**
 * Thrown by `IngestWriter.write`/`writeBatch` (and `check`) when the writer is behind; nothing
 * of the request was written. Check it by `error.name === "IngestBusy"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IngestBusy } from "./ingest_busy.ts";
 * const busy = new IngestBusy("Ingest is behind", { retryAfterSeconds: 2, reason: "buffer" });
 * assert.equal(busy.name, "IngestBusy");
 * assert.equal(busy.retryAfterSeconds, 2);
 * ```
 */
export class IngestBusy extends Error {
  override readonly name = "IngestBusy";
  /** Seconds the client should wait before sending again (whole, at least 1). */
  readonly retryAfterSeconds: number;
  /** What is full. */
  readonly reason: IngestBusyReason;

  /**
   * @param message What is full, and by how much.
   * @param options Retry delay (rounded up to whole seconds, at least 1), reason, cause.
   */
  constructor(
    message: string,
    options: { retryAfterSeconds: number; reason: IngestBusyReason; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterSeconds = Math.max(1, Math.ceil(options.retryAfterSeconds));
    this.reason = options.reason;
  }
}
