/**
 * Alerting: the records the engine, notifier and workflows share (`types.ts`), and the notifier
 * that routes alert transitions to webhooks and Alertmanagers with grouping, silences,
 * inhibition and rate limits (`notify/`).
 *
 * @module
 */
export type { AlertInstance, AlertSeverity, AlertState, AlertTransition } from "./types.ts";
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
