/**
 * Anomaly benchmark: the streaming detector's NAB score on the 41 files in `../shared/data/nab`.
 *
 * Headline: the **out-of-fold** score by leave-one-category-out cross-validation. For each of
 * the five categories the detector's options (among {@linkcode OPTION_GRID}) and the one
 * corpus-wide threshold are chosen on the other four, that category is scored with them, and
 * the raw scores of the five held-out categories are summed and normalized as NAB does
 * (`100·(S − S_null)/(S_perfect − S_null)`). Beside it, the same with the default options fixed
 * (only the threshold chosen out of fold). The in-fold score (threshold chosen on
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
import { benchMain, quickFlag } from "./_flags.ts";

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

/**
 * Detector options the out-of-fold selection chooses among (with the threshold) for each
 * held-out category; ties go to the earlier set. The detector's defaults are the set chosen on
 * all 41 files (`medianWindow` 96, `repeatMargin` 0.8).
 */
export const OPTION_GRID: readonly AnomalyDetectorOptions[] = [24, 48, 96].flatMap((
  medianWindow,
) => [1, 0.8].map((repeatMargin) => ({ medianWindow, repeatMargin })));

/** Figures returned by {@linkcode run}. */
export interface AnomalyBenchResult {
  /**
   * Out-of-fold standard score with the options and the threshold both chosen on the other
   * categories, and per held-out category the chosen option set (index in
   * {@linkcode OPTION_GRID}) and threshold.
   */
  nested: {
    normalized: number;
    folds: Record<string, { choice: number; threshold: number; score: number }>;
  };
  /** In-fold: the option set (index in {@linkcode OPTION_GRID}) best on all files, its score. */
  nestedInFold: { choice: number; score: number };
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

/**
 * Leave-one-category-out cross-validation of the detector's options and the threshold: for
 * each category, the candidate (a scoring of every file with one option set) and threshold
 * that {@linkcode nabOptimize} rates best on the other categories are chosen (ties: the
 * earlier candidate), and the category is scored with them.
 *
 * @param candidates One scored corpus per option set, files in the same order in each.
 * @param profile NAB profile; default standard.
 * @returns The out-of-fold normalized score and each category's choice and held-out score.
 * @throws {RangeError} If no candidate is given.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { leaveCategoryOutWithOptions } from "./anomaly_bench.ts";
 * const ts = Float64Array.from({ length: 100 }, (_, i) => i);
 * const file = (name: string, hit: number) => {
 *   const scores = new Float64Array(100).fill(0.1);
 *   scores[hit] = 0.9;
 *   return { name, ts, scores, windows: [[50, 59]] as Array<[number, number]> };
 * };
 * // the second option set hits both windows, the first neither
 * const late = [file("a/1.csv", 80), file("b/1.csv", 80)];
 * const onTime = [file("a/1.csv", 52), file("b/1.csv", 52)];
 * const r = leaveCategoryOutWithOptions([late, onTime]);
 * assert.equal(r.folds.a!.choice, 1);
 * assert.ok(r.normalized > 90);
 * ```
 */
export function leaveCategoryOutWithOptions(
  candidates: readonly (readonly NabFile[])[],
  profile: NabProfile = NAB_PROFILES.standard!,
): {
  normalized: number;
  folds: Record<string, { choice: number; threshold: number; score: number }>;
} {
  if (candidates.length === 0) throw new RangeError("Invalid candidates: none");
  const folds: Record<string, { choice: number; threshold: number; score: number }> = {};
  let raw = 0, nul = 0, perfect = 0;
  const categoryOf = (f: NabFile) => f.name.split("/")[0]!;
  for (const c of new Set(candidates[0]!.map(categoryOf))) {
    let choice = 0, threshold = NaN, best = -Infinity;
    candidates.forEach((files, j) => {
      const r = nabOptimize(files.filter((f) => categoryOf(f) !== c), profile);
      if (r.score > best + 1e-9) (best = r.score, choice = j, threshold = r.threshold);
    });
    const held = nabScore(
      candidates[choice]!.filter((f) => categoryOf(f) === c),
      threshold,
      profile,
    );
    (raw += held.score, nul += held.nullScore, perfect += held.perfectScore);
    folds[c] = { choice, threshold, score: held.normalized };
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
  medianWindow: 96,
  repeatMargin: 0.8,
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
  return name === "alertScore" || name === "repeatMargin"
    ? Math.min(1, value * factor)
    : Math.round(value * factor);
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
  const candidates = OPTION_GRID.map((o) => scoreCorpus(corpus, o));
  const nested = leaveCategoryOutWithOptions(candidates);
  const inFoldScores = candidates.map((c) => nabOptimize(c).normalized);
  const bestInFold = inFoldScores.indexOf(Math.max(...inFoldScores));
  const sensitivity: AnomalyBenchResult["sensitivity"] = {};
  if (!options.quick) {
    for (const [name, value] of Object.entries(SENSITIVITY_KNOBS)) {
      const [lowValue, highValue] = [scaled(name, value, 0.75), scaled(name, value, 1.25)];
      const at = (v: number) => leaveCategoryOut(scoreCorpus(corpus, { [name]: v })).normalized;
      sensitivity[name] = { low: at(lowValue), high: at(highValue), lowValue, highValue };
    }
  }
  const result = {
    nested,
    nestedInFold: { choice: bestInFold, score: inFoldScores[bestInFold]! },
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
  const optionText = (j: number) => JSON.stringify(OPTION_GRID[j]);
  console.log(
    `  standard, options and threshold chosen out of fold: ${
      r.nested.normalized.toFixed(2)
    }  (in-fold best of the ${OPTION_GRID.length} option sets: ${
      r.nestedInFold.score.toFixed(2)
    } with ${optionText(r.nestedInFold.choice)})`,
  );
  for (const [name, f] of Object.entries(r.nested.folds)) {
    const score = Number.isNaN(f.score) ? "   n/a" : f.score.toFixed(2).padStart(6);
    console.log(
      `    held out ${name.padEnd(22)} ${score}  options ${optionText(f.choice)}  threshold ${
        f.threshold.toFixed(4)
      }`,
    );
  }
  console.log("With the default options (only the threshold chosen out of fold):");
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
        `  ${name.padEnd(16)} ${String(+s.lowValue.toPrecision(6)).padStart(5)} → ${
          s.low.toFixed(2).padStart(6)
        }   ${String(+s.highValue.toPrecision(6)).padStart(5)} → ${s.high.toFixed(2).padStart(6)}`,
      );
    }
  }
  console.log("Anchors (published, these 41 files, standard profile, in-fold threshold):");
  for (const [name, score] of Object.entries(NAB_ANCHORS)) {
    console.log(`  ${name.padEnd(20)} ${score.toFixed(1)}`);
  }
  console.log(`Throughput: ${Math.round(r.pointsPerSecond).toLocaleString("en")} points/s`);
}

const USAGE = `Usage: deno run -A bench/anomaly_bench.ts [--quick]

Scores the streaming anomaly detector on the NAB files in the shared data (nab/): out-of-fold
by leave-one-category-out, in-fold beside it, and throughput.

Options:
  --quick      shorter runs (as deno task bench --quick)
  -h, --help   show this help`;

if (import.meta.main) await benchMain(USAGE, quickFlag, run);
