/**
 * Wider backtest origin spacing (`forecast()`'s opt-in `minOriginSpacing`), measured by the rule
 * README's forecasting section applies to every change of the defaults: ETTh2's training split
 * (seven columns standardized by rows 0–8639, 60 origins every 168 rows from 1344 while origin +
 * 168 ≤ 11520, 1,344 rows of history) at H = 24, M4's hourly half (OWA against Naive2 in the same
 * run, its five folds i mod 5, pooled 95 % coverage, CPU ms per series), each against the defaults
 * (`minOriginSpacing` 0) in the same run. H = 168 is not run: its origins are ⌈168/4⌉ = 42 apart,
 * wider than the spacing measured, so its forecasts are the defaults' by construction.
 *
 * The `test` set (OT's 17 test origins, the 35 to the end of the file and the 120 stride-24 test
 * windows at H = 24, as `bench/forecast_bench.ts` defines them) is reporting only: the choice was
 * made on the other two, and the test figures were computed once, after it.
 *
 * Run: `deno run -A bench/origin_spacing_bench.ts [ett|m4|test] [--spacing N]` (several minutes
 * each; all three without an argument).
 *
 * @module
 */

import { sharedData } from "./_shared_data.ts";
import { benchMain } from "./_flags.ts";
import { parseFlags, UsageError } from "../cli/_args.ts";
import { forecast } from "../analytics/forecast/forecast.ts";
import { loadM4 } from "./m4_bench.ts";
import { standardizedColumn } from "./forecast_bench.ts";
import { m4RuleLine } from "./_m4_rule.ts";

const HISTORY = 1344, WEEK = 168, TRAIN_END = 11520, TEST_END = 14400;
const COLUMNS = ["HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT"];

/** A data set of this bench. */
export type SpacingSet = "ett" | "m4" | "test";

/** Mean MSE over `origins` of the 24-step forecasts from the `HISTORY` rows before each. */
function mse24(z: Float64Array, origins: number[], spacing: number): number {
  let mse = 0;
  for (const o of origins) {
    const m = forecast(z.slice(o - HISTORY, o), { horizon: 24, minOriginSpacing: spacing }).mean;
    let se = 0;
    for (let i = 0; i < 24; i++) se += (z[o + i]! - m[i]!) ** 2;
    mse += se / 24 / origins.length;
  }
  return mse;
}

const every = (from: number, step: number, last: (o: number) => boolean) => {
  const out: number[] = [];
  for (let o = from; last(o); o += step) out.push(o);
  return out;
};

function runEtt(text: string, spacing: number): void {
  const origins = every(HISTORY, WEEK, (o) => o + WEEK <= TRAIN_END);
  console.log(`ETTh2 training split, H=24, ${origins.length} origins × ${COLUMNS.length} columns`);
  for (const s of [0, spacing]) {
    const cols = COLUMNS.map((c) => mse24(standardizedColumn(text, c), origins, s));
    const mean = cols.reduce((a, b) => a + b, 0) / cols.length;
    console.log(
      `  minOriginSpacing ${String(s).padEnd(3)} mean ${mean.toFixed(5)} | ${
        COLUMNS.map((c, i) => `${c} ${cols[i]!.toFixed(4)}`).join(" ")
      }`,
    );
  }
}

function runM4(spacing: number): void {
  const series = loadM4(sharedData("m4"));
  console.log(`M4 hourly half, ${series.length} series, H=48`);
  for (const s of [0, spacing]) {
    const line = m4RuleLine(
      series,
      (y, h) => forecast(y, { horizon: h, minOriginSpacing: s }),
    );
    console.log(`  minOriginSpacing ${String(s).padEnd(3)} ${line}`);
  }
}

function runTest(text: string, spacing: number): void {
  const z = standardizedColumn(text, "OT");
  const sets: [string, number[]][] = [
    ["17 test origins", every(TRAIN_END, WEEK, (o) => o + WEEK <= TEST_END)],
    ["35 to the end", every(TRAIN_END, WEEK, (o) => o + WEEK <= z.length)],
    ["stride-24 test windows", every(TRAIN_END, 24, (o) => o + 24 <= TEST_END)],
  ];
  console.log("ETTh2 OT, H=24, test split (reporting only)");
  for (const [name, origins] of sets) {
    const [a, b] = [0, spacing].map((s) => mse24(z, origins, s));
    console.log(
      `  ${name} (${origins.length}): minOriginSpacing 0 ${a!.toFixed(5)}, ${spacing} ${
        b!.toFixed(5)
      }`,
    );
  }
}

/**
 * Runs the sets asked for and prints their figures.
 *
 * @param options `sets` (default all three) and the `spacing` measured against 0 (default 24).
 */
export function run(options: { sets?: SpacingSet[]; spacing?: number } = {}): void {
  const sets = options.sets ?? ["ett", "m4", "test"], spacing = options.spacing ?? 24;
  const text = sets.some((s) => s !== "m4")
    ? Deno.readTextFileSync(sharedData("ett/ETTh2.csv"))
    : "";
  if (sets.includes("ett")) runEtt(text, spacing);
  if (sets.includes("m4")) runM4(spacing);
  if (sets.includes("test")) runTest(text, spacing);
}

const USAGE = `Usage: deno run -A bench/origin_spacing_bench.ts [ett|m4|test] [--spacing N]

Scores forecast()'s opt-in minOriginSpacing against the defaults: ETTh2's training split at H=24,
M4's hourly half (OWA, folds, coverage, CPU), and OT's test sets (reporting only).

Options:
  --spacing N   the spacing measured (default 24)
  -h, --help    show this help`;

if (import.meta.main) {
  await benchMain(USAGE, (args) => {
    const { values, positionals } = parseFlags(args, { spacing: { type: "string" } }, true);
    const spacing = values.spacing === undefined ? 24 : Number(values.spacing);
    if (!(Number.isInteger(spacing) && spacing >= 1)) {
      throw new UsageError(`Invalid --spacing: ${values.spacing}`);
    }
    const known = ["ett", "m4", "test"];
    if (positionals.length > 1 || positionals.some((p) => !known.includes(p))) {
      throw new UsageError(`Unknown data set: ${positionals.join(" ")} (ett, m4 or test)`);
    }
    return { spacing, ...(positionals.length && { sets: positionals as SpacingSet[] }) };
  }, run);
}
