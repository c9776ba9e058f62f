/**
 * The HTML of each report section (summary, resources, recommendations, methods). Server-side
 * text and tables; the charts are `<figure class="chart">` placeholders drawn by the client.
 *
 * @module
 */
import type { ReportData, ResourceSection } from "./report_data.ts";
import { escapeHtml as e, formatDuration, formatTime, formatValue } from "./format_value.ts";
import { resourceName } from "./resource_name.ts";

export { resourceName };

function badge(status: string): string {
  return `<span class="badge ${e(status)}">${e(status)}</span>`;
}

function eta(r: ResourceSection, now: number): string {
  if (r.eta === null) return "not within horizon";
  const interval = r.etaLow !== null || r.etaHigh !== null
    ? ` <span class="muted">(${formatDuration(r.etaLow === null ? null : r.etaLow - now)} … ${
      r.etaHigh === null ? "later" : formatDuration(r.etaHigh - now)
    })</span>`
    : "";
  return `in ${formatDuration(r.eta - now)}${interval}`;
}

function figure(id: string, kind: string, resource: string, caption: string): string {
  return `<figure class="chart" id="${e(id)}" data-chart="${kind}" data-resource="${
    e(resource)
  }">` +
    `<div class="plot"></div><figcaption>${caption}</figcaption></figure>`;
}

/** Summary: one sentence, the status table and the bottleneck ranking chart. */
export function renderSummary(data: ReportData): string {
  const rs = data.resources;
  const count = (s: string) => rs.filter((r) => r.status === s).length;
  const top = rs[0];
  const lead = top
    ? `The tightest resource is <strong>${e(resourceName(top))}</strong> at ${
      formatValue(top.utilization, "ratio")
    } of its limit; exhaustion ${eta(top, data.generatedAt)}.`
    : "The lake holds no capacity series for this range.";
  const rows = rs.map((r, i) =>
    `<tr><td class="num">${i + 1}</td><td><a href="#res-${e(r.id)}">${
      e(resourceName(r))
    }</a></td>` +
    `<td>${badge(r.status)}</td><td class="num">${formatValue(r.current, r.unit)}</td>` +
    `<td class="num">${formatValue(r.limit, r.unit)}</td>` +
    `<td class="num">${formatValue(r.utilization, "ratio")}</td>` +
    `<td class="num">${formatValue(r.growthPerDay, r.unit)}/d</td><td>${
      eta(r, data.generatedAt)
    }</td></tr>`
  ).join("\n");
  return `<section id="summary"><h2>Summary</h2>
<p>${rs.length} resources on ${data.hosts.length} host(s): ${count("critical")} critical, ${
    count("warning")
  } warning, ${count("ok")} ok. ${lead}</p>
<table class="status"><thead><tr><th class="num">#</th><th>Resource</th><th>Status</th>
<th class="num">Current</th><th class="num">Limit</th><th class="num">Used</th>
<th class="num">Growth</th><th>Time to exhaustion (interval)</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<h3 id="bottlenecks">Bottleneck ranking</h3>
${
    rs.some((r) => r.utilization !== null)
      ? figure(
        "chart-ranking",
        "ranking",
        "",
        "Utilization of each resource, worst first; the dashed rule is the limit.",
      )
      : '<p class="muted">No resource has a known limit.</p>'
  }
</section>`;
}

/** One resource: its facts, the forecast chart and the decomposition chart. */
export function renderResource(r: ResourceSection, now: number): string {
  const periods = r.decomposition?.periodsMs.map((p) => formatDuration(p)).join(", ") || "none";
  const facts = [
    ["status", badge(r.status)],
    ["current", formatValue(r.current, r.unit)],
    ["limit", formatValue(r.limit, r.unit)],
    ["growth", `${formatValue(r.growthPerDay, r.unit)}/day`],
    ["exhaustion", eta(r, now)],
    ["anomalies", String(r.anomalies.length)],
  ].map(([k, v]) => `<div><span class="k">${k}</span>${v}</div>`).join("");
  const decomposition = r.decomposition
    ? figure(
      `chart-${r.id}-decomposition`,
      "decomposition",
      r.id,
      `Seasonal component (periods: ${e(periods)}) and remainder; anomalies circled.`,
    )
    : "";
  return `<section class="resource" id="res-${e(r.id)}">
<h3>${e(resourceName(r))}</h3>
<p class="muted">${e(r.metric)}${r.labels ? `{${e(r.labels)}}` : ""}, model ${e(r.model)}</p>
<div class="facts">${facts}</div>
<div class="controls">Drag across a chart to zoom; double-click to reset.
<button class="reset-zoom" data-resource="${e(r.id)}" hidden>Reset zoom</button></div>
${
    figure(
      `chart-${r.id}-forecast`,
      "forecast",
      r.id,
      "Observed series, trend, forecast with 80 % and 95 % bands, limit, anomalies circled.",
    )
  }
${decomposition}
</section>`;
}

/** Recommendations with their evidence and expected effect. */
export function renderRecommendations(data: ReportData): string {
  if (data.recommendations.length === 0) {
    return `<section id="recommendations"><h2>Recommendations</h2>
<p class="muted">Nothing to recommend for this range.</p></section>`;
  }
  const items = data.recommendations.map((r) =>
    `<li id="rec-${e(r.id)}">${badge(r.severity)} <strong>${e(r.title)}</strong><p>${
      e(r.detail)
    }</p>` +
    `<ul>${r.evidence.map((x) => `<li>${e(x)}</li>`).join("")}</ul>` +
    `<p class="muted">Effect: ${e(r.effect)}</p></li>`
  ).join("\n");
  return `<section id="recommendations"><h2>Recommendations</h2>
<ol class="recommendations">
${items}
</ol></section>`;
}

/** Methods: how each series was modelled and how accurate the model was in backtests. */
export function renderMethods(data: ReportData): string {
  const pct = (v: number | null) => formatValue(v, "ratio");
  const rows = data.resources.map((r) =>
    `<tr><td>${e(resourceName(r))}</td><td>${e(r.model)}</td>` +
    `<td>${e(r.decomposition?.periodsMs.map((p) => formatDuration(p)).join(", ") || "none")}</td>` +
    `<td class="num">${formatValue(r.accuracy.mae, r.unit)}</td>` +
    `<td class="num">${pct(r.accuracy.wape)}</td>` +
    `<td class="num">${pct(r.accuracy.coverage80)}</td>` +
    `<td class="num">${pct(r.accuracy.coverage95)}</td>` +
    `<td class="num">${r.accuracy.origins}</td></tr>`
  ).join("\n");
  const notes = data.notes.map((n) => `<li>${e(n)}</li>`).join("");
  return `<section id="methods"><h2>Methods</h2>
<p>Each series is read from the lake for the report range at a fixed step and decomposed
(MSTL) into trend, seasonal cycles (periods detected automatically) and remainder. The
forecasting model is chosen per series by rolling-origin backtesting: a pool of candidates
(seasonal naive, drift, seasonal mean, ETS, damped ETS, MSTL + ETS and their combination)
forecasts held-out stretches of the history and the most accurate is kept; its 80 % and 95 %
bands are calibrated on the backtest errors. The table gives that backtest's accuracy. Anomaly
scores in [0, 1] come from a streaming detector; the highest-scoring points are circled. Time to
exhaustion and its interval come from the capacity model of each resource.</p>
<table class="methods"><thead><tr><th>Series</th><th>Model</th><th>Seasons</th>
<th class="num">MAE</th><th class="num">WAPE</th><th class="num">80 % cov.</th>
<th class="num">95 % cov.</th><th class="num">Origins</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${notes ? `<ul class="notes">${notes}</ul>` : ""}
<p class="muted">Range ${formatTime(data.from)} to ${formatTime(data.to)}; forecast horizon ${
    formatDuration(data.horizonMs)
  }.</p>
</section>`;
}
