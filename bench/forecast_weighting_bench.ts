/**
 * How `forecast()`'s weighting (`recentOrigins`, `shrink`, `shrinkRatio`) was chosen, and what
 * else was measured and dropped: combination rules and ETS variants compared on the training
 * split of ETTh2's seven columns (as `bench/forecast_options_bench.ts`: 60 origins before row
 * 11520, H = 24 and 168; the test split is never read) and on M4's hourly half (OWA of each rule
 * on all 207 series and per fold, 95 % coverage of its uncorrected intervals). Every candidate is
 * fitted and backtested once per history as `forecast()` does; the rules only recombine them, so
 * each row is what `forecast()` would give with that rule with `transform: "none"` (since session
 * 25 `forecast()` fits a history whose values are all > 0 on its Box-Cox transform: M4's series
 * and some standardized ETTh2 windows; bench/forecast_transform_bench.ts measures that). Rules with a weight cap are followed by
 * the share of (history, step) pairs where the cap bound, mix-or-select rules by the share where
 * they selected.
 *
 * Run: `deno run -A bench/forecast_weighting_bench.ts [ett|m4] [--rules=<regex>]
 * [--candidates=a,b] [--digits=n]` (see `USAGE`).
 *
 * @module
 */

import { sharedData } from "./_shared_data.ts";
import { ettScale } from "./forecast_bench.ts";
import { benchFlags } from "./_flags.ts";
import { errorLine, parseFlags, parseNumber, runMain, UsageError } from "../cli/_args.ts";
import { loadM4 } from "./m4_bench.ts";
import { mase, maseScale, naive2, smape } from "./m4_scores.ts";
import { readCsvSeries } from "../analytics/series/csv_series.ts";
import { prepareForecast } from "../analytics/forecast/forecast_prepare.ts";
import {
  candidateModels,
  type CandidateName,
  DEFAULT_CANDIDATES,
} from "../analytics/forecast/forecast_candidates.ts";
import {
  backtestFitted,
  backtestPlan,
  rollingOrigins,
} from "../analytics/forecast/backtest_fitted.ts";
import {
  capWeights,
  combinationWeights,
  shrinkWeights,
  smoothedMse,
} from "../analytics/forecast/forecast_combine.ts";
import { etsEnsemble } from "../analytics/models/ets_ensemble.ts";
import { holtWinters } from "../analytics/models/holt_winters.ts";
import type { FittedModel, ModelFitter } from "../analytics/models/model_forecast.ts";
import { doubleSeasonalHw, dshwPeriods } from "../analytics/models/double_seasonal_hw.ts";
import { etsMapa } from "../analytics/models/ets_mapa.ts";
import { directLinear } from "../analytics/models/direct_linear.ts";
import { calibrateIntervals } from "../analytics/forecast/forecast_intervals.ts";

/** Every candidate fitted and backtested once on one history. */
interface Case {
  names: CandidateName[];
  horizon: number;
  steps: number;
  errors: Float64Array[][];
  /** Errors of steps 1…12 from the last 96 origins at stride 1, per candidate. */
  dense: Float64Array[][];
  finals: Float64Array[];
  sds: Float64Array[];
  center: number;
  scale: number;
}

// `dshw` and `ets_mapa` left the defaults after their rows were measured: fitted as extras so
// those rows stay right.
const EXTRA_NAMES: CandidateName[] = [
  "ets",
  "ets_mle",
  "theta_opt",
  "ets_windows",
  "ets_bagged_ar",
  "dshw",
  "ets_mapa",
  "ets_auto",
  "ets_auto_avg",
  "linear",
  "ets_auto_bagged",
  "ets_auto_bagged_sel",
];

/**
 * Variants measured here only (not candidates of `forecast()`); one that returns `undefined` is
 * absent from that history, as `dshw` without two periods.
 */
const LOCAL: Record<string, (...a: Parameters<ModelFitter>) => FittedModel | undefined> = {
  ets_bagged16: (y, h, c) =>
    etsEnsemble(y, h, { period: c.periods[0] ?? 0, source: "bagged", bootstraps: 16 }),
  ets_bagged4: (y, h, c) =>
    etsEnsemble(y, h, { period: c.periods[0] ?? 0, source: "bagged", bootstraps: 4 }),
  ets_damped_ar: (y, h, c) =>
    holtWinters(y, h, { period: c.periods[0] ?? 0, trend: "damped", errorAr: true }),
  // φ from the last 4 weeks of hourly errors only (28 daily cycles).
  ets_bagged_ar672: (y, h, c) =>
    etsEnsemble(y, h, {
      period: c.periods[0] ?? 0,
      source: "bagged",
      errorAr: { window: 28 * (c.periods[0] ?? 24) },
    }),
  // `dshw` on two detected periods only (no week added when one is detected)
  dshw_two: (y, h, c) =>
    c.periods.length > 1
      ? doubleSeasonalHw(y, h, { periods: [c.periods[0]!, c.periods.at(-1)!] })
      : undefined,
  // `dshw` fitted to the one-step error, as Taylor (2003) estimates it
  dshw_1step: (y, h, c) => {
    const periods = dshwPeriods(c.periods, y.length);
    return periods ? doubleSeasonalHw(y, h, { periods, oneStep: true }) : undefined;
  },
  ets_mapa_base: (y, h, c) => etsMapa(y, h, { period: c.periods[0] ?? 0, spread: "base" }),
  ets_mapa_thief: (y, h, c) => etsMapa(y, h, { period: c.periods[0] ?? 0, spread: "thief" }),
  ets_mapa12: (y, h, c) =>
    etsMapa(y, h, { period: c.periods[0] ?? 0, spread: "base", levels: [1, 2, 3, 4, 6, 12] }),
};
// Session 24: the direct linear model's grid, fixed before any figure was seen: a window of 1 or 2
// cycles of the shortest period (at most 96 points; 24 or 48 without one) by ridge strength 0.01,
// 0.1 or 1, each with an intercept. All six failed at H=168, the loss in steps 73-168; a second
// round then took the intercept out (the history's mean h-step change, which carries its trend
// 168 steps on), ridge 0.1: 1 cycle is `linear` (the pool's setting), 2 cycles `linear_2c_noint`.
const window = (cycles: number, periods: number[]) => Math.min(96, cycles * (periods[0] || 24));
for (const cycles of [1, 2]) {
  for (const ridge of [0.01, 0.1, 1]) {
    LOCAL[`linear_${cycles}c_r${ridge}`] = (y, h, c) =>
      directLinear(y, h, c, { window: window(cycles, c.periods), ridge, intercept: true });
  }
}
LOCAL.linear_2c_noint = (y, h, c) => directLinear(y, h, c, { window: window(2, c.periods) });
// Then, to see whether the two passing rows ("T + linear", "T, ar -> linear") are a point of the
// grid or a gain, their neighbours in ridge strength (measured after, not used to choose).
for (const ridge of [0.01, 1]) {
  LOCAL[`linear_1c_noint_r${ridge}`] = (y, h, c) =>
    directLinear(y, h, c, { window: window(1, c.periods), ridge });
}

const USAGE = `Usage: deno run -A bench/forecast_weighting_bench.ts [ett|m4] [options]

Scores the combination rules on ETTh2's training split (ett) and M4's hourly half (m4); both by
default. A few minutes.

Options:
  --rules REGEX        only the rules whose label matches (default every rule)
  --candidates NAMES   fit only these non-default candidates, comma-separated (default all:
                       ${[...EXTRA_NAMES, ...Object.keys(LOCAL)].join(", ")});
                       none: only the defaults; a rule needing one left out gives a
                       wrong row (also --extra)
  --digits N           decimals of the printed figures (default 4)
  -h, --help           show this help`;

/** The flags; the defaults when imported. */
const FLAGS = import.meta.main ? benchFlags(USAGE, weightingFlags) : weightingFlags([]);

function weightingFlags(args: string[]) {
  const { values, positionals } = parseFlags(args, {
    rules: { type: "string" },
    candidates: { type: "string" },
    extra: { type: "string" },
    digits: { type: "string", default: "4" },
  }, true);
  const which = positionals[0];
  if (positionals.length > 1 || (which !== undefined && which !== "ett" && which !== "m4")) {
    throw new UsageError(`Unknown data set: ${positionals.join(" ")} (ett or m4)`);
  }
  const known = [...EXTRA_NAMES, ...Object.keys(LOCAL)] as string[];
  const given = values.candidates ?? values.extra;
  // `none`: only the defaults (README's commands use it)
  const only = given === "none" ? [] : given?.split(",");
  const unknown = only?.filter((name) => !known.includes(name)) ?? [];
  if (unknown.length > 0) {
    throw new UsageError(`Unknown candidate: ${unknown.join(", ")} (known: ${known.join(", ")})`);
  }
  let rules: RegExp | undefined;
  try {
    rules = values.rules === undefined ? undefined : new RegExp(values.rules);
  } catch (error) {
    throw new UsageError(`Invalid --rules: ${values.rules} (${errorLine(error)})`);
  }
  const digits = parseNumber(values.digits!, "digits", { min: 0, max: 20, integer: true });
  return { which, only, rules, digits };
}

const pick = (name: string) => !FLAGS.only || FLAGS.only.includes(name);
const EXTRA = EXTRA_NAMES.filter(pick);
for (const name of Object.keys(LOCAL)) if (!pick(name)) delete LOCAL[name];

function hold(a: Float64Array, length: number): Float64Array {
  const out = new Float64Array(length).fill(a[a.length - 1] ?? NaN);
  out.set(a.subarray(0, length));
  return out;
}

/** Defaults that `ets_auto` and `linear` replaced: fitted always, for the rules measured on them. */
const FORMER: CandidateName[] = ["ets_damped", "ar"];

/**
 * The defaults before session 24, when `ets_auto` took `ets_damped`'s place and `linear` took
 * `ar`'s (each measured against that pool, in separate runs): every rule up to then was measured
 * on it, so the rows stay what they were.
 */
const beforeS24 = (n: string) => n === "ets_auto" ? "ets_damped" : n === "linear" ? "ar" : n;
const BEFORE_S24 = DEFAULT_CANDIDATES.map(beforeS24) as CandidateName[];

export function makeCase(values: Float64Array, horizon: number): Case {
  const prep = prepareForecast(values, {
    horizon,
    models: [...new Set([...DEFAULT_CANDIDATES, ...FORMER, ...EXTRA])],
  });
  const { y, raw, periods, names } = prep;
  const models = candidateModels(names), n = y.length;
  const minTrain = Math.max(8, 2 * (periods.at(-1) ?? 0));
  const plan = backtestPlan(n, { horizon, origins: 40, minTrain });
  const origins = rollingOrigins(n, { ...plan, origins: 40, step: Math.ceil(plan.horizon / 4) });
  const fits = names.map((name) => models[name](y, horizon, { periods }));
  const local: string[] = [];
  for (const [name, fitter] of Object.entries(LOCAL)) {
    const fit = fitter(y, horizon, { periods });
    if (fit) fits.push(fit), local.push(name);
  }
  const finals = fits.map((f) => f.at(n, horizon));
  return {
    names: [...names, ...local as CandidateName[]],
    horizon,
    steps: plan.horizon,
    errors: fits.map((f) => backtestFitted(f, raw, origins, plan.horizon).errors),
    dense: fits.map((f) =>
      backtestFitted(f, raw, rollingOrigins(n, { horizon: 12, origins: 96, step: 1, minTrain }), 12)
        .errors
    ),
    finals: finals.map((f) => f.mean),
    sds: finals.map((f) => f.sd),
    center: prep.center,
    scale: prep.scale,
  };
}

/**
 * Smoothed MSE per candidate from its last `last` origins (all by default), pooling at least
 * `width` steps either side; the first `allFirst` steps from all origins.
 */
function mses(
  c: Case,
  last = Infinity,
  width = 0,
  allFirst = 0,
  dense?: { steps: number; origins: number },
): Float64Array[] {
  return c.errors.map((e, i) => {
    const m = hold(smoothedMse(last < e.length ? e.slice(-last) : e, c.steps, width), c.horizon);
    if (allFirst > 0) {
      m.set(smoothedMse(e, c.steps, width).subarray(0, Math.min(allFirst, c.steps)));
    }
    if (dense && c.dense[i]!.length) {
      const k = Math.min(dense.steps, c.steps);
      const rows = c.dense[i]!.slice(-dense.origins).map((r) => r.subarray(0, k));
      m.set(smoothedMse(rows, k, width));
    }
    return m;
  });
}

// The pool every rule here was measured on: the defaults before `ets_bagged` replaced `ets`
// and `dshw` joined them (the row "D, pool >= 5, ets -> ets_bagged" is the defaults before `dshw`,
// "N + dshw" today's `forecast()`), with the candidates session 24 replaced (`beforeS24`).
const DEFAULT = DEFAULT_CANDIDATES.filter((n) => n !== "dshw")
  .map((n) => n === "ets_bagged" ? "ets" : beforeS24(n)) as string[];

/** Weights over `pool` (others 0), inverse-MSE to `power`, optionally shrunk. */
function weights(
  c: Case,
  o: {
    pool?: readonly string[];
    power?: number;
    top?: number;
    last?: number;
    shrink?: number;
    ratio?: number;
    width?: number;
    allFirst?: number;
    dense?: { steps: number; origins: number };
    /** Largest weight of one candidate (after shrinkage); `capLabel` counts where it binds. */
    cap?: number;
    capLabel?: string;
    /** Cap only among the candidates within `ratio` of the best, who take the excess. */
    capNear?: boolean;
  } = {},
): Float64Array[] {
  const pool = o.pool ?? DEFAULT, use = c.names.map((n) => pool.includes(n));
  const m = mses(c, o.last, o.width, o.allFirst, o.dense).filter((_, i) => use[i]);
  let w = combinationWeights(m, o.top ?? m.length, o.power ?? 2);
  if (o.shrink) w = shrinkWeights(w, m, o.shrink, o.ratio ?? 1.5);
  if (o.cap !== undefined) {
    const capped = capWeights(w, o.cap, o.capNear ? { mse: m, ratio: o.ratio ?? 1.5 } : undefined),
      tally = (CAP_BINDS[o.capLabel ?? ""] ??= [0, 0]);
    w = capped.weights, tally[0] += capped.bound, tally[1] += c.horizon;
  }
  let k = 0;
  return c.names.map((_, i) => (use[i] ? w[k++]! : new Float64Array(c.horizon)));
}

/** The ETS family takes the whole step when its best MSE is within `x` of the pool's best. */
function gate(c: Case, x: number): Float64Array[] {
  const base = weights(c), fam = weights(c, { pool: ["ets", "ets_damped"] }), m = mses(c);
  const inPool = c.names.map((n) => DEFAULT.includes(n));
  const inFam = c.names.map((n) => n === "ets" || n === "ets_damped");
  for (let h = 0; h < c.horizon; h++) {
    let best = Infinity, bestFam = Infinity;
    m.forEach((v, i) => {
      if (inPool[i]) best = Math.min(best, v[h]!);
      if (inFam[i]) bestFam = Math.min(bestFam, v[h]!);
    });
    if (bestFam <= x * best) { for (let i = 0; i < c.names.length; i++) base[i]![h] = fam[i]![h]!; }
  }
  return base;
}

/** Median of the `k` candidates with the lowest MSE at each step (a point forecast only). */
function medianTop(c: Case, k: number): Float64Array {
  const m = mses(c), out = new Float64Array(c.horizon);
  const pool = c.names.map((_, i) => i).filter((i) => DEFAULT.includes(c.names[i]!));
  for (let h = 0; h < c.horizon; h++) {
    const v = pool.sort((a, b) => m[a]![h]! - m[b]![h]!).slice(0, k)
      .map((i) => c.finals[i]![h]!).sort((a, b) => a - b);
    out[h] = v.length % 2 ? v[v.length >> 1]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
  }
  return out;
}

type Rule = ((c: Case) => Float64Array[]) | { median: number };

const swap = DEFAULT.map((n) => (n === "ets" ? "ets_mle" : n));

/** The rules compared (labels as in README: Forecasting). */
export const RULES: Record<string, Rule> = {
  "previous defaults (all origins, no shrink)": (c) => weights(c),
  "defaults: last 10 origins, shrink 0.5 within 1.5x": (c) =>
    weights(c, { last: 10, shrink: 0.5, ratio: 1.5 }),
  "power 1": (c) => weights(c, { power: 1 }),
  "select the best per step": (c) => weights(c, { top: 1 }),
  "ets alone": (c) => weights(c, { pool: ["ets"] }),
  "ets_mle alone": (c) => weights(c, { pool: ["ets_mle"] }),
  "+ ets_mle": (c) => weights(c, { pool: [...DEFAULT, "ets_mle"] }),
  "ets -> ets_mle": (c) => weights(c, { pool: swap }),
  "defaults, + ets_mle": (c) =>
    weights(c, { pool: [...DEFAULT, "ets_mle"], last: 10, shrink: 0.5, ratio: 1.5 }),
  "defaults, ets -> ets_mle": (c) => weights(c, { pool: swap, last: 10, shrink: 0.5, ratio: 1.5 }),
  "median of the best 3": { median: 3 },
  "median of the best 5": { median: 5 },
  "median of all": { median: 99 },
};
for (const x of [1, 1.1, 1.25, 1.5]) {
  RULES[`ETS family within ${x}x takes the step`] = (c) => gate(c, x);
}
for (const last of [10, 20]) RULES[`last ${last} origins`] = (c) => weights(c, { last });
for (const shrink of [0.25, 0.5, 0.75, 1]) {
  for (const ratio of [1.25, 1.5, 2]) {
    RULES[`shrink ${shrink} within ${ratio}x`] = (c) => weights(c, { shrink, ratio });
  }
}
for (const last of [10, 20, 30]) {
  for (const [shrink, ratio] of [[0.5, 1.5], [0.75, 1.5], [0.5, 2]] as const) {
    RULES[`last ${last}, shrink ${shrink} within ${ratio}x`] = (c) =>
      weights(c, { last, shrink, ratio });
  }
}

// Session 21: horizon-aware weighting and new candidates, each on top of the defaults.
const D = { last: 10, shrink: 0.5, ratio: 1.5 } as const;
const without = (name: string) => DEFAULT.filter((n) => n !== name);
for (const width of [2, 4, 8]) {
  RULES[`D, pool >= ${width} steps either side`] = (c) => weights(c, { ...D, width });
  RULES[`D + ets_mle, pool >= ${width} steps`] = (c) =>
    weights(c, { ...D, width, pool: [...DEFAULT, "ets_mle"] });
}
for (const allFirst of [6, 12, 24]) {
  RULES[`D, first ${allFirst} steps from all origins`] = (c) => weights(c, { ...D, allFirst });
  RULES[`D + ets_mle, first ${allFirst} from all`] = (c) =>
    weights(c, { ...D, allFirst, pool: [...DEFAULT, "ets_mle"] });
}
RULES["D, first 12 from all, pool >= 4"] = (c) => weights(c, { ...D, allFirst: 12, width: 4 });
for (
  const [name, replaces] of [["theta_opt", "theta"], ["ets_windows", "ets"], ["ets_bagged", "ets"]]
) {
  RULES[`D + ${name}`] = (c) => weights(c, { ...D, pool: [...DEFAULT, name!] });
  RULES[`D, ${replaces} -> ${name}`] = (c) =>
    weights(c, { ...D, pool: [...without(replaces!), name!] });
  RULES[`${name} alone`] = (c) => weights(c, { pool: [name!] });
}
for (const width of [3, 4, 5, 6]) {
  RULES[`D, pool >= ${width}, ets -> ets_bagged`] = (c) =>
    weights(c, { ...D, width, pool: [...without("ets"), "ets_bagged"] });
}
for (const width of [3, 5, 6]) {
  RULES[`D, pool >= ${width} steps either side`] = (c) => weights(c, { ...D, width });
}
for (const b of [4, 16]) {
  RULES[`D, ets -> ets_bagged${b}`] = (c) =>
    weights(c, { ...D, pool: [...without("ets"), `ets_bagged${b}`] });
  RULES[`D, pool >= 4, ets -> ets_bagged${b}`] = (c) =>
    weights(c, { ...D, width: 4, pool: [...without("ets"), `ets_bagged${b}`] });
}
// After the change: the first steps' weights from dense recent origins (stride 1), on top of
// today's defaults (N).
// N is the pool sessions 23 and 24 measured against: the defaults before `ets_mapa` joined them
// and before `ets_auto` replaced `ets_damped` ("N, ets_damped -> ets_auto" is today's `forecast()`).
const N = {
  ...D,
  width: 5,
  pool: DEFAULT_CANDIDATES.filter((n) => n !== "ets_mapa").map(beforeS24),
};
RULES["N: the defaults before ets_mapa"] = (c) => weights(c, N);
RULES["T: the defaults before linear"] = (c) => weights(c, { ...N, pool: [...BEFORE_S24] });
RULES["today's defaults"] = (c) => weights(c, { ...N, pool: [...DEFAULT_CANDIDATES] });
// Session 24: the two changes that passed the rule separately (each against BEFORE_S24), each
// alone; together they are today's defaults.
RULES["S24: only ets_damped -> ets_auto"] = (c) =>
  weights(c, { ...N, pool: BEFORE_S24.map((n) => n === "ets_damped" ? "ets_auto" : n) });
RULES["S24: only ar -> linear"] = (c) =>
  weights(c, { ...N, pool: BEFORE_S24.map((n) => n === "ar" ? "linear" : n) });
for (const steps of [6, 12]) {
  for (const origins of [48, 96]) {
    RULES[`N, first ${steps} steps from the last ${origins} origins at stride 1`] = (c) =>
      weights(c, { ...N, dense: { steps, origins } });
  }
}
RULES["D + ets_windows + ets_mle"] = (c) =>
  weights(c, { ...D, pool: [...DEFAULT, "ets_windows", "ets_mle"] });
RULES["D + ets_bagged + ets_mle"] = (c) =>
  weights(c, { ...D, pool: [...DEFAULT, "ets_bagged", "ets_mle"] });

// Session 23: the pool's composition, each default candidate left out of today's defaults (N).
for (const name of N.pool) {
  RULES[`N without ${name}`] = (c) => weights(c, { ...N, pool: N.pool.filter((n) => n !== name) });
}
// Session 23: an AR(1) forecast of the ETS candidates' one-step errors (φ^h·e_T), beside and in
// place of them.
const swapped = (pairs: Record<string, string>) => N.pool.map((n) => pairs[n] ?? n);
for (const ar of ["ets_bagged_ar", "ets_bagged_ar672"]) {
  RULES[`N + ${ar}`] = (c) => weights(c, { ...N, pool: [...N.pool, ar] });
  RULES[`N, ets_bagged -> ${ar}`] = (c) => weights(c, { ...N, pool: swapped({ ets_bagged: ar }) });
  RULES[`${ar} alone`] = (c) => weights(c, { pool: [ar] });
}
RULES["ets_bagged alone"] = (c) => weights(c, { pool: ["ets_bagged"] });
RULES["ets_damped_ar alone"] = (c) => weights(c, { pool: ["ets_damped_ar"] });
RULES["N, ets_damped -> ets_damped_ar"] = (c) =>
  weights(c, { ...N, pool: swapped({ ets_damped: "ets_damped_ar" }) });
RULES["N, both ETS -> _ar"] = (c) =>
  weights(c, { ...N, pool: swapped({ ets_bagged: "ets_bagged_ar", ets_damped: "ets_damped_ar" }) });
RULES["N + ets_bagged_ar + ets_damped_ar"] = (c) =>
  weights(c, { ...N, pool: [...N.pool, "ets_bagged_ar", "ets_damped_ar"] });
// Session 23: Taylor's double seasonal Holt-Winters (`dshw`: the shortest and longest detected
// period, or the one detected and a week of it; `dshw_two`: two detected periods only, absent
// otherwise; `dshw_1step`: `dshw` fitted to the one-step error) beside and in place of the ETS
// candidates, on top of the defaults before `dshw` joined them (N; "N + dshw" is today's
// `forecast()`). "alone" takes `ets_bagged` where the candidate is absent.
for (const name of ["dshw", "dshw_two", "dshw_1step"]) {
  const without = (x: string) => N.pool.filter((n) => n !== x);
  RULES[`N + ${name}`] = (c) => weights(c, { ...N, pool: [...N.pool, name] });
  RULES[`N, ets_bagged -> ${name}`] = (c) =>
    weights(c, { ...N, pool: [...without("ets_bagged"), name] });
  RULES[`N, ets_damped -> ${name}`] = (c) =>
    weights(c, { ...N, pool: [...without("ets_damped"), name] });
  RULES[`${name} alone`] = (c) =>
    weights(c, { pool: [c.names.includes(name as CandidateName) ? name : "ets_bagged"] });
}
// Temporal aggregation (MAPA), on the defaults before `ets_mapa` joined them (B): beside and in
// place of `ets_bagged`, and alone. `ets_mapa` spreads each level's buckets evenly (the rule that
// passed, "B + ets_mapa", is today's `forecast()`); `_base` takes the shape within a bucket from
// the base level, `_thief` reconciles the levels, `12` stops at 12-point buckets.
const B = N;
for (const name of ["ets_mapa", "ets_mapa_base", "ets_mapa_thief", "ets_mapa12"]) {
  RULES[`B + ${name}`] = (c) => weights(c, { ...B, pool: [...B.pool, name] });
  RULES[`B, ets_bagged -> ${name}`] = (c) =>
    weights(c, { ...B, pool: B.pool.map((n) => n === "ets_bagged" ? name : n) });
  RULES[`${name} alone`] = (c) => weights(c, { pool: [name] });
}

// Session 24: automatic ETS (`ets_auto`: the form of lowest AICc among the additive-error ones;
// `ets_auto_avg`: all forms with Akaike weights), beside and in place of the ETS candidates of
// the defaults before it (N), and alone ("N, ets_damped -> ets_auto" passed the rule and is
// today's `forecast()`, "T: today's defaults").
for (const name of ["ets_auto", "ets_auto_avg"]) {
  RULES[`N + ${name}`] = (c) => weights(c, { ...N, pool: [...N.pool, name] });
  RULES[`N, ets_bagged -> ${name}`] = (c) =>
    weights(c, { ...N, pool: N.pool.map((n) => n === "ets_bagged" ? name : n) });
  RULES[`N, ets_damped -> ${name}`] = (c) =>
    weights(c, { ...N, pool: N.pool.map((n) => n === "ets_damped" ? name : n) });
  RULES[`${name} alone`] = (c) => weights(c, { pool: [name] });
}
// for reference, after the choice: the candidate `ets_auto` replaced
RULES["ets_damped alone"] = (c) => weights(c, { pool: ["ets_damped"] });

// Session 24: bagged automatic ETS (Bergmeir, Hyndman & Benítez 2016) on `ets_bagged`'s
// bootstraps: `ets_auto_bagged` chooses the form once by AICc on the original series and refits
// its parameters on each bootstrap; `ets_auto_bagged_sel` chooses the form on each bootstrap. The
// settings, fixed before any figure: beside today's defaults, in place of `ets_bagged`, in place
// of `ets_auto`, and alone; each against "today's defaults".
for (const name of ["ets_auto_bagged", "ets_auto_bagged_sel"]) {
  const today = [...DEFAULT_CANDIDATES] as string[];
  RULES[`today + ${name}`] = (c) => weights(c, { ...N, pool: [...today, name] });
  for (const replaced of ["ets_bagged", "ets_auto"]) {
    RULES[`today, ${replaced} -> ${name}`] = (c) =>
      weights(c, { ...N, pool: today.map((n) => n === replaced ? name : n) });
  }
  RULES[`today: ${name} alone`] = (c) => weights(c, { pool: [name] });
}

// Session 23: a cap on the weight of any one candidate at a step (excess spread over the others
// in proportion to their weights, `capWeights`), after no shrinkage, a quarter or half of it
// (N's), on today's defaults (N). `CAP_BINDS` counts the (history, step) pairs where it bound.
const CAP_BINDS: Record<string, [number, number]> = {};
for (const cap of [0.3, 0.4, 0.5, 0.6]) {
  for (const shrink of [0, 0.25, 0.5]) {
    const label = `N, shrink ${shrink}, cap ${cap}`;
    RULES[label] = (c) => weights(c, { ...N, shrink, cap, capLabel: label });
  }
}
for (const cap of [0.7, 0.8]) {
  const label = `N, shrink 0.5, cap ${cap}`;
  RULES[label] = (c) => weights(c, { ...N, cap, capLabel: label });
}
// The same cap among the near-best only (within 1.5x of the best MSE at that step), who take
// the excess: where one candidate leads by more than that, the backtest is not ambiguous.
for (const cap of [0.3, 0.4, 0.5, 0.6, 0.7]) {
  for (const shrink of [0, 0.25, 0.5]) {
    const label = `N, shrink ${shrink}, near-best cap ${cap}`;
    RULES[label] = (c) => weights(c, { ...N, shrink, cap, capNear: true, capLabel: label });
  }
}
// With the opt-in `dshw` in the pool: would a cap have kept its lead in check (its loss on OT's
// test origins came with 0.6-0.7 of the weight)? Measured by the same rule, not a default.
for (const cap of [0.5, 0.6, 0.8]) {
  const label = `N + dshw, shrink 0.5, cap ${cap}`;
  RULES[label] = (c) => weights(c, { ...N, pool: [...N.pool, "dshw"], cap, capLabel: label });
}
RULES["N, shrink 0"] = (c) => weights(c, { ...N, shrink: 0 });
RULES["N, shrink 0.25"] = (c) => weights(c, { ...N, shrink: 0.25 });

// Session 23: mix or select, decided out-of-sample inside the history (a nested backtest). The
// mix's weights (N's rule) and the best single candidate per step are taken from the backtest's
// earlier origins only, and both are scored on its most recent `recent` origins; where the
// candidate beat the mix there (its MSE below `margin` × the mix's), the forecast takes the best
// candidate of the whole backtest (N's MSE) at that step, else N's mix. `perStep` decides each
// step on the MSE pooled around it (as the weights' MSE is pooled); otherwise one decision on
// the MSE over all steps. `family` restricts the selection to the ETS candidates.
function mixOrSelect(
  c: Case,
  o: { recent: number; perStep: boolean; family: boolean; margin: number },
): Float64Array[] {
  const selectable = c.names.map((n) =>
    N.pool.includes(n) && (!o.family || n === "ets_bagged" || n === "ets_damped")
  );
  const best = (m: Float64Array[], h: number) => {
    let at = -1;
    m.forEach((v, i) => {
      if (selectable[i] && v[h]! === v[h]! && (at < 0 || v[h]! < m[at]![h]!)) at = i;
    });
    return at;
  };
  const mix = weights(c, N);
  const early: Case = { ...c, errors: c.errors.map((e) => e.slice(0, -o.recent)) };
  const recent = c.errors.map((e) => e.slice(-o.recent));
  if (early.errors[0]!.length < 2) return mix;
  const w = weights(early, N), m = mses(early, N.last, N.width);
  const picks = Array.from({ length: c.steps }, (_, h) => best(m, h));
  const mixErr = recent[0]!.map((_, r) =>
    Float64Array.from(
      { length: c.steps },
      (_, h) => recent.reduce((a, e, i) => a + (w[i]![h]! ? w[i]![h]! * e[r]![h]! : 0), 0),
    )
  );
  const selErr = recent[0]!.map((_, r) =>
    Float64Array.from(
      { length: c.steps },
      (_, h) => picks[h]! < 0 ? NaN : recent[picks[h]!]![r]![h]!,
    )
  );
  const mixM = smoothedMse(mixErr, c.steps, N.width), selM = smoothedMse(selErr, c.steps, N.width);
  const sum = (v: Float64Array) => v.reduce((a, x) => a + x, 0);
  const whole = sum(selM) < o.margin * sum(mixM);
  const all = mses(c, N.last, N.width);
  const tally = (SELECTED[mixOrSelectLabel(o)] ??= [0, 0]);
  for (let h = 0; h < c.horizon; h++) {
    const s = Math.min(h, c.steps - 1);
    const take = o.perStep ? selM[s]! < o.margin * mixM[s]! : whole;
    const at = best(all, h);
    tally[1]++;
    if (!take || at < 0) continue;
    tally[0]++;
    for (let i = 0; i < c.names.length; i++) mix[i]![h] = i === at ? 1 : 0;
  }
  return mix;
}

/** Share of (history, step) pairs where each mix-or-select rule selected, since the last call. */
const SELECTED: Record<string, [number, number]> = {};
const mixOrSelectLabel = (o: Parameters<typeof mixOrSelect>[1]) =>
  `N, mix or select: last ${o.recent}, ${o.perStep ? "per step" : "all steps"}, ${
    o.family ? "ETS" : "all"
  }, margin ${o.margin}`;
for (const recent of [5, 10]) {
  for (const perStep of [true, false]) {
    for (const family of [false, true]) {
      for (const margin of [1, 0.9, 0.8]) {
        const o = { recent, perStep, family, margin };
        RULES[mixOrSelectLabel(o)] = (c) => mixOrSelect(c, o);
      }
    }
  }
}
// The margins either side of the one that passed (last 10, all steps, all, 0.9): how sharp is it?
for (const margin of [0.85, 0.95]) {
  const o = { recent: 10, perStep: false, family: false, margin };
  RULES[mixOrSelectLabel(o)] = (c) => mixOrSelect(c, o);
}

// Session 24: a direct linear model (NLinear, `directLinear`) beside the defaults before it (T), for
// each setting of its grid, and alone; the pool's setting (`linear`) also in place of the AR
// candidates, whose short-range role it shares ("T, ar -> linear" passed and is today's defaults).
const T = { ...N, pool: [...BEFORE_S24] as string[] };
for (const name of ["linear", ...Object.keys(LOCAL).filter((n) => n.startsWith("linear_"))]) {
  RULES[`T + ${name}`] = (c) => weights(c, { ...T, pool: [...T.pool, name] });
  RULES[`${name} alone`] = (c) => weights(c, { pool: [name] });
}
for (const ar of ["ar", "ar_level"]) {
  RULES[`T, ${ar} -> linear`] = (c) =>
    weights(c, { ...T, pool: T.pool.map((n) => n === ar ? "linear" : n) });
}
// The first round's pool setting (it was `linear` then) and the second round's neighbours in place
// of the ARs too.
const replaced: [string, string[]][] = [
  ["linear_2c_r0.1", ["ar", "ar_level"]],
  ["linear_2c_noint", ["ar"]],
  ["linear_1c_noint_r0.01", ["ar"]],
  ["linear_1c_noint_r1", ["ar"]],
];
for (const [name, ars] of replaced) {
  for (const ar of ars) {
    RULES[`T, ${ar} -> ${name}`] = (c) =>
      weights(c, { ...T, pool: T.pool.map((n) => n === ar ? name : n) });
  }
}

/** Share of (history, step) pairs where each capped rule's cap bound, since the last call. */
function capBinds(): void {
  for (const [label, [bound, steps]] of Object.entries(CAP_BINDS)) {
    console.log(`  cap binds: ${label.padEnd(40)} ${(bound / steps).toFixed(3)} of ${steps} steps`);
    delete CAP_BINDS[label];
  }
  for (const [label, [chosen, steps]] of Object.entries(SELECTED)) {
    console.log(`  selects: ${label.padEnd(60)} ${(chosen / steps).toFixed(3)} of ${steps} steps`);
    delete SELECTED[label];
  }
}

/** A rule's forecast and 95 % interval in the series' units. */
export function apply(
  c: Case,
  rule: Rule,
): { mean: Float64Array; lo: Float64Array; hi: Float64Array } {
  const unscale = (v: number) => c.center + c.scale * v;
  if ("median" in rule) {
    const mean = medianTop(c, rule.median).map(unscale);
    return { mean, lo: new Float64Array(c.horizon).fill(NaN), hi: mean.map(() => NaN) };
  }
  const w = rule(c), H = c.horizon;
  const mean = new Float64Array(H), sd = new Float64Array(H);
  for (let i = 0; i < c.names.length; i++) {
    for (let h = 0; h < H; h++) {
      mean[h]! += w[i]![h]! * c.finals[i]![h]!, sd[h]! += w[i]![h]! * (c.sds[i]![h]! || 0);
    }
  }
  const errors = c.errors[0]!.map((row, o) =>
    row.map((_, h) => c.errors.reduce((a, r, i) => a + (w[i]![h]! ? w[i]![h]! * r[o]![h]! : 0), 0))
  );
  const cal = calibrateIntervals(errors, sd), out = mean.map(unscale);
  const half = (h: number) => cal.q95 * c.scale * cal.scale[h]!;
  return { mean: out, lo: out.map((v, h) => v - half(h)), hi: out.map((v, h) => v + half(h)) };
}

const digits = FLAGS.digits;
const f4 = (x: number) => x.toFixed(digits).padStart(digits + 3);

/** Rules whose label matches `--rules=<regex>` (all by default). */
function selected(): string[] {
  const re = FLAGS.rules;
  return Object.keys(RULES).filter((n) => !re || re.test(n));
}

function ett(): void {
  const text = Deno.readTextFileSync(sharedData("ett/ETTh2.csv"));
  const columns = ["HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT"];
  const origins: number[] = [];
  for (let o = 1344; o + 168 <= 11520; o += 168) origins.push(o);
  const names = selected(), sums: Record<string, Record<number, number[]>> = {};
  for (const column of columns) {
    const raw = readCsvSeries(text, { valueColumn: column }).values.subarray(0, 11520);
    const { mean, sd } = ettScale(raw), z = raw.map((v) => (v - mean) / sd);
    for (const H of [24, 168]) {
      const total: Record<string, number> = {};
      for (const o of origins) {
        const c = makeCase(z.slice(o - 1344, o), H);
        for (const name of names) {
          const f = apply(c, RULES[name]!).mean;
          let se = 0;
          for (let i = 0; i < H; i++) se += (z[o + i]! - f[i]!) ** 2;
          total[name] = (total[name] ?? 0) + se / H / origins.length;
        }
      }
      for (const name of names) ((sums[name] ??= {})[H] ??= []).push(total[name]!);
    }
  }
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(
    `ETTh2 training split, 7 columns, ${origins.length} origins: mean MSE at H=24, H=168 | ` +
      `per column at 24 (${columns.join(" ")})`,
  );
  for (const name of names) {
    const r = sums[name]!;
    console.log(
      `${name.padEnd(52)} ${f4(avg(r[24]!))} ${f4(avg(r[168]!))} | ${
        r[24]!.map((x) => x.toFixed(3)).join(" ")
      }`,
    );
  }
  capBinds();
}

function m4(): void {
  const series = loadM4(sharedData("m4")), H = 48, names = selected();
  const outs: Record<string, ReturnType<typeof apply>[]> = {};
  for (const s of series) {
    const c = makeCase(s.train, H);
    for (const name of names) (outs[name] ??= []).push(apply(c, RULES[name]!));
  }
  const naive = series.map((s) => naive2(s.train, H, 24));
  const scales = series.map((s) => maseScale(s.train, 24));
  const owa = (name: string, idx: number[]) => {
    let s1 = 0, m1 = 0, s0 = 0, m0 = 0;
    for (const i of idx) {
      const s = series[i]!, f = outs[name]![i]!.mean;
      (s1 += smape(s.test, f), m1 += mase(s.test, f, scales[i]!));
      (s0 += smape(s.test, naive[i]!), m0 += mase(s.test, naive[i]!, scales[i]!));
    }
    return (s1 / s0 + m1 / m0) / 2;
  };
  const all = series.map((_, i) => i);
  console.log(`M4 hourly, ${series.length} series, H = ${H}: OWA, 95 % coverage, OWA per fold`);
  for (const name of names) {
    let cover = 0, points = 0;
    series.forEach((s, i) => {
      const o = outs[name]![i]!;
      if (Number.isNaN(o.lo[0]!)) return; // medians: no interval
      for (let j = 0; j < H; j++) {
        (cover += +(s.test[j]! >= o.lo[j]! && s.test[j]! <= o.hi[j]!), points++);
      }
    });
    const folds = [0, 1, 2, 3, 4].map((f) => owa(name, all.filter((i) => i % 5 === f)));
    console.log(
      `${name.padEnd(52)} ${f4(owa(name, all))} ${points ? f4(cover / points) : "      -"} | ${
        folds.map((x) => x.toFixed(digits)).join(" ")
      }`,
    );
  }
  capBinds();
}

if (import.meta.main) {
  // a missing data file is one line, not a stack trace
  await runMain("bench", () => {
    const which = FLAGS.which;
    if (which !== "m4") ett();
    if (which !== "ett") m4();
    return Promise.resolve(0);
  });
}
