/**
 * Test helper: a batch as text lines, so a test compares what was stored in one `deepEqual`.
 *
 * @module
 */
import type { IngestBatch } from "../../receivers/mod.ts";

/**
 * Each series of `b` as `metric{labels} value`, sorted (the order a receiver emits is not part
 * of the contract).
 *
 * @param b The batch.
 * @returns One line a row, sorted.
 */
export function batchRows(b: IngestBatch): string[] {
  return b.metric.map((m, i) => `${m}{${b.labels[i]}} ${b.value[i]}`).sort();
}
