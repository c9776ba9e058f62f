/**
 * One candidate added to `forecast()`'s default pool (the pool without it when it is a default),
 * measured by the rule README's forecasting section applies to every change of the defaults,
 * against the pool without it in the same run: ETTh2's training split (seven columns standardized
 * by rows 0–8639, 60 origins every 168 rows from 1344 while origin + 168 ≤ 11520, 1,344 rows of
 * history) at H = 24 and H = 168, and M4's hourly half (OWA against Naive2, its five folds i mod 5,
 * pooled 95 % coverage, CPU ms per series). The candidate alone is printed beside
 * them on the training split.
 *
 * The `test` set (OT's 17 test origins, the 35 to the end of the file and the stride-24 test
 * windows, as `bench/forecast_bench.ts` defines them) is reporting only: run it after the choice
 * made on the other two.
 *
 * Run: `deno run -A bench/added_candidate_bench.ts [ett|m4|test] [--add NAME]` (default
 * `airline`; several minutes each, all three without a set).
 *
 * @module
 */

import { sharedData } from "./_shared_data.ts";
import { benchMain } from "./_flags.ts";
import { parseFlags, UsageError } from "../cli/_args.ts";
import { forecast } from "../analytics/forecast/forecast.ts";
import {
  candidateModels,
  type CandidateName,
  DEFAULT_CANDIDATES,
} from "../analytics/forecast/forecast_candidates.ts";
import { loadM4 } from "./m4_bench.ts";
import { standardizedColumn } from "./forecast_bench.ts";
import { m4RuleLine } from "./_m4_rule.ts";

const HISTORY = 1344, WEEK = 168, TRAIN_END = 11520, TEST_END = 14400;
const COLUMNS = ["HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT"];

/** A data set of this bench. */
export type AddedSet = "ett" | "m4" | "test";

/** A pool measured: its label and its candidates. */
interface Pool {
  label: string;
  models: CandidateName[];
}

const pools = (added: CandidateName): Pool[] => {
  // the pool without the candidate, so a candidate already among the defaults is measured too
  const base = DEFAULT_CANDIDATES.filter((n) => n !== added);
  return [
    { label: `without ${added}`, models: base },
    { label: `with ${added}`, models: [...base, added] },
  ];
};

/** Mean MSE over `origins` of the `h`-step forecasts from the `HISTORY` rows before each. */
function mse(z: Float64Array, origins: number[], h: number, models: CandidateName[]): number {
  let total = 0;
  for (const o of origins) {
    const m = forecast(z.slice(o - HISTORY, o), { horizon: h, models }).mean;
    let se = 0;
    for (let i = 0; i < h; i++) se += (z[o + i]! - m[i]!) ** 2;
    total += se / h / origins.length;
  }
  return total;
}

const every = (from: number, step: number, last: (o: number) => boolean) => {
  const out: number[] = [];
  for (let o = from; last(o); o += step) out.push(o);
  return out;
};

function runEtt(text: string, added: CandidateName): void {
  const origins = every(HISTORY, WEEK, (o) => o + WEEK <= TRAIN_END);
  const columns = COLUMNS.map((c) => standardizedColumn(text, c));
  for (const h of [24, 168]) {
    console.log(
      `ETTh2 training split, H=${h}, ${origins.length} origins × ${COLUMNS.length} columns`,
    );
    for (const pool of [...pools(added), { label: `${added} alone`, models: [added] }]) {
      const cols = columns.map((z) => mse(z, origins, h, pool.models));
      const mean = cols.reduce((a, b) => a + b, 0) / cols.length;
      console.log(
        `  ${pool.label.padEnd(18)} mean ${mean.toFixed(5)} | ${
          COLUMNS.map((c, i) => `${c} ${cols[i]!.toFixed(4)}`).join(" ")
        }`,
      );
    }
  }
}

function runM4(added: CandidateName): void {
  const series = loadM4(sharedData("m4"));
  console.log(`M4 hourly half, ${series.length} series, H=48`);
  for (const pool of pools(added)) {
    const line = m4RuleLine(series, (y, h) => forecast(y, { horizon: h, models: pool.models }));
    console.log(`  ${pool.label.padEnd(18)} ${line}`);
  }
}

function runTest(text: string, added: CandidateName): void {
  const z = standardizedColumn(text, "OT");
  console.log("ETTh2 OT, test split (reporting only)");
  for (const h of [24, 168]) {
    const sets: [string, number[]][] = [
      ["17 test origins", every(TRAIN_END, WEEK, (o) => o + WEEK <= TEST_END)],
      ["35 to the end", every(TRAIN_END, WEEK, (o) => o + WEEK <= z.length)],
      [`stride-24 test windows`, every(TRAIN_END, 24, (o) => o + h <= TEST_END)],
    ];
    for (const [name, origins] of sets) {
      const figures = [...pools(added), { label: `${added} alone`, models: [added] }]
        .map((p) => `${p.label} ${mse(z, origins, h, p.models).toFixed(5)}`);
      console.log(`  H=${h} ${name} (${origins.length}): ${figures.join(", ")}`);
    }
  }
}

/**
 * Runs the sets asked for and prints their figures.
 *
 * @param options `sets` (default all three) and the candidate `add`ed (default `airline`).
 */
export function run(options: { sets?: AddedSet[]; add?: CandidateName } = {}): void {
  const sets = options.sets ?? ["ett", "m4", "test"], added = options.add ?? "airline";
  const text = sets.some((s) => s !== "m4")
    ? Deno.readTextFileSync(sharedData("ett/ETTh2.csv"))
    : "";
  if (sets.includes("ett")) runEtt(text, added);
  if (sets.includes("m4")) runM4(added);
  if (sets.includes("test")) runTest(text, added);
}

const USAGE = `Usage: deno run -A bench/added_candidate_bench.ts [ett|m4|test] [--add NAME]

Scores forecast()'s default pool with one opt-in candidate added against the defaults: ETTh2's
training split at H=24 and H=168, M4's hourly half (OWA, folds, coverage, CPU), and OT's test
sets (reporting only).

Options:
  --add NAME    the candidate added (default airline)
  -h, --help    show this help`;

if (import.meta.main) {
  await benchMain(USAGE, (args) => {
    const { values, positionals } = parseFlags(args, { add: { type: "string" } }, true);
    const add = (values.add ?? "airline") as CandidateName;
    try {
      candidateModels([add]);
    } catch (e) {
      throw new UsageError(`Invalid --add: ${(e as Error).message}`);
    }
    const known = ["ett", "m4", "test"];
    if (positionals.length > 1 || positionals.some((p) => !known.includes(p))) {
      throw new UsageError(`Unknown data set: ${positionals.join(" ")} (ett, m4 or test)`);
    }
    return { add, ...(positionals.length && { sets: positionals as AddedSet[] }) };
  }, run);
}
