/**
 * The Explore page: one metric's series over a chosen range, with tooltips, brush to zoom and
 * CSV or Parquet download.
 *
 * @module
 */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { layout } from "./layout.ts";

/** The ranges offered as buttons, in ms. */
export const RANGES: readonly (readonly [string, number])[] = [
  ["15m", 900_000],
  ["1h", 3_600_000],
  ["6h", 21_600_000],
  ["24h", 86_400_000],
  ["7d", 604_800_000],
  ["30d", 2_592_000_000],
];

/**
 * Renders the Explore page; `explore.js` loads `/api/metrics` and draws `/api/series`.
 *
 * @param options The series source named in the banner when it is not the lake (`serve
 *   --source`); default none.
 * @returns The page.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { explorePage } from "./explore_page.ts";
 * assert.match(String(await explorePage()), /data-range="15m"/);
 * ```
 */
export function explorePage(
  options: { source?: string } = {},
): HtmlEscapedString | Promise<HtmlEscapedString> {
  const buttons = RANGES.map(([name, ms]) =>
    html`<button type="button" data-range="${name}" data-ms="${ms}">${name}</button>`
  );
  const body = html`
    <h1>Explore</h1>
    <form class="toolbar" id="explore-form">
      <label for="metric">Metric</label><select id="metric" name="metric"></select>
      <label for="series">Series</label><select id="series" name="series"></select>
      <span role="group" aria-label="Range">${buttons}</span>
      <span class="downloads" id="downloads" hidden>Download <a id="download-csv" class="download" href="#" download>CSV</a>
        <a id="download-parquet" class="download" href="#" download>Parquet</a></span>
    </form>
    <section class="card wide">
      <div class="meta" id="series-meta">Loading metrics…</div>
      <div class="chart" id="chart"></div>
      <div class="muted" id="chart-hint" hidden>
        Drag across the chart to zoom in; pick a range to zoom out. Times are UTC.
      </div>
    </section>
  `;
  return layout({
    title: "Explore",
    body,
    scripts: ["d3.min.js", "plot.min.js"],
    modules: ["explore.js"],
    ...(options.source !== undefined && { source: options.source }),
  });
}
