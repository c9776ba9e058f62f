/**
 * The report's services section (golden signals, availability, SLO burn and USL capacity of each
 * service) and its dashboards section (panels exported from the config; charts drawn by the
 * client from the inlined data, tables and numbers written here).
 *
 * @module
 */
import type { DashboardData, ReportData } from "./report_data.ts";
import {
  escapeHtml as e,
  escapeName as n,
  formatDuration,
  formatTime,
  formatValue,
} from "./format_value.ts";

const ms = (v: number | null | undefined) =>
  v === null || v === undefined ? "–" : formatValue(v * 1000, "ms");

/**
 * Renders the services section: one row per service, then its availability, burn rates and the
 * USL capacity found by the analysis; "not enough data yet" where the data does not support a
 * figure.
 *
 * @param data The report model.
 * @returns The section's HTML, or `""` when there are no services.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderServices } from "./render_services.ts";
 * assert.equal(renderServices({ services: [], resources: [] } as never), "");
 * ```
 */
export function renderServices(data: ReportData): string {
  const list = data.services ?? [];
  if (list.length === 0) return "";
  const rows = list.map((s) => {
    const usl = data.resources.find((r) =>
      r.resource === "service" && r.evidence.limitSource.includes(`of service ${s.name}:`)
    );
    const cells = s.status === "ok"
      ? [
        formatValue(s.rps, "req/s"),
        formatValue(s.errorRate, "ratio"),
        `${ms(s.latency?.p50)} / ${ms(s.latency?.p95)} / ${ms(s.latency?.p99)}`,
        s.apdex ? s.apdex.score.toFixed(2) : "–",
      ].map((c) => `<td class="num">${e(c)}</td>`).join("")
      : `<td colspan="4" class="muted">${e(s.reason ?? "not enough data yet")}</td>`;
    const avail = s.availability.map((a) =>
      `${formatDuration(a.windowMs)}: ${
        a.value === null ? e(a.reason ?? "–") : e(formatValue(a.value, "ratio"))
      }`
    ).join("; ");
    const firing = s.burn.filter((b) => b.firing).map((b) =>
      `${b.severity} ${formatDuration(b.longMs)}/${formatDuration(b.shortMs)} at ${
        b.longBurn!.toFixed(1)
      }×`
    );
    const capacity = usl
      ? `${e(formatValue(usl.limit, "req/s"))} peak; ${
        usl.eta === null
          ? e(usl.reason ?? "80 % not reached within the horizon")
          : `80 % by ${e(formatTime(usl.eta))}`
      }`
      : "no USL fit (needs load that varies and in-flight or latency metrics)";
    return `<tr data-service="${e(s.name)}"><th scope="row">${n(s.name)}</th>${cells}</tr>` +
      `<tr class="sub"><td colspan="5">Availability (SLO ${
        e(formatValue(s.sloTarget, "ratio"))
      }): ${avail}. Burn: ${
        firing.length ? `<strong>${e(firing.join(", "))}</strong>` : "no alert condition met"
      }. Capacity: ${capacity}.</td></tr>`;
  }).join("");
  return `<section id="services"><h2>Services</h2>
<p class="meta">Golden signals over the last ${
    e(formatDuration(list[0]!.windowMs))
  } before the analysis time; burn rates as the Google SRE workbook's multi-window conditions.</p>
<table class="services"><thead><tr><th>Service</th><th class="num">Requests/s</th><th class="num">Errors</th><th class="num">p50 / p95 / p99</th><th class="num">Apdex</th></tr></thead>
<tbody>${rows}</tbody></table></section>`;
}

/**
 * Renders the dashboards exported into the report.
 *
 * @param data The report model.
 * @returns The section's HTML, or `""` without dashboards.
 */
export function renderDashboards(data: ReportData): string {
  const list = data.dashboards ?? [];
  if (list.length === 0) return "";
  return `<section id="dashboards"><h2>Dashboards</h2>${list.map(dashboard).join("")}</section>`;
}

function dashboard(d: DashboardData, di: number): string {
  const panels = d.panels.map((p, i) => {
    const id = `panel-${di}-${i}`;
    let inner: string;
    if (p.kind === "number") {
      inner = `<p class="big-number">${e(formatValue(p.last, p.unit))}</p>`;
    } else if (p.kind === "table" && p.table) {
      const head = p.table.columns.map((c) => `<th>${n(c)}</th>`).join("");
      const body = p.table.rows.slice(0, 200).map((r) =>
        `<tr>${
          r.map((v) =>
            `<td>${typeof v === "number" ? e(formatValue(v, p.unit)) : n(String(v ?? ""))}</td>`
          ).join("")
        }</tr>`
      ).join("");
      inner = `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
    } else {
      inner = `<figure class="chart" id="${id}" data-chart="panel" data-panel="${di}:${i}">` +
        `<div class="plot"></div><figcaption><bdi>${e(p.title)}</bdi>${
          p.thresholds.length
            ? ` · thresholds ${p.thresholds.map((t) => e(formatValue(t, p.unit))).join(", ")}`
            : ""
        }</figcaption></figure>`;
    }
    const err = p.error ? `<p class="meta">${e(p.error)}</p>` : "";
    return `<div class="panel"><h4>${e(p.title)}</h4>${inner}${err}</div>`;
  }).join("");
  return `<article class="dashboard" id="dashboard-${e(d.name)}"><h3>${
    e(d.title)
  }</h3>${panels}</article>`;
}
