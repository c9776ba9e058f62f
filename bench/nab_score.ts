/**
 * The Numenta Anomaly Benchmark (NAB) scoring rules, written from the published description
 * (Lavin & Ahmad 2015, "Evaluating Real-time Anomaly Detection Algorithms – the Numenta Anomaly
 * Benchmark") and the rules of NAB v1.1 (`nab/sweeper.py`, `nab/runner.py` in numenta/NAB):
 *
 * - the first 15 % of each file's rows (at most 750) is probationary: never scored;
 * - a detection at row `i` inside window `[l, r]` earns `A_TP · σ(−(r − i + 1)/(r − l + 1)) / σ(−1)`
 *   where `σ(y) = 2/(1 + e^{5y}) − 1`; only the best (earliest) detection of a window counts;
 * - a window without detection costs `A_FN`;
 * - a detection outside every window costs `A_FP` if no window precedes it, else
 *   `A_FP · σ((i − r_prev)/(w_prev − 1))` (about −A_FP from 3 widths after that window on);
 * - a file's raw score is the sum; the corpus score is `100·(S − S_null)/(S_perfect − S_null)`;
 * - one threshold (detection when `score ≥ threshold`) is chosen for the whole corpus by sweeping
 *   every distinct anomaly score, as NAB's optimizer does.
 *
 * @module
 */

/** Weights of one NAB application profile. */
export interface NabProfile {
  /** Reward for a detection at the very start of a window. */
  tpWeight: number;
  /** Cost of a detection far from any window. */
  fpWeight: number;
  /** Cost of a missed window. */
  fnWeight: number;
}

/** NAB's three application profiles (`config/profiles.json`). */
export const NAB_PROFILES: Readonly<Record<string, NabProfile>> = {
  standard: { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 },
  reward_low_FP_rate: { tpWeight: 1, fpWeight: 0.22, fnWeight: 1 },
  reward_low_FN_rate: { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 },
};

/** One scored file: timestamps, a detector's anomaly scores and the labelled windows. */
export interface NabFile {
  /** File name, e.g. `realAWSCloudwatch/grok_asg_anomaly.csv`. */
  name: string;
  /** Row timestamps (ms epoch), ascending. */
  ts: Float64Array;
  /** Anomaly score per row; `NaN` never detects. */
  scores: Float64Array;
  /** Anomaly windows as `[start, end]` timestamps (ms epoch), inclusive, ascending. */
  windows: ReadonlyArray<readonly [number, number]>;
}

/** Scoring options. */
export interface NabScoreOptions {
  /** Probationary fraction of each file; default `0.15` (capped at `0.15 · 5000` rows). */
  probationPercent?: number;
}

/** The score of one file at a threshold. */
export interface NabFileScore {
  /** File name. */
  name: string;
  /** Raw NAB score (sum of rewards and costs). */
  score: number;
  /** Raw score of the detector that never detects (`−A_FN` per window). */
  nullScore: number;
  /** Raw score of a detector hitting each window's first row (`A_TP` per window). */
  perfectScore: number;
  /** Detected and missed windows, false-positive rows. */
  tp: number;
  fn: number;
  fp: number;
}

/** A corpus score at one threshold. */
export interface NabResult {
  /** The threshold: rows with `score ≥ threshold` are detections. */
  threshold: number;
  /** Normalized score, 100 for perfect, 0 for null (`NaN` when the corpus has no window). */
  normalized: number;
  /** Raw corpus score, and those of the null and perfect detectors. */
  score: number;
  nullScore: number;
  perfectScore: number;
  /** Per-file breakdown. */
  files: NabFileScore[];
}

/** NAB's scaled sigmoid: `2/(1 + e^{5y}) − 1`, and −1 beyond 3 window widths. */
export function scaledSigmoid(y: number): number {
  return y > 3 ? -1 : 2 / (1 + Math.exp(5 * y)) - 1;
}

interface Prepared {
  name: string;
  scores: Float64Array;
  weights: Float64Array; // reward if detected (TP part) or cost (FP part)
  window: Int32Array; // window id in this file, −1 outside, −2 probationary
  windowCount: number;
}

function prepare(file: NabFile, profile: NabProfile, probation: number): Prepared {
  const { ts, scores } = file;
  const n = ts.length;
  if (scores.length !== n) {
    throw new RangeError(`Invalid scores for ${file.name}: ${scores.length} for ${n} rows`);
  }
  const weights = new Float64Array(n);
  const window = new Int32Array(n).fill(-1);
  const probationLength = Math.min(Math.floor(probation * n), probation * 5000);
  const maxTp = scaledSigmoid(-1);
  let prevRight = -1;
  let prevWidth = 0;
  let i = 0;
  let windowCount = 0;
  for (const [start, end] of file.windows) {
    let l = i;
    while (l < n && ts[l]! < start) l++;
    let r = l;
    while (r + 1 < n && ts[r + 1]! <= end) r++;
    for (; i < l; i++) weights[i] = fpWeight(i, prevRight, prevWidth, profile);
    if (l >= n || ts[l]! > end) continue; // no row inside this window
    const width = r - l + 1;
    let scorable = false;
    for (; i <= r; i++) {
      weights[i] = profile.tpWeight * scaledSigmoid(-(r - i + 1) / width) / maxTp;
      window[i] = windowCount;
      if (i >= probationLength) scorable = true;
    }
    if (scorable) windowCount++;
    else window.fill(-1, l, r + 1);
    prevRight = r;
    prevWidth = width;
  }
  for (; i < n; i++) weights[i] = fpWeight(i, prevRight, prevWidth, profile);
  for (let k = 0; k < probationLength && k < n; k++) window[k] = -2;
  return { name: file.name, scores, weights, window, windowCount };
}

function fpWeight(i: number, prevRight: number, prevWidth: number, profile: NabProfile): number {
  // A one-row window has no width to scale by: later detections count as far from it.
  if (prevRight < 0 || prevWidth <= 1) return -profile.fpWeight;
  return profile.fpWeight * scaledSigmoid((i - prevRight) / (prevWidth - 1));
}

function fileScore(p: Prepared, threshold: number, profile: NabProfile): NabFileScore {
  const best = new Float64Array(p.windowCount).fill(-profile.fnWeight);
  const hit = new Uint8Array(p.windowCount);
  let fpSum = 0;
  let fp = 0;
  for (let i = 0; i < p.scores.length; i++) {
    const w = p.window[i]!;
    if (w === -2 || !(p.scores[i]! >= threshold)) continue;
    if (w === -1) (fpSum += p.weights[i]!, fp++);
    else if (!hit[w]) (hit[w] = 1, best[w] = p.weights[i]!);
  }
  let score = fpSum;
  let tp = 0;
  for (let w = 0; w < p.windowCount; w++) (score += best[w]!, tp += hit[w]!);
  return {
    name: p.name,
    score,
    nullScore: -profile.fnWeight * p.windowCount,
    perfectScore: profile.tpWeight * p.windowCount,
    tp,
    fn: p.windowCount - tp,
    fp,
  };
}

function total(files: NabFileScore[], threshold: number): NabResult {
  let score = 0, nullScore = 0, perfectScore = 0;
  for (const f of files) {
    (score += f.score, nullScore += f.nullScore, perfectScore += f.perfectScore);
  }
  const normalized = perfectScore === nullScore
    ? NaN
    : 100 * (score - nullScore) / (perfectScore - nullScore);
  return { threshold, normalized, score, nullScore, perfectScore, files };
}

/**
 * Scores a corpus at a given threshold.
 *
 * @param files The files with a detector's scores and their windows.
 * @param threshold Rows with `score ≥ threshold` are detections.
 * @param profile The weights; default {@linkcode NAB_PROFILES}`.standard`.
 * @param options Probationary fraction.
 * @returns The normalized and raw scores with a per-file breakdown; `normalized` is `NaN` when
 * no file has a scorable window.
 * @throws {RangeError} If a file's scores and timestamps differ in length.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nabScore } from "./nab_score.ts";
 * const ts = Float64Array.from({ length: 100 }, (_, i) => i);
 * const scores = new Float64Array(100);
 * scores[50] = 1; // the first row of the window
 * const r = nabScore([{ name: "a", ts, scores, windows: [[50, 59]] }], 0.5);
 * assert.equal(r.normalized, 100);
 * ```
 */
export function nabScore(
  files: readonly NabFile[],
  threshold: number,
  profile: NabProfile = NAB_PROFILES.standard!,
  options: NabScoreOptions = {},
): NabResult {
  const probation = options.probationPercent ?? 0.15;
  const scored = files.map((f) => fileScore(prepare(f, profile, probation), threshold, profile));
  return total(scored, threshold);
}

/**
 * Finds the one threshold that maximizes the corpus score, sweeping every distinct anomaly
 * score from the highest down (NAB's `Sweeper.calcScoreByThreshold`), then scores the corpus
 * at it. Ties keep the highest threshold; if no threshold beats detecting nothing, the
 * threshold is `1.1` (above every score in [0, 1]).
 *
 * @param files The files with a detector's scores and their windows.
 * @param profile The weights; default {@linkcode NAB_PROFILES}`.standard`.
 * @param options Probationary fraction.
 * @returns The best corpus score, with its threshold and per-file breakdown.
 * @throws {RangeError} If a file's scores and timestamps differ in length.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nabOptimize } from "./nab_score.ts";
 * const ts = Float64Array.from({ length: 100 }, (_, i) => i);
 * const scores = new Float64Array(100).fill(0.1);
 * scores[52] = 0.9;
 * const r = nabOptimize([{ name: "a", ts, scores, windows: [[50, 59]] }]);
 * assert.equal(r.threshold, 0.9);
 * assert.ok(r.normalized > 90);
 * ```
 */
export function nabOptimize(
  files: readonly NabFile[],
  profile: NabProfile = NAB_PROFILES.standard!,
  options: NabScoreOptions = {},
): NabResult {
  const probation = options.probationPercent ?? 0.15;
  const prepared = files.map((f) => prepare(f, profile, probation));
  const scores: number[] = [], weights: number[] = [], windows: number[] = [];
  let windowBase = 0;
  for (const p of prepared) {
    for (let i = 0; i < p.scores.length; i++) {
      const w = p.window[i]!;
      if (w === -2 || Number.isNaN(p.scores[i]!)) continue;
      scores.push(p.scores[i]!);
      weights.push(p.weights[i]!);
      windows.push(w < 0 ? -1 : windowBase + w);
    }
    windowBase += p.windowCount;
  }
  const order = Uint32Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]!);
  const best = new Float64Array(windowBase).fill(-profile.fnWeight);
  const hit = new Uint8Array(windowBase);
  let current = -profile.fnWeight * windowBase;
  let bestScore = current;
  let bestThreshold = 1.1;
  for (let k = 0; k < order.length; k++) {
    const j = order[k]!;
    const w = windows[j]!;
    if (w < 0) current += weights[j]!;
    else if (!hit[w] || weights[j]! > best[w]!) {
      current += weights[j]! - best[w]!;
      best[w] = weights[j]!;
      hit[w] = 1;
    }
    const next = order[k + 1];
    const atBoundary = next === undefined || scores[next]! !== scores[j]!;
    if (atBoundary && current > bestScore + 1e-12) {
      (bestScore = current, bestThreshold = scores[j]!);
    }
  }
  return total(prepared.map((p) => fileScore(p, bestThreshold, profile)), bestThreshold);
}
