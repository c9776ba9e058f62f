/**
 * Forecast benchmark on ETTh2 (oil temperature, hourly): accuracy at H = 24 and H = 168 over
 * rolling origins, next to published anchors, plus interval coverage and fitting speed.
 *
 * Protocol (that of the anchors): OT standardized by the mean and standard deviation of the
 * training rows 0–8639; forecast origins every 168 rows from 11520 (the start of the standard
 * ETT test split) while origin + 168 ≤ 14400 (its end): 17 origins, each with the preceding
 * 1,344 rows (8 weeks) as history. Every method is also scored over all 35 origins to the end
 * of the file (the published anchors exist for the 17 only; naive, seasonal naive and ETS are
 * computed in the same run on both sets, so they anchor the 35 as well), and over the 60
 * origins of the training split (every 168 rows from 1344 while origin + 168 ≤ 11520), where
 * `forecast()`'s options were chosen (with folds of M4 series): the test figures are
 * out-of-sample for those choices. statsmodels' ETS(A,N,A) is computed in the same run on every
 * set when a python3 with statsmodels is installed (Debian: python3-statsmodels), else skipped.
 * As extra reporting (nothing was chosen on it), `forecast()` (and its previous defaults), naive,
 * seasonal naive and statsmodels' ETS are also scored on a denser test protocol: every window of the test split at
 * stride 24 (origin from 11520 while origin + H ≤ 14400; the ETT papers slide with stride 1).
 * Also extra reporting: `forecast()` against statsmodels' ETS origin by origin on the 17, the 35
 * and the stride-24 sets (mean MSE difference, paired bootstrap 90 % interval, Diebold–Mariano
 * with the Harvey–Leybourne–Newbold correction; `bench/paired_comparison.ts`).
 *
 * Run: `deno run -A bench/forecast_bench.ts [--leave-one-out]` (the flag adds a row per default
 * candidate: `forecast()` without it; measured on the training split and M4 by
 * `bench/forecast_weighting_bench.ts`, where none was kept).
 *
 * @module
 */

import { sharedData } from "./_shared_data.ts";
import { benchFlags } from "./_flags.ts";
import { parseFlags } from "../cli/_args.ts";
import { readCsvSeries } from "../analytics/series/csv_series.ts";
import { forecast } from "../analytics/forecast/forecast.ts";
import {
  candidateModels,
  type CandidateName,
  DEFAULT_CANDIDATES,
} from "../analytics/forecast/forecast_candidates.ts";
import { detectPeriods } from "../analytics/models/detect_periods.ts";
import { doubleSeasonalHw } from "../analytics/models/double_seasonal_hw.ts";
import { dieboldMariano, type DieboldMarianoResult, pairedBootstrap } from "./paired_comparison.ts";

/** Figures of one method at one horizon. */
export interface BenchRow {
  /** Method name. */
  method: string;
  /** MSE at H = 24 (standardized units). */
  mse24: number;
  /** MSE at H = 168. */
  mse168: number;
  /** 1 − WAPE at H = 24. */
  acc24: number;
  /** 1 − WAPE at H = 168. */
  acc168: number;
  /** MSE at H = 24 and 168 over all 35 origins. */
  all24: number;
  all168: number;
  /** MSE at H = 24 and 168 over the 60 origins of the training split (options chosen there). */
  dev24: number;
  dev168: number;
  /**
   * MSE at H = 24 and 168 over every window of the test split at stride 24 (origin from 11520
   * while origin + H ≤ 14400: 120 and 114 windows); `NaN` for methods not scored there.
   */
  dense24: number;
  dense168: number;
}

/** What {@linkcode run} returns. */
export interface BenchResult {
  /** Our forecaster and each candidate, on the protocol. */
  rows: BenchRow[];
  /** Anchors: seasonal naive, statsmodels ETS, MSTL+ETS (MSE at 24 / 168). */
  anchors: { method: string; mse24: number; mse168: number }[];
  /** Interval coverage of forecast() at H = 24 and 168. */
  coverage: { h24: [number, number]; h168: [number, number] };
  /** Median ms to fit and forecast 1,344 points: forecast() with selection, and each candidate. */
  speedMs: Record<string, number>;
  /** Number of origins. */
  origins: number;
  /** forecast() over 35 origins to the end of the file (MSE at 24 / 168). */
  extended: { mse24: number; mse168: number; origins: number };
  /** forecast() against statsmodels' ETS per origin (empty without statsmodels). */
  paired: PairedRow[];
}

/**
 * Extra reporting (nothing is chosen on it): per-origin MSE of `forecast()` minus that of
 * statsmodels' ETS(A,N,A) on one set of origins at one horizon.
 */
export interface PairedRow {
  /** The origins: "17 test", "35 to the end" or "stride-24 test". */
  set: string;
  /** Horizon. */
  h: number;
  /** Mean difference with its paired bootstrap 90 % interval over origins (seed 1). */
  bootstrap: { mean: number; lo: number; hi: number };
  /** Diebold–Mariano with HLN's correction, h = origins a window overlaps (⌈H / stride⌉). */
  dm: DieboldMarianoResult;
}

const ANCHORS = [
  { method: "seasonal naive (anchor)", mse24: 0.111, mse168: 0.201 },
  { method: "statsmodels ETS (anchor)", mse24: 0.104, mse168: 0.282 },
  { method: "MSTL+ETS (anchor)", mse24: 0.091, mse168: 0.246 },
];

/** The default pool with the opt-in `dshw` (it passed the rule, then stayed opt-in: README). */
const WITH_DSHW = [...DEFAULT_CANDIDATES, "dshw"] as CandidateName[];
/** The default pool with the opt-in `ets_mapa` (it passed the rule, failed the fold check). */
const WITH_MAPA = [...DEFAULT_CANDIDATES, "ets_mapa"] as CandidateName[];
/** The default pool before session 33, when `airline` joined it. */
export const BEFORE_S33 = DEFAULT_CANDIDATES.filter((n) => n !== "airline");
/** The default pool before session 24, when `ets_auto` replaced `ets_damped` and `linear` `ar`. */
export const BEFORE_S24 = BEFORE_S33.map((n) =>
  n === "ets_auto" ? "ets_damped" : n === "linear" ? "ar" : n
) as CandidateName[];
/** The pool before session 33 with only one of session 24's two changes (each passed the rule). */
const ONLY_AUTO = BEFORE_S33.map((n) => n === "linear" ? "ar" : n) as CandidateName[];
const ONLY_LINEAR = BEFORE_S33.map((n) => n === "ets_auto" ? "ets_damped" : n);
/** The default pool before `ets_bagged` replaced `ets` (and session 24's changes). */
const PREVIOUS = BEFORE_S24.map((n) => n === "ets_bagged" ? "ets" : n);

const HISTORY = 1344, START = 11520, STEP = 168, TEST_END = 14400, DENSE_STEP = 24;

/** Methods also scored on the stride-24 test windows. */
const DENSE = new Set([
  "perfscope forecast()",
  "forecast() + dshw",
  "forecast() + ets_mapa",
  "before session 33 (no airline)",
  "before session 24 (ets_damped, ar)",
  "before (ets, poolSteps 0)",
  "naive (in run)",
  "seasonal naive (in run)",
  "statsmodels ETS(A,N,A)",
]);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/**
 * Runs the benchmark and prints a table. Prints a message and returns `undefined` when
 * ETTh2.csv is absent.
 *
 * @param options `path`: ETTh2.csv (default `../shared/data/ett/ETTh2.csv` relative to the
 * repository); `leaveOneOut`: add a row per default candidate, `forecast()` without it.
 * @returns The figures.
 */
export function run(
  options: { path?: string | URL; leaveOneOut?: boolean } = {},
): BenchResult | undefined {
  const path = options.path ?? sharedData("ett/ETTh2.csv");
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    console.log(`forecast bench: skipped, ${path} not found`);
    return undefined;
  }
  const z = standardizedColumn(text, "OT");
  const origins: number[] = [], all: number[] = [], dev: number[] = [];
  for (let o = START; o + STEP <= TEST_END; o += STEP) origins.push(o);
  for (let o = START; o + STEP <= z.length; o += STEP) all.push(o);
  for (let o = HISTORY; o + STEP <= START; o += STEP) dev.push(o);
  const dense = (h: number) => {
    const out: number[] = [];
    for (let o = START; o + h <= TEST_END; o += DENSE_STEP) out.push(o);
    return out;
  };
  const denseAll = [...new Set([...dense(24), ...dense(168)])];
  // the default pool plus the slower opt-in candidates, to show why they are opt-in
  const names: CandidateName[] = [
    ...DEFAULT_CANDIDATES,
    "ets_damped",
    "ets_auto_avg",
    "ar",
    "ets",
    "ets_windows",
    "theta_opt",
    "ets_mle",
    "ets_bagged_ar",
    "dshw",
    "ets_mapa",
    "fourier",
    "mstl_ets",
    "augurs_mstl",
  ];
  const pool = candidateModels(names);
  const methods: Record<string, (y: Float64Array, h: number) => Float64Array> = {
    "perfscope forecast()": (y, h) => forecast(y, { horizon: h }).mean,
    "forecast() + dshw": (y, h) => forecast(y, { horizon: h, models: WITH_DSHW }).mean,
    "forecast() + ets_mapa": (y, h) => forecast(y, { horizon: h, models: WITH_MAPA }).mean,
    "before session 33 (no airline)": (y, h) =>
      forecast(y, { horizon: h, models: BEFORE_S33 }).mean,
    "before session 24 (ets_damped, ar)": (y, h) =>
      forecast(y, { horizon: h, models: BEFORE_S24 }).mean,
    "only ets_auto (ar)": (y, h) => forecast(y, { horizon: h, models: ONLY_AUTO }).mean,
    "only linear (ets_damped)": (y, h) => forecast(y, { horizon: h, models: ONLY_LINEAR }).mean,
    "before (ets, poolSteps 0)": (y, h) =>
      forecast(y, { horizon: h, models: PREVIOUS, poolSteps: 0 }).mean,
    "before (no shrink, all)": (y, h) =>
      forecast(y, {
        horizon: h,
        models: PREVIOUS,
        poolSteps: 0,
        shrink: 0,
        recentOrigins: Infinity,
      }).mean,
    "forecast() + fourier": (y, h) =>
      forecast(y, { horizon: h, models: [...DEFAULT_CANDIDATES, "fourier"] }).mean,
    "forecast(), ets_bagged_ar": (y, h) =>
      forecast(y, {
        horizon: h,
        models: DEFAULT_CANDIDATES.map((n) => n === "ets_bagged" ? "ets_bagged_ar" : n),
      }).mean,
    "forecast() + ets_bagged_ar": (y, h) =>
      forecast(y, { horizon: h, models: [...DEFAULT_CANDIDATES, "ets_bagged_ar"] }).mean,
    // Session 23: a cap on one candidate's weight per step (opt-in; measured on the training
    // split and M4 by bench/forecast_weighting_bench.ts, where none passed)
    "forecast(), weightCap 0.8": (y, h) => forecast(y, { horizon: h, weightCap: 0.8 }).mean,
    "forecast(), weightCap 0.6": (y, h) => forecast(y, { horizon: h, weightCap: 0.6 }).mean,
    "forecast(), near-best cap 0.5": (y, h) =>
      forecast(y, { horizon: h, weightCap: 0.5, weightCapNearBest: true }).mean,
    "naive (in run)": (y, h) => new Float64Array(h).fill(y[y.length - 1]!),
    "seasonal naive (in run)": (y, h) =>
      Float64Array.from({ length: h }, (_, i) => y[y.length - 24 + (i % 24)]!),
  };
  if (options.leaveOneOut) {
    for (const left of DEFAULT_CANDIDATES) {
      const models = DEFAULT_CANDIDATES.filter((n) => n !== left);
      methods[`forecast() w/o ${left}`] = (y, h) => forecast(y, { horizon: h, models }).mean;
    }
  }
  for (const name of names) {
    methods[name] = (y, h) =>
      pool[name](y, h, { periods: detectPeriods(y).map((p) => p.period) }).at(y.length, h).mean;
  }
  // Taylor's own setting: the periods 24 and 168 whatever the detection finds
  methods["dshw (24, 168)"] = (y, h) =>
    doubleSeasonalHw(y, h, { periods: [24, 168] }).at(y.length, h).mean;
  // statsmodels' ETS, when installed, forecasts every origin of every set in one Python run
  const external = statsmodelsEts(z, [...new Set([...dev, ...all, ...denseAll])]);
  for (const [name, byOrigin] of Object.entries(external)) {
    methods[name] = (y, h) => byOrigin.get(`${h}:${y.length}:${y[0]}:${y[y.length - 1]}`)!;
  }
  // each method's MSE per horizon and origin, for the paired comparison below
  const perOrigin = new Map<string, number>();
  const score = (method: string, h: number, at: number[]) => {
    const f = methods[method]!;
    let mse = 0, ae = 0, aa = 0;
    for (const o of at) {
      const m = f(z.slice(o - HISTORY, o), h);
      let se = 0;
      for (let i = 0; i < h; i++) {
        const e = z[o + i]! - m[i]!;
        se += e * e, ae += Math.abs(e), aa += Math.abs(z[o + i]!);
      }
      perOrigin.set(`${method}:${h}:${o}`, se / h);
      mse += se / h / at.length;
    }
    return [mse, 1 - ae / aa] as const;
  };
  const rows: BenchRow[] = [];
  for (const f of Object.keys(methods)) {
    const method = f;
    const [mse24, acc24] = score(f, 24, origins), [mse168, acc168] = score(f, 168, origins);
    const [all24] = score(f, 24, all), [all168] = score(f, 168, all);
    const [dev24] = score(f, 24, dev), [dev168] = score(f, 168, dev);
    const [dense24, dense168] = DENSE.has(method)
      ? [score(f, 24, dense(24))[0], score(f, 168, dense(168))[0]]
      : [NaN, NaN];
    rows.push({
      method,
      mse24,
      mse168,
      acc24,
      acc168,
      all24,
      all168,
      dev24,
      dev168,
      dense24,
      dense168,
    });
  }
  const extended = { mse24: rows[0]!.all24, mse168: rows[0]!.all168, origins: all.length };
  const coverage = { h24: [0, 0] as [number, number], h168: [0, 0] as [number, number] };
  for (const h of [24, 168] as const) {
    let c80 = 0, c95 = 0, k = 0;
    for (const o of origins) {
      const f = forecast(z.slice(o - HISTORY, o), { horizon: h });
      for (let i = 0; i < h; i++) {
        const a = z[o + i]!;
        c80 += +(a >= f.lo80[i]! && a <= f.hi80[i]!),
          c95 += +(a >= f.lo95[i]! && a <= f.hi95[i]!),
          k++;
      }
    }
    coverage[h === 24 ? "h24" : "h168"] = [c80 / k, c95 / k];
  }
  const speedMs: Record<string, number> = {};
  const sample = z.slice(START - HISTORY, START);
  for (const [method, f] of Object.entries(methods)) {
    if (method in external) continue;
    for (const h of [24, 168]) {
      const times: number[] = [];
      for (let r = 0; r < 15; r++) {
        const t0 = performance.now();
        f(sample, h);
        times.push(performance.now() - t0);
      }
      speedMs[h === 24 ? method : `${method} H=168`] = median(times);
    }
  }
  const fmt = (x: number) => x.toFixed(3).padStart(7);
  console.log(
    `ETTh2 OT, standardized (train rows 0-8639); ${origins.length} origins every ${STEP} h from ` +
      `row ${START} while origin + ${STEP} <= ${TEST_END} (ETT test split); history ${HISTORY} h`,
  );
  console.log(
    `${
      "method".padEnd(34)
    }  MSE@24 MSE@168  1-WAPE@24 1-WAPE@168  median ms (1344 pts) H=24 / H=168 | ${all.length} origins: MSE@24 MSE@168 | ${dev.length} train-split origins: MSE@24 MSE@168 | stride-${DENSE_STEP} test windows (${
      dense(24).length
    } / ${dense(168).length}): MSE@24 MSE@168`,
  );
  for (const a of ANCHORS) console.log(`${a.method.padEnd(34)} ${fmt(a.mse24)} ${fmt(a.mse168)}`);
  for (const r of rows) {
    const ms = (key: string) => speedMs[key]?.toFixed(1) ?? "-";
    console.log(
      `${r.method.padEnd(34)} ${fmt(r.mse24)} ${fmt(r.mse168)}    ${fmt(r.acc24)}    ${
        fmt(r.acc168)
      }   ${ms(r.method).padStart(8)} / ${ms(`${r.method} H=168`).padStart(6)} | ${fmt(r.all24)} ${
        fmt(r.all168)
      } | ${fmt(r.dev24)} ${fmt(r.dev168)} | ${
        Number.isNaN(r.dense24) ? "      -       -" : `${fmt(r.dense24)} ${fmt(r.dense168)}`
      }`,
    );
  }
  if (!Object.keys(external).length) {
    console.log("statsmodels ETS: skipped (python3 with statsmodels not installed)");
  }
  console.log(
    `forecast() interval coverage: H=24 80%→${fmt(coverage.h24[0])} 95%→${fmt(coverage.h24[1])}; ` +
      `H=168 80%→${fmt(coverage.h168[0])} 95%→${fmt(coverage.h168[1])}`,
  );
  const paired = pairedRows(perOrigin, "statsmodels ETS(A,N,A)" in external, {
    "17 test": [() => origins, STEP],
    "35 to the end": [() => all, STEP],
    "stride-24 test": [dense, DENSE_STEP],
  });
  return { rows, anchors: ANCHORS, coverage, speedMs, origins: origins.length, extended, paired };
}

/**
 * The paired comparison of `forecast()` and statsmodels' ETS per set and horizon, printed
 * (reporting only: no option of `forecast()` is chosen on it).
 *
 * @param perOrigin MSE per `method:h:origin`.
 * @param withEts Whether statsmodels' ETS ran.
 * @param sets Each set's origins at a horizon, and their stride.
 * @returns One row per set and horizon; none without statsmodels.
 */
function pairedRows(
  perOrigin: Map<string, number>,
  withEts: boolean,
  sets: Record<string, [(h: number) => number[], number]>,
): PairedRow[] {
  if (!withEts) return [];
  const out: PairedRow[] = [];
  const fmt = (x: number) => x.toFixed(4).padStart(8);
  console.log(
    `\nforecast() - statsmodels ETS(A,N,A), per-origin MSE (extra reporting, no choice made on ` +
      `it): n, mean, paired bootstrap 90 % interval over origins (10,000 resamples, seed 1), ` +
      `Diebold-Mariano, HLN-corrected, two-sided p from t(n-1), h`,
  );
  for (const [set, [at, stride]] of Object.entries(sets)) {
    for (const h of [24, 168]) {
      const d = at(h).map((o) =>
        perOrigin.get(`perfscope forecast():${h}:${o}`)! -
        perOrigin.get(`statsmodels ETS(A,N,A):${h}:${o}`)!
      );
      // a window of H steps shares steps with the next ⌈H / stride⌉ - 1 origins' windows
      const row = {
        set,
        h,
        bootstrap: pairedBootstrap(d, { resamples: 10_000, level: 0.9, seed: 1 }),
        dm: dieboldMariano(d, Math.ceil(h / stride)),
      };
      out.push(row);
      const { mean, lo, hi } = row.bootstrap, dm = row.dm;
      console.log(
        `${`${set}, H=${h}`.padEnd(22)} n=${String(dm.n).padStart(3)} ${fmt(mean)} ` +
          `[${fmt(lo)}, ${fmt(hi)}]  DM ${fmt(dm.dm)}  HLN ${fmt(dm.hln)}  p ${
            dm.p.toFixed(3)
          }  h=${dm.h}`,
      );
    }
  }
  return out;
}

/**
 * One column of ETTh2 standardized by the mean and standard deviation of its training rows
 * (0–8639), the ETT protocol.
 *
 * @param text The CSV file's text.
 * @param column The column.
 * @returns The standardized values.
 */
export function standardizedColumn(text: string, column: string): Float64Array {
  const raw = readCsvSeries(text, { valueColumn: column }).values;
  const { mean, sd } = ettScale(raw);
  return raw.map((v) => (v - mean) / sd);
}

/**
 * The mean and standard deviation of an ETT column's rows 0–8639 (the ETT protocol's training
 * rows), by Welford's running update; every bench standardizes with these.
 *
 * @param raw The column's values (at least 8,640).
 * @returns The mean and the population standard deviation (1 if it is 0).
 */
export function ettScale(raw: Float64Array): { mean: number; sd: number } {
  let mean = 0, m2 = 0;
  for (let i = 0; i < 8640; i++) {
    const d = raw[i]! - mean;
    mean += d / (i + 1);
    m2 += d * (raw[i]! - mean);
  }
  return { mean, sd: Math.sqrt(m2 / 8640) || 1 };
}

/**
 * statsmodels' ETS(A,N,A) forecasts (ETSModel, maximum likelihood) at H = 24 and 168 from each
 * origin, by `bench/statsmodels_ets.py`, keyed by horizon, length, first and last value of the
 * history; empty when python3 or statsmodels is missing.
 */
export function statsmodelsEts(
  z: Float64Array,
  origins: number[],
): Record<string, Map<string, Float64Array>> {
  const out: Record<string, Map<string, Float64Array>> = {};
  const script = new URL("./statsmodels_ets.py", import.meta.url).pathname;
  const windows = origins.map((o) => z.slice(o - HISTORY, o));
  const input = Deno.makeTempFileSync({ suffix: ".json" });
  try {
    for (const model of ["ets"] as const) {
      const byOrigin = new Map<string, Float64Array>();
      for (const horizon of [24, 168]) {
        Deno.writeTextFileSync(
          input,
          JSON.stringify({ model, period: 24, horizon, series: windows.map((w) => [...w]) }),
        );
        // the first Python that has statsmodels (Debian's python3-statsmodels is /usr/bin's)
        let result: Deno.CommandOutput | undefined;
        for (const python of ["python3", "/usr/bin/python3"]) {
          try {
            result = new Deno.Command(python, { args: [script, input], stderr: "null" })
              .outputSync();
          } catch { /* not installed */ }
          if (result?.success) break;
        }
        if (!result?.success) return {};
        const forecasts: number[][] = JSON.parse(new TextDecoder().decode(result.stdout));
        windows.forEach((y, i) => {
          byOrigin.set(
            `${horizon}:${y.length}:${y[0]}:${y[y.length - 1]}`,
            Float64Array.from(forecasts[i]!),
          );
        });
      }
      out["statsmodels ETS(A,N,A)"] = byOrigin;
    }
  } finally {
    Deno.removeSync(input);
  }
  return out;
}

const USAGE = `Usage: deno run -A bench/forecast_bench.ts [--leave-one-out]

Scores forecast() and the anchors on ETTh2 (17 and 35 test origins, 60 training origins).

Options:
  --leave-one-out   add a row per default candidate: forecast() without it
  -h, --help        show this help`;

if (import.meta.main) {
  run(benchFlags(USAGE, (args) => {
    const { values } = parseFlags(args, { "leave-one-out": { type: "boolean", default: false } });
    return { leaveOneOut: values["leave-one-out"] };
  }));
}
