/**
 * Turns a {@linkcode ReportData} into one self-contained HTML page: stylesheet, d3, Observable
 * Plot, the client script and the data are all inlined, so the file opens offline and makes no
 * request of any kind.
 *
 * @module
 */
import type { ReportData } from "./report_data.ts";
import { historyText } from "../analytics/mod.ts";
import { loadAssets } from "./load_assets.ts";
import { escapeHtml as e, escapeName as n, formatDuration, formatTime } from "./format_value.ts";
import {
  renderMethods,
  renderRecommendations,
  renderResource,
  renderSummary,
} from "./render_sections.ts";
import { renderDashboards, renderServices } from "./render_services.ts";
import { renderGroups } from "./render_groups.ts";

/** The real data span per host (not the range asked for), and a warning when it is too short. */
function dataSpans(data: ReportData): string {
  if (data.hosts.length === 0) return `<p class="meta">Data: none.</p>`;
  const items = data.hosts.map((h) =>
    `<li>${n(h.host)}: ${historyText(h.spanMs, "data")}, ${
      h.first === h.last
        ? `at ${formatTime(h.first)}`
        : `${formatTime(h.first)} – ${formatTime(h.last)}`
    }${h.reason ? ` <strong class="short">too short: ${n(h.reason)}</strong>` : ""}</li>`
  ).join("");
  return `<div class="meta data-span">Data behind this report:<ul>${items}</ul></div>`;
}

/**
 * Renders the report page.
 *
 * @param data The report model from `buildReport`.
 * @returns The HTML document.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderReport } from "./render_report.ts";
 * const html = await renderReport({
 *   title: "Capacity", status: "empty", reason: "No data", generatedAt: 0, now: NaN, from: 0,
 *   to: 1, sinceMs: 1, horizonMs: 1, stepMs: 1, source: "test", filesystemLimit: "df",
 *   evidence: { minSpanMs: 1, minHorizonShare: 0.25, minForecastShare: 1, minWindowMs: 1 },
 *   hosts: [], resources: [], recommendations: [], notes: [],
 * });
 * assert.match(html, /^<!doctype html>/);
 * assert.doesNotMatch(html, /https?:\/\/[^"\s]*\.(js|css|woff2?)/);
 * ```
 */
export async function renderReport(data: ReportData): Promise<string> {
  const assets = await loadAssets();
  const body = [
    `<header class="report-head"><h1>${e(data.title)}</h1>`,
    `<p class="meta">Generated ${formatTime(data.generatedAt)} · looking back up to ${
      formatDuration(data.sinceMs)
    } and ${formatDuration(data.horizonMs)} ahead</p>`,
    dataSpans(data),
    `<nav class="toc"><ol><li><a href="#summary">Summary</a></li>` +
    (data.hostGroups ? `<li><a href="#groups">Hosts by group</a></li>` : "") +
    `<li><a href="#resources">Resources</a></li>` +
    `<li><a href="#recommendations">Recommendations</a></li>` +
    (data.services?.length ? `<li><a href="#services">Services</a></li>` : "") +
    (data.dashboards?.length ? `<li><a href="#dashboards">Dashboards</a></li>` : "") +
    `<li><a href="#methods">Methods</a></li></ol></nav></header>`,
    renderSummary(data),
    renderGroups(data),
    `<section id="resources"><h2>Resources</h2>`,
    // an empty lake's report had a heading over nothing here
    data.resources.length === 0
      ? `<p class="muted">No resource with a known limit in the data, so nothing to chart.</p>`
      : "",
    ...data.resources.slice(0, chartedCount(data)).map((r) => renderResource(r, data)),
    uncharted(data),
    `</section>`,
    renderRecommendations(data),
    renderServices(data),
    renderDashboards(data),
    renderMethods(data),
    `<footer>perfscope capacity report · self-contained: opens offline, loads nothing.</footer>`,
  ].join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${e(data.title)}</title>
<style>
${assets.css}
</style>
</head>
<body>
<main>
${body}
</main>
<script type="application/json" id="report-data">${inlineJson(slim(data))}</script>
<script>${inlineScript(assets.d3)}</script>
<script>${inlineScript(assets.plot)}</script>
<script>${inlineScript(assets.client)}</script>
</body>
</html>
`;
}

/** How many resources, in ranking order, get a section of their own: up to the last one with
 * chart data (the analysis charts the first N; a fleet report's rest are rows of the summary),
 * every one when none has chart data. */
function chartedCount(data: ReportData): number {
  const rs = data.resources;
  let last = rs.length - 1;
  while (last >= 0 && rs[last]!.series.ts.length === 0) last--;
  return last < 0 ? rs.length : last + 1;
}

/** The line saying how many resources have no section of their own. */
function uncharted(data: ReportData): string {
  const n = data.resources.length - chartedCount(data);
  return n
    ? `<p class="muted">${n} more resources are not charted: they are rows of the summary table ` +
      "(the report charts the most pressing ones; see --charts).</p>"
    : "";
}

/** The data the page's script needs: uncharted resources keep only what the ranking chart and
 * the tables read (a fleet's thousand resources would otherwise weigh megabytes). */
function slim(data: ReportData): ReportData {
  const charted = chartedCount(data);
  if (charted === data.resources.length) return data;
  return {
    ...data,
    resources: data.resources.map((r, i) =>
      i < charted ? r : {
        id: r.id,
        name: r.name,
        host: r.host,
        resource: r.resource,
        status: r.status,
        severity: r.severity,
        utilization: r.utilization,
        eta: r.eta,
        etaLow: r.etaLow,
        etaHigh: r.etaHigh,
      } as unknown as typeof r
    ),
  };
}

/** JSON safe inside a script element: `<` is escaped so `</script>` cannot end it early. */
function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

/** Script text safe inside a script element. */
function inlineScript(source: string): string {
  return source.replace(/<\/script/gi, "<\\/script");
}
