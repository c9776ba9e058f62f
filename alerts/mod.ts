/**
 * Alerting: the records the rule engine, the notifier and the workflows share. (Minimal surface
 * until the alerts engine lands; it re-exports `types.ts`.)
 *
 * @module
 */
export type { AlertInstance, AlertSeverity, AlertState, AlertTransition } from "./types.ts";
