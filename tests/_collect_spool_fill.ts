/**
 * Test helper: a collector spool as a killed collector leaves it (`DATA/spool/<id>.spool`
 * segments written by the collector's own `SpoolWriter`), for the tests and benches of the replay
 * at the next start.
 *
 * @module
 */
import { SpoolWriter } from "../lake/spool.ts";

/** Options for {@linkcode fillCollectorSpool}. */
export interface FillCollectorSpoolOptions {
  /** Time of the first snapshot, ms (then one a second). */
  from: number;
  /** Segments (one a flush interval). Default 10. */
  segments?: number;
  /** Snapshots a segment. Default 60 (a minute at 1 s). */
  snapshots?: number;
  /** Series a snapshot (metrics `replay_m0`…`replay_m9`, label `k`). Default 300. */
  series?: number;
  /** Host of the samples. Default `replay-collector`. */
  host?: string;
}

/**
 * Writes snapshots into the spool of `root`, in segments named after their first snapshot; every
 * tenth value of series 0 is `NaN` (no value: no row in Parquet).
 *
 * @param root Lake root.
 * @param options Times and sizes.
 * @returns The values spooled, and the rows the lake gets from them (finite values).
 */
export function fillCollectorSpool(
  root: string,
  options: FillCollectorSpoolOptions,
): { values: number; rows: number } {
  const { from, segments = 10, snapshots = 60, series = 300, host = "replay-collector" } = options;
  let values = 0, rows = 0;
  for (let s = 0; s < segments; s++) {
    const w = new SpoolWriter(root, from + s * snapshots * 1000);
    for (let k = 0; k < snapshots; k++) {
      const n = s * snapshots + k, ts = from + n * 1000;
      w.append(Array.from({ length: series }, (_, i) => {
        const value = i === 0 && n % 10 === 0 ? NaN : (i * 7 + n) % 1000;
        if (Number.isFinite(value)) rows++;
        values++;
        return { ts, host, metric: `replay_m${i % 10}`, labels: `k=${i}`, value };
      }));
    }
    w.close();
  }
  return { values, rows };
}
