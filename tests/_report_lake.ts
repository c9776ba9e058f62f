/**
 * Test and bench helper: a compacted lake of four simulated hosts for a week-scale report, the
 * /var of each filling and every other host's CPU saturated over its last half day.
 *
 * @module
 */
import { compactLake, simulateHost } from "../lake/mod.ts";

const DAY = 86_400_000;

/** Options for {@linkcode writeReportLake}. */
export interface ReportLakeOptions {
  /** The lake's directory. */
  root: string;
  /** Its first sample, ms. */
  start: number;
  /** How many days of samples. */
  days: number;
  /** Between samples, ms. */
  stepMs: number;
  /** Host `h`'s name (h from 1 to 4). Default `host-<h>`. */
  hostName?: (h: number) => string;
}

/**
 * Simulates the four hosts and compacts the lake as an hour after their last sample.
 *
 * @param options See {@linkcode ReportLakeOptions}.
 * @returns The end of the samples (`start + days`), ms: the report's "now".
 */
export async function writeReportLake(options: ReportLakeOptions): Promise<number> {
  const { root, start, days, stepMs } = options;
  const now = start + days * DAY;
  for (let h = 1; h <= 4; h++) {
    simulateHost({
      root,
      host: options.hostName?.(h) ?? `host-${h}`,
      start,
      durationMs: days * DAY,
      stepMs,
      seed: h,
      cpus: 2,
      topN: 2,
      diskFill: { mountpoint: "/var", from: 0.4 + 0.03 * h, to: 0.7 + 0.02 * h },
      ...(h % 2 ? { cpuSaturation: { from: now - DAY / 2, durationMs: DAY / 2 } } : {}),
    });
  }
  await compactLake({ root, now: () => now + 3_600_000 });
  return now;
}
