/// <reference lib="dom" />
/**
 * The structure of a report page as text, for golden tests: headings, section ids and chart
 * ids in document order, one per line. Values and data are left out on purpose.
 *
 * @module
 */
import { parseHTML } from "linkedom";

/**
 * Extracts the outline of a report.
 *
 * @param html The report HTML.
 * @returns Lines such as `h2 Summary`, `section #summary`, `figure #chart-ranking (ranking)`.
 */
export function outline(html: string): string {
  const { document } = parseHTML(html) as unknown as { document: Document };
  const lines: string[] = [];
  for (const el of document.querySelectorAll("h1, h2, h3, section[id], figure.chart")) {
    const tag = el.tagName.toLowerCase();
    if (tag === "section") lines.push(`section #${el.id}`);
    else if (tag === "figure") lines.push(`  figure #${el.id} (${el.getAttribute("data-chart")})`);
    else lines.push(`${tag} ${el.textContent?.trim().replace(/\s+/g, " ")}`);
  }
  return lines.join("\n") + "\n";
}
