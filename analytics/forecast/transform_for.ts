/**
 * The one rule for which `transform` a caller of `forecast()` that knows its metric passes:
 * bounded utilisation ratios get {@linkcode RATIO_TRANSFORM}, everything else `forecast()`'s
 * default. The load profile, the capacity charts and `train` go through it, so they cannot
 * disagree on a ratio. Event rates (bytes/s, 1/s) were measured the same way
 * (bench/nonratio_transform_bench.ts): the folds chose Box-Cox and log, so no rule was chosen and
 * they keep the caller's transform (README: Forecasting, "Event rates").
 *
 * @module
 */
import { metricInfo } from "../../collectors/mod.ts";
import { TRANSFORM, type TransformName } from "./forecast.ts";

/**
 * The transform of a bounded utilisation ratio: none. Chosen by the rule fixed before the figures
 * in bench/ratio_transform_bench.ts (none, Box-Cox, a shifted logit and Box-Cox with λ ≥ 0.5 on
 * NAB's CPU utilisation files, two folds): both folds kept none (README: Forecasting, "Bounded
 * ratios").
 */
export const RATIO_TRANSFORM: TransformName = "none";

/** Ratios the workflows derive from lake metrics (workflows/load_profile.ts `readLoad`). */
const DERIVED_RATIOS = new Set(["cpu_busy", "memory_used_ratio"]);
/** Registered with unit `ratio` but not bounded by 1: a process's CPU in cores' worth. */
const UNBOUNDED_RATIOS = new Set(["process_cpu_ratio"]);

/**
 * Whether a metric is a utilisation ratio bounded by [0, 1]: `cpu_busy`, `memory_used_ratio`, or
 * a registered metric whose unit is `ratio` (shares of time: `cpu_ratio`, `disk_utilization_ratio`,
 * the pressure stall and throttled ratios), except `process_cpu_ratio`, which passes 1 for a
 * process on several cores.
 *
 * @param metric A metric name.
 * @returns True for a bounded ratio.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isBoundedRatio } from "./transform_for.ts";
 * assert.equal(isBoundedRatio("cpu_ratio"), true);
 * assert.equal(isBoundedRatio("memory_bytes"), false);
 * ```
 */
export function isBoundedRatio(metric: string): boolean {
  if (DERIVED_RATIOS.has(metric)) return true;
  return metricInfo(metric)?.unit === "ratio" && !UNBOUNDED_RATIOS.has(metric);
}

/**
 * The `transform` to forecast a metric with: {@linkcode RATIO_TRANSFORM} for a bounded ratio
 * (see {@linkcode isBoundedRatio}), else `otherwise`.
 *
 * @param metric The metric's name (`undefined`: not known, as for a CSV).
 * @param otherwise The transform of any other metric (default `forecast()`'s `TRANSFORM`).
 * @returns The transform.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { transformFor } from "./transform_for.ts";
 * assert.equal(transformFor("cpu_busy"), "none");
 * assert.equal(transformFor("filesystem_used_bytes"), "boxcox");
 * ```
 */
export function transformFor(
  metric: string | undefined,
  otherwise: TransformName = TRANSFORM,
): TransformName {
  return metric !== undefined && isBoundedRatio(metric) ? RATIO_TRANSFORM : otherwise;
}
