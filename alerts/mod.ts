/**
 * Alerts: the rule engine that watches the live stream (`AlertEngine`: thresholds with
 * hysteresis, rate of change, absence, anomaly, predictive and SQL rules; `for`,
 * `keep_firing_for`, nodata and error states; state that survives restarts), the history of
 * every transition in Parquet (`readAlertHistory`), and the backtest that replays rules over
 * history with the same engine (`backtestRules`). The records shared with notifications and
 * workflows are in `types.ts`.
 *
 * @module
 */

export type { AlertInstance, AlertSeverity, AlertState, AlertTransition } from "./types.ts";
export { AlertEngine, type AlertEngineOptions } from "./alert_engine.ts";
export {
  AlertHistoryWriter,
  type AlertHistoryWriterOptions,
  readAlertHistory,
  type ReadAlertHistoryOptions,
} from "./alert_history.ts";
export { type CompiledRule, compileRule, type Reducer, ruleMatches } from "./compile_rule.ts";
export { fingerprint } from "./fingerprint.ts";
export { formatValue, renderTemplate, type TemplateData } from "./render_template.ts";
export { MAX_POINTS, SeriesBuffer } from "./series_buffer.ts";
export { statePath } from "./_state_file.ts";
export {
  backtestRules,
  type BacktestRulesOptions,
  type BacktestSeries,
  type FiringInterval,
} from "./backtest_rules.ts";
export {
  backtestLake,
  type BacktestLakeOptions,
  evaluationStep,
  readBacktestSeries,
} from "./backtest_lake.ts";
