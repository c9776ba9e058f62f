/**
 * How `forecast()`'s defaults for `combine` and `weightPower` were chosen on hourly sensor data
 * without looking at the reported figures: all seven columns of ETTh2 (the six loads and OT),
 * each standardized by its training rows 0–8639, forecast at H = 24 and 168 from the 60
 * origins of the training split (every 168 rows from 1344 while origin + 168 ≤ 11520), with
 * 1,344 rows of history. The test split (rows from 11520) that `bench/forecast_bench.ts`
 * reports is never read. M4's folds (`bench/m4_bench.ts`) are the other half of the choice.
 *
 * Run: `deno run -A bench/forecast_options_bench.ts [--only LABEL …]` (several minutes). The
 * `combine`/`weightPower` rows use the other defaults (shrinkage, last 10 origins).
 *
 * @module
 */

import { sharedData } from "./_shared_data.ts";
import { readCsvSeries } from "../analytics/series/csv_series.ts";
import { forecast, type ForecastOptions } from "../analytics/forecast/forecast.ts";
import { DEFAULT_CANDIDATES } from "../analytics/forecast/forecast_candidates.ts";
import { benchMain } from "./_flags.ts";
import { parseFlags, UsageError } from "../cli/_args.ts";

const HISTORY = 1344, STEP = 168, TRAIN_END = 11520, TRAIN_ROWS = 8640;
const COLUMNS = ["HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT"];

/** One variant's mean MSE over the columns, and per column, at H = 24 and 168. */
export interface OptionsRow {
  /** Variant label. */
  variant: string;
  /** Mean over columns of the MSE at H = 24. */
  mse24: number;
  /** Same at H = 168. */
  mse168: number;
  /** MSE per column at H = 24, in {@linkcode COLUMNS} order. */
  columns24: number[];
  /** Same at H = 168. */
  columns168: number[];
}

/** The variants compared (ETS alone as the bar). */
export const OPTION_VARIANTS: Record<string, Omit<ForecastOptions, "horizon">> = {
  "ETS (A,N,A) alone": { models: ["ets"] },
  "defaults": {},
  // before shrinkage and recent origins (README: Forecasting)
  "no shrink, all origins": { shrink: 0, recentOrigins: Infinity },
  "ets_mle alone": { models: ["ets_mle"] },
};
for (const combine of [3, 4, undefined]) {
  for (const weightPower of [1, 2]) {
    OPTION_VARIANTS[`combine ${combine ?? "all"}, power ${weightPower}`] = {
      ...(combine && { combine }),
      weightPower,
    };
  }
}
// the opt-in Fourier-term regression added to the default pool (README: Forecasting)
OPTION_VARIANTS["all + fourier, power 2"] = { models: [...DEFAULT_CANDIDATES, "fourier"] };

/**
 * Runs the comparison and prints it; `undefined` when ETTh2.csv is absent.
 *
 * @param options `variants`: labels in {@linkcode OPTION_VARIANTS} (default all).
 * @returns One row per variant.
 */
export function run(options: { variants?: string[] } = {}): OptionsRow[] | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync(sharedData("ett/ETTh2.csv"));
  } catch {
    console.log("forecast options bench: skipped, ETTh2.csv not found");
    return undefined;
  }
  const series = COLUMNS.map((column) => {
    const raw = readCsvSeries(text, { valueColumn: column }).values.subarray(0, TRAIN_END);
    let mean = 0, m2 = 0;
    for (let i = 0; i < TRAIN_ROWS; i++) {
      const d = raw[i]! - mean;
      mean += d / (i + 1), m2 += d * (raw[i]! - mean);
    }
    const sd = Math.sqrt(m2 / TRAIN_ROWS) || 1;
    return raw.map((v) => (v - mean) / sd);
  });
  const origins: number[] = [];
  for (let o = HISTORY; o + STEP <= TRAIN_END; o += STEP) origins.push(o);
  const rows: OptionsRow[] = [];
  for (const variant of options.variants ?? Object.keys(OPTION_VARIANTS)) {
    const opts = OPTION_VARIANTS[variant]!;
    const at = (horizon: number) =>
      series.map((z) => {
        let mse = 0;
        for (const o of origins) {
          const m = forecast(z.slice(o - HISTORY, o), { ...opts, horizon }).mean;
          let se = 0;
          for (let i = 0; i < horizon; i++) se += (z[o + i]! - m[i]!) ** 2;
          mse += se / horizon / origins.length;
        }
        return mse;
      });
    const columns24 = at(24), columns168 = at(168);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    rows.push({ variant, mse24: mean(columns24), mse168: mean(columns168), columns24, columns168 });
  }
  const f = (x: number) => x.toFixed(4).padStart(7);
  console.log(
    `ETTh2, all 7 columns, training split only: ${origins.length} origins every ${STEP} h ` +
      `from row ${HISTORY} while origin + ${STEP} <= ${TRAIN_END}; history ${HISTORY} h`,
  );
  console.log(`${"variant".padEnd(20)} MSE@24 MSE@168 | per column @24 (${COLUMNS.join(" ")})`);
  for (const r of rows) {
    console.log(
      `${r.variant.padEnd(20)} ${f(r.mse24)} ${f(r.mse168)} | ${
        r.columns24.map((x) => x.toFixed(3)).join(" ")
      }`,
    );
  }
  return rows;
}

const USAGE = `Usage: deno run -A bench/forecast_options_bench.ts [--only LABEL ...]

Scores forecast()'s combine/weightPower variants on the seven columns of ETTh2's training split
(H = 24 and 168, 60 origins); the test split is never read. Several minutes.

Options:
  --only LABEL   run this variant alone (repeatable), one of:${
  Object.keys(OPTION_VARIANTS).map((label) => `\n                   ${label}`).join("")
}
  -h, --help     show this help`;

if (import.meta.main) {
  await benchMain(USAGE, (args) => {
    const { values } = parseFlags(args, { only: { type: "string", multiple: true } });
    const only = values.only ?? [];
    const unknown = only.filter((label) => !(label in OPTION_VARIANTS));
    if (unknown.length > 0) {
      throw new UsageError(
        `Unknown variant: ${unknown.join(", ")} (known: ${
          Object.keys(OPTION_VARIANTS).join("; ")
        })`,
      );
    }
    return only.length ? { variants: only } : {};
  }, run);
}
