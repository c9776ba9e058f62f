/**
 * The ingest writer: validated samples into the lake's raw tier with the lake's own Parquet
 * writer (`writeSamples`, the function the collector's flush uses), one atomic file per host and
 * date per request.
 *
 * @module
 */
import type { Sample } from "../collectors/mod.ts";
import { writeSamples } from "../lake/mod.ts";

/** Writes batches of samples into a lake. */
export interface LakeWriter {
  /**
   * Writes one batch; returns after the files are renamed into place.
   *
   * @param samples The batch (samples without a finite value get no row, as in the lake).
   * @returns Rows written.
   */
  write(samples: readonly Sample[]): number;
}

/** Options for {@linkcode openLakeWriter}. */
export interface LakeWriterOptions {
  /** Lake root. */
  root: string;
  /** Clock in ms for file ids; default `Date.now`. */
  now?: () => number;
  /** fsync each file before its rename; default true. */
  sync?: boolean;
}

/**
 * Opens an ingest writer. File ids grow strictly (the clock, bumped past the previous id), as
 * the lake requires of a host's files.
 *
 * @param options Lake root and clock.
 * @returns The writer.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openLakeWriter } from "./lake_writer.ts";
 * const writer = openLakeWriter({ root: Deno.makeTempDirSync() });
 * const ts = Date.UTC(2024, 0, 1);
 * assert.equal(writer.write([{ ts, host: "h", metric: "m", labels: {}, value: 1 }]), 1);
 * ```
 */
export function openLakeWriter(options: LakeWriterOptions): LakeWriter {
  const now = options.now ?? Date.now;
  let last = 0;
  return {
    write(samples) {
      last = Math.max(now(), last + 1);
      let rows = 0;
      for (
        const f of writeSamples(samples, {
          root: options.root,
          id: last,
          sync: options.sync ?? true,
        })
      ) {
        rows += f.rows;
      }
      return rows;
    },
  };
}
