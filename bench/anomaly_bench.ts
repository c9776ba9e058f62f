/**
 * Anomaly benchmark: the streaming detector's NAB score on the development subset in
 * `../shared/data/nab` (standard, low-FP and low-FN profiles, one threshold for all files),
 * per-category figures, published detectors as anchors, and throughput in points/s.
 *
 * Run: `deno run -A bench/anomaly_bench.ts`.
 *
 * @module
 */

import { parseTimestamp, readCsvSeries } from "../analytics/csv_series.ts";
import { scoreSeries } from "../analytics/anomaly.ts";
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

/**
 * Runs the benchmark and prints a table. Never asserts.
 *
 * @param root The NAB folder; default `../shared/data/nab` next to the repository.
 * @returns The figures, or `undefined` (with a message) when the data is absent.
 */
export function run(
  root = new URL("../../shared/data/nab", import.meta.url).pathname,
): AnomalyBenchResult | undefined {
  let corpus: NabSeries[];
  try {
    corpus = loadNabCorpus(root);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    console.log(`anomaly bench: skipped, no NAB data at ${root}`);
    return undefined;
  }
  const t0 = performance.now();
  const files: NabFile[] = corpus.map((c) => ({
    name: c.name,
    ts: c.ts,
    windows: c.windows,
    scores: scoreSeries(c.ts, c.values),
  }));
  const seconds = (performance.now() - t0) / 1000;
  const points = corpus.reduce((a, c) => a + c.ts.length, 0);
  const profiles: AnomalyBenchResult["profiles"] = {};
  for (const [name, profile] of Object.entries(NAB_PROFILES)) {
    const r = nabOptimize(files, profile);
    profiles[name] = { score: r.normalized, threshold: r.threshold };
  }
  const standard = nabScore(files, profiles.standard!.threshold);
  const categories: AnomalyBenchResult["categories"] = {};
  for (const prefix of new Set(corpus.map((c) => c.name.split("/")[0]!))) {
    categories[prefix] = category(standard, prefix);
  }
  const result = {
    profiles,
    categories,
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
  console.log("Anchors (published, full NAB corpus, standard profile):");
  for (const [name, score] of Object.entries(NAB_ANCHORS)) {
    console.log(`  ${name.padEnd(20)} ${score.toFixed(1)}`);
  }
  console.log(`Throughput: ${Math.round(r.pointsPerSecond).toLocaleString("en")} points/s`);
}

if (import.meta.main) run();
