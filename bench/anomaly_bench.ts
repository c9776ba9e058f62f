/**
 * Anomaly benchmark: the streaming detector's NAB score on the 41 files in `../shared/data/nab`.
 *
 * Headline: the **out-of-fold** score by leave-one-category-out cross-validation. For each of
 * the five categories the one corpus-wide threshold is chosen on the other four, that category
 * is scored at it, and the raw scores of the five held-out categories are summed and normalized
 * as NAB does (`100·(S − S_null)/(S_perfect − S_null)`). The in-fold score (threshold chosen on
 * all 41 files, as NAB's own optimizer and the published figures do) is printed beside it, for
 * the standard, reward-low-FP and reward-low-FN profiles. Also: per-category figures,
 * a sensitivity table (each option ×0.75 and ×1.25), the published detectors' in-fold scores on
 * these 41 files (nab/README) and throughput in points/s.
 *
 * Run: `deno run -A bench/anomaly_bench.ts [--quick]` (`--quick` skips the sensitivity table).
 *
 * @module
 */

import { sharedData } from "./_shared_data.ts";
import { parseTimestamp, readCsvSeries } from "../analytics/series/csv_series.ts";
import { type AnomalyDetectorOptions, scoreSeries } from "../analytics/anomaly/anomaly.ts";
import {
  NAB_PROFILES,
  type NabFile,
  nabOptimize,
  type NabProfile,
  type NabResult,
  nabScore,
} from "./nab_score.ts";

/**
 * Published detectors' standard-profile scores on exactly these 41 files, each at its own
 * corpus-wide threshold (in-fold), from NAB's per-file results (`../shared/data/nab/README.md`).
 */
export const NAB_ANCHORS: Readonly<Record<string, number>> = {
  "ARTime": 76.95,
  "CAD OSE": 73.73,
  "Numenta HTM": 73.3,
  "KNN-CAD": 64.23,
  "Skyline": 61.03,
};

/** One NAB data file with its labelled windows. */
export interface NabSeries {
  name: string;
  ts: Float64Array;
  values: Float64Array;
  windows: Array<[number, number]>;
}

/** Figures returned by {@linkcode run}. */
export interface AnomalyBenchResult {
  /** In-fold normalized score and threshold per profile (threshold chosen on all files). */
  profiles: Record<string, { score: number; threshold: number }>;
  /**
   * Out-of-fold normalized score per profile: each category scored at the threshold chosen on
   * the other categories, raw scores summed over the held-out categories.
   */
  outOfFold: Record<string, number>;
  /** Per-category figures at the standard profile's threshold. */
  categories: Record<string, { score: number; raw: number; tp: number; fn: number; fp: number }>;
  /** Standard score of each category with the threshold chosen on all the other categories. */
  leaveOut: Record<string, { score: number; raw: number; threshold: number }>;
  /** Standard score and threshold on the artificial files alone. */
  artificial: { score: number; threshold: number };
  /** Standard score with one option scaled by 0.75 and by 1.25 (empty with `quick`). */
  sensitivity: Record<string, { low: number; high: number; lowValue: number; highValue: number }>;
  /** Detector throughput, points per second. */
  pointsPerSecond: number;
  /** Files and points scored. */
  files: number;
  points: number;
}

/**
 * Reads the NAB corpus: every file named in `labels/combined_windows.json` under `data/`.
 *
 * @param root The NAB folder (holding `data/` and `labels/`).
 * @returns The series in name order.
 * @throws {Deno.errors.NotFound} If the folder or a file is missing.
 */
export function loadNabCorpus(root: string): NabSeries[] {
  const labels = JSON.parse(
    Deno.readTextFileSync(`${root}/labels/combined_windows.json`),
  ) as Record<string, [string, string][]>;
  return Object.keys(labels).sort().map((name) => {
    const s = readCsvSeries(Deno.readTextFileSync(`${root}/data/${name}`));
    const windows = labels[name]!.map(([a, b]) => [parseTimestamp(a), parseTimestamp(b)]);
    return { name, ts: s.ts, values: s.values, windows: windows as Array<[number, number]> };
  });
}

/**
 * Leave-one-category-out cross-validation of the one corpus-wide threshold: each category
 * (the folder before `/`) is scored at the threshold {@linkcode nabOptimize} chooses on the
 * other categories; the held-out raw scores are summed and normalized.
 *
 * @param files Scored files; their category is the part of the name before `/`.
 * @param profile NAB profile; default standard.
 * @returns The out-of-fold normalized score and each category's held-out result.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { leaveCategoryOut } from "./anomaly_bench.ts";
 * const ts = Float64Array.from({ length: 100 }, (_, i) => i);
 * const file = (name: string) => {
 *   const scores = new Float64Array(100).fill(0.1);
 *   scores[52] = 0.9;
 *   return { name, ts, scores, windows: [[50, 59]] as Array<[number, number]> };
 * };
 * const r = leaveCategoryOut([file("a/1.csv"), file("b/1.csv")]);
 * assert.ok(r.normalized > 90);
 * ```
 */
export function leaveCategoryOut(
  files: readonly NabFile[],
  profile: NabProfile = NAB_PROFILES.standard!,
): { normalized: number; folds: Record<string, NabResult> } {
  const folds: Record<string, NabResult> = {};
  let raw = 0, nul = 0, perfect = 0;
  const categoryOf = (f: NabFile) => f.name.split("/")[0]!;
  for (const c of new Set(files.map(categoryOf))) {
    const threshold = nabOptimize(files.filter((f) => categoryOf(f) !== c), profile).threshold;
    const held = nabScore(files.filter((f) => categoryOf(f) === c), threshold, profile);
    (raw += held.score, nul += held.nullScore, perfect += held.perfectScore);
    folds[c] = held;
  }
  const normalized = perfect === nul ? NaN : (100 * (raw - nul)) / (perfect - nul);
  return { normalized, folds };
}

function category(result: NabResult, prefix: string) {
  const files = result.files.filter((f) => f.name.startsWith(prefix + "/"));
  let raw = 0, nul = 0, perfect = 0, tp = 0, fn = 0, fp = 0;
  for (const f of files) {
    (raw += f.score, nul += f.nullScore, perfect += f.perfectScore);
    (tp += f.tp, fn += f.fn, fp += f.fp);
  }
  const score = perfect === nul ? NaN : (100 * (raw - nul)) / (perfect - nul);
  return { score, raw, tp, fn, fp };
}

/** Options of {@linkcode run}. */
export interface AnomalyBenchOptions {
  /** The NAB folder; default `../shared/data/nab` next to the repository. */
  root?: string;
  /** Skip the sensitivity table; default false. */
  quick?: boolean;
}

/** Default detector options that the sensitivity table perturbs. */
export const SENSITIVITY_KNOBS: Readonly<Record<string, number>> = {
  meanWindow: 24,
  suppressPoints: 400,
  alertScore: 0.5,
  historySize: 5000,
  learningPoints: 100,
};

function scoreCorpus(corpus: NabSeries[], options: AnomalyDetectorOptions = {}): NabFile[] {
  return corpus.map((c) => ({
    name: c.name,
    ts: c.ts,
    windows: c.windows,
    scores: scoreSeries(c.ts, c.values, options),
  }));
}

function scaled(name: string, value: number, factor: number): number {
  return name === "alertScore" ? Math.min(1, value * factor) : Math.round(value * factor);
}

/**
 * Runs the benchmark and prints a table. Never asserts.
 *
 * @param options Data folder and whether to skip the sensitivity table.
 * @returns The figures, or `undefined` (with a message) when the data is absent.
 */
export function run(options: AnomalyBenchOptions = {}): AnomalyBenchResult | undefined {
  const root = options.root ?? sharedData("nab");
  let corpus: NabSeries[];
  try {
    corpus = loadNabCorpus(root);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    console.log(`anomaly bench: skipped, no NAB data at ${root}`);
    return undefined;
  }
  const t0 = performance.now();
  const files = scoreCorpus(corpus);
  const seconds = (performance.now() - t0) / 1000;
  const points = corpus.reduce((a, c) => a + c.ts.length, 0);
  const profiles: AnomalyBenchResult["profiles"] = {};
  const outOfFold: AnomalyBenchResult["outOfFold"] = {};
  for (const [name, profile] of Object.entries(NAB_PROFILES)) {
    const r = nabOptimize(files, profile);
    profiles[name] = { score: r.normalized, threshold: r.threshold };
    outOfFold[name] = leaveCategoryOut(files, profile).normalized;
  }
  const standard = nabScore(files, profiles.standard!.threshold);
  const categories: AnomalyBenchResult["categories"] = {};
  const leaveOut: AnomalyBenchResult["leaveOut"] = {};
  for (const [prefix, held] of Object.entries(leaveCategoryOut(files).folds)) {
    categories[prefix] = category(standard, prefix);
    leaveOut[prefix] = { score: held.normalized, raw: held.score, threshold: held.threshold };
  }
  const art = nabOptimize(files.filter((f) => f.name.startsWith("artificial")));
  const sensitivity: AnomalyBenchResult["sensitivity"] = {};
  if (!options.quick) {
    for (const [name, value] of Object.entries(SENSITIVITY_KNOBS)) {
      const [lowValue, highValue] = [scaled(name, value, 0.75), scaled(name, value, 1.25)];
      const at = (v: number) => leaveCategoryOut(scoreCorpus(corpus, { [name]: v })).normalized;
      sensitivity[name] = { low: at(lowValue), high: at(highValue), lowValue, highValue };
    }
  }
  const result = {
    profiles,
    outOfFold,
    categories,
    leaveOut,
    artificial: { score: art.normalized, threshold: art.threshold },
    sensitivity,
    pointsPerSecond: points / seconds,
    files: files.length,
    points,
  };
  print(result);
  return result;
}

function print(r: AnomalyBenchResult): void {
  console.log(`NAB: ${r.files} files, ${r.points} points (one threshold per profile)`);
  console.log(
    "  profile              out-of-fold (leave one category out)   in-fold  in-fold threshold",
  );
  for (const [name, p] of Object.entries(r.profiles)) {
    console.log(
      `  ${name.padEnd(20)} ${r.outOfFold[name]!.toFixed(2).padStart(8)}${" ".repeat(30)}${
        p.score.toFixed(2).padStart(6)
      }  ${p.threshold.toFixed(6)}`,
    );
  }
  console.log("Per category (standard profile, its threshold):");
  for (const [name, c] of Object.entries(r.categories)) {
    const score = Number.isNaN(c.score) ? "   n/a" : c.score.toFixed(2).padStart(6);
    console.log(
      `  ${name.padEnd(22)} score ${score}  raw ${
        c.raw.toFixed(2).padStart(6)
      }  tp ${c.tp} fn ${c.fn} fp ${c.fp}`,
    );
  }
  console.log("Leave one category out (threshold chosen on the other categories):");
  for (const [name, c] of Object.entries(r.leaveOut)) {
    const score = Number.isNaN(c.score) ? "   n/a" : c.score.toFixed(2).padStart(6);
    console.log(
      `  ${name.padEnd(22)} score ${score}  raw ${c.raw.toFixed(2).padStart(6)}  threshold ${
        c.threshold.toFixed(4)
      }`,
    );
  }
  console.log(
    `Artificial files alone: score ${r.artificial.score.toFixed(2)}  threshold ${
      r.artificial.threshold.toFixed(4)
    }`,
  );
  if (Object.keys(r.sensitivity).length > 0) {
    const base = r.profiles.standard!.score;
    console.log(
      `Sensitivity (out-of-fold standard, base ${r.outOfFold.standard!.toFixed(2)}, in-fold ${
        base.toFixed(2)
      }; option ×0.75 / ×1.25):`,
    );
    for (const [name, s] of Object.entries(r.sensitivity)) {
      console.log(
        `  ${name.padEnd(16)} ${String(s.lowValue).padStart(5)} → ${
          s.low.toFixed(2).padStart(6)
        }   ${String(s.highValue).padStart(5)} → ${s.high.toFixed(2).padStart(6)}`,
      );
    }
  }
  console.log("Anchors (published, these 41 files, standard profile, in-fold threshold):");
  for (const [name, score] of Object.entries(NAB_ANCHORS)) {
    console.log(`  ${name.padEnd(20)} ${score.toFixed(1)}`);
  }
  console.log(`Throughput: ${Math.round(r.pointsPerSecond).toLocaleString("en")} points/s`);
}

if (import.meta.main) run({ quick: Deno.args.includes("--quick") });
