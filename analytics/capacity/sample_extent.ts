/**
 * The first and last sample time behind a series read, the history the evidence rules judge.
 * One computation for every capacity row (a machine resource, a service's request rate), and in
 * agreement with the host's own extent: a rollup tier's timestamps are bucket starts, so a series
 * read from 1-minute rollups would otherwise begin up to a minute before the host's first sample
 * and end up to a minute before its last, and the page would state two spans of one history.
 *
 * @module
 */
import type { HostExtent } from "../series/series_source.ts";

/** Bucket width of each rollup tier, ms (raw samples and memory series have none). */
const BUCKET_MS: Readonly<Record<string, number>> = { "1m": 60_000, "1h": 3_600_000 };

/** Options of {@linkcode sampleExtent}. */
export interface SampleExtentOptions {
  /** The tier that served the series (`raw`, `1m`, `1h`, `memory`); default `raw`. */
  tier?: string;
  /** The step the series was read at (its timestamps are then bucket starts), ms; default none. */
  stepMs?: number;
  /** The host's extent; default unknown (bucket starts are then taken as they are). */
  host?: HostExtent | undefined;
}

/**
 * The first and last finite sample time of a series read: its own timestamps for raw samples;
 * for bucket starts (a rollup tier, or a read at a step), each end moved inside its bucket as far
 * as the host's extent allows (the first sample lies in the first bucket and not before the
 * host's first; the last in the last bucket and not after the host's last).
 *
 * @param ts Timestamps, ms.
 * @param values Values (NaN skipped).
 * @param options The tier, the step and the host's extent.
 * @returns First and last, NaN for a series with no finite value.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sampleExtent } from "./sample_extent.ts";
 * const ts = Float64Array.of(0, 60_000, 120_000), v = Float64Array.of(1, 2, 3);
 * assert.deepEqual(sampleExtent(ts, v), { first: 0, last: 120_000 });
 * const host = { host: "h", first: 13_000, last: 170_000 };
 * assert.deepEqual(sampleExtent(ts, v, { tier: "1m", host }), { first: 13_000, last: 170_000 });
 * ```
 */
export function sampleExtent(
  ts: Float64Array,
  values: Float64Array,
  options: SampleExtentOptions = {},
): { first: number; last: number } {
  let first = NaN, last = NaN;
  for (let i = 0; i < ts.length; i++) {
    if (!Number.isFinite(values[i]!)) continue;
    if (!(ts[i]! >= first)) first = ts[i]!;
    if (!(ts[i]! <= last)) last = ts[i]!;
  }
  const width = Math.max(BUCKET_MS[options.tier ?? "raw"] ?? 0, options.stepMs ?? 0);
  const host = options.host;
  if (!(width > 0) || !host || !Number.isFinite(first)) return { first, last };
  return {
    first: Math.min(Math.max(first, host.first), first + width - 1),
    last: Math.max(Math.min(last + width - 1, host.last), last),
  };
}
