/**
 * ETTh2's test split on all seven columns, run after `forecast()`'s defaults were chosen and never
 * used to choose them: a wider held-out check than OT alone. Each column is standardized by the
 * mean and standard deviation of rows 0–8639 (as `bench/forecast_bench.ts` does for OT), and scored
 * from the 17 test origins (every 168 rows from row 11520 while origin + 168 ≤ 14400) with 1,344
 * rows of history, at H = 24 and 168: today's `forecast()`, the pool before session 33 (without
 * `airline`), the pool before session 24 (`ets_damped`
 * and `ar` where `ets_auto` and `linear` are), seasonal naive, naive and statsmodels' ETS(A,N,A)
 * when python3-statsmodels is installed. The mean over the columns is printed last.
 *
 * Run: `deno run -A bench/forecast_columns_bench.ts` (see `USAGE`).
 *
 * @module
 */

import { sharedData } from "./_shared_data.ts";
import { benchMain } from "./_flags.ts";
import { parseFlags, UsageError } from "../cli/_args.ts";
import { forecast } from "../analytics/forecast/forecast.ts";
import { BEFORE_S24, BEFORE_S33, standardizedColumn, statsmodelsEts } from "./forecast_bench.ts";

const COLUMNS = ["HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT"];
const HISTORY = 1344, START = 11520, STEP = 168, TEST_END = 14400;
const HORIZONS = [24, 168] as const;

type Method = (y: Float64Array, h: number) => Float64Array;

const METHODS: Record<string, Method> = {
  "perfscope forecast()": (y, h) => forecast(y, { horizon: h }).mean,
  "before session 33": (y, h) => forecast(y, { horizon: h, models: BEFORE_S33 }).mean,
  "before session 24": (y, h) => forecast(y, { horizon: h, models: BEFORE_S24 }).mean,
  "seasonal naive": (y, h) =>
    Float64Array.from({ length: h }, (_, i) => y[y.length - 24 + (i % 24)]!),
  naive: (y, h) => new Float64Array(h).fill(y[y.length - 1]!),
};

/** Mean squared error of a forecast against the values after the origin. */
function mse(z: Float64Array, origin: number, f: Float64Array): number {
  let s = 0;
  for (let i = 0; i < f.length; i++) s += (z[origin + i]! - f[i]!) ** 2;
  return s / f.length;
}

/** MSE per method, column and horizon; `undefined` when the data file is absent. */
export function runColumns(
  options: { path?: string; columns?: string[] } = {},
): Record<string, Record<string, [number, number]>> | undefined {
  const path = options.path ?? sharedData("ett/ETTh2.csv");
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    console.log(`forecast columns bench: skipped, ${path} not found`);
    return undefined;
  }
  const columns = options.columns ?? COLUMNS;
  const origins: number[] = [];
  for (let o = START; o + STEP <= TEST_END; o += STEP) origins.push(o);
  const out: Record<string, Record<string, [number, number]>> = {};
  for (const column of columns) {
    const z = standardizedColumn(text, column);
    const sm = statsmodelsEts(z, origins)["statsmodels ETS(A,N,A)"];
    const methods: Record<string, Method> = { ...METHODS };
    if (sm) {
      methods["statsmodels ETS(A,N,A)"] = (y, h) =>
        sm.get(`${h}:${y.length}:${y[0]}:${y[y.length - 1]}`)!;
    }
    for (const [name, method] of Object.entries(methods)) {
      const sums = HORIZONS.map((h) => {
        let s = 0;
        for (const o of origins) s += mse(z, o, method(z.slice(o - HISTORY, o), h));
        return s / origins.length;
      });
      (out[name] ??= {})[column] = [sums[0]!, sums[1]!];
    }
  }
  return out;
}

/**
 * The bench as `deno task bench` runs it: all seven columns (OT only with `quick`), printed.
 *
 * @param options `quick` for OT alone.
 * @returns MSE per method, column and horizon; `undefined` without the data.
 */
export function run(
  options: { quick?: boolean } = {},
): Record<string, Record<string, [number, number]>> | undefined {
  const columns = options.quick ? ["OT"] : COLUMNS;
  const result = runColumns({ columns });
  if (result) print(result, columns);
  return result;
}

/** Prints one table per horizon: methods by columns, and their mean. */
function print(result: Record<string, Record<string, [number, number]>>, columns: string[]): void {
  console.log(
    `ETTh2 test split, ${columns.length} columns, 17 origins every 168 h from row 11520, ` +
      `history ${HISTORY} h (after the choice; not used for it)`,
  );
  HORIZONS.forEach((h, k) => {
    console.log(`MSE at H=${h}`);
    console.log(["method".padEnd(26), ...columns.map((c) => c.padStart(6)), "  mean"].join(" "));
    for (const [name, byColumn] of Object.entries(result)) {
      const v = columns.map((c) => byColumn[c]?.[k] ?? NaN);
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      console.log(
        [name.padEnd(26), ...v.map((x) => x.toFixed(3).padStart(6)), mean.toFixed(4).padStart(6)]
          .join(" "),
      );
    }
  });
}

const USAGE = `Usage: deno run -A bench/forecast_columns_bench.ts [--columns A,B]

Scores forecast(), its defaults before session 24 and the baselines on the test split of every
ETTh2 column (17 origins, H = 24 and 168). Under a minute.

Options:
  --columns NAMES   only these columns, comma-separated (default all seven)
  -h, --help        show this help`;

if (import.meta.main) {
  await benchMain(USAGE, (args) => {
    const { values } = parseFlags(args, { columns: { type: "string" } });
    const columns = values.columns?.split(",").map((c) => c.trim()).filter(Boolean) ?? COLUMNS;
    const unknown = columns.find((c) => !COLUMNS.includes(c));
    if (unknown !== undefined || !columns.length) {
      throw new UsageError(`Unknown column: ${unknown ?? ""} (known: ${COLUMNS.join(", ")})`);
    }
    return { columns };
  }, ({ columns }) => {
    const result = runColumns({ columns });
    if (result) print(result, columns);
  });
}
