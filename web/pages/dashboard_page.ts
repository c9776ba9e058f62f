/**
 * Dashboards from the config: the index (`/dashboards`) and one dashboard
 * (`/dashboards/NAME`), whose panels `dashboard.js` draws from `/api/dashboards/NAME` and
 * refreshes every 2 seconds.
 *
 * @module
 */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { layout } from "./layout.ts";

/** What the pages need of a configured dashboard. */
export interface DashboardSummary {
  name: string;
  title?: string | undefined;
  panels: readonly { title: string; kind?: string | undefined }[];
}

/**
 * Renders the list of dashboards, or how to add one when the config has none.
 *
 * @param dashboards The configured dashboards.
 * @returns The page.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dashboardsIndexPage } from "./dashboard_page.ts";
 * const page = String(await dashboardsIndexPage([{ name: "api", panels: [{ title: "RPS" }] }]));
 * assert.match(page, /href="\/dashboards\/api"/);
 * ```
 */
export function dashboardsIndexPage(
  dashboards: readonly DashboardSummary[],
): HtmlEscapedString | Promise<HtmlEscapedString> {
  const items = dashboards.map((d) =>
    html`<li><a href="/dashboards/${d.name}">${
      d.title ?? d.name
    }</a> <span class="muted">${d.panels.length} panel${
      d.panels.length === 1 ? "" : "s"
    }</span></li>`
  );
  const body = dashboards.length
    ? html`
      <h1>Dashboards</h1>
      <section class="card wide">
        <ul id="dashboards">${items}</ul>
      </section>
    `
    : html`
      <h1>Dashboards</h1>
      <section class="card wide" id="dashboards-empty">
        <h2>No dashboards configured</h2>
        <p
          class="muted">Add a <code>dashboards:</code> list to perfscope.yaml (see examples/perfscope.yaml):
            each dashboard has a <code>name</code> and <code>panels</code> of a <code>metric</code> (with
            <code>labels</code>) or a read-only <code>sql</code> query, drawn as line, area, bar, table or
            number, with a <code>unit</code> and <code>thresholds</code>.</p>
      </section>
    `;
  return layout({ title: "Dashboards", body });
}

/**
 * Renders one dashboard's frame: a card per panel, filled by `dashboard.js`.
 *
 * @param d The dashboard.
 * @returns The page.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dashboardPage } from "./dashboard_page.ts";
 * const page = String(await dashboardPage({ name: "api", panels: [{ title: "RPS" }] }));
 * assert.match(page, /id="panel-0"/);
 * ```
 */
export function dashboardPage(d: DashboardSummary): HtmlEscapedString | Promise<HtmlEscapedString> {
  const panels = d.panels.map((p, i) =>
    html`
      <section class="card${p.kind === "number" ? "" : " wide"} panel" data-kind="${p.kind ??
        "line"}">
        <h2>${p.title}</h2>
        <div class="chart" id="panel-${i}">
          <p class="muted">Loading…</p>
        </div>
      </section>
    `
  );
  const body = html`
    <h1>${d.title ?? d.name}</h1>
    <div class="toolbar"><a href="/dashboards">All dashboards</a>
      <span class="meta" id="dashboard-updated"></span></div>
    <div class="grid">${panels}</div>
  `;
  return layout({
    title: "Dashboards",
    body,
    scripts: ["d3.min.js", "plot.min.js"],
    modules: ["dashboard.js"],
    data: { name: d.name },
  });
}
