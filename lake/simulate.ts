/**
 * A deterministic generator of a realistic host's samples, written through the lake's own
 * write path: for tests, benchmarks and demos of the other stages.
 *
 * @module
 */

import { utcDate } from "./_paths.ts";
import { buildModel } from "./_sim_model.ts";
import { writePartition } from "./write_samples.ts";

/** Options for {@linkcode simulateHost}. */
export interface SimulateHostOptions {
  /** Lake root to write into. */
  root: string;
  /** Host name. Default `"sim"`. */
  host?: string;
  /** First instant, ms since the epoch. */
  start: number;
  /** Length of the simulated period in ms. */
  durationMs: number;
  /** Time between snapshots in ms. Default `1000`. */
  stepMs?: number;
  /** Seed of the random generator: the same seed gives the same lake. Default `1`. */
  seed?: number;
  /** CPUs (each has 8 `cpu_ratio` modes). Default `16` (with the defaults: 308 series). */
  cpus?: number;
  /** Top processes per ranking. Default `10`. */
  topN?: number;
  /** Data per Parquet file in ms (the collector writes one per minute). Default `3600000`. */
  chunkMs?: number;
  /** A file system filling up linearly over the period: used ratio `from` → `to`.
   * Default mountpoint `/var`. */
  diskFill?: { mountpoint?: string; from: number; to: number };
  /** CPUs pinned at `level` (default 0.97) from `from` for `durationMs` (ms epoch / ms). */
  cpuSaturation?: { from: number; durationMs: number; level?: number };
}

/** What {@linkcode simulateHost} wrote. */
export interface SimulateHostResult {
  /** Rows written. */
  rows: number;
  /** Distinct series. */
  series: number;
  /** Parquet files written. */
  files: number;
  /** Bytes written. */
  bytes: number;
}

/**
 * Simulates one host: daily seasonality (quiet at 03:00 UTC, busy at 15:00, weekends lighter),
 * noise and slow drift, with values at the resolution the kernel reports them (CPU in jiffies,
 * memory in kB, file systems in 4 KiB blocks). Deterministic for a given seed and options.
 *
 * @param options See {@linkcode SimulateHostOptions}.
 * @returns Counts of what was written.
 * @throws {RangeError} If the period or step is not positive.
 * @throws {LakeError} If the lake cannot be written.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { simulateHost } from "./simulate.ts";
 * const root = Deno.makeTempDirSync();
 * const r = simulateHost({ root, host: "web1", start: Date.UTC(2024, 0, 1), durationMs: 60_000, stepMs: 10_000 });
 * assert.equal(r.series, 308);
 * assert.equal(r.rows, 308 * 6);
 * ```
 */
export function simulateHost(options: SimulateHostOptions): SimulateHostResult {
  const { root, host = "sim", start, durationMs, stepMs = 1000, chunkMs = 3_600_000 } = options;
  if (!(durationMs > 0) || !(stepMs > 0) || !(chunkMs > 0) || !Number.isFinite(start)) {
    throw new RangeError(
      `Invalid simulation period: start ${start}, duration ${durationMs}, step ${stepMs}`,
    );
  }
  const fill = options.diskFill;
  const sat = options.cpuSaturation;
  const { series, step } = buildModel({
    seed: options.seed ?? 1,
    stepMs,
    cpus: options.cpus ?? 16,
    topN: options.topN ?? 10,
    start,
    durationMs,
    diskFill: fill && { mountpoint: fill.mountpoint ?? "/var", from: fill.from, to: fill.to },
    cpuSaturation: sat &&
      { from: sat.from, to: sat.from + sat.durationMs, level: sat.level ?? 0.97 },
  });
  const n = series.length;
  const result: SimulateHostResult = { rows: 0, series: n, files: 0, bytes: 0 };
  const end = start + durationMs;
  let t = start;
  while (t < end) {
    // a chunk ends at the next chunk boundary or midnight UTC, so it stays in one partition
    const midnight = (Math.floor(t / 86_400_000) + 1) * 86_400_000;
    const chunkEnd = Math.min(end, midnight, (Math.floor(t / chunkMs) + 1) * chunkMs);
    const steps = Math.ceil((chunkEnd - t) / stepMs);
    const ts = new Float64Array(steps * n);
    const value = new Float64Array(steps * n);
    const metric = new Array<string>(steps * n);
    const labels = new Array<string>(steps * n);
    const id = t;
    let i = 0;
    for (; t < chunkEnd; t += stepMs) {
      step(t);
      for (const s of series) {
        ts[i] = t;
        metric[i] = s.metric;
        labels[i] = s.labels;
        value[i++] = s.value();
      }
    }
    const file = writePartition({ ts, metric, labels, value }, {
      root,
      id,
      host,
      date: utcDate(id),
      sync: false,
    });
    if (file) {
      result.files++;
      result.rows += file.rows;
      result.bytes += file.bytes;
    }
  }
  return result;
}
