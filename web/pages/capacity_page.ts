/**
 * The Capacity page: time-to-exhaustion table and bottleneck ranking, recommendations, and per
 * resource the decomposition and forecast bands (drawn by `capacity.js`), or an honest empty
 * state.
 *
 * @module
 */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import type { CapacityResource, CapacityView } from "../load_capacity.ts";
import { layout } from "./layout.ts";

function pct(v: number | null): string {
  return v === null ? "–" : `${(100 * v).toFixed(1)} %`;
}

function span(ms: number): string {
  const days = ms / 86_400_000;
  return days < 1 ? `${(days * 24).toFixed(1)} h` : `${days.toFixed(1)} d`;
}

/** ETA with its 80 % interval; a null slow end means it lies past the horizon. */
function eta(r: CapacityResource, from: number): string {
  if (r.eta === null) {
    return r.etaLow === null
      ? "not in horizon"
      : `not in horizon (80 %: from ${span(r.etaLow - from)})`;
  }
  const lo = r.etaLow === null ? "?" : span(r.etaLow - from);
  const hi = r.etaHigh === null ? "past horizon" : span(r.etaHigh - from);
  return `${span(r.eta - from)} (80 %: ${lo} – ${hi})`;
}

/**
 * Renders the Capacity page.
 *
 * @param view What analytics produced, or why there is nothing to show.
 * @returns The page.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { capacityPage } from "./capacity_page.ts";
 * const page = String(await capacityPage({ state: "empty", reason: "Not enough data" }));
 * assert.match(page, /Not enough data/);
 * ```
 */
export function capacityPage(view: CapacityView): HtmlEscapedString | Promise<HtmlEscapedString> {
  if (view.state === "empty") {
    const body = html`
      <h1>Capacity</h1>
      <div class="empty">
        <p><strong>No capacity analysis to show.</strong></p>
        <p>${view.reason}</p>
        <p>Forecasts need history: keep <code>deno task serve</code> or <code>deno task collect</code> running
      for a few hours (a day or more for daily seasonality), then come back.</p>
      </div>
    `;
    return layout({ title: "Capacity", body });
  }
  const ranked = view.resources; // capacityReport's ranking: soonest ETA, then interval, then use
  const rows = ranked.map((r, i) =>
    html`
      <tr>
        <td class="num">${i + 1}</td>
        <td>${r.host}</td>
        <td>${r.resource}</td>
        <td>${r.labels || "–"}</td>
        <td>${r.status}</td>
        <td class="num">${pct(r.utilization)}</td>
        <td class="num">${eta(r, view.from)}</td>
        <td>${r.model}</td>
      </tr>
    `
  );
  const recs = view.recommendations.length === 0
    ? html`<p class="muted">No recommendations: nothing stands out in this range.</p>`
    : html`<ul>${
      view.recommendations.map((r) =>
        html`<li class="rec ${r.severity}"><strong>[${r.severity}] ${r.title}</strong>
          <p>${r.detail}</p>${
          r.facts.length
            ? html`<ul class="facts">${r.facts.map((f) => html`<li>${f}</li>`)}</ul>`
            : ""
        }<p><em>${r.effect}</em></p></li>`
      )
    }</ul>`;
  const charts = ranked.filter((r) => r.series.ts.length > 0).map((r, i) =>
    html`
      <section class="card">
        <h2>${r.host} · ${r.resource} ${r.labels}</h2>
        <div class="chart" id="capacity-${i}" data-index="${i}"></div>
      </section>
    `
  );
  const body = html`
    <h1>Capacity</h1>
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
            <th class="num">Utilization</th>
            <th class="num">Time to exhaustion</th>
            <th>Model</th>
          </tr>
        </thead>
        <tbody>${rows}</tbody>
      </table>
    </section>
    <p
      class="muted">Analysis of the lake up to ${new Date(view.from).toISOString()}, horizon ${span(
        view.horizonMs,
      )}; data at <a href="/api/capacity">/api/capacity</a> and <a href="/api/recommendations">/api/recommendations</a>.</p>
    <section class="card wide"><h2>Recommendations</h2>${recs}</section>
    <div class="grid">${charts}</div>
  `;
  return layout({
    title: "Capacity",
    body,
    scripts: ["d3.min.js", "plot.min.js", "capacity.js"],
    data: {
      generatedAt: view.generatedAt,
      resources: ranked.filter((r) => r.series.ts.length > 0),
    },
  });
}
