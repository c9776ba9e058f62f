/**
 * An intercept correction of `forecast()`'s mix (session 27): candidates, data, rule and bar were
 * written here and committed before any figure of this bench was produced (after
 * bench/mix_correction_bench.ts had been run: its two last-error corrections failed the rule at
 * H=168 and on M4, README: Forecasting, "The mix's last error").
 *
 * Why: the last-error correction reads one error; an intercept correction (Clements & Hendry 1996)
 * reads the mix's mean error over the recent backtest, per step: a level the mix has lagged over
 * the last days, not the last hour's noise. Both candidates add to the mix's forecast (weights
 * unchanged, all else default) a share of its mean backtest error at each step, from the last
 * `recentOrigins` (10) origins of its 40-origin backtest, pooled over the steps the weights' MSE
 * pools (at least `poolSteps`, 5, either side; `smoothedMeanError`, analytics/forecast/mix_bias.ts;
 * `forecast()`'s option `interceptCorrection`), on the Box-Cox scale where it applies:
 * - (I1) share 1: the whole mean error;
 * - (I½) share 0.5: half of it (shrunk towards no correction, the estimate being noisy).
 *
 * Data, figures, bar and rule: exactly those of bench/mix_correction_bench.ts (its header): ETTh2's
 * training split (7 columns × 60 origins, H = 24 and 168) and M4 hourly's even half (OWA, five
 * folds, 95 % coverage); a candidate passes when it is below the in-run defaults and the bar
 * (0.18252 / 0.42086 / 0.36581) on all three, worse in at most one fold, with coverage in
 * 0.93–0.97; the lowest product of ratios among those that pass becomes the default, else the
 * defaults stay.
 *
 * Run: `PERFSCOPE_SHARED_DATA=/work/shared/data deno run -A bench/intercept_correction_bench.ts
 * [ett|m4]` (both by default).
 *
 * Outcome (added after the first run, 2026-12-07): neither passes, both worse on all three (I1:
 * 0.20935 / 0.46563 / OWA 0.38969; I½: 0.19082 / 0.43501 / 0.37265; defaults 0.18256 / 0.42079 /
 * 0.36581), so the defaults stay and `interceptCorrection` is opt-in (README: Forecasting).
 *
 * @module
 */

import { benchMain } from "./_flags.ts";
import { parseDataSet, scoreVariants } from "./mix_correction_bench.ts";
import type { ForecastOptions } from "../analytics/forecast/forecast.ts";

/** The variants, interleaved per history. */
export const VARIANTS: Record<string, Partial<ForecastOptions>> = {
  defaults: {},
  "(I1) share 1": { interceptCorrection: 1 },
  "(I½) share 0.5": { interceptCorrection: 0.5 },
};

const USAGE = `Usage: deno run -A bench/intercept_correction_bench.ts [ett|m4]

Scores forecast() with and without an intercept correction of the mix on ETTh2's training split
and M4's hourly half (both by default), then applies the rule written in the file's header.

Options:
  -h, --help   show this help`;

if (import.meta.main) {
  await benchMain(USAGE, parseDataSet, ({ which }) => scoreVariants(VARIANTS, which));
}
