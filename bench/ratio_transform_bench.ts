/**
 * One transform for forecasts of bounded utilisation ratios (session 26). Rule, data, folds and
 * criteria were written here and committed before any figure of this bench was produced.
 *
 * Why: `forecast()` defaults to Box-Cox (Guerrero's λ, chosen on M4 and ETTh2); on a calm host's
 * CPU ratio (troughs near 0.02) λ ≈ 0 widened the load profile's 80 % band above the history's
 * maximum, so the load profile was pinned to "none" by hand. The callers that know their series
 * is a ratio bounded by [0, 1] should take one rule, chosen here.
 *
 * Candidates (each through `forecast()`, all other options default; the history is the ratio in
 * [0, 1], NAB's percentages divided by 100; MSE ratios and coverage do not depend on that scale):
 * - (a) `none`;
 * - (b) `boxcox`: today's default (Guerrero's λ in [0, 1], the median; only where every value
 *   is > 0);
 * - (c) `logit`: z = ln((p + ε) / (1 + ε − p)) with ε = 0.01, applied where every finite value of
 *   the history lies in [0, 1]; inverse p = ((1 + ε)e^z − ε) / (1 + e^z), clipped to [0, 1], so
 *   the forecast and both bands stay in [0, 1]. ε is fixed a priori, not tuned: one percentage
 *   point, below which a utilisation makes no difference to the callers (a shift rather than a
 *   clamp, so the transform is invertible on all of [0, 1] and an idle 0 is allowed);
 * - (d) `boxcox` with λ ≥ 0.5: Guerrero's method searched over [0.5, 1] instead of [0, 1]
 *   (λ = 1 still means no transform), only where every value is > 0.
 *
 * Data: NAB's real series that are utilisation percentages, i.e. the 8
 * `realAWSCloudwatch/ec2_cpu_utilization_*` files and `grok_asg_anomaly` (an autoscaling group's
 * CPU, per NAB's README); the disk, network and ELB files are not ratios and are left out. As in
 * `forecast_transform_bench.ts nab` (whose file loading this reuses): origins every 288 points
 * from point 2016 while origin + 288 ≤ length, the 2016 points before as history (7 days at
 * 5 min), H = 12 and H = 288. The project's capacity generators (`bench/capacity_bench.ts`) make
 * byte-level leaks, not ratios, so they are not used. Known before: session 25's guard-rail
 * check already printed (a) against (b) on these files (README, "Box-Cox transform"); (c) and
 * (d) were never run on them. Only the files' value ranges were looked at to tell ratios apart.
 *
 * Folds, by recording period (NAB's start dates; a stand-in for the account the instances come
 * from), fixed without any figure: A = the four files starting 2014-02-14 (`24ae8d`, `53ea38`,
 * `5f5533`, `fe7f93`); B = the four starting in April 2014 (`77c1ca`, `825cc2`, `ac20cd`,
 * `c6585a`) and `grok_asg_anomaly` (January 2014).
 *
 * Figures per fold, candidate and H:
 * - M: the geometric mean over the fold's files of MSE(candidate) / MSE(none) (MSE over the
 *   file's origins and steps);
 * - pooled 80 % and 95 % coverage over the fold's origins and steps, and its distance from
 *   nominal;
 * - O, the peak-overshoot rate: the share of the fold's forecasts (origins) whose largest upper
 *   80 % bound over the horizon exceeds the history's maximum by more than 25 % of the history's
 *   range (maximum − minimum of the 2016 points). The calm host that started this went from
 *   0.59 to 0.88 over a maximum of 0.56 on a range of about 0.54: far past that line.
 *
 * Rule in a fold: a candidate is eligible when, at both H, M ≤ 1.00, each coverage distance is at
 * most none's + 0.01, and O is at most none's + 0.02; (a) is always eligible. The fold chooses
 * the eligible candidate with the lowest M(12) × M(288) (none's product is 1: another candidate
 * must be strictly lower). Decision: if both folds choose the same candidate it is the rule for
 * bounded ratios; else (a) `none` for every ratio caller (no constant to fit, and what the load
 * profile already uses). Headline: out-of-fold, each fold's choice scored on the other fold; the
 * in-fold figures and every candidate on all 9 files beside them, labelled.
 *
 * Run: `deno run -A bench/ratio_transform_bench.ts` (PERFSCOPE_SHARED_DATA=/work/shared/data).
 *
 * @module
 */
export {};
