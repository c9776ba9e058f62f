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
  inst.detector ??= createAnomalyDetector({
    historySize: ANOMALY_HISTORY,
    learningPoints: inst.rule.learningPoints,
    suppressPoints: 0,
  });
  inst.score = inst.detector.update(ts, value);
  inst.seen++;
  inst.run = inst.score >= inst.rule.scoreAbove ? inst.run + 1 : 0;
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
  inst.bins ??= {
    widthMs,
    index: new Float64Array(BINS).fill(-1),
    sum: new Float64Array(BINS),
    count: new Float64Array(BINS),
  };
  const b = inst.bins;
  const bin = Math.floor(ts / b.widthMs);
  const slot = ((bin % BINS) + BINS) % BINS;
  if (b.index[slot] !== bin) (b.index[slot] = bin, b.sum[slot] = 0, b.count[slot] = 0);
  b.sum[slot]! += value;
  b.count[slot]!++;
}

/**
 * Runs the forecast when due and stores the verdict on the instance: `cond` 1 when the limit is
 * (forecast to be) crossed within `within`, `predicted` the seconds until then, `reason` the
 * time with its 80 % interval.
 *
 * @param inst The instance.
 * @param now Evaluation time.
 */
export function predictiveCondition(inst: Live, now: number): void {
  if (now < inst.nextAt) return;
  inst.nextAt = now + inst.rule.everyMs;
  const b = inst.bins;
  if (!b) return;
  const rule = inst.rule;
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
    const f = capacityForecast(ts, values, {
      threshold: rule.threshold,
      now,
      horizonMs: rule.withinMs,
      direction: rule.up ? "up" : "down",
      seasonMs: 0,
      bootstrap: 50,
    });
    inst.error = undefined;
    if (f.status === "insufficient") {
      inst.cond = -1;
      return;
    }
    const crossing = f.status === "over" ||
      (f.status === "crossing" && f.eta !== null && f.eta <= now + rule.withinMs);
    inst.cond = crossing ? 1 : 0;
    inst.predicted = crossing ? Math.max(0, (f.eta! - now) / 1000) : NaN;
    if (crossing) {
      const when = (t: number | null) => t === null ? "?" : formatDuration(Math.max(0, t - now));
      inst.reason = f.status === "over"
        ? `already past ${rule.threshold}`
        : `forecast to reach ${rule.threshold} in ${when(f.eta)} (80 % interval ${
          when(f.etaLow)
        } – ${when(f.etaHigh)})`;
    }
  } catch (error) {
    inst.error = `forecast failed: ${(error as Error).message}`;
  }
}
