/**
 * The Reports page: the generated capacity reports as a table (newest first), a "Generate now"
 * button (`reports.js` posts to `/api/reports`), or an honest empty state.
 *
 * @module
 */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { formatTime, formatValue } from "../../format/mod.ts";
import type { ReportFile } from "../list_reports.ts";
import { layout } from "./layout.ts";

/** Options for {@linkcode reportsPage}. */
export interface ReportsPageOptions {
  /** Path the report links start with; default `/reports/`. */
  base?: string;
}

/**
 * Renders the Reports page.
 *
 * @param files The reports, newest first (`listReports`).
 * @param options Where the reports are served.
 * @returns The page.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reportsPage } from "./reports_page.ts";
 * assert.match(String(await reportsPage([])), /No report yet/);
 * const page = String(await reportsPage([{ name: "r.html", size: 2048, mtime: 0 }]));
 * assert.match(page, /<a href="\/reports\/r.html">r.html<\/a>/);
 * assert.match(page, /2 KiB/);
 * ```
 */
export function reportsPage(
  files: readonly ReportFile[],
  options: ReportsPageOptions = {},
): HtmlEscapedString | Promise<HtmlEscapedString> {
  const base = options.base ?? "/reports/";
  const rows = files.map((f) =>
    html`
      <tr>
        <td class="wrap"><a href="${base}${encodeURIComponent(f.name)}">${f.name}</a></td>
        <td>${formatTime(f.mtime)}</td>
        <td class="num">${formatValue(f.size, "bytes")}</td>
      </tr>
    `
  );
  const list = files.length
    ? html`
      <div class="card wide">
        <table>
          <thead>
            <tr>
              <th>Report</th>
              <th>Generated</th>
              <th class="num">Size</th>
            </tr>
          </thead>
          <tbody>${rows}</tbody>
        </table>
      </div>
    `
    : html`
      <div class="empty">
        <p><strong>No report yet.</strong></p>
        <p>A report is one self-contained HTML file with the capacity analysis, its charts and data:
        it opens offline and can be mailed or archived.</p>
        <p>Press <em>Generate now</em>, or run <code>deno task report</code> (a cron job can do it daily).</p>
      </div>
    `;
  const body = html`
    <h1>Reports</h1>
    <div class="toolbar">
      <button type="button" class="primary" id="generate">Generate now</button>
      <span id="generate-status" class="muted" role="status"></span>
      ${files.length ? html`<a href="${base}latest">Open the latest</a>` : ""}
    </div>
    ${list}
    <p class="meta">Reports are written to <code>DATA/reports/</code>, one per day: generating again the
    same day replaces that day's file.</p>
  `;
  return layout({ title: "Reports", body, scripts: ["reports.js"] });
}
