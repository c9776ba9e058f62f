/**
 * The Live page: this machine's metrics, updated every second from `/api/live`.
 *
 * @module
 */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { layout } from "./layout.ts";

const PANELS = [
  ["cpu", "CPU busy per core", "Share of time each core was not idle"],
  ["load", "Load average", "Runnable and waiting tasks over 1, 5 and 15 minutes"],
  ["memory", "Memory", "Used, cached and available bytes"],
  ["disk", "Disk I/O", "Bytes read and written per second, all devices"],
  ["network", "Network", "Bytes received and sent per second, all interfaces"],
] as const;

/**
 * Renders the Live page; `live.js` fills the charts and the process table.
 *
 * @returns The page.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { livePage } from "./live_page.ts";
 * assert.match(String(await livePage()), /id="chart-cpu"/);
 * ```
 */
export function livePage(): HtmlEscapedString | Promise<HtmlEscapedString> {
  const panels = PANELS.map(([id, title, help]) =>
    html`
      <section class="card">
        <h2>${title}</h2>
        <div class="muted">${help}</div>
        <div class="chart" id="chart-${id}">
          <p class="muted">Waiting for samples…</p>
        </div>
      </section>
    `
  );
  const body = html`
    <h1>Live</h1>
    <div class="toolbar">
      <button id="pause" aria-pressed="false">Pause</button>
      <label for="window">Window</label>
      <select
        id="window"><option value="1">1 min</option><option value="5" selected>5 min</option><option value="10">10 min</option></select>
      <span class="meta">Last sample: <strong id="last-sample" class="age">none yet</strong></span>
      <span class="meta" id="host"></span>
    </div>
    <div class="grid">${panels}
    <section class="card wide"><h2>Top processes</h2>
    <table id="processes"><thead><tr><th>PID</th><th>Command</th><th class="num">CPU (of one core)</th><th class="num">Resident memory</th></tr></thead>
    <tbody><tr><td colspan="4" class="muted">Waiting for samples…</td></tr></tbody></table></section>
    </div>
  `;
  return layout({
    title: "Live",
    body,
    scripts: ["d3.min.js", "plot.min.js"],
    modules: ["live.js"],
  });
}
