/**
 * Anomaly benchmark: the streaming detector's NAB score on the development subset in
 * `../shared/data/nab` (standard, low-FP and low-FN profiles, one threshold for all files),
 * per-category figures, leave-one-category-out scores (threshold chosen on the other
 * categories), the artificial files alone, a sensitivity table (each option ×0.75 and ×1.25,
 * the evidence that the score is not tuned to a knife's edge), published detectors as anchors,
 * and throughput in points/s.
 *
 * Run: `deno run -A bench/anomaly_bench.ts [--quick]` (`--quick` skips the sensitivity table).
 *
 * @module
 */

import { parseTimestamp, readCsvSeries } from "../analytics/series/csv_series.ts";
import { type AnomalyDetectorOptions, scoreSeries } from "../analytics/anomaly/anomaly.ts";
import { NAB_PROFILES, type NabFile, nabOptimize, type NabResult, nabScore } from "./nab_score.ts";

/** Published NAB v1.1 standard-profile scores on the full corpus (numenta/NAB README). */
export const NAB_ANCHORS: Readonly<Record<string, number>> = {
  "Numenta HTM": 77.5,
  "CAD OSE": 73.9,
  "ARTime": 72.7,
  "KNN-CAD": 61.0,
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
  /** Normalized score and threshold per profile. */
  profiles: Record<string, { score: number; threshold: number }>;
  /** Per-category figures at the standard profile's threshold. */
  categories: Record<string, { score: number; raw: number; tp: number; fn: number; fp: number }>;
  /** Standard score of each category with the threshold chosen on all the other files. */
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
  const root = options.root ?? new URL("../../shared/data/nab", import.meta.url).pathname;
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
  for (const [name, profile] of Object.entries(NAB_PROFILES)) {
    const r = nabOptimize(files, profile);
    profiles[name] = { score: r.normalized, threshold: r.threshold };
  }
  const standard = nabScore(files, profiles.standard!.threshold);
  const categories: AnomalyBenchResult["categories"] = {};
  const leaveOut: AnomalyBenchResult["leaveOut"] = {};
  const inCategory = (f: NabFile, prefix: string) => f.name.startsWith(prefix + "/");
  for (const prefix of new Set(corpus.map((c) => c.name.split("/")[0]!))) {
    categories[prefix] = category(standard, prefix);
    const threshold = nabOptimize(files.filter((f) => !inCategory(f, prefix))).threshold;
    const held = nabScore(files.filter((f) => inCategory(f, prefix)), threshold);
    leaveOut[prefix] = { score: held.normalized, raw: held.score, threshold };
  }
  const art = nabOptimize(files.filter((f) => f.name.startsWith("artificial")));
  const sensitivity: AnomalyBenchResult["sensitivity"] = {};
  if (!options.quick) {
    for (const [name, value] of Object.entries(SENSITIVITY_KNOBS)) {
      const [lowValue, highValue] = [scaled(name, value, 0.75), scaled(name, value, 1.25)];
      const at = (v: number) => nabOptimize(scoreCorpus(corpus, { [name]: v })).normalized;
      sensitivity[name] = { low: at(lowValue), high: at(highValue), lowValue, highValue };
    }
  }
  const result = {
    profiles,
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
  console.log(`NAB subset: ${r.files} files, ${r.points} points (one threshold per profile)`);
  for (const [name, p] of Object.entries(r.profiles)) {
    console.log(
      `  ${name.padEnd(20)} score ${p.score.toFixed(2).padStart(6)}  threshold ${
        p.threshold.toFixed(6)
      }`,
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
  console.log("Leave one category out (threshold chosen on the other files):");
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
    console.log(`Sensitivity (standard score, base ${base.toFixed(2)}; option ×0.75 / ×1.25):`);
    for (const [name, s] of Object.entries(r.sensitivity)) {
      console.log(
        `  ${name.padEnd(16)} ${String(s.lowValue).padStart(5)} → ${
          s.low.toFixed(2).padStart(6)
        }   ${String(s.highValue).padStart(5)} → ${s.high.toFixed(2).padStart(6)}`,
      );
    }
  }
  console.log("Anchors (published, full NAB corpus, standard profile):");
  for (const [name, score] of Object.entries(NAB_ANCHORS)) {
    console.log(`  ${name.padEnd(20)} ${score.toFixed(1)}`);
  }
  console.log(`Throughput: ${Math.round(r.pointsPerSecond).toLocaleString("en")} points/s`);
}

if (import.meta.main) run({ quick: Deno.args.includes("--quick") });
