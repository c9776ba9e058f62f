/**
 * The Services page: every service's golden signals (requests per second, errors, latency
 * percentiles, Apdex, SLO burn) refreshed every second from `/api/services`, and over the last
 * hour from `/api/services/history`, with links into Explore.
 *
 * @module
 */
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { layout } from "./layout.ts";

/**
 * Renders the Services page; `services.js` fills it.
 *
 * @returns The page.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { servicesPage } from "./services_page.ts";
 * assert.match(String(await servicesPage()), /id="services"/);
 * ```
 */
export function servicesPage(): HtmlEscapedString | Promise<HtmlEscapedString> {
  const body = html`
    <h1>Services</h1>
    <div class="toolbar">
      <span class="meta">Live figures refresh every second; window figures cover the last 5 min.</span>
      <span class="meta" id="services-updated"></span>
    </div>
    <div id="services">
      <section class="card wide" id="services-empty">
        <h2>No service metrics yet</h2>
        <p class="muted">Services appear here once application metrics arrive: a Prometheus
        scrape, OTLP push, StatsD or <code>POST /api/ingest</code> with
        <code>http_server_request_duration_seconds</code> (OpenTelemetry),
        <code>http_request_duration_seconds</code> or <code>http_requests_total{code}</code>,
        labelled by <code>service</code> (or a <code>services:</code> entry in the config).</p>
      </section>
    </div>
  `;
  return layout({
    title: "Services",
    body,
    scripts: ["d3.min.js", "plot.min.js"],
    modules: ["services.js"],
  });
}
