/**
 * `forecast()`'s `transform` option (session 25, variants fixed before any figure): the defaults
 * and V1 log (median), V2 log (mean), V3 Box-Cox with Guerrero's λ (median), V4 Box-Cox (mean),
 * on the training split of ETTh2's seven columns (60 origins before row 11520, H = 24 and 168;
 * the test split is never read) and on M4's hourly half (OWA on all 207 series and per fold,
 * 95 % coverage, CPU ms per series of the `forecast()` call).
 *
 * ETTh2's columns are fed twice. Standardized by rows 0–8639 (as the weighting bench): the
 * defaults' row reproduces their figures, and a history with a value ≤ 0 is forecast as without
 * transform (some windows of LUFL, LULL and OT lie wholly above the mean of rows 0–8639, so there
 * it applies, to a shifted series). Raw (the CSV's values), with forecasts and actuals then
 * standardized by the same rows before the MSE: the transform applies to each history whose
 * values are all > 0.
 * V2 and V4 are V1 and V3 with the mean back-transform, computed from the same forecast (what
 * `biasAdjust` does, from `fitted.intervals.scale`), so each history is forecast 3 times per
 * input. The transforms are passed explicitly, whatever `forecast()`'s default.
 *
 * `nab` (a guard-rail check fixed before its figures, added after the default passed the rule):
 * the real server metrics of NAB (every file of `realAWSCloudwatch/` and `realKnownCause/` that
 * exists; the shared copy holds only the first), raw values, origins every 288 points from point
 * 2016 while origin + 288 ≤ length, history the 2016 points before (7 days at 5 min), H = 12 and
 * 288, `transform` "none" against "boxcox" (all else default). Per file: MSE over origins and
 * steps, 80 % and 95 % coverage, mean 80 % width. The default stays only if, at both horizons,
 * the geometric mean over files of the MSE ratio boxcox / none is ≤ 1 and Box-Cox's pooled
 * coverage is no further from nominal than none's + 0.01 at both 80 % and 95 %.
 *
 * Run: `deno run -A bench/forecast_transform_bench.ts [ett|m4|nab] [--digits=n]` (no data set:
 * ett and m4). `deno task bench` runs nab and m4 (nab alone with `--quick`): ett takes tens of
 * minutes.
 *
 * @module
 */

import process from "node:process";
import { sharedData } from "./_shared_data.ts";
import { ettScale } from "./forecast_bench.ts";
import { benchMain } from "./_flags.ts";
import { parseFlags, parseNumber, UsageError } from "../cli/_args.ts";
import { loadM4 } from "./m4_bench.ts";
import { mase, maseScale, naive2, smape } from "./m4_scores.ts";
import { readCsvSeries } from "../analytics/series/csv_series.ts";
import { forecast, type ForecastResult } from "../analytics/forecast/forecast.ts";
import { boxCox, invBoxCoxMean } from "../analytics/forecast/box_cox.ts";
import { loadNabFiles } from "./_nab_files.ts";

const USAGE = `Usage: deno run -A bench/forecast_transform_bench.ts [ett|m4|nab] [options]

Scores forecast()'s transform variants on ETTh2's training split (ett; standardized and raw
input) and M4's hourly half (m4); both by default (tens of minutes). nab: Box-Cox against no
transform on NAB's real server metrics (under a minute).

Options:
  --digits N   decimals of the printed figures (default 5)
  -h, --help   show this help`;

/** Options of {@linkcode run}. */
export interface TransformBenchOptions {
  /** The data sets; default nab and m4, nab alone with `quick` (alone, no data set: ett, m4). */
  which?: ("ett" | "m4" | "nab")[];
  /** Decimals of the printed figures; default 5. */
  digits?: number;
  /** With `deno task bench`: nab alone (under a minute) instead of nab and m4. */
  quick?: boolean;
}

function flags(args: string[]): TransformBenchOptions {
  const { values, positionals } = parseFlags(args, {
    digits: { type: "string", default: "5" },
  }, true);
  const which = positionals[0];
  if (
    positionals.length > 1 ||
    (which !== undefined && which !== "ett" && which !== "m4" && which !== "nab")
  ) {
    throw new UsageError(`Unknown data set: ${positionals.join(" ")} (ett, m4 or nab)`);
  }
  return {
    which: which === undefined ? ["ett", "m4"] : [which],
    digits: parseNumber(values.digits!, "digits", { min: 0, max: 20, integer: true }),
  };
}

/** Decimals of the printed figures (set by {@linkcode run}). */
let digits = 5;
const f = (x: number) => x.toFixed(digits).padStart(digits + 3);

/** The rows: label, the `transform` forecast it comes from, mean back-transform. */
const VARIANTS = [
  { label: "defaults (no transform)", transform: "none", mean: false },
  { label: "V1 log, median", transform: "log", mean: false },
  { label: "V2 log, mean", transform: "log", mean: true },
  { label: "V3 Box-Cox (Guerrero), median", transform: "boxcox", mean: false },
  { label: "V4 Box-Cox (Guerrero), mean", transform: "boxcox", mean: true },
] as const;
const TRANSFORMS = ["none", "log", "boxcox"] as const;

/** The point forecast of a variant: the result's median, or its mean as `biasAdjust` gives it. */
function point(r: ForecastResult, mean: boolean): Float64Array {
  const t = r.fitted.transform;
  if (!mean || !t) return r.mean;
  const w = boxCox(r.mean, t.lambda), s = r.fitted.intervals.scale;
  return w.map((v, h) => invBoxCoxMean(v, t.lambda, (s[h] ?? 0) ** 2));
}

/** Each transform's forecast of `y` with the CPU ms it took. */
function forecasts(y: Float64Array, horizon: number) {
  return TRANSFORMS.map((transform) => {
    const c0 = process.cpuUsage();
    const r = forecast(y, { horizon, transform });
    const c = process.cpuUsage(c0);
    return { r, cpuMs: (c.user + c.system) / 1000 };
  });
}

function ett(): void {
  const text = Deno.readTextFileSync(sharedData("ett/ETTh2.csv"));
  const columns = ["HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT"];
  const origins: number[] = [];
  for (let o = 1344; o + 168 <= 11520; o += 168) origins.push(o);
  // [input][H] → per-column mean MSE per variant
  const mse: Record<string, Record<number, number[][]>> = { standardized: {}, raw: {} };
  const positive: string[] = [], lambdas: string[] = [];
  for (const column of columns) {
    const raw = readCsvSeries(text, { valueColumn: column }).values.subarray(0, 11520);
    const { mean, sd } = ettScale(raw), z = raw.map((v) => (v - mean) / sd);
    let allPositive = 0;
    // [input] → [histories where Box-Cox applied, sum of λ]
    const applied: Record<string, number[]> = { standardized: [0, 0], raw: [0, 0] };
    for (const o of origins) if (raw.subarray(o - 1344, o).every((v) => v > 0)) allPositive++;
    for (const H of [24, 168]) {
      for (const input of ["standardized", "raw"] as const) {
        const total = VARIANTS.map(() => 0);
        for (const o of origins) {
          const y = (input === "raw" ? raw : z).slice(o - 1344, o);
          const out = forecasts(y, H);
          const t = out[2]!.r.fitted.transform;
          if (t) applied[input]![0]! += 1, applied[input]![1]! += t.lambda;
          VARIANTS.forEach((v, k) => {
            const r = out[TRANSFORMS.indexOf(v.transform)]!.r;
            const p = point(r, v.mean),
              toZ = input === "raw" ? (x: number) => (x - mean) / sd : (
                x: number,
              ) => x;
            let se = 0;
            for (let i = 0; i < H; i++) se += (z[o + i]! - toZ(p[i]!)) ** 2;
            total[k]! += se / H / origins.length;
          });
        }
        ((mse[input]![H] ??= VARIANTS.map(() => [])) as number[][])
          .forEach((row, k) => row.push(total[k]!));
      }
    }
    positive.push(`${column} ${allPositive}/${origins.length}`);
    const [n, sum] = applied.raw!, [ns, sums] = applied.standardized!;
    lambdas.push(
      `${column} ${n ? (sum! / n!).toFixed(2) : "-"} (${n}; standardized ${
        ns ? (sums! / ns!).toFixed(2) : "-"
      } (${ns}))`,
    );
  }
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(
    `ETTh2 training split, 7 columns, ${origins.length} origins: mean MSE at H=24, H=168`,
  );
  console.log(`histories all > 0 (raw): ${positive.join(", ")}`);
  console.log(`Box-Cox mean λ (histories where it applied, both H): ${lambdas.join(", ")}`);
  for (const input of ["standardized", "raw"]) {
    console.log(
      input === "raw"
        ? `raw input, forecasts and actuals standardized by rows 0-8639 | per column at 24 | at 168`
        : `standardized input | per column at 24 | at 168`,
    );
    VARIANTS.forEach((v, k) => {
      const a = mse[input]![24]![k]!, b = mse[input]![168]![k]!;
      const cols = (xs: number[]) => xs.map((x) => x.toFixed(3)).join(" ");
      console.log(`${v.label.padEnd(32)} ${f(avg(a))} ${f(avg(b))} | ${cols(a)} | ${cols(b)}`);
    });
  }
}

function m4(): void {
  const series = loadM4(sharedData("m4")), H = 48;
  const outs = VARIANTS.map(() => [] as ForecastResult[]),
    points = VARIANTS.map(() => [] as Float64Array[]);
  const cpu = TRANSFORMS.map(() => 0);
  let applied = 0;
  for (const s of series) {
    const out = forecasts(s.train, H);
    out.forEach((o, t) => cpu[t]! += o.cpuMs / series.length);
    if (out[2]!.r.fitted.transform) applied++;
    VARIANTS.forEach((v, k) => {
      const r = out[TRANSFORMS.indexOf(v.transform)]!.r;
      outs[k]!.push(r), points[k]!.push(point(r, v.mean));
    });
  }
  const naive = series.map((s) => naive2(s.train, H, 24));
  const scales = series.map((s) => maseScale(s.train, 24));
  const owa = (k: number, idx: number[]) => {
    let s1 = 0, m1 = 0, s0 = 0, m0 = 0;
    for (const i of idx) {
      const s = series[i]!, p = points[k]![i]!;
      (s1 += smape(s.test, p), m1 += mase(s.test, p, scales[i]!));
      (s0 += smape(s.test, naive[i]!), m0 += mase(s.test, naive[i]!, scales[i]!));
    }
    return (s1 / s0 + m1 / m0) / 2;
  };
  const all = series.map((_, i) => i);
  console.log(
    `M4 hourly, ${series.length} series (Box-Cox applied to ${applied}), H = ${H}: ` +
      `OWA, 95 % coverage, CPU ms per series | OWA per fold`,
  );
  VARIANTS.forEach((v, k) => {
    let cover = 0, n = 0;
    series.forEach((s, i) => {
      const o = outs[k]![i]!;
      for (let j = 0; j < H; j++) {
        (cover += +(s.test[j]! >= o.lo95[j]! && s.test[j]! <= o.hi95[j]!), n++);
      }
    });
    const folds = [0, 1, 2, 3, 4].map((fold) => owa(k, all.filter((i) => i % 5 === fold)));
    const ms = cpu[TRANSFORMS.indexOf(v.transform)]!;
    console.log(
      `${v.label.padEnd(32)} ${f(owa(k, all))} ${f(cover / n)} ${ms.toFixed(1).padStart(6)} | ${
        folds.map((x) => x.toFixed(digits)).join(" ")
      }`,
    );
  });
}

/** NAB's categories of real server and cloud metrics (those the shared copy lacks are skipped). */
const NAB_CATEGORIES = ["realAWSCloudwatch", "realKnownCause"];

function nab(): void {
  const files = loadNabFiles(NAB_CATEGORIES);
  const HISTORY = 2016, STEP = 288, PAIR = ["none", "boxcox"] as const;
  for (const H of [12, 288]) {
    // per file, per transform: [MSE, 80 % width]; pooled hits and counts
    const perFile: {
      name: string;
      mse: number[];
      width: number[];
      c80: number[];
      c95: number[];
      lambdas: number[];
    }[] = [];
    const hit80 = [0, 0], hit95 = [0, 0], cpu = [0, 0];
    let n = 0, forecastsRun = 0;
    for (const { name, y } of files) {
      const se = [0, 0], width = [0, 0], in80 = [0, 0], in95 = [0, 0], lambdas: number[] = [];
      let m = 0;
      for (let o = HISTORY; o + STEP <= y.length; o += STEP) {
        const history = y.slice(o - HISTORY, o);
        PAIR.forEach((transform, k) => {
          const c0 = process.cpuUsage();
          const r = forecast(history, { horizon: H, transform });
          const c = process.cpuUsage(c0);
          cpu[k]! += (c.user + c.system) / 1000;
          if (r.fitted.transform) lambdas.push(r.fitted.transform.lambda);
          for (let h = 0; h < H; h++) {
            const a = y[o + h]!;
            se[k]! += (a - r.mean[h]!) ** 2, width[k]! += r.hi80[h]! - r.lo80[h]!;
            in80[k]! += +(a >= r.lo80[h]! && a <= r.hi80[h]!);
            in95[k]! += +(a >= r.lo95[h]! && a <= r.hi95[h]!);
          }
        });
        m += H, forecastsRun++;
      }
      n += m;
      PAIR.forEach((_, k) => (hit80[k]! += in80[k]!, hit95[k]! += in95[k]!));
      perFile.push({
        name,
        mse: se.map((x) => x / m),
        width: width.map((x) => x / m),
        c80: in80.map((x) => x / m),
        c95: in95.map((x) => x / m),
        lambdas,
      });
    }
    const geo = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
    console.log(
      `\nNAB real server metrics, ${files.length} files, ${forecastsRun} origins, H = ${H}: ` +
        `MSE none, boxcox, ratio | 80 % width ratio | coverage 80 %, 95 % none / boxcox | ` +
        `Box-Cox λ (histories where it applied)`,
    );
    for (const p of perFile) {
      const l = p.lambdas;
      console.log(
        `${p.name.padEnd(48)} ${p.mse[0]!.toExponential(4)} ${p.mse[1]!.toExponential(4)} ${
          f(p.mse[1]! / p.mse[0]!)
        } | ${f(p.width[1]! / p.width[0]!)} | ${p.c80.map((x) => x.toFixed(2)).join(" ")} ${
          p.c95.map((x) => x.toFixed(2)).join(" ")
        } | ${
          l.length ? `mean ${(l.reduce((a, b) => a + b, 0) / l.length).toFixed(2)}` : "-"
        } (${l.length})`,
      );
    }
    const mseRatio = geo(perFile.map((p) => p.mse[1]! / p.mse[0]!));
    const widthRatio = geo(perFile.map((p) => p.width[1]! / p.width[0]!));
    const worse = perFile.filter((p) => p.mse[1]! > p.mse[0]!).length;
    const c80 = hit80.map((x) => x / n), c95 = hit95.map((x) => x / n);
    console.log(
      `geometric mean MSE ratio boxcox/none ${
        f(mseRatio)
      }; boxcox worse in ${worse}/${files.length}` +
        `; geometric mean 80 % width ratio ${f(widthRatio)}`,
    );
    PAIR.forEach((t, k) => {
      const ms = cpu[k]! / forecastsRun;
      console.log(
        `${t.padEnd(7)} pooled coverage 80 % ${f(c80[k]!)}  95 % ${f(c95[k]!)}  CPU ms/forecast ${
          ms.toFixed(1)
        }`,
      );
    });
    const pass = mseRatio <= 1 &&
      Math.abs(c80[1]! - 0.8) <= Math.abs(c80[0]! - 0.8) + 0.01 &&
      Math.abs(c95[1]! - 0.95) <= Math.abs(c95[0]! - 0.95) + 0.01;
    console.log(`criterion at H = ${H}: ${pass ? "passes" : "fails"}`);
  }
}

/**
 * Runs the data sets the options name, printing their tables.
 *
 * @param options See {@linkcode TransformBenchOptions}.
 * @returns The data sets run.
 */
export function run(options: TransformBenchOptions = {}): Promise<string[]> {
  digits = options.digits ?? 5;
  const which = options.which ?? (options.quick ? ["nab"] : ["nab", "m4"]);
  if (which.includes("nab")) nab();
  if (which.includes("ett")) ett();
  if (which.includes("m4")) m4();
  return Promise.resolve(which);
}

if (import.meta.main) await benchMain(USAGE, flags, run);
