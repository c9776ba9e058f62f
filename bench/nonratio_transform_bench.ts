/**
 * One transform for forecasts of event rates (session 27): the metrics that count bytes, packets,
 * requests or operations per second. Rule, data, folds and criteria were written here and
 * committed before any figure of this bench was produced; the method is that of
 * `ratio_transform_bench.ts` (session 26), which chose `none` for bounded ratios.
 *
 * Why: `transformFor` gives every metric that is not a bounded ratio `forecast()`'s default
 * (Box-Cox, Guerrero's λ in [0, 1], chosen on M4 and ETTh2) in the capacity charts, `train` and
 * `forecast --metric`, while the load profile passes `"none"` for them (unmeasured). Two callers
 * disagree on the same series and neither choice was measured on server rates.
 *
 * Candidates (each through `forecast()` with the transform passed explicitly, all other options
 * default; raw values):
 * - (a) `none`;
 * - (b) `boxcox`: Guerrero's λ in [0, 1], the median back-transform (today's default);
 * - (c) `log`, the median back-transform;
 * - (d) `boxcox` with λ ≥ 0.5 (`lambdaMin: 0.5`), the milder transform measured for ratios.
 * `forecast()` applies (b)–(d) only to a history whose every value is > 0 (else it forecasts as
 * (a)); event rates often hold zeros (an idle disk, a quiet hour), so that is part of what is
 * measured and files with zeros stay in. A shifted transform (log(y + 1)) is not a candidate: it is
 * not one of `forecast()`'s transforms today. The logit is for [0, 1] and does not apply.
 *
 * Data: NAB's real files that are counts per 5-minute interval, not ratios, in the shared copy:
 * `realAWSCloudwatch/` `ec2_disk_write_bytes_1ef3de`, `ec2_disk_write_bytes_c0d644`,
 * `ec2_network_in_257a54`, `ec2_network_in_5abac7`, `elb_request_count_8c0756` (CloudWatch sums of
 * bytes and requests), and the 10 `realTweets/Twitter_volume_*` files (tweets per 5 minutes).
 * Left out: the CPU files (ratios: the other bench), `realAdExchange` (prices per click and per
 * thousand impressions, hourly, shorter than a history plus a day) and the artificial files.
 * Origins every 288 points from point 2016 while origin + 288 ≤ length, the 2016 points before as
 * history (7 days at 5 min), H = 12 and H = 288, as in the ratio bench; for the Twitter files only
 * every 4th of those origins (every 4 days, 12 per file), see the amendment below.
 *
 * Folds, by source (which is also recording period), fixed without any figure: A = the 5
 * CloudWatch files (March–April 2014); B = the 10 Twitter files (February–April 2015).
 *
 * Known before: session 25's check (`forecast_transform_bench.ts nab`) printed (a) against (b) per
 * file on fold A's five files (README, "Box-Cox transform": network in better with Box-Cox, the
 * ELB requests worse, the disk-write files never transformed). (c) and (d) were never run on
 * them; no transform was ever scored on fold B. Only the files' lengths, value ranges and counts
 * of zeros were looked at, to list them.
 *
 * Figures per fold, candidate and H (bench/_transform_rule.ts computes them):
 * - M: the geometric mean over the fold's files of MSE(candidate) / MSE(none) (MSE over the
 *   file's origins and steps; a file where the transform never applied counts as 1);
 * - pooled 80 % and 95 % coverage over the fold's origins and steps, and its distance from nominal;
 * - O, the overshoot rate: the share of the fold's forecasts whose largest upper 80 % bound over
 *   the horizon exceeds the history's maximum by more than 25 % of the history's range. A rate has
 *   no bound, but the load profile and the capacity charts read that band as the coming peak.
 *
 * Rule in a fold (criteria as the ratio bench's, not adapted): a candidate is eligible when, at
 * both H, M ≤ 1.00, each coverage distance is at most none's + 0.01, and O is at most none's +
 * 0.02; (a) is always eligible. The fold chooses the eligible candidate with the lowest
 * M(12) × M(288), strictly below none's 1. The out-of-fold choice for A is the rule on B, for B
 * the rule on A. Decision: a candidate is chosen only if it is the out-of-fold choice of every
 * fold (with two folds: both folds choose it). Then `transformFor` returns it for every event
 * rate — a registered metric of kind `rate` whose unit is `bytes/s`, `1/s` or `pages/s` — in all
 * of its callers (the load profile included; if it is none, the capacity charts, `train` and
 * `forecast --metric` drop Box-Cox for those metrics). Otherwise every caller keeps what it does
 * today. Not covered whatever the outcome (no such data here): levels (bytes in use, inodes,
 * processes, connections, load average), durations (`ms`, `s`), queue depth, cores, `s/s`, and
 * metrics outside the registry. Headline: out-of-fold, each fold's choice scored on the other;
 * in-fold figures and every candidate on all 15 files beside them, labelled.
 *
 * Amendment (01:06 UTC, before any figure: the first full run was stopped unread, it prints only
 * at the end): one `forecast()` of a 2016-point history costs about 0.7 s of CPU on this shared
 * machine, and the protocol above (4,152 forecasts) would have run for hours. So (1) the Twitter
 * files take every 4th origin (12 per file, spread over their 55 days; the CloudWatch files keep
 * all 39); (2) where a history holds a value ≤ 0, candidates (b)–(d) reuse (a)'s forecast instead
 * of calling `forecast()` again: `forecast()` then forecasts as `none` by its documented contract
 * (`prepareTransform` returns nothing), so the figures are the same; (3) each file's line is
 * printed as soon as it is scored. 624 forecasts remain. Nothing else changed.
 *
 * Run: `deno run -A bench/nonratio_transform_bench.ts [--quick]`
 * (PERFSCOPE_SHARED_DATA=/work/shared/data; also in `deno task bench`). `--quick` scores every 4th
 * origin only (of the CloudWatch files; every 16th of the Twitter files'): a smoke run whose figures
 * are not the protocol's and are labelled so.
 *
 * Outcome (added after the first run, 2026-12-07, on commit 094c748): fold A chose (b) Box-Cox,
 * fold B (c) log (products 0.9554 against Box-Cox's 0.9560), so the folds disagree and nothing
 * changed: `transformFor` gives event rates what it gave them before. Figures in README
 * (Forecasting, "Event rates").
 *
 * @module
 */

import { forecast, type ForecastOptions } from "../analytics/forecast/forecast.ts";
import { loadNabFiles } from "./_nab_files.ts";
import { benchMain, quickFlag } from "./_flags.ts";
import { fileLines, foldsReport } from "./_transform_rule_report.ts";
import {
  addForecast,
  choose,
  decide,
  emptySums,
  type Sums,
  type Table,
} from "./_transform_rule.ts";

/** Options of {@linkcode run}. */
export interface NonratioTransformOptions {
  /** Every 4th origin only (as `deno task bench --quick`); not the protocol's figures; default false. */
  quick?: boolean;
}

/** What {@linkcode run} returns: the out-of-fold choices and the decision, by candidate label. */
export interface NonratioTransformResult {
  /** The choice for fold A (the rule on B). */
  forA: string;
  /** The choice for fold B (the rule on A). */
  forB: string;
  /** The common choice, or `undefined`: the folds disagree, every caller keeps its transform. */
  decision: string | undefined;
  /** Whether only every 4th origin was scored (`quick`). */
  quick: boolean;
}

const USAGE = `Usage: deno run -A bench/nonratio_transform_bench.ts [--quick]

Scores the transforms for event rates (none, boxcox, log, boxcox with lambda >= 0.5) on NAB's
network, disk-write, ELB request and Twitter volume files in two folds, applies the rule fixed in
the file's comment and prints the decision (several minutes).

Options:
  --quick      every 4th origin only (as deno task bench --quick; not the protocol's figures)
  -h, --help   show this help`;

/** How many origins `quick` steps over at a time. */
const QUICK_STRIDE = 4;

/** The candidates, in the order the rule prefers on a tie (none first). */
const CANDIDATES: { label: string; options: Pick<ForecastOptions, "transform" | "lambdaMin"> }[] = [
  { label: "(a) none", options: { transform: "none" } },
  { label: "(b) boxcox", options: { transform: "boxcox" } },
  { label: "(c) log", options: { transform: "log" } },
  { label: "(d) boxcox λ≥0.5", options: { transform: "boxcox", lambdaMin: 0.5 } },
];
const HORIZONS = [12, 288] as const;
const LABELS = CANDIDATES.map((c) => c.label);
const HISTORY = 2016, STEP = 288;
const OVERSHOOT_SHARE = 0.25;
const SLACK = { coverage: 0.01, overshoot: 0.02 };
const FOLD_A = [
  "realAWSCloudwatch/ec2_disk_write_bytes_1ef3de",
  "realAWSCloudwatch/ec2_disk_write_bytes_c0d644",
  "realAWSCloudwatch/ec2_network_in_257a54",
  "realAWSCloudwatch/ec2_network_in_5abac7",
  "realAWSCloudwatch/elb_request_count_8c0756",
];
const FOLD_B = ["AAPL", "AMZN", "CRM", "CVS", "FB", "GOOG", "IBM", "KO", "PFE", "UPS"].map((t) =>
  `realTweets/Twitter_volume_${t}`
);

/** Every how many of the 288-point origins a fold's files are scored (the amendment). */
const STRIDE_A = 1, STRIDE_B = 4;

/** Whether `forecast()` forecasts this history as `none` whatever the transform asked. */
function untransformable(history: Float64Array): boolean {
  for (const v of history) if (v <= 0) return true;
  return false;
}

function scoreFile(y: Float64Array, stride: number): Sums[][] {
  const table = CANDIDATES.map(() => HORIZONS.map(() => emptySums()));
  for (let o = HISTORY; o + STEP <= y.length; o += STEP * stride) {
    const history = y.slice(o - HISTORY, o);
    const same = untransformable(history);
    HORIZONS.forEach((H, k) => {
      let none: ReturnType<typeof forecast> | undefined;
      CANDIDATES.forEach(({ options }, c) => {
        const r = c > 0 && same && none ? none : forecast(history, { horizon: H, ...options });
        if (c === 0) none = r;
        const s = table[c]![k]!;
        if (c > 0 && r.fitted.transform) s.applied++, s.lambdas.push(r.fitted.transform.lambda);
        addForecast(s, r, y.subarray(o, o + H), history, OVERSHOOT_SHARE);
      });
    });
  }
  return table;
}

/**
 * Scores every candidate on both folds, applies the rule and prints the tables and the decision.
 *
 * @param options See {@linkcode NonratioTransformOptions}.
 * @returns The out-of-fold choices and the decision.
 * @throws {Error} When a NAB file of the folds is not in the shared data.
 */
export function run(options: NonratioTransformOptions = {}): NonratioTransformResult {
  const quick = options.quick ?? false;
  const all = loadNabFiles(["realAWSCloudwatch", "realTweets"]);
  const names = [...FOLD_A, ...FOLD_B];
  const files = names.map((name) => {
    const f = all.find((x) => x.name === name);
    if (!f) throw new Error(`NAB file ${name} not in the shared data`);
    return f;
  });
  const a = FOLD_A.map((_, i) => i), b = FOLD_B.map((_, i) => FOLD_A.length + i);
  const q = quick ? QUICK_STRIDE : 1;
  console.log(
    `NAB event rates (raw), ${files.length} files, history ${HISTORY}, origins every ${
      STEP * STRIDE_A * q
    } (fold A) and ${STEP * STRIDE_B * q} (fold B)${
      quick ? " (--quick: not the protocol's figures)" : ""
    }; per file: MSE ratio to none at H=12 / H=288, coverage 80 % at H=12 / H=288, ` +
      `overshoots, histories transformed at H=12 (mean λ)`,
  );
  const table: Table = files.map((f, i) => {
    const inA = i < FOLD_A.length;
    const file = scoreFile(f.y, (inA ? STRIDE_A : STRIDE_B) * q);
    console.log(fileLines(f.name, inA ? "A" : "B", file, LABELS));
    return file;
  });
  const onA = choose(table, a, HORIZONS, SLACK), onB = choose(table, b, HORIZONS, SLACK);
  console.log(
    foldsReport(
      table,
      LABELS,
      HORIZONS,
      { a, b, onA, onB },
      "all 15 files (in-fold, for reference)",
    ),
  );
  const label = (c: number) => LABELS[c]!;
  const decision = decide([onB.chosen, onA.chosen]);
  console.log(
    `\ndecision: ${
      decision === undefined
        ? "none chosen (the folds disagree): every caller keeps its transform"
        : `${label(decision)} for event rates (chosen out-of-fold for both folds)`
    }`,
  );
  return {
    forA: label(onB.chosen),
    forB: label(onA.chosen),
    decision: decision === undefined ? undefined : label(decision),
    quick,
  };
}

if (import.meta.main) await benchMain(USAGE, quickFlag, run);
