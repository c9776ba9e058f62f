/**
 * The streaming parts of anomaly and predictive rules: each sample updates the detector (or the
 * forecast's bins) of the instances on its series; the forecast itself runs at the rule's own
 * cadence (`every`, default 60 s), so a predictive rule costs nothing in the seconds between.
 *
 * @module
 */
import { capacityForecast, createAnomalyDetector } from "../analytics/mod.ts";
import { formatDuration } from "../config/mod.ts";
import type { Live } from "./_engine_parts.ts";

const BINS = 120;
/** Points of history an anomaly detector compares with (about 17 minutes at 1 Hz). */
const ANOMALY_HISTORY = 1000;

/**
 * Scores a sample for an anomaly instance and counts the run of anomalous points.
 *
 * @param inst The instance.
 * @param ts Sample time.
 * @param value Sample value.
 */
export function anomalyObserve(inst: Live, ts: number, value: number): void {
  if (!Number.isFinite(value)) return;
  // Repeats are not suppressed: a rule asks for N anomalous points in a row.
  const k = inst.side!;
  k.detector ??= createAnomalyDetector({
    historySize: ANOMALY_HISTORY,
    learningPoints: inst.rule.learningPoints,
    suppressPoints: 0,
  });
  k.score = k.detector.update(ts, value);
  k.seen++;
  k.run = k.score >= inst.rule.scoreAbove ? k.run + 1 : 0;
}

/**
 * Adds a sample to a predictive instance's bins (the lookback in 120 bins).
 *
 * @param inst The instance.
 * @param ts Sample time.
 * @param value Sample value.
 */
export function predictiveObserve(inst: Live, ts: number, value: number): void {
  if (!Number.isFinite(value)) return;
  const widthMs = Math.max(1, inst.rule.lookbackMs / BINS);
  const k = inst.side!;
  k.bins ??= {
    widthMs,
    index: new Float64Array(BINS).fill(-1),
    sum: new Float64Array(BINS),
    count: new Float64Array(BINS),
  };
  const b = k.bins;
  const bin = Math.floor(ts / b.widthMs);
  const slot = ((bin % BINS) + BINS) % BINS;
  if (b.index[slot] !== bin) (b.index[slot] = bin, b.sum[slot] = 0, b.count[slot] = 0);
  b.sum[slot]! += value;
  b.count[slot]!++;
}

/** Forecasts one evaluation may run; more due ones wait for the next evaluation (a second
 * later in serve), the longest waiting first, so many predictive series never stall the event
 * loop. */
export const FORECASTS_PER_EVALUATION = 8;

function fit(inst: Live, ts: Float64Array, values: Float64Array, now: number, bootstrap: number) {
  return capacityForecast(ts, values, {
    threshold: inst.rule.threshold,
    now,
    horizonMs: inst.rule.withinMs,
    direction: inst.rule.up ? "up" : "down",
    seasonMs: 0,
    bootstrap,
  });
}

/**
 * Tells whether a predictive instance's forecast is due. Instances start at a phase of `every`
 * taken from their fingerprint, so the forecasts of many series spread over the period.
 *
 * @param inst The instance.
 * @param now Evaluation time.
 * @returns True when it has data and its time has come.
 */
export function forecastDue(inst: Live, now: number): boolean {
  const k = inst.side!;
  if (k.nextAt === -Infinity) {
    k.nextAt = now + parseInt(inst.fp.slice(0, 8), 16) % inst.rule.everyMs;
  }
  return k.bins !== undefined && now >= k.nextAt;
}

/**
 * Runs the forecast and stores the verdict on the instance: `cond` 1 when the limit is
 * (forecast to be) crossed within `within`, `predicted` the seconds until then, `reason` the
 * time with its 80 % interval. The bootstrap interval (the costly part) is computed only for a
 * crossing.
 *
 * @param inst The instance (with bins).
 * @param now Evaluation time.
 */
export function runForecast(inst: Live, now: number): void {
  const rule = inst.rule;
  const k = inst.side!;
  const b = k.bins!;
  k.nextAt = now + rule.everyMs;
  const newest = Math.floor(now / b.widthMs);
  const order: number[] = [];
  for (let s = 0; s < BINS; s++) {
    const i = b.index[s]!;
    if (i > newest - BINS && i <= newest && b.count[s]! > 0) order.push(s);
  }
  order.sort((x, y) => b.index[x]! - b.index[y]!);
  const ts = Float64Array.from(order, (s) => (b.index[s]! + 0.5) * b.widthMs);
  const values = Float64Array.from(order, (s) => b.sum[s]! / b.count[s]!);
  try {
    let f = fit(inst, ts, values, now, 0);
    inst.error = undefined;
    if (f.status === "insufficient") {
      k.cond = -1;
      return;
    }
    const crossing = f.status === "over" ||
      (f.status === "crossing" && f.eta !== null && f.eta <= now + rule.withinMs);
    k.cond = crossing ? 1 : 0;
    if (!crossing) {
      k.predicted = NaN;
      return;
    }
    if (f.status === "crossing") f = fit(inst, ts, values, now, 50);
    k.predicted = Math.max(0, ((f.eta ?? now) - now) / 1000);
    const when = (t: number | null) => t === null ? "?" : formatDuration(Math.max(0, t - now));
    inst.reason = f.status === "over"
      ? `already past ${rule.threshold}`
      : `forecast to reach ${rule.threshold} in ${when(f.eta)} (80 % interval ${when(f.etaLow)} – ${
        when(f.etaHigh)
      })`;
  } catch (error) {
    inst.error = `forecast failed: ${(error as Error).message}`;
  }
}
