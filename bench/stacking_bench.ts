/**
 * Stacking the candidates (session 28): combination weights fitted to the candidates' backtest
 * errors together, so that correlated errors are accounted for. Variants, data, rule and bar were
 * written here and committed before any figure of this bench was produced.
 *
 * Why: `forecast()`'s weights are ∝ each candidate's own backtest MSE^−2 (then half shrunk to equal
 * weights over the near-best), as if the candidates' errors were independent; the pool holds
 * several ETS variants (`ets_bagged`, `ets_auto`) and two seasonal means that miss together.
 * Every weighting tried so far (README: Forecasting) used the MSEs alone. Stacking (Granger &
 * Ramanathan 1984, constrained least squares; Breiman 1996, non-negative) fits, per step, the
 * non-negative weights summing to 1 that minimise the mix's squared backtest error over the
 * origins, pooled over the steps the weights' MSE pools (at least `poolSteps`, 5, either side;
 * `stackWeights`, analytics/forecast/stack_weights.ts, solved exactly by an active set,
 * `simplexLeastSquares`), among the candidates the default weights use at that step, on the
 * errors on the original scale as the default weights are; then a share is moved back to the
 * default weights (`forecast()`'s option `stacking: { recentOrigins, shrink }`). Four variants,
 * nothing else:
 * - (S1) stacking alone over the last 10 origins (the default weights' origins): `{}`;
 * - (S½) the same, half moved back to the default weights: `{ shrink: 0.5 }`;
 * - (SA1) stacking alone over all 40 origins: `{ recentOrigins: Infinity }`;
 * - (SA½) all 40 origins, half moved back: `{ recentOrigins: Infinity, shrink: 0.5 }`.
 *
 * Data (the test origins are never read): ETTh2's seven columns, standardized by rows 0–8639,
 * the training split's 60 origins (row 1344 every 168 while origin + 168 ≤ 11520), 1,344 rows of
 * history, H = 24 and 168, mean MSE over the origins, then over the columns; M4 hourly's even half
 * (207 series, H = 48), OWA against Naive2 on all series and in the five folds i mod 5 (as
 * bench/m4_bench.ts), pooled 95 % coverage, mean process CPU ms per call. Every figure comes from
 * `forecast()` itself, default transform (Box-Cox) included, the defaults run in the same run
 * (`scoreVariants` of bench/mix_correction_bench.ts, unchanged apart from the CPU column).
 *
 * Rule (the one the defaults were chosen by): a variant passes when (1) its ETTh2 H=24 and H=168
 * figures are below both the in-run defaults' and the bar 0.18252 / 0.42086; (2) its M4 OWA is
 * below both the in-run defaults' and 0.36581; (3) its OWA is worse than the defaults' in at most
 * one of the five folds; (4) its M4 95 % coverage is within 0.93–0.97; (5) its mean CPU per M4
 * call is at most 50 ms. Among those that pass, the lowest product of the three ratios to the
 * in-run defaults becomes the default (behind the `stacking` option); if none passes, the defaults
 * stay and `stacking` stays opt-in. Reported beside, not used: OT's own training-split figures and
 * the median wall time per call. OT's 17 test origins are run only after the decision, and only
 * if a variant passes (for the report, not to choose).
 *
 * Run: `PERFSCOPE_SHARED_DATA=/work/shared/data deno run -A bench/stacking_bench.ts [ett|m4]`
 * (both by default).
 *
 * Outcome (added after the first run, 2026-12-07, ~19 min at load 12–14): none passes (S1:
 * 0.19006 / 0.46021 / OWA 0.37691, worse in 4 folds; S½: 0.18403 / 0.43256 / 0.36741, 4; SA1:
 * 0.18331 / 0.50004 / 0.37111, 3; SA½: 0.18040 / 0.44733 / 0.36331, worse at H=168 and in 2 folds;
 * defaults 0.18256 / 0.42079 / 0.36581; M4 CPU 29.2–29.7 ms against 28.7), so the defaults stay and
 * `stacking` is opt-in (README: Forecasting, "Stacking").
 *
 * @module
 */

import { benchMain } from "./_flags.ts";
import { parseDataSet, scoreVariants } from "./mix_correction_bench.ts";
import type { ForecastOptions } from "../analytics/forecast/forecast.ts";

/** The variants, interleaved per history. */
export const VARIANTS: Record<string, Partial<ForecastOptions>> = {
  defaults: {},
  "(S1) last 10": { stacking: {} },
  "(S½) last 10": { stacking: { shrink: 0.5 } },
  "(SA1) all 40": { stacking: { recentOrigins: Infinity } },
  "(SA½) all 40": { stacking: { recentOrigins: Infinity, shrink: 0.5 } },
};

/** The CPU budget per series (README: Forecasting; issue 13). */
export const CPU_LIMIT_MS = 50;

const USAGE = `Usage: deno run -A bench/stacking_bench.ts [ett|m4]

Scores forecast() with and without stacked combination weights on ETTh2's training split and
M4's hourly half (both by default), then applies the rule written in the file's header.

Options:
  -h, --help   show this help`;

if (import.meta.main) {
  await benchMain(
    USAGE,
    parseDataSet,
    ({ which }) => scoreVariants(VARIANTS, which, CPU_LIMIT_MS),
  );
}
