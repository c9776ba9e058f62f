/**
 * Robustness of the anomaly detector: its NAB standard score on transformed copies of the 41
 * development files in `../shared/data/nab`, beside the score on the files as they are.
 *
 * A detector that holds up on series it was not tuned on should not care much about how a
 * series is sampled or in which unit it is written. Each probe changes the series the way real
 * data differs from these files and leaves the labelled windows where they are in time:
 *
 * - `every 2nd row`: every second row dropped (10-minute steps);
 * - `drop 5 %`, `drop 15 %`: rows dropped at random (irregular steps and gaps);
 * - `×1000 + shift`: values scaled by 1000 and shifted by 10⁷ (the unit must not matter);
 * - `jitter ±1 min`: each timestamp moved by up to a minute either way (order kept);
 * - `1-hour gaps`: the rows of a 1-hour span removed, one span per 1,000 rows at random places;
 * - `drop 15 % outside`, `2nd row outside`: controls, the same thinning only outside the
 *   labelled windows (the labels choose which rows go, never what the detector sees): what
 *   these lose is the detector's on normal data sampled that way; the rest of the probe's loss
 *   is the anomalies' own samples that it removed;
 * - `30-min means`, `hourly means`: the 5-minute files resampled to the mean of each 30 minutes
 *   or hour (the hourly files are left as they are);
 * - `random gaps`: outages of random length (10 minutes to 6 hours, log-uniform), one starting
 *   every 200 rows on average (about 10 % of the rows);
 * - `irregular steps`: each next row 1, 2 or 3 rows on at random (steps of 5, 10 and 15
 *   minutes in the 5-minute files, so a median step of twice the file's).
 *
 * {@linkcode STEP_CONTROLS} split the loss of the coarse probes into what the coarser content
 * costs and what the coarser step itself costs (`--controls` prints them): the same thinning
 * only inside the windows (the anomalies lose samples, the normal data keeps its step), the
 * coarse means repeated on every original row (the coarse content at the original step), and
 * the files as they are stamped 2 or 12 times further apart (the original content at a coarse
 * step; these move the windows with the timestamps).
 *
 * For each probe the default detector scores every file and the standard profile is reported
 * out of fold (one threshold, chosen on the other categories for each held-out category) and
 * in fold (one threshold chosen on all 41). Random probes are the mean of 3 seeded draws, so
 * runs are repeatable.
 *
 * Run: `deno run -A bench/anomaly_robustness_bench.ts [--controls] [--options='{"meanWindow":12}']` (detector
 * options as JSON; default the defaults), or `deno task bench --only anomaly_robustness`.
 *
 * @module
 */

import { sharedData } from "./_shared_data.ts";
import { benchFlags } from "./_flags.ts";
import { errorLine, parseFlags, UsageError } from "../cli/_args.ts";
import { type AnomalyDetectorOptions, scoreSeries } from "../analytics/anomaly/anomaly.ts";
import { leaveCategoryOut, loadNabCorpus, type NabSeries } from "./anomaly_bench.ts";
import { type NabFile, nabOptimize } from "./nab_score.ts";

const MINUTE = 60_000;

/** A deterministic uniform generator in [0, 1) (a linear congruential one). */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function keep(s: NabSeries, keepRow: (i: number) => boolean): NabSeries {
  const rows = [...s.ts.keys()].filter(keepRow);
  return {
    ...s,
    ts: Float64Array.from(rows, (i) => s.ts[i]!),
    values: Float64Array.from(rows, (i) => s.values[i]!),
  };
}

/** Whether a time lies in one of the series' labelled windows. */
function inWindow(s: NabSeries, t: number): boolean {
  return s.windows.some(([from, to]) => t >= from && t <= to);
}

/** The median gap between consecutive timestamps (ms). */
function medianStep(ts: Float64Array): number {
  const gaps = Float64Array.from({ length: ts.length - 1 }, (_, i) => ts[i + 1]! - ts[i]!);
  return gaps.sort()[gaps.length >> 1]!;
}

/**
 * Means over consecutive buckets of `span` ms (each stamped with the bucket's start), for a
 * series whose step is finer than `span`; other series unchanged.
 */
function resample(s: NabSeries, span: number): NabSeries {
  if (medianStep(s.ts) >= span) return s;
  const ts: number[] = [], values: number[] = [];
  let bucket = NaN, sum = 0, count = 0;
  const flush = () => {
    if (count > 0) (ts.push(bucket), values.push(sum / count));
  };
  for (let i = 0; i < s.ts.length; i++) {
    const b = Math.floor(s.ts[i]! / span) * span;
    if (b !== bucket) (flush(), bucket = b, sum = 0, count = 0);
    if (Number.isFinite(s.values[i]!)) (sum += s.values[i]!, count++);
  }
  flush();
  return { ...s, ts: Float64Array.from(ts), values: Float64Array.from(values) };
}

/**
 * Each row's value replaced by the mean of its bucket of `span` ms (rows and timestamps kept),
 * for a series whose step is finer than `span`; other series unchanged.
 */
function heldMeans(s: NabSeries, span: number): NabSeries {
  if (medianStep(s.ts) >= span) return s;
  const coarse = resample(s, span);
  const values = new Float64Array(s.ts.length);
  let k = 0;
  for (let i = 0; i < s.ts.length; i++) {
    while (k + 1 < coarse.ts.length && coarse.ts[k + 1]! <= s.ts[i]!) k++;
    values[i] = coarse.values[k]!;
  }
  return { ...s, values };
}

/** The series stamped `factor` times further apart from its first row on, windows with it. */
function stretch(s: NabSeries, factor: number): NabSeries {
  const t0 = s.ts[0] ?? 0;
  const at = (t: number) => t0 + (t - t0) * factor;
  return {
    ...s,
    ts: s.ts.map(at),
    windows: s.windows.map(([a, b]) => [at(a), at(b)] as [number, number]),
  };
}

/** A probe: transforms one series (windows unchanged), given a seeded generator. */
export type Probe = (s: NabSeries, rand: () => number) => NabSeries;

/** Probes that draw at random: their row is the mean over {@linkcode DRAWS} draws. */
export const RANDOM_PROBES: ReadonlySet<string> = new Set([
  "drop 5 %",
  "drop 15 %",
  "drop 15 % outside",
  "jitter ±1 min",
  "1-hour gaps",
  "random gaps",
  "irregular steps",
]);

/** Draws per random probe (NAB's one-threshold score moves by a few points between draws). */
export const DRAWS = 3;

/** The probes, in the order printed (see the module doc). */
export const PROBES: Readonly<Record<string, Probe>> = {
  "every 2nd row": (s) => keep(s, (i) => i % 2 === 0),
  "drop 5 %": (s, rand) => keep(s, () => rand() >= 0.05),
  "drop 15 %": (s, rand) => keep(s, () => rand() >= 0.15),
  "×1000 + shift": (s) => ({ ...s, values: s.values.map((x) => x * 1000 + 1e7) }),
  "jitter ±1 min": (s, rand) => ({ ...s, ts: s.ts.map((t) => t + (2 * rand() - 1) * MINUTE) }),
  "1-hour gaps": (s, rand) => {
    const starts = Array.from(
      { length: Math.max(1, Math.round(s.ts.length / 1000)) },
      () => s.ts[Math.floor(rand() * s.ts.length)]!,
    );
    return keep(s, (i) => !starts.some((t0) => s.ts[i]! >= t0 && s.ts[i]! < t0 + 60 * MINUTE));
  },
  // Controls: the same thinning only outside the labelled windows, so the anomalies keep every
  // sample; what these lose comes from the detector on normal data at that sampling, the rest of
  // the probe's loss from the samples of the anomalies it removed.
  "drop 15 % outside": (s, rand) => keep(s, (i) => rand() >= 0.15 || inWindow(s, s.ts[i]!)),
  "2nd row outside": (s) => keep(s, (i) => i % 2 === 0 || inWindow(s, s.ts[i]!)),
  "30-min means": (s) => resample(s, 30 * MINUTE),
  "hourly means": (s) => resample(s, 60 * MINUTE),
  "random gaps": (s, rand) => {
    let until = -1; // the last row of the current outage
    return keep(s, (i) => {
      if (i > until && rand() < 1 / 200) until = i + Math.round(2 * 36 ** rand()) - 1;
      return i > until;
    });
  },
  "irregular steps": (s, rand) => {
    let next = 0;
    return keep(s, (i) => i === next ? (next += 1 + Math.floor(3 * rand()), true) : false);
  },
};

/**
 * Controls that split the coarse probes' loss (see the module doc): what the content at a
 * coarser step costs (`… at 5-min rows`, `… only inside`) and what the step itself costs
 * (`stamped ×k`).
 */
export const STEP_CONTROLS: Readonly<Record<string, Probe>> = {
  "2nd row inside": (s) => keep(s, (i) => i % 2 === 0 || !inWindow(s, s.ts[i]!)),
  "30-min at 5-min rows": (s) => heldMeans(s, 30 * MINUTE),
  "hourly at 5-min rows": (s) => heldMeans(s, 60 * MINUTE),
  "stamped ×2": (s) => stretch(s, 2),
  "stamped ×6": (s) => stretch(s, 6),
  "stamped ×12": (s) => stretch(s, 12),
};

/** One row of the robustness table: standard NAB scores out of fold and in fold. */
export interface ProbeScore {
  outOfFold: number;
  inFold: number;
  /** Rows scored. */
  points: number;
}

/**
 * Scores a corpus with the detector and returns the standard NAB score out of fold (leave one
 * category out) and in fold.
 *
 * @param corpus The series with their windows.
 * @param options Detector options; default the detector's defaults.
 * @returns The two scores and the number of rows.
 */
export function probeScore(
  corpus: readonly NabSeries[],
  options: AnomalyDetectorOptions = {},
): ProbeScore {
  const files: NabFile[] = corpus.map((c) => ({
    name: c.name,
    ts: c.ts,
    windows: c.windows,
    scores: scoreSeries(c.ts, c.values, options),
  }));
  return {
    outOfFold: leaveCategoryOut(files).normalized,
    inFold: nabOptimize(files).normalized,
    points: corpus.reduce((n, c) => n + c.ts.length, 0),
  };
}

/**
 * Applies a probe to every file with its own seeded generator (seed from the file's position),
 * so a probe's copy of a file is the same in every run.
 *
 * @param corpus The series.
 * @param probe The transform.
 * @param seed Which draw of the random probes (0, 1, …); default `0`.
 * @returns The transformed corpus.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PROBES, transformCorpus } from "./anomaly_robustness_bench.ts";
 * const ts = Float64Array.from({ length: 10 }, (_, i) => i * 300_000);
 * const corpus = [{ name: "a/1.csv", ts, values: ts.map((t) => t / 1e5), windows: [] }];
 * const halved = transformCorpus(corpus, PROBES["every 2nd row"]!);
 * assert.equal(halved[0]!.ts.length, 5);
 * assert.equal(halved[0]!.ts[1], 600_000);
 * ```
 */
export function transformCorpus(
  corpus: readonly NabSeries[],
  probe: Probe,
  seed = 0,
): NabSeries[] {
  return corpus.map((s, k) => probe(s, seeded(1000 * (seed + 1) + k)));
}

/** Options of {@linkcode run}. */
export interface RobustnessBenchOptions {
  /** The NAB folder; default `../shared/data/nab`. */
  root?: string;
  /** Detector options; default the detector's defaults. */
  detector?: AnomalyDetectorOptions;
  /** Also score {@linkcode STEP_CONTROLS}; default false. */
  controls?: boolean;
}

/**
 * Runs every probe and prints the table. Never asserts.
 *
 * @param options Data folder, detector options and whether to score the controls.
 * @returns Scores per probe (`none`: the files as they are), or `undefined` without the data.
 */
export function run(
  options: RobustnessBenchOptions = {},
): Record<string, ProbeScore> | undefined {
  const root = options.root ?? sharedData("nab");
  const detector = options.detector ?? {};
  let corpus: NabSeries[];
  try {
    corpus = loadNabCorpus(root);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    console.log(`anomaly robustness bench: skipped, no NAB data at ${root}`);
    return undefined;
  }
  const rows: Record<string, ProbeScore> = { none: probeScore(corpus, detector) };
  const base = rows.none!;
  console.log(`NAB standard score, default detector, ${corpus.length} files`);
  console.log("  probe                  out-of-fold   Δ      in-fold   Δ      rows");
  const line = (name: string, r: ProbeScore) =>
    console.log(
      `  ${name.padEnd(22)} ${r.outOfFold.toFixed(2).padStart(8)} ${
        (r.outOfFold - base.outOfFold).toFixed(2).padStart(6)
      } ${r.inFold.toFixed(2).padStart(9)} ${(r.inFold - base.inFold).toFixed(2).padStart(6)} ${
        String(r.points).padStart(8)
      }`,
    );
  line("none", base);
  const probes = Object.entries(PROBES);
  if (options.controls) probes.push(...Object.entries(STEP_CONTROLS));
  for (const [name, probe] of probes) {
    const draws = RANDOM_PROBES.has(name) ? DRAWS : 1;
    const scores = Array.from(
      { length: draws },
      (_, seed) => probeScore(transformCorpus(corpus, probe, seed), detector),
    );
    rows[name] = {
      outOfFold: scores.reduce((a, r) => a + r.outOfFold, 0) / draws,
      inFold: scores.reduce((a, r) => a + r.inFold, 0) / draws,
      points: Math.round(scores.reduce((a, r) => a + r.points, 0) / draws),
    };
    line(name, rows[name]!);
  }
  return rows;
}

const USAGE = `Usage: deno run -A bench/anomaly_robustness_bench.ts [--options JSON] [--controls]

Scores the anomaly detector on NAB under each probe (rows dropped, gaps, coarser steps, …).

Options:
  --options JSON   detector options, e.g. '{"threshold":0.99}' (default {})
  --controls       also split the coarse probes' loss into coarser content and coarser step
  -h, --help       show this help`;

if (import.meta.main) {
  run(benchFlags(USAGE, (args) => {
    const { values } = parseFlags(args, {
      options: { type: "string", default: "{}" },
      controls: { type: "boolean", default: false },
    });
    let detector: unknown;
    try {
      detector = JSON.parse(values.options!);
    } catch (error) {
      throw new UsageError(`Invalid --options: ${values.options} (${errorLine(error)})`);
    }
    if (typeof detector !== "object" || detector === null || Array.isArray(detector)) {
      throw new UsageError(`Invalid --options: ${values.options} (expected a JSON object)`);
    }
    return { detector: detector as AnomalyDetectorOptions, controls: values.controls };
  }));
}
