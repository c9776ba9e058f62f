/**
 * Test helper: an ingest spool as a process killed before its flush leaves it
 * (`DATA/spool_ingest/<id>.ispool` segments, written by the writer's own segment and encoder),
 * for the tests and benches of the replay at the next start.
 *
 * @module
 */
import { IngestSpoolSegment } from "../lake/ingest_spool.ts";
import { IngestSpoolEncoder } from "../lake/ingest_spool_format.ts";

/** Options for {@linkcode fillIngestSpool}. */
export interface FillIngestSpoolOptions {
  /** Time of the first sample, ms (then one every ms). */
  from: number;
  /** Hosts the rows go round (one partition each). Default 4. */
  hosts?: number;
  /** Rows per segment (a writer starts one at each flush). Default 100 000. */
  segmentRows?: number;
  /** Rows per record (one request each). Default 25 000. */
  recordRows?: number;
  /** Hosts by turns within each record, sample after sample (a replay's worst case: a group
   * looked up per sample), instead of one host a record. Default false. */
  mixHosts?: boolean;
}

/**
 * Writes `rows` samples of metric `replay_test` (hosts `replay-0`… by turns, one a record) into
 * the ingest spool of
 * `root`, in segments named after their first sample.
 *
 * @param root Lake root.
 * @param rows Samples to spool.
 * @param options Times, hosts and sizes.
 * @returns The segments written.
 */
export function fillIngestSpool(
  root: string,
  rows: number,
  options: FillIngestSpoolOptions,
): number {
  const { from, hosts = 4, segmentRows = 100_000, recordRows = 25_000, mixHosts } = options;
  let segments = 0;
  for (let s = 0; s < rows; s += segmentRows) {
    const segment = new IngestSpoolSegment(root, from + s);
    const encoder = new IngestSpoolEncoder();
    for (let r = s; r < Math.min(rows, s + segmentRows); r += recordRows) {
      const n = Math.min(recordRows, rows - r, s + segmentRows - r);
      const index = Array.from({ length: n }, (_, i) => r + i);
      segment.append(encoder.encode({
        ts: index.map((i) => from + i),
        // one host a request, as a pushing agent sends them
        host: index.map((i) => `replay-${(mixHosts ? i : r / recordRows) % hosts}`),
        metric: index.map(() => "replay_test"),
        labels: index.map((i) => `k=${i % 10}`),
        value: index.map((i) => i % 1000),
      }));
      encoder.commit();
    }
    segment.close();
    segments++;
  }
  return segments;
}
