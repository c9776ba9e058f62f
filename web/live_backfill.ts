/**
 * The Live page's window before what the live hub remembers, read from the lake: after a `serve`
 * restart the hub holds only what was published since, and the page's 5-minute window began at
 * the restart though the lake held the minutes before.
 *
 * @module
 */
import type { Lake } from "../lake/mod.ts";
import type { LiveBackfillGap, LiveRow } from "./live_hub.ts";

/** Most series read: one host's live metrics are a few dozen, a bound all the same. */
const MAX_SERIES = 1_000;

/**
 * Reads the samples of `gap` for one host from the lake: `host` (the page's `?host=`), else the
 * gap's (the host of the first CPU sample the hub remembers), else the host whose machine-wide
 * CPU sample is the newest in the gap (the hub remembers nothing yet).
 *
 * @param lake The lake, its spool and ingest buffer included.
 * @param gap What the hub lacks ({@linkcode LiveHub.missing}).
 * @param host The host asked for; default as above.
 * @returns The rows, each series in time order (none without a host).
 * @throws {LakeError} If the lake cannot be read.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openLake, writeSamples } from "../lake/mod.ts";
 * import { lakeBackfill } from "./live_backfill.ts";
 * const root = Deno.makeTempDirSync();
 * const ts = Date.UTC(2024, 0, 1);
 * writeSamples([{ ts, host: "h", metric: "load_average", labels: { window: "1m" }, value: 2 }], {
 *   root,
 *   id: ts,
 * });
 * const lake = await openLake({ root });
 * const gap = { from: ts - 1000, to: ts + 1000, metrics: ["load_average"], host: "h" };
 * assert.deepEqual(await lakeBackfill(lake, gap), [[ts, "h", "load_average", "window=1m", 2]]);
 * lake.close();
 * ```
 */
export async function lakeBackfill(
  lake: Lake,
  gap: LiveBackfillGap,
  host?: string,
): Promise<LiveRow[]> {
  const { from, to } = gap;
  const which = host || gap.host || await newestCpuHost(lake, from, to);
  if (which === undefined) return [];
  const r = await lake.seriesMany({
    metrics: gap.metrics,
    host: which,
    from,
    to,
    maxSeries: MAX_SERIES,
  });
  const rows: LiveRow[] = [];
  for (const s of r.series) {
    for (let i = 0; i < s.ts.length; i++) {
      const v = s.values[i]!;
      if (Number.isFinite(v)) rows.push([s.ts[i]!, s.host, s.metric, s.labels, v]);
    }
  }
  return rows;
}

/** The host whose `cpu_ratio{cpu=total,mode=idle}` has the newest sample in the range. */
async function newestCpuHost(lake: Lake, from: number, to: number): Promise<string | undefined> {
  const r = await lake.seriesMany({
    metric: "cpu_ratio",
    labels: "cpu=total,mode=idle",
    from,
    to,
    maxPoints: 30,
    maxSeries: MAX_SERIES,
  });
  let host: string | undefined, newest = -Infinity;
  for (const s of r.series) {
    for (let i = s.ts.length - 1; i >= 0; i--) {
      if (!Number.isFinite(s.values[i]!)) continue;
      if (s.ts[i]! > newest) [host, newest] = [s.host, s.ts[i]!];
      break;
    }
  }
  return host;
}
