/**
 * Streaming anomaly detection: a score in [0, 1] per point that depends only on that point and
 * the ones before it, cheap enough to run per series at 1 Hz.
 *
 * The method is a record detector (conformal-style novelty against each feature's own recent
 * history, cf. Ishimtsev et al. 2017, "Conformal k-NN anomaly detector for univariate data
 * streams"). Six features are computed per point:
 *
 * - the value and its moving mean over `meanWindow` points (level: spikes, shifts);
 * - the moving mean of `|Δvalue|` over `2·meanWindow` points (volatility: a series that starts
 *   to oscillate without leaving its range; twice the level window, since a spread needs more
 *   points than a mean to estimate);
 * - the length of a flat run (a stuck sensor), against the longest run so far;
 * - the gap between the moving mean and its value one period earlier, the period found by
 *   autocorrelation (a missing daily peak); scored once a full period of gaps has been seen;
 * - the moving median over `medianWindow` points (a sustained rise or fall that isolated spikes
 *   cannot fake: a burst shorter than half the window leaves the median where it was, so a
 *   plateau after a spike, a slow swell of activity or a shoulder reads as a new level even when
 *   earlier lone spikes had already stretched the range of the moving mean).
 *
 * A feature beyond the range of its history by a fraction `e` of that range scores
 * `0.5 + 0.5·(1 − e^{−10e})`; inside the range the score decays below 0.5. Repeats are
 * suppressed per feature (NAB counts only the earliest detection of a window): once a feature
 * scores at least `alertScore`, for `suppressPoints` points its scores not above its strongest
 * alert so far are halved, while a stronger one passes and becomes the reference (with
 * `repeatMargin` below 1, only a clearly stronger one: `1 − s < repeatMargin·(1 − peak)`); an
 * alert of one feature never hides another feature's. The point's score is the largest feature
 * score.
 *
 * Windows are counted in points of the sampling grid (gaps: see below). The defaults suit 5-minute samples, as in NAB (Lavin & Ahmad
 * 2015): `meanWindow` 24 is 2 hours, `suppressPoints` 400 about a day and a half (`medianWindow`
 * and `repeatMargin` were chosen among 3 × 2 values by NAB's standard score on the 41 files of
 * `bench/anomaly_bench.ts`, where each held-out category's own choice was the same). Unless
 * `suppressPoints` is given, the suppression keeps that span in time for coarser samples: the
 * sampling step is the median gap of the first `learningPoints` timestamps (the past only), and
 * at a step above 5 minutes the 400 points shrink in proportion (33 at 1 hour), never grow.
 * The median window (`medianWindow`, 96 points: 8 hours at 5 minutes) always keeps its span
 * the same way, but never below 12 points (a median of fewer is moved by a burst of a handful
 * of points).
 *
 * Learning: the first `learningPoints` points score 0; with the default (100) learning also
 * lasts at least an hour, so a series of a few minutes at 1-second samples raises no alarm
 * (a record detector finds a new record about once per history length, and minutes of a
 * metric have not yet shown its cron, flush and GC cycles).
 *
 * Once the step is known, missing samples keep every window's span in time: a gap of up to 3
 * missing samples (irregular sampling) is filled with values on the line between its ends,
 * which update the windows but are never scored; a longer outage gets empty slots that move
 * only the seasonal lag and the suppression on, and the seasonal gap is not compared across it
 * until the moving mean's window is past it (no value is invented for an outage). Counted in
 * points, a day after an hour-long outage was compared with the wrong hour of the day before.
 *
 * @module
 */

import { createSlidingRange, type SlidingRange } from "./_anomaly_sliding_range.ts";
import { createMovingMean } from "./_anomaly_moving_mean.ts";
import { createSlidingMedian } from "./_anomaly_sliding_median.ts";
import { dominantPeriod } from "./_anomaly_period.ts";

/** Detector options. */
export interface AnomalyDetectorOptions {
  /** Points of history each feature is compared with; default `5000`. */
  historySize?: number;
  /**
   * Points seen before any score is above 0; default `100`, and then learning also lasts at
   * least an hour (minutes of a series cannot tell its normal swings from anomalies).
   */
  learningPoints?: number;
  /** Moving-mean window in points (the volatility window is twice it); default `24`. */
  meanWindow?: number;
  /**
   * Points for which a feature's weaker repeats of its alert are halved; default `400` at a
   * 5-minute step or finer, fewer for coarser samples (the same ~33 hours; see the module doc).
   */
  suppressPoints?: number;
  /** Feature score at or above which it is an alert that starts suppression; default `0.5`. */
  alertScore?: number;
  /**
   * Moving-median window in points at a 5-minute step or finer; default `96` (8 hours). Coarser
   * samples use the same time span, at least 12 points (see the module doc).
   */
  medianWindow?: number;
  /**
   * How much stronger a repeat must be to pass the suppression: it passes when
   * `1 − score < repeatMargin·(1 − peak)`, in (0, 1]; default `0.8` (`1`: any stronger score
   * passes).
   */
  repeatMargin?: number;
}

/** A streaming detector for one series. */
export interface AnomalyDetector {
  /**
   * Scores the next point.
   * @param ts Its time (ms epoch); the first `learningPoints` gaps set the suppression span.
   * @param value Its value; `NaN` or ±Infinity is a gap: score 0, state unchanged.
   * @returns The anomaly score in [0, 1].
   */
  update(ts: number, value: number): number;
}

const FEATURES = 6; // value, moving mean, volatility, flat run, seasonal gap, moving median
const FLAT_WEIGHT = 0.3, FLAT_OFFSET = 5, SEASON_WEIGHT = 0.3;
/** Median feature: its range's floor (× the values' range), least window, medians before use. */
const MEDIAN_FLOOR = 0.05, MEDIAN_MIN_POINTS = 12, MEDIAN_HISTORY = 50;
/**
 * Gaps: at most this many missing samples are interpolated (more is an outage: empty slots);
 * at most `MAX_FILL` slots are added for one gap (the longest seasonal lag kept).
 */
const SHORT_GAP = 3, MAX_FILL = 2000;
/**
 * Least span of the learning (ms) with the default `learningPoints`: an hour, in which the
 * periodic jobs of a host (5- to 15-minute cron, flush and GC cycles) have repeated a few
 * times. A record detector raises a false alarm about once per history length, so one that
 * has seen minutes of a series cries wolf; at a 5-minute step or coarser, the 100 points
 * already span more than this.
 */
const LEARN_SPAN = 3_600_000;
const PERIOD_EVERY = 600, PERIOD_SPAN = 2000, PERIOD_MIN_LAG = 24, PERIOD_MIN_R = 0.6;

function positiveInteger(value: number, name: string, min = 1): number {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`Invalid ${name}: ${value}`);
  return value;
}

/**
 * Rounding, relative to the values' magnitude. A straight line's steps differ by an ulp of its
 * value, and moving means and their differences carry a few dozen ulps of it; a feature whose
 * history moved only that much counts its range as `2·ROUNDING·magnitude` wide, so such a wiggle
 * is no record (it scored 0.98 on a noise-free line). The flat run uses the same tolerance. A
 * history that never moved at all stays not comparable (an exact constant).
 */
const ROUNDING = 1e-9;

/**
 * How far `x` lies beyond the window's range, as a fraction of it (−∞ when not comparable);
 * the range counts as at least `2·minHalf` wide, and, unless it is exactly 0, at least
 * `2·noise` wide.
 */
function exceedance(
  x: number,
  range: SlidingRange,
  hi: boolean,
  lo: boolean,
  minHalf = 0,
  noise = 0,
): number {
  const mx = range.max(), mn = range.min();
  if (Number.isNaN(mx)) return -Infinity;
  let half = Math.max(minHalf, mx / 2 - mn / 2); // halves: no overflow near ±Number.MAX_VALUE
  if (half === 0) return -Infinity;
  half = Math.max(half, noise);
  const up = hi ? (x / 2 - mx / 2) / half : -Infinity;
  const down = lo ? (mn / 2 - x / 2) / half : -Infinity;
  return Math.max(up, down);
}

/**
 * Creates a streaming anomaly detector for one series (method in the module doc).
 *
 * Degenerate input: the first `learningPoints` finite points score 0 (with the default, also
 * the points of the first hour); a constant series scores
 * 0 until the value changes (a change after a constant history scores close to 1); a straight
 * line's rounding (an ulp of its value per step) is no record at any magnitude; gaps score
 * 0; huge values (up to ±`Number.MAX_VALUE`) do not overflow.
 *
 * @param options Tuning; see {@linkcode AnomalyDetectorOptions}.
 * @returns The detector.
 * @throws {RangeError} If an option is out of range.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createAnomalyDetector } from "./anomaly.ts";
 * const d = createAnomalyDetector();
 * let last = 0;
 * for (let i = 0; i < 300; i++) last = d.update(i * 60_000, 10 + Math.sin(i));
 * assert.ok(last < 0.5);
 * assert.ok(d.update(300 * 60_000, 100) > 0.9);
 * ```
 */
export function createAnomalyDetector(options: AnomalyDetectorOptions = {}): AnomalyDetector {
  const historySize = positiveInteger(options.historySize ?? 5000, "historySize");
  const learning = positiveInteger(options.learningPoints ?? 100, "learningPoints", 0);
  const w = positiveInteger(options.meanWindow ?? 24, "meanWindow");
  let suppressPoints = positiveInteger(options.suppressPoints ?? 400, "suppressPoints", 0);
  const scaleSuppression = options.suppressPoints === undefined;
  const medianSpan = positiveInteger(options.medianWindow ?? 96, "medianWindow");
  const repeatMargin = options.repeatMargin ?? 0.8;
  if (!(repeatMargin > 0 && repeatMargin <= 1)) {
    throw new RangeError(`Invalid repeatMargin: ${repeatMargin}`);
  }
  const gaps: number[] = [];
  let lastTs = NaN, firstTs = NaN, learned = false;
  // Unless told how many points to learn from, learning also lasts LEARN_SPAN in time.
  const learnSpan = options.learningPoints === undefined ? LEARN_SPAN : 0;
  const alertScore = options.alertScore ?? 0.5;
  if (!(alertScore > 0 && alertScore <= 1)) {
    throw new RangeError(`Invalid alertScore: ${alertScore}`);
  }

  const valueRange = createSlidingRange(historySize);
  const meanRange = createSlidingRange(historySize);
  const volRange = createSlidingRange(historySize);
  const seasonRange = createSlidingRange(historySize);
  const medianRange = createSlidingRange(historySize);
  const levelMedian = createSlidingMedian(medianSpan); // shrinks once the step is known
  const level = createMovingMean(w);
  const vol = createMovingMean(2 * w);
  const means = new Float64Array(PERIOD_SPAN);
  const recent = new Float64Array(PERIOD_SPAN);
  const e = new Float64Array(FEATURES); // exceedance per feature
  const peak = new Float64Array(FEATURES); // strongest alert per feature within the window
  const left = new Float64Array(FEATURES); // points of suppression left per feature
  const clean = new Uint8Array(PERIOD_SPAN); // 1: the slot's moving mean spans no outage
  let n = 0, prev = NaN, run = 0, maxRun = 0, period = 0, sinceOutage = Infinity;

  let step = NaN; // the sampling step (ms), once learned

  /**
   * Moves every feature one slot of the sampling grid on with value `x`. A `filled` slot (a
   * value interpolated into a short gap) only keeps the windows' span in time: no flat run, no
   * score.
   */
  function advance(x: number, filled: boolean): number {
    const mean = level.push(x);
    const spread = vol.push(n > 0 ? Math.abs(x / 2 - prev / 2) : 0); // halves: no overflow
    const mx = valueRange.max(), mn = valueRange.min();
    if (!filled) {
      run = x === prev || Math.abs(x - prev) <= ROUNDING * (Math.abs(x) + (mx / 2 - mn / 2))
        ? run + 1
        : 0;
    }
    // what rounding moves the derived features by: a fraction of the values' magnitude
    const noise = ROUNDING * Math.max(Math.abs(mx), Math.abs(mn), Math.abs(x));
    e.fill(-Infinity);
    if (learned && !filled) {
      e[0] = mx === mn && x !== mx ? 1 : exceedance(x, valueRange, true, true);
      if (n >= w) e[1] = exceedance(mean, meanRange, true, true, 0, noise);
      if (n >= 4 * w) e[2] = exceedance(spread, volRange, true, false, 0, noise);
      if (run > maxRun) e[3] = ((run - maxRun) / (maxRun + FLAT_OFFSET)) * FLAT_WEIGHT;
    }
    const cleanNow = sinceOutage >= w; // the moving mean's window holds no outage
    clean[n % PERIOD_SPAN] = cleanNow ? 1 : 0;
    sinceOutage++;
    if (period > 0 && n > period && cleanNow && clean[(n - period) % PERIOD_SPAN]) {
      const residual = Math.abs(mean / 2 - means[(n - period) % PERIOD_SPAN]! / 2);
      if (learned && !filled && seasonRange.count() >= period) {
        e[4] = exceedance(residual, seasonRange, true, false, 0, noise) * SEASON_WEIGHT;
      }
      seasonRange.push(residual);
    }
    levelMedian.push(x);
    if (n >= medianSpan) {
      const median = levelMedian.median();
      if (learned && !filled && medianRange.count() >= MEDIAN_HISTORY) {
        // a history of near-equal medians (a calm or exactly periodic series) would make a
        // tiny move a record: its range counts as at least 5 % of the values' range
        e[5] = exceedance(
          median,
          medianRange,
          true,
          true,
          MEDIAN_FLOOR * (mx / 2 - mn / 2),
          noise,
        );
      }
      medianRange.push(median);
    }
    maxRun = Math.max(maxRun, run);
    valueRange.push(x);
    if (n >= w) meanRange.push(mean);
    if (n >= 2 * w) volRange.push(spread);
    means[n % PERIOD_SPAN] = mean;
    prev = x;
    n++;
    if (n % PERIOD_EVERY === 0) period = findPeriod(means, recent, n);
    let score = 0;
    for (let k = 0; k < FEATURES; k++) {
      const ek = e[k]!;
      let s = ek === -Infinity ? 0 : ek > 0 ? 1 - 0.5 * Math.exp(-10 * ek) : 0.5 * Math.exp(5 * ek);
      countDown(k);
      // a repeat of this feature's alert, unless (clearly) stronger
      if (peak[k]! > 0 && 1 - s >= repeatMargin * (1 - peak[k]!)) s *= 0.5;
      else if (s >= alertScore && suppressPoints > 0) (peak[k] = s, left[k] = suppressPoints);
      if (s > score) score = s;
    }
    return score;
  }

  /** One slot of suppression time passes for feature `k`. */
  function countDown(k: number): void {
    if (left[k]! > 0) left[k]!--;
    else peak[k] = 0;
  }

  /**
   * Moves the time on by one empty slot of an outage: the seasonal lag and the suppression keep
   * their span in time, nothing else sees the slot (no value is invented for a long outage).
   */
  function skip(): void {
    means[n % PERIOD_SPAN] = means[(n + PERIOD_SPAN - 1) % PERIOD_SPAN]!;
    clean[n % PERIOD_SPAN] = 0;
    n++;
    if (n % PERIOD_EVERY === 0) period = findPeriod(means, recent, n);
    for (let k = 0; k < FEATURES; k++) countDown(k);
    sinceOutage = 0;
  }

  return {
    update(ts: number, x: number): number {
      if (!Number.isFinite(x)) return 0;
      if (!learned) {
        if (gaps.length < learning && ts - lastTs > 0) gaps.push(ts - lastTs);
        if (Number.isNaN(firstTs)) firstTs = ts;
        // timestamps that do not move on (or are not numbers) leave only the count of points
        const span = ts - firstTs;
        learned = n >= learning && (!(span > 0) || span >= learnSpan);
        if (learned && gaps.length) {
          step = medianGap(gaps);
          if (scaleSuppression) suppressPoints = suppressionFor(step);
          levelMedian.resize(medianFor(step, medianSpan));
        }
      } else if (ts - lastTs > 1.5 * step) {
        // Missing samples. A few (irregular sampling) get values on the line from the last
        // value to this one; a longer outage gets empty slots. Either way every window, the
        // seasonal lag and the suppression keep their span in time, not in points.
        const slots = Math.min(MAX_FILL, Math.round((ts - lastTs) / step) - 1);
        if (slots <= SHORT_GAP) {
          for (let j = 1; j <= slots; j++) advance(prev + ((x - prev) * j) / (slots + 1), true);
        } else for (let j = 0; j < slots; j++) skip();
      }
      lastTs = ts;
      return advance(x, false);
    },
  };
}

/** The median gap between timestamps (ms): the sampling step. */
function medianGap(gaps: number[]): number {
  return gaps.sort((a, b) => a - b)[gaps.length >> 1]!;
}

/** 400 points at 5 minutes or finer; the same time span in points for coarser steps. */
function suppressionFor(step: number): number {
  return Math.max(1, Math.round(400 / Math.max(1, step / 300_000)));
}

/** `span` points at 5 minutes or finer; the same time span for coarser steps, ≥ 12 points. */
function medianFor(step: number, span: number): number {
  const points = Math.round(span / Math.max(1, step / 300_000));
  return Math.min(span, Math.max(MEDIAN_MIN_POINTS, points));
}

function findPeriod(means: Float64Array, scratch: Float64Array, n: number): number {
  const len = Math.min(n, PERIOD_SPAN);
  for (let i = 0; i < len; i++) scratch[i] = means[(n - len + i) % PERIOD_SPAN]!;
  return dominantPeriod(scratch.subarray(0, len), PERIOD_MIN_LAG, PERIOD_MIN_R);
}
/**
 * Scores a whole series by feeding a fresh detector point by point, so each score depends only
 * on the points at or before it.
 *
 * @param ts Timestamps (ms epoch), one per value.
 * @param values The values; `NaN` marks a gap (score 0).
 * @param options Detector options.
 * @returns One score in [0, 1] per point (empty for empty input).
 * @throws {RangeError} If the lengths differ or an option is out of range.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scoreSeries } from "./anomaly.ts";
 * const values = Float64Array.from({ length: 500 }, (_, i) => (i === 400 ? 50 : i % 7));
 * const ts = Float64Array.from(values, (_, i) => i * 300_000); // every 5 minutes
 * const scores = scoreSeries(ts, values);
 * assert.ok(scores[400]! > 0.9 && scores[399]! <= 0.5);
 * ```
 */
export function scoreSeries(
  ts: Float64Array,
  values: Float64Array,
  options: AnomalyDetectorOptions = {},
): Float64Array {
  if (ts.length !== values.length) {
    throw new RangeError(`Invalid series: ${ts.length} timestamps for ${values.length} values`);
  }
  const detector = createAnomalyDetector(options);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = detector.update(ts[i]!, values[i]!);
  return out;
}
