/**
 * Whether alert rules are configured: the Alerts page's empty state and `configured` in
 * `GET /api/alerts` read it the same way.
 *
 * @module
 */
import type { AlertsView } from "./deps.ts";

/**
 * Tells whether the app has alert rules to show.
 *
 * @param alerts The engine's view, if the app has one.
 * @returns `false` without an engine, and with one that has no rules (serve builds its engine
 * even when `rules:` is absent, so an engine alone does not mean rules are configured).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { alertsConfigured } from "./alerts_configured.ts";
 * const view = { instances: () => [], history: () => Promise.resolve([]) };
 * assert.equal(alertsConfigured(undefined), false);
 * assert.equal(alertsConfigured({ ...view, rules: () => [] }), false);
 * assert.equal(alertsConfigured({ ...view, rules: () => [{ alert: "HighLoad" }] }), true);
 * ```
 */
export function alertsConfigured(alerts: AlertsView | undefined): boolean {
  return alerts !== undefined && alerts.rules?.().length !== 0;
}
