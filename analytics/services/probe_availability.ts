/**
 * Availability of synthetic probes over windows: the share of successful probe runs
 * (`probe_success{target}`, 1 or 0 per run) over the same windows as the services' availability
 * (1 h, 1 d, 30 d), each stated only when the runs cover enough of the window.
 *
 * @module
 */
import { parseLabels } from "../../collectors/mod.ts";
import type { Lake } from "../../lake/mod.ts";
import { type SeriesSource, toSource } from "../series/series_source.ts";
import type { WindowFigure } from "./service_kpis.ts";
import { spanText } from "../capacity/evidence_rules.ts";

const HOUR = 3_600_000, DAY = 86_400_000;

/** The metric a probe run stores its result in (see `receivers/probe.ts`). */
export const PROBE_SUCCESS = "probe_success";

/** Options of {@linkcode probeAvailability}. */
export interface ProbeAvailabilityOptions {
  /** Analysis time, ms; default the latest sample time of the source. */
  now?: number;
  /** Windows, ms; default 1 h, 1 d, 30 d (the services' availability windows). */
  windows?: readonly number[];
  /** Probe runs a window needs before its availability is stated; default 10. */
  minSamples?: number;
  /** Share of a window the runs must span; default 0.5. */
  minCoverage?: number;
}

/** One probe's availability. */
export interface ProbeAvailability {
  /** The probe's `target` label. */
  target: string;
  host: string;
  /** Canonical labels of its `probe_success` series (for drill-down into Explore). */
  labels: string;
  /** The newest run in the longest window: its time and whether it succeeded. */
  last: { ts: number; success: boolean } | null;
  /** Share of successful runs per window, or why there is none. */
  availability: WindowFigure[];
}

/**
 * The availability of every probe (each `probe_success` series with a `target` label) over
 * windows.
 *
 * @param input A series source or an open lake.
 * @param options Time, windows and evidence settings.
 * @returns One entry per probe and host, by target.
 * @throws {RangeError} If a window or setting is out of range.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memorySource } from "../series/series_source.ts";
 * import { probeAvailability } from "./probe_availability.ts";
 * // a run every 15 s for an hour, one in four failing
 * const ts = Float64Array.from({ length: 240 }, (_, i) => i * 15_000);
 * const values = Float64Array.from({ length: 240 }, (_, i) => (i % 4 === 0 ? 0 : 1));
 * const src = memorySource([{ host: "h", metric: "probe_success", labels: "target=shop", ts, values }]);
 * const [shop] = await probeAvailability(src, { windows: [3_600_000] });
 * assert.equal(shop?.availability[0]?.value, 0.75);
 * ```
 */
export async function probeAvailability(
  input: SeriesSource | Lake,
  options: ProbeAvailabilityOptions = {},
): Promise<ProbeAvailability[]> {
  const source = toSource(input);
  const windows = options.windows ?? [HOUR, DAY, 30 * DAY];
  const minSamples = options.minSamples ?? 10;
  const minCoverage = options.minCoverage ?? 0.5;
  for (const w of windows) if (!(w > 0)) throw new RangeError(`Invalid window: ${w}`);
  if (!(minSamples >= 1)) throw new RangeError(`Invalid minSamples: ${minSamples}`);
  if (!(minCoverage > 0 && minCoverage <= 1)) {
    throw new RangeError(`Invalid minCoverage: ${minCoverage}`);
  }
  const keys = (await source.metrics()).filter((k) =>
    k.metric === PROBE_SUCCESS && parseLabels(k.labels).target !== undefined
  );
  if (keys.length === 0) return [];
  const now = options.now ??
    Math.max(...(await source.extent()).map((e) => e.last), -Infinity);
  if (!Number.isFinite(now)) return [];
  const rowsByWindow = new Map<number, Awaited<ReturnType<SeriesSource["windowStats"]>>>();
  for (const w of new Set(windows)) {
    rowsByWindow.set(w, await source.windowStats([PROBE_SUCCESS], now - w, now + 1));
  }
  const longest = Math.max(...windows, 0);
  const out: ProbeAvailability[] = keys.map((k) => {
    const mine = (w: number) =>
      rowsByWindow.get(w)?.rows.find((r) =>
        r.metric === PROBE_SUCCESS && r.host === k.host && r.labels === k.labels
      );
    const newest = longest > 0 ? mine(longest) : undefined;
    return {
      target: parseLabels(k.labels).target!,
      host: k.host,
      labels: k.labels,
      last: newest && newest.n > 0 ? { ts: newest.last, success: newest.lastValue >= 1 } : null,
      availability: windows.map((w): WindowFigure => {
        const r = mine(w);
        const n = r?.n ?? 0;
        if (!r || n < minSamples) {
          return {
            windowMs: w,
            value: null,
            reason: `not enough data yet: ${n} probe${n === 1 ? "" : "s"} in ${
              spanText(w)
            } (need ${minSamples})`,
          };
        }
        // a run covers the interval up to the next one, so n runs span about n intervals
        const span = (r.last - r.first) * n / Math.max(1, n - 1);
        if (span < w * minCoverage) {
          return {
            windowMs: w,
            value: null,
            reason: `not enough data yet: ${spanText(Math.max(0, span))} of ${spanText(w)}`,
          };
        }
        return { windowMs: w, value: r.avg, reason: null };
      }),
    };
  });
  return out.sort((a, b) =>
    a.target < b.target ? -1 : a.target > b.target ? 1 : a.host < b.host ? -1 : 1
  );
}
