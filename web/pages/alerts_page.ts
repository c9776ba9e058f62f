/**
 * The Alerts page: live alert states and the notifications receivers' `delay:` holds back
 * (refreshed every second), a timeline of the state history with a link to the series behind
 * each alert and a sparkline of it around each change, the silences with a form to create and
 * expire them, a rule backtest chart, the scheduler's jobs (last run, outcome, next run;
 * refreshed from `/api/schedule` by `schedule.js`), and a slot (`<section id="workflows">`) for
 * the audit log and
 * workflow approvals. Without alert rules it says so instead of the alert sections; the schedule
 * and the workflows slot show either way.
 *
 * @module
 */
import { alertsConfigured } from "../alerts_configured.ts";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { WebDeps } from "../deps.ts";
import { layout } from "./layout.ts";

/** The history ranges offered, in ms. */
const HISTORY_RANGES: readonly (readonly [string, number])[] = [
  ["1h", 3_600_000],
  ["6h", 21_600_000],
  ["24h", 86_400_000],
  ["7d", 604_800_000],
];

const EXAMPLE_RULE = {
  alert: "HighLoad",
  metric: "load_average",
  labels: { window: "1m" },
  reduce: "avg",
  window: "1m",
  above: 4,
  clear: 3,
  for: "5m",
};

function emptyState(): HtmlEscapedString | Promise<HtmlEscapedString> {
  return html`
    <div class="empty">
      <p><strong>No alert rules configured.</strong></p>
      <p>There are no alert states to show: add <code>rules:</code> to <code>perfscope.yaml</code>, and
    <code>receivers:</code> and <code>route:</code> to send notifications to a webhook or an
    Alertmanager (see the README's Notifications section).</p>
      <p>Meanwhile, the <a href="/capacity">Capacity</a> page ranks bottlenecks and forecasts exhaustion,
    and <a href="/metrics">/metrics</a> exposes the latest values to a Prometheus you already run.</p>
    </div>
  `;
}

// filled (and refreshed every 5 s) by schedule.js from /api/schedule, so that a job's run that
// ends while the page is open shows without a reload
function scheduleSection(): HtmlEscapedString | Promise<HtmlEscapedString> {
  return html`
    <section class="card wide" id="schedule">
      <h2>Schedule</h2>
      <div class="meta" id="schedule-meta" role="status">Loading the scheduled jobs…</div>
      <table id="schedule-table">
        <thead>
          <tr>
            <th>Job</th>
            <th>Cron</th>
            <th>Last run</th>
            <th>Outcome</th>
            <th class="num">Took</th>
            <th>Next run</th>
            <th>Detail</th>
          </tr>
        </thead>
        <tbody></tbody>
      </table>
    </section>
  `;
}

/**
 * Renders the Alerts page; `alerts.js` fills it from `/api/alerts`, `/api/alerts/history` and
 * `/api/silences`.
 *
 * @param deps The app's collaborators; without `alerts`, or when it lists no rules, the page
 * shows the empty state.
 * @param workflows The workflows section (audit log, approvals: `auditSection`), which fills the
 * `<section id="workflows">` slot; default the empty slot.
 * @returns The page.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { alertsPage } from "./alerts_page.ts";
 * assert.match(String(await alertsPage({})), /No alert rules configured/);
 * const page = String(await alertsPage({ alerts: { instances: () => [], history: async () => [] } }));
 * assert.match(page, /<section id="workflows"><\/section>/);
 * assert.match(page, /<section class="card wide" id="schedule">/);
 * ```
 */
export function alertsPage(
  deps: Pick<WebDeps, "alerts" | "backtest">,
  workflows?: HtmlEscapedString,
): HtmlEscapedString | Promise<HtmlEscapedString> {
  const slot = workflows ?? html`<section id="workflows"></section>`;
  // an engine with no rules (serve builds one anyway, a reload may add rules) is no alerting yet
  if (!alertsConfigured(deps.alerts)) {
    return layout({
      title: "Alerts",
      body: html`<h1>Alerts</h1>${emptyState()}${scheduleSection()}${slot}`,
      modules: ["schedule.js"],
    });
  }
  const ranges = HISTORY_RANGES.map(([name, ms]) =>
    html`<button type="button" data-range="${name}" data-ms="${ms}">${name}</button>`
  );
  const body = html`
    <h1>Alerts</h1>
    <section class="card wide" id="live">
      <h2>Now</h2>
      <div class="meta" id="alerts-meta" role="status">Loading alert states…</div>
      <table id="alerts-table">
        <thead>
          <tr>
            <th>State</th>
            <th>Alert</th>
            <th>Labels</th>
            <th class="num">Value</th>
            <th>Since</th>
            <th>Muted</th>
            <th>Series</th>
          </tr>
        </thead>
        <tbody></tbody>
      </table>
      <div class="muted" id="receivers-meta"></div>
      <div id="held" hidden>
        <h3>Held notifications</h3>
        <p class="muted">Changes a receiver's <code>delay:</code> holds back (a flap drops them).</p>
        <ul id="held-list"></ul>
      </div>
    </section>
    <section class="card wide" id="history">
      <h2>History</h2>
      <div class="toolbar"><span role="group" aria-label="Range">${ranges}</span></div>
      <div class="chart" id="timeline"></div>
      <table id="history-table">
        <thead>
          <tr>
            <th>Time (UTC)</th>
            <th>Alert</th>
            <th>Labels</th>
            <th>Change</th>
            <th class="num">Value</th>
            <th>Series</th>
            <th>Trend</th>
          </tr>
        </thead>
        <tbody></tbody>
      </table>
    </section>
    <section class="card wide" id="silences">
      <h2>Silences</h2>
      <p
        class="muted">They mute perfscope's webhook notifications. An Alertmanager receiver gets every alert
        (host in lower case) and silences by itself: silence there.</p>
      <table id="silences-table">
        <thead>
          <tr>
            <th>State</th>
            <th>Matchers</th>
            <th>Starts</th>
            <th>Ends</th>
            <th>By</th>
            <th>Comment</th>
            <th></th>
          </tr>
        </thead>
        <tbody></tbody>
      </table>
      <form class="toolbar" id="silence-form">
        <label for="silence-matchers">Matchers</label>
        <input id="silence-matchers" name="matchers" size="40" required
          placeholder='alertname="HighLatency", host=~"db.*"'>
        <label for="silence-duration">For</label>
        <input id="silence-duration" name="duration" size="5" value="2h" required>
        <label for="silence-comment">Comment</label>
        <input id="silence-comment" name="comment" size="24">
        <label for="silence-by">By</label>
        <input id="silence-by" name="createdBy" size="10">
        <button type="submit" class="primary">Silence</button>
        <span id="silence-status" class="muted" role="status"></span>
      </form>
    </section>
    <section class="card wide" id="backtest">
      <h2>Rule backtest</h2>
      <form id="backtest-form">
        <p
          class="muted">Replay a rule (JSON, as under <code>rules:</code> in perfscope.yaml) over the lake's history before enabling it: how often it would have fired, and for how long.</p>
        <textarea id="backtest-rule" rows="6" cols="80" spellcheck="false">${JSON.stringify(
          EXAMPLE_RULE,
          null,
          2,
        )}</textarea>
        <div class="toolbar">
          <label for="backtest-from">Over the last</label>
          <input id="backtest-from" size="5" value="7d">
          <button type="submit" class="primary" ${deps.backtest
            ? ""
            : " disabled"}>Backtest</button>
          <span id="backtest-status" class="muted" role="status">${deps.backtest
            ? ""
            : "Backtest is not available on this server."}</span>
        </div>
      </form>
      <div class="chart" id="backtest-chart"></div>
    </section>
    ${scheduleSection()} ${slot}
  `;
  return layout({
    title: "Alerts",
    body,
    scripts: ["d3.min.js", "plot.min.js"],
    modules: ["alerts.js", "schedule.js"],
  });
}
