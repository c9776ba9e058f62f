/**
 * The Capacity page: time-to-exhaustion table and bottleneck ranking, recommendations, and per
 * resource the decomposition and forecast bands (drawn by `capacity.js`), or an honest empty
 * state.
 *
 * @module
 */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import {
  type CapacityAnalysis,
  type CapacityResource,
  evidenceText,
  groupLabels,
  historyText,
  hostGroupsBy,
  spanText,
} from "../../analytics/mod.ts";
import { escapeControls as visible, formatTime, formatValue } from "../../format/mod.ts";
import { layout } from "./layout.ts";

function pct(v: number | null): string {
  return formatValue(v, "ratio");
}

/** ETA with its 80 % interval; a null slow end means it lies past the horizon. */
function eta(r: CapacityResource, from: number): string {
  if (r.status === "insufficient") return r.reason ?? "too little history";
  if (r.eta === null) {
    return r.etaLow === null
      ? "not in horizon"
      : `not in horizon (80 %: from ${spanText(r.etaLow - from)})`;
  }
  const lo = r.etaLow === null ? "?" : spanText(r.etaLow - from);
  const hi = r.etaHigh === null ? "past horizon" : spanText(r.etaHigh - from);
  return `${spanText(r.eta - from)} (80 %: ${lo} – ${hi})`;
}

function evidence(r: CapacityResource): string {
  return `${evidenceText(r.evidence.spanMs, r.evidence.points)} (${r.evidence.tier})`;
}

/** When a host's data was sampled: one time for a single sample, else first to last. */
function hostTimes(h: { first: number; last: number }): string {
  const at = (t: number) => formatTime(t, { seconds: true });
  return h.first === h.last ? `at ${at(h.first)}` : `${at(h.first)} to ${at(h.last)}`;
}

/** Options of {@linkcode capacityPage}. */
export interface CapacityPageOptions {
  /** Group the hosts by this external label (`env`, `dc`, `role`…); `""` for no grouping.
   * Default the first label the hosts carry. */
  group?: string;
  /** The series source named in the banner when it is not the lake (`serve --source`). */
  source?: string;
  /** The time the page is shown, ms: with it the page says how old the analysis is (it is
   * refreshed in the background, so it may be a minute or two old). Default not said. */
  now?: number;
}

/** How old an analysis gets before the loader recomputes it (its default `ttlMs`), ms. */
const REFRESH_MS = 60_000;

/** When the analysis was computed, and how long ago. */
function computedAt(view: CapacityAnalysis, now: number | undefined) {
  if (!Number.isFinite(view.generatedAt)) return "";
  const age = now === undefined ? NaN : Math.max(0, now - view.generatedAt);
  const ago = !Number.isFinite(age)
    ? ""
    : age < 90_000
    ? ` (${Math.round(age / 1000)} s ago)`
    : ` (${Math.round(age / 60_000)} min ago)`;
  // times as every page prints them (format.js: UTC, 24-hour clock), not ISO 8601 with ms
  const at = formatTime(view.generatedAt, { seconds: true });
  // older than the refresh (the first view after a quiet spell): said plainly, not in grey,
  // since what follows may be out of date while the newer analysis runs
  if (age > REFRESH_MS) {
    return html`
      <p id="capacity-computed">Computed ${at}${ago}, older than the one-minute
        refresh; refreshing in the background: reload in a moment for the new result.</p>
    `;
  }
  return html`
    <p class="muted"
      id="capacity-computed">Computed ${at}${ago}; recomputed in the background once a minute old.</p>
  `;
}

/** The group-by selector and, for the chosen label, one row per group. */
function groupSection(
  view: CapacityAnalysis,
  chosen: string,
): HtmlEscapedString | Promise<HtmlEscapedString> | string {
  const labels = groupLabels(view);
  if (labels.length === 0) return "";
  const options = ["", ...labels].map((l) =>
    l === chosen
      ? html`<option value="${l}" selected>${l || "no grouping"}</option>`
      : html`<option value="${l}">${l || "no grouping"}</option>`
  );
  const byId = new Map(view.resources.map((r) => [r.id, r]));
  const rows = chosen === "" ? [] : hostGroupsBy(view, chosen, { top: 3 }).map((g) =>
    html`
      <tr data-group="${g.value}">
        <td class="wrap">${visible(g.value)}</td>
        <td class="num">${g.hosts.length}</td>
        <td class="num">${g.resources}</td>
        <td class="num">${g.severity.critical}</td>
        <td class="num">${g.severity.warning}</td>
        <td class="num">${g.severity.ok}</td>
        <td class="num">${g.severity.unknown}</td>
        <td class="num">${g.withEta}</td>
        <td class="wrap">
          <ol>${g.ranking.map((id) => byId.get(id)!).map((r) =>
            html`<li><bdi>${visible(r.host)}</bdi> · ${r.resource} <bdi>${
              visible(r.labels)
            }</bdi> (${r.severity}, ${eta(r, view.now)})</li>`
          )}</ol>
          <details><summary>${hostCount(g.hosts.length)}</summary>${g.hosts.map((h, i) =>
            html`${i ? ", " : ""}<bdi>${visible(h)}</bdi>`
          )}</details>
        </td>
      </tr>
    `
  );
  const table = chosen === "" ? "" : html`
    <table class="groups">
      <thead>
        <tr>
          <th>${chosen}</th>
          <th class="num">Hosts</th>
          <th class="num">Resources</th>
          <th class="num">Critical</th>
          <th class="num">Warning</th>
          <th class="num">OK</th>
          <th class="num">Unknown</th>
          <th class="num">With ETA</th>
          <th>Most pressing</th>
        </tr>
      </thead>
      <tbody>${rows}</tbody>
    </table>
  `;
  return html`
    <section class="card wide" id="groups">
      <h2>Hosts by group</h2>
      <form class="toolbar" method="get" action="/capacity">
        <label for="group">Group by</label><select id="group" name="group">${options}</select>
        <button type="submit">Show</button>
      </form>
      ${table}
      <p class="muted">Groups come from the hosts' external labels; each group is ranked as the whole fleet is. As JSON: <a href="/api/capacity?group=${chosen}">/api/capacity?group=${chosen}</a>.</p>
    </section>
  `;
}

/**
 * Renders the Capacity page from the capacity analysis.
 *
 * @param view The analysis (`analyzeCapacity`).
 * @param options The group-by label and the source's name for the banner.
 * @returns The page.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { capacityPage } from "./capacity_page.ts";
 * const page = String(await capacityPage({ status: "empty", reason: "Not enough data", generatedAt: 0,
 *   now: NaN, from: 0, to: 0, sinceMs: 1, horizonMs: 1, stepMs: 60_000, source: "test",
 *   evidence: { minSpanMs: 1, minHorizonShare: 0.25, minForecastShare: 1, minWindowMs: 1 },
 *   filesystemLimit: "df", hosts: [], resources: [], recommendations: [], notes: [] }));
 * assert.match(page, /Not enough data/);
 * ```
 */
export function capacityPage(
  view: CapacityAnalysis,
  options: CapacityPageOptions = {},
): HtmlEscapedString | Promise<HtmlEscapedString> {
  const source = options.source === undefined ? {} : { source: options.source };
  const group = options.group ?? groupLabels(view)[0] ?? "";
  const spans = view.hosts.map((h) =>
    html`<li><bdi>${visible(h.host)}</bdi>: ${historyText(h.spanMs, "data")}, ${hostTimes(h)}${
      h.reason
        ? html`
          <strong>(too short: ${visible(h.reason)})</strong>
        `
        : ""
    }</li>`
  );
  const notice = view.status === "ready" ? "" : html`
    <div class="empty">
      <p><strong>${view.status === "empty"
        ? "No capacity analysis to show."
        : "Not enough data yet: too little history for ETAs."}</strong></p>
      <p>${view.reason}</p>
      <p>Forecasts need history: keep <code>deno task serve</code> or <code>deno task collect</code> running
      (an ETA needs ${spanText(view.evidence.minSpanMs)} of data, and looks at most ${Math.round(
        1 / view.evidence.minHorizonShare,
      )}× its history ahead; a forecast line at most ${Math.round(
        1 / view.evidence.minForecastShare,
      )}×), then come back.</p>
    </div>
  `;
  if (view.status === "empty") {
    return layout({ title: "Capacity", body: html`<h1>Capacity</h1>${notice}`, ...source });
  }
  const ranked = view.resources; // the analysis' ranking: soonest ETA, then interval, then use
  const rows = ranked.map((r, i) =>
    html`
      <tr>
        <td class="num">${i + 1}</td>
        <td class="wrap">${visible(r.host)}</td>
        <td data-resource="${r.resource}">${visible(what(r))}</td>
        <td class="wrap">${visible(r.labels) || "–"}</td>
        <td data-status="${r.status}">${r.status}</td>
        <td data-severity="${r.severity}">${r.severity}</td>
        <td class="num" title="${formatValue(r.current, r.unit)} of ${formatValue(
          r.limit,
          r.unit,
        )}">${pct(r.utilization)}</td>
        <td class="num">${eta(r, view.now)}</td>
        <td>${r.model}</td>
        <td>${evidence(r)}</td>
      </tr>
    `
  );
  const recs = view.recommendations.length === 0
    ? html`<p class="muted">No recommendations: nothing stands out in this range.</p>`
    : html`<ul>${
      view.recommendations.map((r) =>
        html`<li class="rec ${r.severity}"><strong>[${r.severity}] ${visible(r.title)}</strong>
          <p>${visible(r.detail)}</p>${
          r.facts.length
            ? html`<ul class="facts">${r.facts.map((f) => html`<li>${visible(f)}</li>`)}</ul>`
            : ""
        }<p><em>${visible(r.effect)}</em></p></li>`
      )
    }</ul>`;
  const charted = ranked.filter((r) => r.series.ts.length > 0);
  const charts = charted.map((r, i) =>
    html`
      <section class="card">
        <h2><bdi>${visible(r.name)}</bdi></h2>
        <p class="meta">${r.metric}${r.labels ? html`{<bdi>${visible(r.labels)}</bdi>}` : ""}</p>
        <div class="chart" id="capacity-${i}" data-index="${i}"></div>
      </section>
    `
  );
  const body = html`
    <h1>Capacity</h1>
    ${computedAt(view, options.now)} ${notice}
    <section class="card wide">
      <h2>Bottlenecks, nearest exhaustion first</h2>
      <table>
        <thead>
          <tr>
            <th class="num">#</th>
            <th>Host</th>
            <th>Resource</th>
            <th>Labels</th>
            <th>Status</th>
            <th>Severity</th>
            <th class="num">Utilization</th>
            <th class="num">Time to exhaustion</th>
            <th>Model</th>
            <th>Evidence</th>
          </tr>
        </thead>
        <tbody>${rows}</tbody>
      </table>
    </section>
    ${groupSection(view, group)}
    <p class="muted">Data behind the analysis (${view.source}):</p>
    <ul class="muted">${spans}</ul>
    <p
      class="muted">Analysis up to ${formatTime(view.now, { seconds: true })}, horizon ${spanText(
        view.horizonMs,
      )}; data at <a href="/api/capacity">/api/capacity</a> and <a href="/api/recommendations">/api/recommendations</a>.</p>
    <section class="card wide"><h2>Recommendations</h2>${recs}</section>
    <div class="grid">${charts}</div>
  `;
  return layout({
    title: "Capacity",
    body,
    scripts: ["d3.min.js", "plot.min.js"],
    modules: ["capacity.js"],
    data: { generatedAt: view.generatedAt, resources: charted },
    ...source,
  });
}

/**
 * What a resource is, from its display name without the host (`CPU run queue`, `filesystem /`):
 * the bare `cpu` beside a utilization of 338 % read as a CPU busier than it can be, where the
 * load average is 3.4 times the cores.
 */
function what(r: CapacityResource): string {
  const prefix = `${r.host} · `;
  return r.name.startsWith(prefix) ? r.name.slice(prefix.length) : r.resource;
}

/** `1 host`, `3 hosts`. */
function hostCount(n: number): string {
  return `${n} host${n === 1 ? "" : "s"}`;
}
