/**
 * Whether the window `ets_auto` and `ets_bagged` fit (the last max(2,016, 4 periods) points)
 * costs accuracy on long histories: `forecast()` as it is (`capped`), with both fitted on the
 * whole history (`uncapped`, as before session 24) and with `ets_auto`'s origins before the
 * window filtered from the history's start instead of heuristic states over the window's length
 * (`filter`), on ETTh2's training split and on a synthetic series with a level shift.
 *
 * Protocol, fixed before the first run (session 25, 18:06 UTC): ETTh2's seven columns
 * standardized by rows 0–8639; rows ≥ 11,520 (the test split) are cut off when the file is
 * read. Origins 6000, 6168, … while origin + H ≤ 11,520; each forecast reads every row before
 * its origin (6,000–11,352 points). H = 24 and 168 (the usual horizons: with `forecast()`'s 40
 * origins ⌈H/4⌉ apart the earliest backtest origin is n − 258 and n − 1,806, inside the window,
 * so only the fitted parameters differ) and H = 336 and 720 (earliest n − 3,612 and n − 7,740:
 * the heuristic states are used). Figures: MSE per forecast averaged over steps, origins, then
 * columns; the share of actuals inside the 95 % interval; CPU ms per forecast (variants
 * interleaved, order rotated). Noise: the per-origin difference to `capped` (mean over columns),
 * mean ± 1.96 sd / √origins. `capped` counts as worse when its MSE is above another variant's by
 * more than 1 % and that interval excludes zero.
 *
 * @module
 */

import process from "node:process";
import { parseFlags, parseNumber, UsageError } from "../cli/_args.ts";
import { forecast, type ForecastOptions } from "../analytics/forecast/forecast.ts";
import { readCsvSeries } from "../analytics/series/csv_series.ts";
import { benchMain } from "./_flags.ts";
import { sharedData } from "./_shared_data.ts";
import { ettScale } from "./forecast_bench.ts";

const USAGE = `Usage: deno run -A bench/forecast_window_bench.ts [options]

MSE, 95 % coverage and CPU ms per forecast() on long histories with the ETS candidates' window
(capped), without it (uncapped) and with ets_auto's pre-window origins filtered (filter).
Needs PERFSCOPE_SHARED_DATA (ETTh2); reads only its training split (rows < 11520).

Options:
  --data ett|synthetic|both   What to score (default both)
  --horizons H,H              Horizons (default 24,168,336,720)
  --variants V,V              Of capped, uncapped, filter (default all three)
  --columns C,C               ETTh2 columns (default all seven)
  --every N                   Points between ETTh2 origins (default 168)
  --seeds N                   Synthetic series (default 8)
  -h, --help                  This text`;

const VARIANTS: Record<string, Partial<ForecastOptions>> = {
  capped: {},
  uncapped: { etsWindow: { history: Infinity } },
  filter: { etsWindow: { preWindow: "filter" } },
};
const COLUMNS = ["HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT"];

interface Options {
  data: "ett" | "synthetic" | "both";
  horizons: number[];
  variants: string[];
  columns: string[];
  every: number;
  seeds: number;
}

function list(s: string, what: string, allowed: readonly string[]): string[] {
  const xs = s.split(",");
  for (const x of xs) {
    if (!allowed.includes(x)) {
      throw new UsageError(`Unknown ${what}: ${x} (known: ${allowed.join(", ")})`);
    }
  }
  return xs;
}

function parse(args: string[]): Options {
  const { values } = parseFlags(args, {
    data: { type: "string", default: "both" },
    horizons: { type: "string", default: "24,168,336,720" },
    variants: { type: "string", default: "capped,uncapped,filter" },
    columns: { type: "string", default: COLUMNS.join(",") },
    every: { type: "string", default: "168" },
    seeds: { type: "string", default: "8" },
  });
  return {
    data: list(values.data!, "data", ["ett", "synthetic", "both"])[0] as Options["data"],
    horizons: values.horizons!.split(",").map((s) =>
      parseNumber(s, "horizons", { min: 1, max: 5000, integer: true })
    ),
    variants: list(values.variants!, "variant", Object.keys(VARIANTS)),
    columns: list(values.columns!, "column", COLUMNS),
    every: parseNumber(values.every!, "every", { min: 1, max: 5000, integer: true }),
    seeds: parseNumber(values.seeds!, "seeds", { min: 1, max: 100, integer: true }),
  };
}

/** Sums of one variant at one horizon: per origin (mean over series) and in total. */
interface Tally {
  mse: number[];
  inside: number;
  count: number;
  cpu: number;
  forecasts: number;
  etsWeight: number;
  autoMse: number;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Scores every variant's forecast of `future` from `history` into `tallies[variant]`, slot `o`. */
function score(
  history: Float64Array,
  future: Float64Array,
  variants: string[],
  tallies: Record<string, Tally>,
  o: number,
  series: number,
  turn: number,
): void {
  const H = future.length;
  for (let k = 0; k < variants.length; k++) {
    const v = variants[(k + turn) % variants.length]!, t = tallies[v]!;
    const t0 = cpuMs();
    const f = forecast(history, { horizon: H, ...VARIANTS[v] });
    t.cpu += cpuMs() - t0, t.forecasts++;
    let se = 0;
    for (let i = 0; i < H; i++) {
      se += (future[i]! - f.mean[i]!) ** 2;
      t.inside += +(f.lo95[i]! <= future[i]! && future[i]! <= f.hi95[i]!), t.count++;
    }
    t.mse[o] = (t.mse[o] ?? 0) + se / H / series;
    t.autoMse += f.candidates.find((c) => c.name === "ets_auto")?.mse ?? NaN;
    const w = f.fitted.weights;
    t.etsWeight += [w.ets_auto, w.ets_bagged].reduce(
      (a, ws) => a + (ws ? ws.reduce((s, x) => s + x, 0) / H : 0),
      0,
    );
  }
}

const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** One variant's figures at one horizon. */
interface Figures {
  mse: number;
  coverage95: number;
  cpuMs: number;
}

function report(
  label: string,
  variants: string[],
  tallies: Record<string, Tally>,
): Record<string, Figures> {
  const base = tallies[variants[0]!]!.mse;
  console.log(label);
  console.log(
    `  ${"variant".padEnd(9)} ${"MSE".padStart(8)} ${"Δ vs " + variants[0]!.padEnd(8)}${
      "±95 %".padStart(8)
    } ${"cov95".padStart(6)} ${"ets w".padStart(6)} ${"auto bt".padStart(8)} ${
      "CPU ms".padStart(7)
    }`,
  );
  const out: Record<string, Figures> = {};
  for (const v of variants) {
    const t = tallies[v]!, d = t.mse.map((x, o) => x - base[o]!), m = avg(d);
    const sd = Math.sqrt(d.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, d.length - 1));
    console.log(
      `  ${v.padEnd(9)} ${avg(t.mse).toFixed(5).padStart(8)} ${
        ((100 * avg(t.mse)) / avg(base) - 100).toFixed(2).padStart(7)
      } % ${(1.96 * sd / Math.sqrt(d.length)).toFixed(5).padStart(8)} ${
        (t.inside / t.count).toFixed(3).padStart(6)
      } ${(t.etsWeight / t.forecasts).toFixed(3).padStart(6)} ${
        (t.autoMse / t.forecasts).toFixed(4).padStart(8)
      } ${(t.cpu / t.forecasts).toFixed(0).padStart(7)}`,
    );
    out[v] = { mse: avg(t.mse), coverage95: t.inside / t.count, cpuMs: t.cpu / t.forecasts };
  }
  return out;
}

function tallies(variants: string[]): Record<string, Tally> {
  return Object.fromEntries(
    variants.map((v) => [v, {
      mse: [],
      inside: 0,
      count: 0,
      cpu: 0,
      forecasts: 0,
      etsWeight: 0,
      autoMse: 0,
    }]),
  );
}

/** ETTh2's training split (rows < 11,520), one column standardized by rows 0–8639. */
function trainingColumn(text: string, column: string): Float64Array {
  const raw = readCsvSeries(text, { valueColumn: column }).values.slice(0, 11520);
  const { mean, sd } = ettScale(raw);
  return raw.map((v) => (v - mean) / sd);
}

/** Figures per horizon (`H=24`, …) and variant. */
type Rows = Record<string, Record<string, Figures>>;

function ett(o: Options): Rows {
  const rows: Rows = {};
  const text = Deno.readTextFileSync(sharedData("ett/ETTh2.csv"));
  const z = o.columns.map((c) => trainingColumn(text, c));
  for (const H of o.horizons) {
    const origins: number[] = [];
    for (let t = 6000; t + H <= 11520; t += o.every) origins.push(t);
    const t = tallies(o.variants);
    origins.forEach((origin, j) => {
      z.forEach((y, c) =>
        score(
          y.subarray(0, origin),
          y.subarray(origin, origin + H),
          o.variants,
          t,
          j,
          z.length,
          j + c,
        )
      );
    });
    rows[`H=${H}`] = report(
      `ETTh2 training split, H=${H}: ${o.columns.length} columns × ${origins.length} origins ` +
        `(${origins[0]}…${origins.at(-1)}, every ${o.every}); ± over origins`,
      o.variants,
      t,
    );
  }
  return rows;
}

/**
 * 20,000 + H hourly points: a daily cycle, a weekly one, noise, and a level shift of 3 at
 * point 6,000 (before any window), seeded.
 */
function shifted(n: number, seed: number): Float64Array {
  let s = seed * 7919 + 17;
  const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
  const gauss = () => Math.sqrt(-2 * Math.log(u() || 1e-12)) * Math.cos(2 * Math.PI * u());
  return Float64Array.from(
    { length: n },
    (_, i) =>
      (i >= 6000 ? 3 : 0) + 2 * Math.sin((2 * Math.PI * i) / 24) +
      0.5 * Math.sin((2 * Math.PI * i) / 168) + 0.7 * gauss(),
  );
}

function synthetic(o: Options): Rows {
  const rows: Rows = {};
  const n = 20000;
  for (const H of o.horizons) {
    const t = tallies(o.variants);
    for (let seed = 1; seed <= o.seeds; seed++) {
      const y = shifted(n + H, seed);
      score(y.subarray(0, n), y.subarray(n), o.variants, t, seed - 1, 1, seed);
    }
    rows[`H=${H}`] = report(
      `Synthetic, ${n} points, level shift at 6,000, H=${H}: ${o.seeds} seeds; ± over seeds`,
      o.variants,
      t,
    );
  }
  return rows;
}

/**
 * The bench as `deno task bench` runs it: OT alone at H=168 and 720, origins every 672, and 4
 * synthetic seeds (every 1,344 and 2 seeds with `quick`).
 *
 * @param options `quick` for a shorter run.
 * @returns MSE, 95 % coverage and CPU ms per data set, horizon and variant.
 */
export function run(options: { quick?: boolean } = {}): { ett?: Rows; synthetic?: Rows } {
  return measure({
    data: "both",
    horizons: [168, 720],
    variants: Object.keys(VARIANTS),
    columns: ["OT"],
    every: options.quick ? 1344 : 672,
    seeds: options.quick ? 2 : 4,
  });
}

function measure(o: Options): { ett?: Rows; synthetic?: Rows } {
  const warm = shifted(5000, 99);
  for (const v of o.variants) forecast(warm, { horizon: 24, ...VARIANTS[v] }); // compile first
  return {
    ...(o.data !== "synthetic" && { ett: ett(o) }),
    ...(o.data !== "ett" && { synthetic: synthetic(o) }),
  };
}

if (import.meta.main) await benchMain(USAGE, parse, measure);
