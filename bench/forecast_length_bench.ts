/**
 * What `forecast()` and its costliest candidates cost on long histories: `ets_auto` and
 * `ets_bagged` fitted on their default window (the last 2,016 points) beside the same models
 * fitted on the whole history (`history: Infinity`, as before session 24's cap), interleaved
 * round by round, and `forecast()` with the default candidates.
 *
 * @module
 */

import { parseFlags, parseNumber } from "../cli/_args.ts";
import { forecast } from "../analytics/forecast/forecast.ts";
import { etsAuto } from "../analytics/models/ets_auto.ts";
import { etsEnsemble } from "../analytics/models/ets_ensemble.ts";
import { benchMain } from "./_flags.ts";

const USAGE = `Usage: deno run -A bench/forecast_length_bench.ts [options]

Milliseconds per fit of ets_auto and ets_bagged on their window (the last 2,016 points) and on
the whole history, their ratio, and ms per forecast() with the default candidates, on a
synthetic hourly series with a daily cycle (median of the rounds; old and new interleaved).

Options:
  --lengths N,N   History lengths (default 1344,20000,100000)
  --horizon H     Forecast horizon (default 48)
  --rounds N      Rounds per length (default 3)
  -h, --help      This text`;

interface Options {
  lengths: number[];
  horizon: number;
  rounds: number;
}

function parse(args: string[]): Options {
  const { values } = parseFlags(args, {
    lengths: { type: "string", default: "1344,20000,100000" },
    horizon: { type: "string", default: "48" },
    rounds: { type: "string", default: "3" },
  });
  return {
    lengths: values.lengths!.split(",").map((s) =>
      parseNumber(s, "lengths", { min: 100, max: 1e7, integer: true })
    ),
    horizon: parseNumber(values.horizon!, "horizon", { min: 1, max: 1e4, integer: true }),
    rounds: parseNumber(values.rounds!, "rounds", { min: 1, max: 100, integer: true }),
  };
}

/** 10 + a daily wave + a slow drift + deterministic noise. */
function series(n: number): Float64Array {
  let s = 7;
  const noise = () => ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5);
  return Float64Array.from(
    { length: n },
    (_, i) => 10 + 3 * Math.sin((2 * Math.PI * i) / 24) + Math.sin(i / 5000) + noise(),
  );
}

function ms(run: () => unknown): number {
  const t = performance.now();
  run();
  return performance.now() - t;
}

const median = (xs: number[]) => xs.toSorted((a, b) => a - b)[xs.length >> 1]!;

/** One row per length: medians in ms (whole history, window) and forecast()'s. */
interface LengthRow {
  points: number;
  etsAuto: [number, number];
  etsBagged: [number, number];
  forecast: number;
}

/**
 * The bench as `deno task bench` runs it: 1,344, 20,000 and 100,000 points (only the first two
 * and one round with `quick`), H = 48.
 *
 * @param options `quick` for a shorter run.
 * @returns The medians per length.
 */
export async function run(options: { quick?: boolean } = {}): Promise<LengthRow[]> {
  return await measure({
    lengths: options.quick ? [1344, 20000] : [1344, 20000, 100000],
    horizon: 48,
    rounds: options.quick ? 1 : 3,
  });
}

async function measure(o: Options): Promise<LengthRow[]> {
  const rows: LengthRow[] = [];
  const H = o.horizon, period = 24;
  console.log(`H=${H}, period ${period}, median of ${o.rounds} rounds, ms (whole / window)`);
  console.log(
    `${"points".padStart(8)} ${"ets_auto".padStart(20)} ${"ets_bagged".padStart(20)} ${
      "forecast()".padStart(11)
    }`,
  );
  const cell = (a: number[], b: number[]) =>
    `${median(a).toFixed(0)} / ${median(b).toFixed(0)} ×${(median(a) / median(b)).toFixed(1)}`
      .padStart(20);
  for (const n of o.lengths) {
    const y = series(n), t = { autoOld: [0], auto: [0], bagOld: [0], bag: [0], fc: [0] };
    for (const k of Object.keys(t) as (keyof typeof t)[]) t[k] = [];
    forecast(y.subarray(0, 500), { horizon: H }); // warm-up
    for (let r = 0; r < o.rounds; r++) {
      t.autoOld.push(ms(() => etsAuto(y, H, { period, history: Infinity }).at(n, H)));
      t.auto.push(ms(() => etsAuto(y, H, { period }).at(n, H)));
      t.bagOld.push(ms(() => etsEnsemble(y, H, { period, source: "bagged", history: Infinity })));
      t.bag.push(ms(() => etsEnsemble(y, H, { period, source: "bagged" })));
      t.fc.push(ms(() => forecast(y, { horizon: H })));
      await new Promise((r) => setTimeout(r, 0));
    }
    console.log(
      `${String(n).padStart(8)} ${cell(t.autoOld, t.auto)} ${cell(t.bagOld, t.bag)} ${
        median(t.fc).toFixed(0).padStart(11)
      }`,
    );
    rows.push({
      points: n,
      etsAuto: [median(t.autoOld), median(t.auto)],
      etsBagged: [median(t.bagOld), median(t.bag)],
      forecast: median(t.fc),
    });
  }
  return rows;
}

if (import.meta.main) await benchMain(USAGE, parse, measure);
