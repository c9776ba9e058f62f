/**
 * Several holders of rows not yet in Parquet as one {@linkcode BufferedSource} (`serve`: the
 * collector's spool and the ingest writer).
 *
 * @module
 */

import type { BufferedFilter, BufferedRows, BufferedSource, StoredFile } from "./buffered_rows.ts";
import { widenExtent } from "./widen_extent.ts";

/**
 * Joins sources, asked in the order given. The lake lists its files at the first `stored` call
 * a source makes, so a source that must read its rows before that listing (one another process
 * takes rows out of: {@linkcode SpoolBuffer}) goes before one that must not (the ingest writer,
 * whose rows leave it on this thread only, so it is exact with any listing made in the same
 * synchronous step).
 *
 * @param sources The sources.
 * @returns One source answering for all of them.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { joinBuffered, SpoolBuffer } from "./mod.ts";
 * const root = Deno.makeTempDirSync();
 * const both = joinBuffered([new SpoolBuffer(root), new SpoolBuffer(root)]);
 * assert.deepEqual(both.bufferedSeries(), []);
 * ```
 */
export function joinBuffered(sources: readonly BufferedSource[]): BufferedSource {
  return {
    bufferedRows(filter: BufferedFilter, stored: StoredFile): BufferedRows {
      const [first, ...rest] = sources.map((s) => s.bufferedRows(filter, stored));
      if (!first) throw new RangeError("Invalid sources: none");
      for (const r of rest) {
        const offset = first.host.length;
        for (let i = 0; i < r.ts.length; i++) {
          first.ts.push(r.ts[i]!), first.value.push(r.value[i]!);
          first.series.push(r.series[i]! + offset);
        }
        // a loop, not push(...): a spread of 100 000 series would pass the argument limit
        for (let j = 0; j < r.host.length; j++) {
          first.host.push(r.host[j]!), first.metric.push(r.metric[j]!);
          first.labels.push(r.labels[j]!), first.date.push(r.date[j]!);
        }
      }
      return first;
    },
    bufferedSeries() {
      return sources.flatMap((s) => s.bufferedSeries());
    },
    bufferedExtent() {
      const out = new Map<string, { first: number; last: number }>();
      for (const source of sources) {
        for (const [host, e] of source.bufferedExtent()) {
          widenExtent(out, host, e.first, e.last);
        }
      }
      return out;
    },
  };
}
