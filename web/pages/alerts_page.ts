/**
 * The Alerts page: an honest empty state until alert rules exist.
 *
 * @module
 */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { layout } from "./layout.ts";

/**
 * Renders the Alerts page.
 *
 * @param workflows The workflows section (audit log, approvals), when there is one.
 * @returns The page.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { alertsPage } from "./alerts_page.ts";
 * assert.match(String(await alertsPage()), /alert rules arrive with the workflows feature/);
 * ```
 */
export function alertsPage(
  workflows?: HtmlEscapedString,
): HtmlEscapedString | Promise<HtmlEscapedString> {
  const body = html`
    <h1>Alerts</h1>
    <div class="empty">
      <p><strong>No alerts configured.</strong></p>
      <p>There are no alert states to show: alert rules arrive with the workflows feature.</p>
      <p>Until then, the <a href="/capacity">Capacity</a> page ranks bottlenecks and forecasts exhaustion,
    and <a href="/metrics">/metrics</a> exposes the latest values to a Prometheus you already run.</p>
    </div>
    ${workflows ?? ""}
  `;
  return layout({ title: "Alerts", body });
}
