/**
 * One transform for forecasts of bounded utilisation ratios (session 26). Rule, data, folds and
 * criteria were written here and committed before any figure of this bench was produced.
 *
 * Why: `forecast()` defaults to Box-Cox (Guerrero's λ, chosen on M4 and ETTh2); on a calm host's
 * CPU ratio (troughs near 0.02) λ ≈ 0 widened the load profile's 80 % band above the history's
 * maximum, so the load profile was pinned to "none" by hand. The callers that know their series
 * is a ratio bounded by [0, 1] should take one rule, chosen here.
 *
 * Candidates (each through `forecast()`, all other options default; the history is the ratio in
 * [0, 1], NAB's percentages divided by 100; MSE ratios and coverage do not depend on that scale):
 * - (a) `none`;
 * - (b) `boxcox`: today's default (Guerrero's λ in [0, 1], the median; only where every value
 *   is > 0);
 * - (c) `logit`: z = ln((p + ε) / (1 + ε − p)) with ε = 0.01, applied where every finite value of
 *   the history lies in [0, 1]; inverse p = ((1 + ε)e^z − ε) / (1 + e^z), clipped to [0, 1], so
 *   the forecast and both bands stay in [0, 1]. ε is fixed a priori, not tuned: one percentage
 *   point, below which a utilisation makes no difference to the callers (a shift rather than a
 *   clamp, so the transform is invertible on all of [0, 1] and an idle 0 is allowed);
 * - (d) `boxcox` with λ ≥ 0.5: Guerrero's method searched over [0.5, 1] instead of [0, 1]
 *   (λ = 1 still means no transform), only where every value is > 0.
 *
 * Data: NAB's real series that are utilisation percentages, i.e. the 8
 * `realAWSCloudwatch/ec2_cpu_utilization_*` files and `grok_asg_anomaly` (an autoscaling group's
 * CPU, per NAB's README); the disk, network and ELB files are not ratios and are left out. As in
 * `forecast_transform_bench.ts nab` (whose file loading this reuses): origins every 288 points
 * from point 2016 while origin + 288 ≤ length, the 2016 points before as history (7 days at
 * 5 min), H = 12 and H = 288. The project's capacity generators (`bench/capacity_bench.ts`) make
 * byte-level leaks, not ratios, so they are not used. Known before: session 25's guard-rail
 * check already printed (a) against (b) on these files (README, "Box-Cox transform"); (c) and
 * (d) were never run on them. Only the files' value ranges were looked at to tell ratios apart.
 *
 * Folds, by recording period (NAB's start dates; a stand-in for the account the instances come
 * from), fixed without any figure: A = the four files starting 2014-02-14 (`24ae8d`, `53ea38`,
 * `5f5533`, `fe7f93`); B = the four starting in April 2014 (`77c1ca`, `825cc2`, `ac20cd`,
 * `c6585a`) and `grok_asg_anomaly` (January 2014).
 *
 * Figures per fold, candidate and H:
 * - M: the geometric mean over the fold's files of MSE(candidate) / MSE(none) (MSE over the
 *   file's origins and steps);
 * - pooled 80 % and 95 % coverage over the fold's origins and steps, and its distance from
 *   nominal;
 * - O, the peak-overshoot rate: the share of the fold's forecasts (origins) whose largest upper
 *   80 % bound over the horizon exceeds the history's maximum by more than 25 % of the history's
 *   range (maximum − minimum of the 2016 points). The calm host that started this went from
 *   0.59 to 0.88 over a maximum of 0.56 on a range of about 0.54: far past that line.
 *
 * Rule in a fold: a candidate is eligible when, at both H, M ≤ 1.00, each coverage distance is at
 * most none's + 0.01, and O is at most none's + 0.02; (a) is always eligible. The fold chooses
 * the eligible candidate with the lowest M(12) × M(288) (none's product is 1: another candidate
 * must be strictly lower). Decision: if both folds choose the same candidate it is the rule for
 * bounded ratios; else (a) `none` for every ratio caller (no constant to fit, and what the load
 * profile already uses). Headline: out-of-fold, each fold's choice scored on the other fold; the
 * in-fold figures and every candidate on all 9 files beside them, labelled.
 *
 * Run: `deno run -A bench/ratio_transform_bench.ts [--quick]` (PERFSCOPE_SHARED_DATA=/work/shared/data;
 * also in `deno task bench`). `--quick` scores every 4th origin only: a smoke run whose figures are
 * not the protocol's and are labelled so.
 *
 * Outcome (added after the first run, 2026-12-06): both folds chose (a) none, so bounded ratios
 * are forecast without a transform (`transformFor`); figures in README ("Bounded ratios").
 *
 * @module
 */

import { forecast, type ForecastOptions } from "../analytics/forecast/forecast.ts";
import { loadNabFiles } from "./_nab_files.ts";
import { benchMain, quickFlag } from "./_flags.ts";
import { fileLines, foldsReport } from "./_transform_rule_report.ts";
import { addForecast, choose, emptySums, type Table } from "./_transform_rule.ts";

/** Options of {@linkcode run}. */
export interface RatioTransformOptions {
  /** Every 4th origin only (as `deno task bench --quick`); not the protocol's figures; default false. */
  quick?: boolean;
}

/** What {@linkcode run} returns: each fold's choice and the decision, by candidate label. */
export interface RatioTransformResult {
  /** Fold A's choice (in-fold on A). */
  foldA: string;
  /** Fold B's choice (in-fold on B). */
  foldB: string;
  /** The rule's decision: the folds' common choice, else none. */
  decision: string;
  /** Whether only every 4th origin was scored (`quick`). */
  quick: boolean;
}

const USAGE = `Usage: deno run -A bench/ratio_transform_bench.ts [--quick]

Scores the transforms for bounded utilisation ratios (none, boxcox, logit, boxcox with
lambda >= 0.5) on NAB's CPU utilisation files in two folds, applies the rule fixed in the
file's comment and prints the decision (about a minute).

Options:
  --quick      every 4th origin only (as deno task bench --quick; not the protocol's figures)
  -h, --help   show this help`;

/** How many origins `quick` steps over at a time. */
const QUICK_STRIDE = 4;

/** The candidates, in the order the rule prefers on a tie (none first). */
const CANDIDATES: { label: string; options: Pick<ForecastOptions, "transform" | "lambdaMin"> }[] = [
  { label: "(a) none", options: { transform: "none" } },
  { label: "(b) boxcox", options: { transform: "boxcox" } },
  { label: "(c) logit", options: { transform: "logit" } },
  { label: "(d) boxcox λ≥0.5", options: { transform: "boxcox", lambdaMin: 0.5 } },
];
const HORIZONS = [12, 288] as const;
const LABELS = CANDIDATES.map((c) => c.label);
const HISTORY = 2016, STEP = 288;
/** The overshoot line: the history's max plus this share of its range. */
const OVERSHOOT_SHARE = 0.25;
const FOLD_A = ["24ae8d", "53ea38", "5f5533", "fe7f93"];
const FOLD_B = ["77c1ca", "825cc2", "ac20cd", "c6585a", "grok_asg_anomaly"];

const SLACK = { coverage: 0.01, overshoot: 0.02 };

function score(files: { name: string; y: Float64Array }[], stride: number): Table {
  return files.map(({ y }) =>
    CANDIDATES.map(({ options }) =>
      HORIZONS.map((H) => {
        const s = emptySums();
        for (let o = HISTORY; o + STEP <= y.length; o += STEP * stride) {
          const history = y.slice(o - HISTORY, o);
          const r = forecast(history, { horizon: H, ...options });
          if (r.fitted.transform) s.applied++, s.lambdas.push(r.fitted.transform.lambda);
          addForecast(s, r, y.subarray(o, o + H), history, OVERSHOOT_SHARE);
        }
        return s;
      })
    )
  );
}

/**
 * Scores every candidate on both folds, applies the rule and prints the tables and the decision.
 *
 * @param options See {@linkcode RatioTransformOptions}.
 * @returns Each fold's choice and the decision.
 * @throws {Error} When a NAB file of the folds is not in the shared data.
 */
export function run(options: RatioTransformOptions = {}): RatioTransformResult {
  const quick = options.quick ?? false;
  const all = loadNabFiles(["realAWSCloudwatch"]);
  const wanted = [...FOLD_A, ...FOLD_B];
  const files = wanted.map((key) => {
    const f = all.find((x) => x.name.endsWith(key));
    if (!f) throw new Error(`NAB file *${key} not in the shared data`);
    return { name: f.name.replace(/^realAWSCloudwatch\//, ""), y: f.y.map((v) => v / 100) };
  });
  const table = score(files, quick ? QUICK_STRIDE : 1);
  const a = FOLD_A.map((_, i) => i), b = FOLD_B.map((_, i) => FOLD_A.length + i);
  console.log(
    `NAB CPU utilisation (÷100), ${files.length} files, history ${HISTORY}, origins every ${
      quick ? `${STEP * QUICK_STRIDE} (--quick: not the protocol's figures)` : STEP
    }` +
      `; per file: MSE ratio to none at H=12 / H=288, coverage 80 % at H=12 / H=288, ` +
      `overshoots, histories transformed (mean λ)`,
  );
  files.forEach((file, i) => {
    console.log(fileLines(file.name, i < FOLD_A.length ? "A" : "B", table[i]!, LABELS));
  });
  const onA = choose(table, a, HORIZONS, SLACK), onB = choose(table, b, HORIZONS, SLACK);
  console.log(
    foldsReport(
      table,
      LABELS,
      HORIZONS,
      { a, b, onA, onB },
      "all 9 files (in-fold, for reference)",
    ),
  );
  const decision = onA.chosen === onB.chosen ? onA.chosen : 0;
  console.log(
    `\ndecision: ${CANDIDATES[decision]!.label}${
      onA.chosen === onB.chosen ? " (both folds chose it)" : " (the folds disagree: none)"
    }`,
  );
  return {
    foldA: CANDIDATES[onA.chosen]!.label,
    foldB: CANDIDATES[onB.chosen]!.label,
    decision: CANDIDATES[decision]!.label,
    quick,
  };
}

if (import.meta.main) await benchMain(USAGE, quickFlag, run);
