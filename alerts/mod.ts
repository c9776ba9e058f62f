/**
 * Alerts: the rule engine that watches the live stream (`AlertEngine`: thresholds with
 * hysteresis, rate of change, absence, anomaly, predictive and SQL rules; `for`,
 * `keep_firing_for`, nodata and error states; state that survives restarts), the history of
 * every transition in Parquet (`readAlertHistory`), the backtest that replays rules over history
 * with the same engine (`backtestRules`, `backtestLake`), and the notifier that routes alert
 * transitions to webhooks and Alertmanagers with grouping, silences, inhibition and rate limits
 * (`notify/`). The records they share are in `types.ts`.
 *
 * @module
 */

export type { AlertInstance, AlertSeverity, AlertState, AlertTransition } from "./types.ts";
export { AlertEngine, type AlertEngineOptions, type AlertEngineSizes } from "./alert_engine.ts";
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
export { Notifier, type NotifierOptions, type ReceiverStats } from "./notify/notifier.ts";
export {
  type NewSilence,
  type Silence,
  silencesPath,
  type SilenceState,
  SilenceStore,
  type SilenceStoreOptions,
} from "./notify/silences.ts";
export {
  canonicalMatcher,
  compileMatcher,
  formatMatcher,
  type Matcher,
  type MatchOp,
  parseMatcher,
} from "./notify/matchers.ts";
export {
  type NotifyAlert,
  type PostableAlert,
  type WebhookAlert,
  type WebhookPayload,
  ZERO_TIME,
} from "./notify/payload.ts";
export { deliver, type DeliverOptions, type DeliverResult } from "./notify/deliver.ts";
export { openNotifications, type OpenNotificationsOptions } from "./notify/open_notifications.ts";
