/**
 * The 0 floor of `forecast()` (clip at 0 when no history value is negative) on M4 hourly, where
 * it can bite: with `transform: "none"` (the default Box-Cox's inverse already floors a strictly
 * positive series at 0, so there it changes nothing). Prints sMAPE, MASE, OWA against Naive2,
 * raw 95 % MSIS and coverage, and how many point forecasts and 95 % lower bounds sit at or below 0.
 * Run it at the commit before the floor for the "before" figures (README, "M4 hourly").
 *
 * Run: `deno run -A bench/m4_clip_bench.ts [--quick]` (no cache; about a minute of CPU; `--quick`
 * every 4th series; also in `deno task bench`).
 *
 * @module
 */
import { forecast } from "../analytics/forecast/forecast.ts";
import { sharedData } from "./_shared_data.ts";
import { loadM4 } from "./m4_bench.ts";
import { mase, maseScale, msis, naive2, smape } from "./m4_scores.ts";
import { benchMain } from "./_flags.ts";
import { parseFlags } from "../cli/_args.ts";

const USAGE = `Usage: deno run -A bench/m4_clip_bench.ts [--quick]

sMAPE, MASE, OWA, 95 % MSIS and coverage of forecast() with transform "none" on M4's hourly half
(48 steps), and how many point forecasts and 95 % lower bounds are at or below 0. Run it at two
commits to compare (no cache; about a minute of CPU).

Options:
  --quick      every 4th series (as deno task bench --quick)
  -h, --help   show this help`;

/** Options of {@linkcode run}. */
export interface M4ClipOptions {
  /** Every 4th series (as `m4_bench.ts --quick`); default false. */
  quick?: boolean;
}

/**
 * Scores `forecast()` with `transform: "none"` on M4's hourly half and prints one line.
 *
 * @param options See {@linkcode M4ClipOptions}.
 * @returns The figures printed.
 */
export function run(options: M4ClipOptions = {}): Promise<Record<string, number>> {
  let series = loadM4(sharedData("m4"));
  if (options.quick) series = series.filter((_, i) => i % 4 === 0);
  let s = 0, m = 0, ns = 0, nm = 0, ms = 0, cov = 0, n = 0, neg = 0;
  for (const x of series) {
    const f = forecast(x.train, { horizon: 48, transform: "none" });
    const sc = maseScale(x.train, 24), nv = naive2(x.train, 48, 24);
    s += smape(x.test, f.mean), m += mase(x.test, f.mean, sc);
    ns += smape(x.test, nv), nm += mase(x.test, nv, sc);
    ms += msis(x.test, f.lo95, f.hi95, sc);
    for (let i = 0; i < 48; i++) {
      cov += +(x.test[i]! >= f.lo95[i]! && x.test[i]! <= f.hi95[i]!);
      neg += +(f.lo95[i]! <= 0) + +(f.mean[i]! <= 0);
    }
    n++;
  }
  const owa = 0.5 * (s / ns + m / nm);
  console.log(
    `transform none${options.quick ? ` (every 4th series, ${n})` : ""}: sMAPE ${
      (s / n).toFixed(3)
    } MASE ${(m / n).toFixed(3)} OWA ${owa.toFixed(4)} MSIS95 ${(ms / n).toFixed(4)} cov95 ${
      (cov / n / 48).toFixed(4)
    } values<=0 (mean+lo95) ${neg}`,
  );
  return Promise.resolve({
    series: n,
    smape: s / n,
    mase: m / n,
    owa,
    msis95: ms / n,
    cov95: cov / n / 48,
    nonPositive: neg,
  });
}

// an unknown flag is one line and exit 2 before the minute of work, as the other benches
if (import.meta.main) {
  await benchMain(USAGE, (args) => {
    const { values } = parseFlags(args, { quick: { type: "boolean", default: false } });
    return { quick: values.quick };
  }, run);
}
