/**
 * The page shell every page shares: head, navigation, and the scripts a page needs.
 *
 * @module
 */
import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

/** Options for {@linkcode layout}. */
export interface LayoutOptions {
  /** Page title, also the highlighted navigation entry (`Live`, `Explore`, …). */
  title: string;
  /** The page body. */
  body: HtmlEscapedString | Promise<HtmlEscapedString>;
  /** Script names under `/assets/` loaded at the end of the body, in order. */
  scripts?: readonly string[];
  /**
   * ES module names under `/assets/` (`<script type="module">`), run after the page is parsed
   * and so after every classic script; they can `import` `/assets/format.js`. Default none.
   */
  modules?: readonly string[];
  /** JSON handed to the client scripts in `<script type="application/json" id="page-data">`. */
  data?: unknown;
  /** The series source the page's analysis reads when it is not the local lake (`serve
   * --source`), named in a banner under the navigation. Default none (the lake). */
  source?: string;
}

const PAGES = [
  "Live",
  "Explore",
  "Services",
  "Capacity",
  "Dashboards",
  "Alerts",
  "Reports",
] as const;

/** Makes JSON safe inside a `<script>` element (no `</script>`, no HTML comment openers). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value ?? null).replace(/</g, "\\u003c").replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026");
}

/**
 * Renders a full HTML page.
 *
 * @param options Title, body, scripts and data.
 * @returns The escaped HTML.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { html } from "hono/html";
 * import { layout } from "./layout.ts";
 * const page = String(await layout({ title: "Alerts", body: html`<p>none</p>` }));
 * assert.match(page, /<a href="\/alerts" aria-current="page">Alerts<\/a>/);
 * ```
 */
export function layout(options: LayoutOptions): HtmlEscapedString | Promise<HtmlEscapedString> {
  const nav = PAGES.map((p) =>
    p === options.title
      ? html`<a href="/${p.toLowerCase()}" aria-current="page">${p}</a>`
      : html`<a href="/${p.toLowerCase()}">${p}</a>`
  );
  const scripts = [
    ...(options.scripts ?? []).map((s) => html`<script src="/assets/${s}"></script>`),
    ...(options.modules ?? []).map((s) => html`<script type="module" src="/assets/${s}"></script>`),
  ];
  const data = options.data === undefined
    ? ""
    : html`<script type="application/json" id="page-data">${
      raw(scriptJson(options.data))
    }</script>`;
  return html`
    <!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>${options.title} · perfscope</title>
        <link rel="stylesheet" href="/assets/style.css">
        <link rel="icon" href="data:,">
      </head>
      <body>
    <header><strong class="brand">perfscope</strong><nav>${nav}</nav><span id="status" class="status"></span></header>
    ${options.source === undefined ? "" : html`
      <p class="source-banner"
        data-source="${options.source}">Reading series from <strong>${options
          .source}</strong> (serve --source): this page's analysis runs over that source, not the local lake.</p>
    `}
    <main>${options.body}</main>
    ${data}${scripts}
      </body>
    </html>
  `;
}
