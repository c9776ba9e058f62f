/**
 * What the notebooks show: an Observable Plot chart rendered server-side (into a linkedom
 * document) and a table of rows, displayed by the Deno Jupyter kernel. One copy for every
 * notebook instead of a helper pasted into each.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";

/** A MIME bundle: `text/html`, `image/svg+xml`, `text/plain`. */
export type MimeBundle = Record<string, string>;

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"]/g, (c) => ESCAPES[c]!);
}

/**
 * Renders a Plot chart. When Plot wraps the chart in a `<figure>` (a title, subtitle, caption
 * or legend) the whole figure is kept, so the legend and the title stay with the chart; a bare
 * chart is also given as SVG.
 *
 * @param options Plot options (marks, scales, title…), as for `Plot.plot`.
 * @returns The MIME bundle.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as Plot from "@observablehq/plot";
 * import { plotBundle } from "./display.ts";
 * const bundle = plotBundle({
 *   title: "Load",
 *   color: { legend: true },
 *   marks: [Plot.lineY([1, 2, 3], { stroke: () => "1m" })],
 * });
 * assert.match(bundle["text/html"]!, /^<figure[^]*Load[^]*<svg[^]*<svg[^]*<\/figure>$/);
 * ```
 */
export function plotBundle(options: Plot.PlotOptions): MimeBundle {
  // linkedom's window type lacks the DOM's; Plot only needs a document to create elements in
  const { document } = parseHTML("<!doctype html><html><body></body></html>") as unknown as {
    document: NonNullable<Plot.PlotOptions["document"]>;
  };
  const chart = Plot.plot({ ...options, document }) as unknown as {
    tagName: string;
    outerHTML: string;
  };
  const html = chart.outerHTML;
  const title = options.title === undefined ? "" : ` ${String(options.title)}`;
  if (chart.tagName.toLowerCase() === "svg") {
    return { "image/svg+xml": html, "text/html": html, "text/plain": `[chart${title}]` };
  }
  return { "text/html": html, "text/plain": `[chart${title}]` };
}

/**
 * Renders rows as an HTML table, and as tab-separated text for plain front ends.
 *
 * @param rows Objects with the same keys; the first row's keys give the columns.
 * @returns The MIME bundle.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tableBundle } from "./display.ts";
 * const bundle = tableBundle([{ a: 1, b: "<x>" }]);
 * assert.equal(bundle["text/plain"], "a\tb\n1\t<x>");
 * assert.match(bundle["text/html"]!, /&lt;x&gt;/);
 * ```
 */
export function tableBundle(rows: readonly Record<string, unknown>[]): MimeBundle {
  const keys = Object.keys(rows[0] ?? {});
  const head = keys.map((k) => `<th>${escapeHtml(k)}</th>`).join("");
  const body = rows
    .map((r) => `<tr>${keys.map((k) => `<td>${escapeHtml(r[k])}</td>`).join("")}</tr>`)
    .join("");
  const text = [keys.join("\t"), ...rows.map((r) => keys.map((k) => String(r[k])).join("\t"))]
    .join("\n");
  return {
    "text/html": `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`,
    "text/plain": text,
  };
}

interface Jupyter {
  display(bundle: MimeBundle, options: { raw: boolean }): Promise<void>;
}

function display(bundle: MimeBundle): Promise<void> {
  const jupyter = (Deno as unknown as { jupyter?: Jupyter }).jupyter;
  // outside a kernel (a script, a test) the plain-text form is printed instead
  if (!jupyter) return Promise.resolve(console.log(bundle["text/plain"]));
  return jupyter.display(bundle, { raw: true });
}

/**
 * Displays a Plot chart in the notebook now (also from inside a loop or an `if`).
 *
 * @param options Plot options, as for `Plot.plot`.
 * @returns A promise that settles once the kernel has taken the output.
 */
export function show(options: Plot.PlotOptions): Promise<void> {
  return display(plotBundle(options));
}

/**
 * Displays rows as a table in the notebook now.
 *
 * @param rows Objects with the same keys.
 * @returns A promise that settles once the kernel has taken the output.
 */
export function table(rows: readonly Record<string, unknown>[]): Promise<void> {
  return display(tableBundle(rows));
}
