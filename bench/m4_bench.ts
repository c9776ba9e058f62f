/**
 * M4 hourly benchmark on the development half in `../shared/data/m4` (207 series, 48-step
 * horizon, the competition's rules): sMAPE, MASE (m = 24), OWA against Naive2 computed in the
 * same run (M4 seasonality test, classical multiplicative decomposition), seasonal naive, 95 %
 * MSIS and coverage, and ms per series (fit + forecast: wall clock, and the process's CPU time,
 * which the load of a shared machine does not inflate).
 *
 * Options are chosen by 5-fold cross-validation across series (fold = index mod 5): the
 * `combine` and `weightPower` options of `forecast()` (the best 2, 3, 4 or all candidates per
 * step, weights ∝ MSE^−1 or MSE^−2), each with the default weighting (shrinkage, last 10
 * origins) or `plain` (neither), by OWA on four folds, its forecasts for the fifth (row
 * `out-of-fold`); and a factor on the width of
 * the 95 % interval, the one whose coverage on four folds is nearest 95 %, applied to the fifth
 * (`oof` columns). The out-of-fold figures are the headline; each fixed variant (in-fold for
 * whichever is best) and the raw intervals (factor 1) are beside them. Published results on all
 * 414 series are printed as anchors.
 *
 * Run: `deno run -A bench/m4_bench.ts [--quick]` (`--quick`: every 4th series). Forecasts are
 * cached in `/tmp/perfscope_m4_<method>.json`; `--fresh` ignores the cache.
 *
 * @module
 */

import process from "node:process";
import { forecast } from "../analytics/forecast/forecast.ts";
import { sharedData } from "./_shared_data.ts";
import { mase, maseScale, msis, naive2, seasonalNaiveM4, smape } from "./m4_scores.ts";
import { benchMain } from "./_flags.ts";
import { parseFlags } from "../cli/_args.ts";

const H = 48, M = 24, FOLDS = 5;

/** Published results on all 414 hourly series (M4's evaluation file; m4/README). */
export const M4_ANCHORS: ReadonlyArray<{ method: string; owa: number; msis?: number }> = [
  { method: "best hourly (Doornik et al.)", owa: 0.410, msis: 6.139 },
  { method: "Smyl (ES-RNN, M4 winner)", owa: 0.440, msis: 7.928 },
  { method: "FFORMA", owa: 0.484 },
  { method: "seasonal naive", owa: 0.627 },
];

/** One series: id, training values and the 48 test values. */
export interface M4Series {
  id: string;
  train: Float64Array;
  test: Float64Array;
}

/** A method's output on one series. */
interface Output {
  mean: number[];
  lo95?: number[];
  hi95?: number[];
  /** Wall-clock ms. */
  ms: number;
  /** CPU ms of the process (user + system): what the fit costs on one core, load apart. */
  cpuMs: number;
}

/** Figures of one method. */
export interface M4Row {
  method: string;
  smape: number;
  mase: number;
  owa: number;
  /** 95 % MSIS and coverage with raw intervals (NaN without intervals). */
  msis: number;
  coverage: number;
  /** Out-of-fold MSIS and coverage (interval factor chosen on the other folds). */
  msisOof: number;
  coverageOof: number;
  /** Factor chosen on all series (in-fold) and the in-fold coverage/MSIS at it. */
  factorIn: number;
  coverageIn: number;
  msisIn: number;
  /** Mean and median ms per series (wall clock), and mean CPU ms. */
  msMean: number;
  msMedian: number;
  cpuMean: number;
}

function parseRows(text: string): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const line of text.split("\n").slice(1)) {
    if (!line.trim()) continue;
    const cells = line.split(",");
    const id = cells[0]!.replace(/"/g, "");
    out.set(id, Float64Array.from(cells.slice(1).filter((c) => c.trim() !== ""), Number));
  }
  return out;
}

/**
 * Reads the M4 hourly files.
 *
 * @param root The m4 folder.
 * @returns Series in file order.
 */
export function loadM4(root: string): M4Series[] {
  const train = parseRows(Deno.readTextFileSync(`${root}/Hourly-train.csv`));
  const test = parseRows(Deno.readTextFileSync(`${root}/Hourly-test.csv`));
  return [...train].map(([id, t]) => ({ id, train: t, test: test.get(id)! }));
}

type Method = (y: Float64Array) => Omit<Output, "ms" | "cpuMs">;

/** The methods compared; `forecast()` is perfscope's. */
export const M4_METHODS: Record<string, Method> = {
  "Naive2": (y) => ({ mean: [...naive2(y, H, M)] }),
  "seasonal naive": (y) => ({ mean: [...seasonalNaiveM4(y, H, M)] }),
  "perfscope forecast()": (y) => {
    const f = forecast(y, { horizon: H });
    return { mean: [...f.mean], lo95: [...f.lo95], hi95: [...f.hi95] };
  },
};

// The grid the folds choose from: `combine` (candidates mixed per step) × `weightPower`.
// `plain`: weights from all backtest origins without shrinkage (the weighting before
// `shrink` and `recentOrigins`, README: Forecasting).
for (const plain of [false, true]) {
  for (const combine of [2, 3, 4, 10]) {
    for (const weightPower of [1, 2]) {
      const name = `forecast() combine ${combine === 10 ? "all" : combine} power ${weightPower}${
        plain ? " plain" : ""
      }`;
      M4_METHODS[name] = (y) => {
        const f = forecast(y, {
          horizon: H,
          combine,
          weightPower,
          ...(plain && { shrink: 0, recentOrigins: Infinity }),
        });
        return { mean: [...f.mean], lo95: [...f.lo95], hi95: [...f.hi95] };
      };
    }
  }
}

/** The variants among which the folds choose (names in {@linkcode M4_METHODS}). */
export const M4_VARIANTS: readonly string[] = Object.keys(M4_METHODS).filter((name) =>
  name.startsWith("forecast() combine")
);

function runMethod(name: string, series: M4Series[], fresh: boolean): Output[] {
  const file = `/tmp/perfscope_m4_${name.replace(/[^a-z0-9]+/gi, "_")}.json`;
  let cache: Record<string, Output> = {};
  if (!fresh) {
    try {
      cache = JSON.parse(Deno.readTextFileSync(file));
    } catch { /* no cache yet */ }
  }
  const out = series.map((s) => {
    const hit = cache[s.id];
    if (hit && hit.cpuMs !== undefined) return hit;
    const c0 = process.cpuUsage(), t0 = performance.now();
    const o = M4_METHODS[name]!(s.train);
    const ms = performance.now() - t0, cpu = process.cpuUsage(c0);
    const r = { ...o, ms, cpuMs: (cpu.user + cpu.system) / 1000 };
    cache[s.id] = r;
    return r;
  });
  Deno.writeTextFileSync(file, JSON.stringify(cache));
  return out;
}

/** The 95 % interval widened (or narrowed) around the mean by `k`. */
function scaled(o: Output, k: number): [number[], number[]] {
  const lo = o.lo95!.map((l, i) => o.mean[i]! - k * (o.mean[i]! - l));
  const hi = o.hi95!.map((u, i) => o.mean[i]! + k * (u - o.mean[i]!));
  return [lo, hi];
}

function intervalFigures(series: M4Series[], outs: Output[], ks: number[], idx: number[]) {
  let cover = 0, points = 0, ms = 0;
  for (const i of idx) {
    const s = series[i]!, o = outs[i]!;
    const [lo, hi] = scaled(o, ks[i]!);
    ms += msis(s.test, lo, hi, maseScale(s.train, M)) / idx.length;
    for (let j = 0; j < H; j++) {
      (cover += +(s.test[j]! >= lo[j]! && s.test[j]! <= hi[j]!), points++);
    }
  }
  return { coverage: cover / points, msis: ms };
}

const FACTORS = Array.from({ length: 41 }, (_, i) => 0.6 + i * 0.025);

function chooseFactor(series: M4Series[], outs: Output[], idx: number[]): number {
  let best = 1, gap = Infinity;
  for (const k of FACTORS) {
    const c = intervalFigures(series, outs, outs.map(() => k), idx).coverage;
    if (Math.abs(c - 0.95) < gap) (gap = Math.abs(c - 0.95), best = k);
  }
  return best;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/**
 * Runs the benchmark and prints the table.
 *
 * @param options `quick`: every 4th series; `fresh`: ignore cached forecasts; `methods`: names.
 * @returns One row per method, or `undefined` when the data is absent.
 */
export function run(
  options: { quick?: boolean; fresh?: boolean; methods?: string[] } = {},
): Promise<M4Row[] | undefined> {
  let series: M4Series[];
  try {
    series = loadM4(sharedData("m4"));
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    console.log("m4 bench: skipped, no M4 data");
    return Promise.resolve(undefined);
  }
  if (options.quick) series = series.filter((_, i) => i % 4 === 0);
  let names = options.methods ?? Object.keys(M4_METHODS);
  const naive = runMethod("Naive2", series, !!options.fresh);
  // forecast() runs first once without timing, so that no method pays the JIT's warm-up
  for (const s of series.slice(0, 5)) forecast(s.train, { horizon: H });
  const scales = series.map((s) => maseScale(s.train, M));
  const sm0 = series.reduce((a, s, i) => a + smape(s.test, naive[i]!.mean), 0) / series.length;
  const ma0 = series.reduce((a, s, i) => a + mase(s.test, naive[i]!.mean, scales[i]!), 0) /
    series.length;
  const all = series.map((_, i) => i);
  const byName: Record<string, Output[]> = { Naive2: naive };
  for (const name of names) byName[name] ??= runMethod(name, series, !!options.fresh);
  // The variant (the `combine` option) chosen by 5 folds of series: on four folds the one with
  // the lowest OWA, its forecasts for the fifth.
  const variants = M4_VARIANTS.filter((v) => byName[v]);
  const owaOn = (outs: Output[], idx: number[]) => {
    let s1 = 0, m1 = 0, s0 = 0, m0 = 0;
    for (const i of idx) {
      const s = series[i]!;
      (s1 += smape(s.test, outs[i]!.mean), m1 += mase(s.test, outs[i]!.mean, scales[i]!));
      (s0 += smape(s.test, naive[i]!.mean), m0 += mase(s.test, naive[i]!.mean, scales[i]!));
    }
    return (s1 / s0 + m1 / m0) / 2;
  };
  const chosenVariants: string[] = [];
  if (variants.length > 1) {
    const oof: Output[] = new Array(series.length);
    for (let f = 0; f < FOLDS; f++) {
      const train = all.filter((i) => i % FOLDS !== f);
      const best = variants.reduce((a, b) =>
        owaOn(byName[b]!, train) < owaOn(byName[a]!, train) ? b : a
      );
      chosenVariants.push(best);
      for (const i of all) if (i % FOLDS === f) oof[i] = byName[best]![i]!;
    }
    byName["out-of-fold (options by folds)"] = oof;
    names = [...names, "out-of-fold (options by folds)"];
  }
  const rows: M4Row[] = [];
  for (const name of names) {
    const outs = byName[name]!;
    const sm = series.reduce((a, s, i) => a + smape(s.test, outs[i]!.mean), 0) / series.length;
    const ma = series.reduce((a, s, i) => a + mase(s.test, outs[i]!.mean, scales[i]!), 0) /
      series.length;
    const row: M4Row = {
      method: name,
      smape: sm,
      mase: ma,
      owa: (sm / sm0 + ma / ma0) / 2,
      msis: NaN,
      coverage: NaN,
      msisOof: NaN,
      coverageOof: NaN,
      factorIn: NaN,
      coverageIn: NaN,
      msisIn: NaN,
      msMean: outs.reduce((a, o) => a + o.ms, 0) / outs.length,
      msMedian: median(outs.map((o) => o.ms)),
      cpuMean: outs.reduce((a, o) => a + o.cpuMs, 0) / outs.length,
    };
    if (outs[0]!.lo95) {
      const raw = intervalFigures(series, outs, outs.map(() => 1), all);
      const ks = new Array<number>(series.length).fill(1);
      for (let f = 0; f < FOLDS; f++) {
        const k = chooseFactor(series, outs, all.filter((i) => i % FOLDS !== f));
        for (const i of all) if (i % FOLDS === f) ks[i] = k;
      }
      const oof = intervalFigures(series, outs, ks, all);
      const kIn = chooseFactor(series, outs, all);
      const inFold = intervalFigures(series, outs, outs.map(() => kIn), all);
      Object.assign(row, {
        msis: raw.msis,
        coverage: raw.coverage,
        msisOof: oof.msis,
        coverageOof: oof.coverage,
        factorIn: kIn,
        coverageIn: inFold.coverage,
        msisIn: inFold.msis,
      });
    }
    rows.push(row);
  }
  print(rows, series.length, sm0, ma0);
  if (chosenVariants.length) console.log(`variant chosen per fold: ${chosenVariants.join(", ")}`);
  return Promise.resolve(rows);
}

function print(rows: M4Row[], n: number, sm0: number, ma0: number): void {
  const f = (x: number, d = 3) => (Number.isNaN(x) ? "-" : x.toFixed(d)).padStart(7);
  console.log(
    `M4 hourly, development half: ${n} series, H = ${H}, m = ${M}; Naive2 sMAPE ${
      sm0.toFixed(3)
    } MASE ${ma0.toFixed(4)} (README on this half: 18.541, 2.3584)`,
  );
  console.log(
    "interval factor chosen by 5 folds of series (out-of-fold) vs on all series (in-fold)",
  );
  console.log(
    `${"method".padEnd(28)}  sMAPE    MASE     OWA  MSIS95   cov95 | oof MSIS  oof cov | ` +
      `in k  in MSIS  in cov | ms mean  ms med  cpu ms`,
  );
  for (const r of rows) {
    console.log(
      `${r.method.padEnd(28)} ${f(r.smape)} ${f(r.mase)} ${f(r.owa)} ${f(r.msis)} ${
        f(r.coverage)
      } | ${f(r.msisOof)}  ${f(r.coverageOof)} | ${f(r.factorIn, 2)} ${f(r.msisIn)} ${
        f(r.coverageIn)
      } | ${f(r.msMean, 1)} ${f(r.msMedian, 1)} ${f(r.cpuMean, 1)}`,
    );
  }
  console.log("anchors (published, all 414 hourly series):");
  for (const a of M4_ANCHORS) {
    console.log(
      `${a.method.padEnd(28)} ${" ".repeat(16)}${f(a.owa)} ${a.msis ? f(a.msis) : ""}`,
    );
  }
}

const USAGE = `Usage: deno run -A bench/m4_bench.ts [--quick] [--fresh]

Scores forecast() and the anchors on the M4 hourly half in the shared data (m4/): sMAPE, MASE,
OWA against Naive2, MSIS and coverage, with the options chosen out-of-fold.

Options:
  --quick      every 4th series (as deno task bench --quick)
  --fresh      ignore the forecasts cached in /tmp/perfscope_m4_<method>.json
  -h, --help   show this help`;

if (import.meta.main) {
  await benchMain(USAGE, (args) => {
    const { values } = parseFlags(args, {
      quick: { type: "boolean", default: false },
      fresh: { type: "boolean", default: false },
    });
    return { quick: values.quick, fresh: values.fresh };
  }, run);
}
