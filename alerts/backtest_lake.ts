/**
 * The backtest over the lake: reads the rules' metrics for a time range, cut to the samples the
 * lake holds (the tier follows that range, as every lake read) and replays them with {@linkcode backtestRules}. What `alerts
 * backtest --data` runs, and what a page can call to preview a rule before it is enabled.
 *
 * @module
 */
import type { RuleConfig } from "../config/mod.ts";
import type { Lake } from "../lake/mod.ts";
import { backtestRules, type BacktestSeries, type FiringInterval } from "./backtest_rules.ts";

/** Options of {@linkcode readBacktestSeries} and {@linkcode backtestLake}. */
export interface BacktestLakeOptions {
  /** Range start, ms (inclusive). */
  from: number;
  /** Range end, ms (exclusive). */
  to: number;
  /** Most points per series read (the lake picks the tier and step). Default 200 000. */
  maxPoints?: number;
  /** Evaluation interval, ms. Default 1000, coarser when the range would need more than
   * `maxEvaluations`. */
  stepMs?: number;
  /** Most evaluations when `stepMs` is not given. Default 2 000 000. */
  maxEvaluations?: number;
}

/**
 * Reads the series of the rules' metrics (SQL rules have none).
 *
 * @param lake An open lake.
 * @param rules The rules.
 * @param options The range.
 * @returns One entry per host × metric × labels.
 */
export async function readBacktestSeries(
  lake: Pick<Lake, "seriesMany" | "extent">,
  rules: readonly RuleConfig[],
  options: BacktestLakeOptions,
): Promise<BacktestSeries[]> {
  const out: BacktestSeries[] = [];
  const metrics = new Set(rules.filter((r) => r.kind !== "sql").map((r) => r.metric!));
  if (metrics.size === 0) return out;
  // The tier follows the range read, so read only the range the lake holds: `--since 7d` (the
  // default) over a lake of minutes read the 1-minute tier, which holds nothing before the first
  // compaction, and a rule that fired for a minute "never fired".
  const extent = await lake.extent();
  const from = Math.max(options.from, Math.min(...extent.map((e) => e.first)));
  const to = Math.min(options.to, Math.max(...extent.map((e) => e.last)) + 1);
  if (!(from < to)) return out;
  for (const metric of metrics) {
    const r = await lake.seriesMany({
      metric,
      from,
      to,
      maxPoints: options.maxPoints ?? 200_000,
    });
    out.push(...r.series);
  }
  return out;
}

/**
 * Replays rules over the lake.
 *
 * @param lake An open lake.
 * @param rules The rules (SQL rules are skipped).
 * @param options Range and evaluation step.
 * @returns The firing intervals and the step used.
 */
export async function backtestLake(
  lake: Lake,
  rules: readonly RuleConfig[],
  options: BacktestLakeOptions,
): Promise<{ intervals: FiringInterval[]; stepMs: number }> {
  const series = await readBacktestSeries(lake, rules, options);
  const stepMs = options.stepMs ?? evaluationStep(
    options.to - options.from,
    options.maxEvaluations ?? 2_000_000,
  );
  const replayed = rules.filter((r) => r.kind !== "sql");
  return { intervals: backtestRules(replayed, series, { stepMs }), stepMs };
}

/**
 * The evaluation step of a replay: 1 s (serve's), or whole seconds coarse enough to stay within
 * `max` evaluations.
 *
 * @param spanMs Length of the history, ms.
 * @param max Most evaluations.
 * @returns The step, ms.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluationStep } from "./backtest_lake.ts";
 * assert.equal(evaluationStep(3_600_000, 2_000_000), 1000);
 * assert.equal(evaluationStep(30 * 86_400_000, 2_000_000), 2000);
 * ```
 */
export function evaluationStep(spanMs: number, max: number): number {
  return spanMs / 1000 <= max ? 1000 : Math.ceil(spanMs / max / 1000) * 1000;
}
