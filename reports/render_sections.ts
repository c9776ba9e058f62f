/**
 * The HTML of the resource, recommendation and methods sections. Server-side text and tables;
 * the charts are `<figure class="chart">` placeholders drawn by the client.
 *
 * @module
 */
import type { RecommendationData, ReportData, ResourceSection } from "./report_data.ts";
import {
  escapeHtml as e,
  escapeName as n,
  formatDuration,
  formatGrowth,
  formatTime,
  formatValue,
} from "./format_value.ts";
import { evidenceText } from "../analytics/mod.ts";
import { badge, etaText, markText, renderSummary } from "./render_summary.ts";
import { forecastMarks } from "./forecast_marks.ts";

export { renderSummary };

function figure(
  id: string,
  kind: string,
  resource: string,
  caption: string,
  marks?: string,
): string {
  return `<figure class="chart" id="${e(id)}" data-chart="${kind}" data-resource="${e(resource)}"${
    marks === undefined ? "" : ` data-marks="${e(marks)}"`
  }>` +
    `<div class="plot"></div><figcaption>${caption}</figcaption></figure>`;
}

/** `; a, b and c` of the names given (false ones left out), or nothing. */
function listed(names: (string | false)[]): string {
  const kept = names.filter((n) => n !== false);
  if (kept.length === 0) return "";
  return `; ${kept.length === 1 ? kept[0] : `${kept.slice(0, -1).join(", ")} and ${kept.at(-1)}`}`;
}

function seasons(r: ResourceSection): string {
  return r.decomposition?.periodsMs.map((p) => formatDuration(p)).join(", ") || "none";
}

/** One resource: its facts, the forecast chart and the decomposition chart. */
export function renderResource(r: ResourceSection, data: ReportData): string {
  const facts = [
    ["status", `${badge(r.severity)} ${e(r.status.replace("_", " "))}`],
    [
      "used",
      `${formatValue(r.current, r.unit)} of ${formatValue(r.limit, r.unit)} (${
        formatValue(r.utilization, "ratio")
      })`,
    ],
    ["growth", formatGrowth(r.growthPerDay, r.unit)],
    ["exhausted at", markText(r)],
    ["time to exhaustion", etaText(r, data)],
    ["anomalies", String(r.anomalies.length)],
    [
      "evidence",
      // an insufficient resource's reason is its time to exhaustion's, a row above: repeated
      // here it read "5 min of history, 301 points (raw tier): 5 min of history; ETAs need 1 day"
      `${evidenceText(r.evidence.spanMs, r.evidence.points)} (${e(r.evidence.tier)} tier)${
        r.reason && r.status !== "insufficient" ? `: ${e(r.reason)}` : ""
      }`,
    ],
  ].map(([k, v]) => `<div><span class="k">${k}</span> ${v}</div>`).join("");
  const ahead = r.forecast?.ts.length
    ? `forecast (${e(r.forecastModel)}) ${
      formatDuration(r.forecast.ts.at(-1)! - (r.series.ts.at(-1) ?? data.to))
    } ahead with 80 % and 95 % bands`
    : `no forecast (${e(r.reason ?? "too little history")})`;
  // the decomposition chart circles the anomalies on its own timestamps only
  const decomposed = new Set(r.decomposition?.ts);
  const circled = r.anomalies.some((a) => decomposed.has(a.ts)) ? "; anomalies circled" : "";
  const decomposition = r.decomposition
    ? figure(
      `chart-${r.id}-decomposition`,
      "decomposition",
      r.id,
      r.decomposition.periodsMs.length
        ? `Seasonal component (periods: ${e(seasons(r))}) and remainder${circled}.`
        : `Remainder after the trend (no season found)${circled}.`,
    )
    : "";
  const marks = forecastMarks(r);
  return `<section class="resource" id="res-${e(r.id)}">
<h3><bdi>${n(r.name)}</bdi></h3>
<p class="muted">${e(r.metric)}${r.labels ? `{<bdi>${n(r.labels)}</bdi>}` : ""}</p>
<div class="facts">${facts}</div>
<div class="controls">Drag across a chart to zoom; double-click to reset.
<button class="reset-zoom" data-resource="${e(r.id)}" hidden>Reset zoom</button></div>
${
    figure(
      `chart-${r.id}-forecast`,
      "forecast",
      r.id,
      // the trend is the decomposition's: a series of minutes has none, and its chart drew
      // no trend under a caption that named one; the same for the rules, the time to
      // exhaustion and the anomalies (no limit known, none reached within the horizon)
      `Observed series${r.decomposition ? " and trend" : ""}; ${ahead}${
        listed([
          marks.limit && "the limit",
          marks.mark && "the exhaustion mark",
          marks.eta &&
          `the estimated time to exhaustion${marks.etaInterval ? " with its 80 % interval" : ""}`,
        ])
      }${r.anomalies.length ? "; anomalies circled" : ""}.`,
      [
        marks.limit && "limit",
        marks.mark && "mark",
        marks.eta && "eta",
        marks.etaInterval && "eta-interval",
      ].filter(Boolean).join(" "),
    )
  }
${decomposition}
</section>`;
}

function recommendation(r: RecommendationData): string {
  const figures = r.figures.map((f) =>
    `<tr><th>${e(f.label)}</th><td class="num">${n(f.value)}</td></tr>`
  ).join("");
  const chart = r.resourceId
    ? ` · <a href="#res-${e(r.resourceId)}">See the chart of this resource</a>`
    : "";
  const query = r.query ? `<pre class="query">${e(r.query.trim())}</pre>` : "";
  return `<li id="rec-${e(r.id)}">${badge(r.severity)} <strong>${n(r.title)}</strong>` +
    `<ul class="facts-list">${r.facts.map((x) => `<li>${n(x)}</li>`).join("")}</ul>` +
    `<p class="effect"><span class="k">Effect:</span> ${n(r.effect)}</p>` +
    `<details class="evidence"><summary>Evidence (${e(r.rule)} on <bdi>${
      n(r.host)
    }</bdi>)</summary>` +
    `${figures ? `<table class="figures"><tbody>${figures}</tbody></table>` : ""}${query}` +
    `</details>${chart ? `<p class="small">${chart.slice(3)}</p>` : ""}</li>`;
}

/** Recommendations with their facts, evidence figures and expected effect. */
export function renderRecommendations(data: ReportData): string {
  if (data.recommendations.length === 0) {
    return `<section id="recommendations"><h2>Recommendations</h2>
<p class="muted">Nothing to recommend for this range.</p></section>`;
  }
  return `<section id="recommendations"><h2>Recommendations</h2>
<ol class="recommendations">
${data.recommendations.map(recommendation).join("\n")}
</ol></section>`;
}

/** Methods: how each series was modelled and how accurate the model was in backtests. */
export function renderMethods(data: ReportData): string {
  const pct = (v: number | null) => formatValue(v, "ratio");
  const rows = data.resources.map((r) =>
    `<tr><td><bdi>${n(r.name)}</bdi></td><td>${e(r.forecastModel)}</td><td>${e(seasons(r))}</td>` +
    `<td class="num">${formatValue(r.accuracy.mae, r.unit)}</td>` +
    `<td class="num">${pct(r.accuracy.wape)}</td>` +
    `<td class="num">${pct(r.accuracy.coverage80)}</td>` +
    `<td class="num">${pct(r.accuracy.coverage95)}</td>` +
    `<td class="num">${r.accuracy.origins}</td><td>${e(r.model)} (${e(r.evidence.tier)}, ${
      formatDuration(r.evidence.spanMs)
    })</td></tr>`
  ).join("\n");
  const notes = data.notes.map((n) => `<li>${e(n)}</li>`).join("");
  // headings over no rows on an empty lake's report: no table then
  const table = rows === "" ? "" : `<table class="methods"><thead><tr><th>Series</th>` +
    `<th>Forecast model</th><th>Seasons</th><th class="num">MAE</th><th class="num">WAPE</th>` +
    `<th class="num">80 % cov.</th><th class="num">95 % cov.</th><th class="num">Origins</th>` +
    `<th>Capacity trend (tier, history)</th></tr></thead>\n<tbody>\n${rows}\n</tbody></table>`;
  return `<section id="methods"><h2>Methods</h2>
<p>Each series is read from the lake for the report range at a fixed step and decomposed
(MSTL) into trend, seasonal cycles and remainder; periods are detected automatically, and a
season that moves the series by less than 2 % of its range is dropped. The forecast mixes
candidate models (seasonal naive, drift, seasonal mean, ETS, damped ETS, Theta) step by step
with weights from their rolling-origin backtest errors, and its 80 % and 95 % bands are
calibrated on the mix's backtest errors; the table gives that backtest's accuracy (a dash where
the history was too short to backtest). Anomaly scores in [0, 1] come from a streaming detector;
the highest-scoring points are circled. The time to exhaustion and its 80 % interval come from a
separate capacity model per resource: a robust linear or quadratic trend on the deseasonalized
series with a block bootstrap.</p>
${table}
${notes ? `<ul class="notes">${notes}</ul>` : ""}
<p class="muted">${
    // an empty lake's report read "Range – to –"
    !Number.isFinite(data.from) || !Number.isFinite(data.to)
      ? "No data, so no range"
      : `Range ${formatTime(data.from)} to ${formatTime(data.to)}`}; capacity horizon ${
    formatDuration(data.horizonMs)
  }.</p>
</section>`;
}
