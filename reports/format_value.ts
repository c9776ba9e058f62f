/**
 * Human-readable numbers for the report's tables. Values, growth rates and times come from the
 * one formatter module (`format/`) that the pages and notebooks use too, durations from
 * `config/`; what is left here is the report's own: the ETA sentence and HTML escaping.
 *
 * @module
 */
import { formatDuration as sayDuration } from "../config/mod.ts";
import { escapeControls } from "../format/mod.ts";

export { formatGrowth, formatTime, formatValue } from "../format/mod.ts";

/**
 * Formats a duration in ms as days, hours or minutes, e.g. `3.2 days`, `5 h`, `40 min`.
 *
 * @param ms Duration in milliseconds; `null` or non-finite prints `–`.
 * @returns The text.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "./format_value.ts";
 * assert.equal(formatDuration(36 * 3_600_000), "1.5 days");
 * assert.equal(formatDuration(5 * 3_600_000), "5 h");
 * ```
 */
export function formatDuration(ms: number | null): string {
  return ms === null || !Number.isFinite(ms) ? "–" : sayDuration(ms);
}

const entities: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Formats a time to exhaustion and its 80 % interval relative to `now`, e.g.
 * `in 3.2 days (80 %: 2.1–4.6 days)`. A missing upper end reads "beyond the horizon"; an ETA at
 * or before `now` reads `now (already past)`; no ETA reads `not within <horizon>`.
 *
 * @param eta Median time of reaching the limit (ms epoch), or null.
 * @param low Early end of the 80 % interval, or null.
 * @param high Late end of the 80 % interval, or null (past the horizon).
 * @param now The report's "now" (ms epoch).
 * @param horizonMs How far ahead the capacity forecast looked.
 * @returns The text.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatEta } from "./format_value.ts";
 * const day = 86_400_000;
 * assert.equal(formatEta(3.2 * day, 2.1 * day, 4.6 * day, 0, 7 * day), "in 3.2 days (80 %: 2.1–4.6 days)");
 * assert.equal(formatEta(5 * day, 4 * day, null, 0, 7 * day), "in 5 days (80 %: 4 days – beyond 7 days)");
 * assert.equal(formatEta(null, null, null, 0, 7 * day), "not within 7 days");
 * assert.equal(formatEta(4.6 * day, 4.59 * day, 4.61 * day, 0, 7 * day), "in 4.6 days (80 %: ±14 min)");
 * ```
 */
export function formatEta(
  eta: number | null,
  low: number | null,
  high: number | null,
  now: number,
  horizonMs: number,
): string {
  if (eta === null || !Number.isFinite(eta)) return `not within ${formatDuration(horizonMs)}`;
  if (eta <= now) return "now (already past)";
  const main = `in ${formatDuration(eta - now)}`;
  if (low === null) return main;
  if (low <= now) {
    return `${main} (80 %: now – ${
      high === null ? `beyond ${formatDuration(horizonMs)}` : formatDuration(high - now)
    })`;
  }
  const lo = formatDuration(low - now);
  if (high === null) return `${main} (80 %: ${lo} – beyond ${formatDuration(horizonMs)})`;
  const hi = formatDuration(high - now);
  if (lo === hi) return `${main} (80 %: ±${formatDuration(Math.max(60_000, (high - low) / 2))})`;
  const [a, unitA] = splitUnit(lo), [b, unitB] = splitUnit(hi);
  return `${main} (80 %: ${
    unitA === unitB || (unitA === "day" && unitB === "days") ? `${a}–${b} ${unitB}` : `${lo}–${hi}`
  })`;
}

function splitUnit(text: string): [string, string] {
  const i = text.indexOf(" ");
  return [text.slice(0, i), text.slice(i + 1)];
}

/**
 * Escapes text for HTML element content and attribute values.
 *
 * @param text Any text.
 * @returns The text with `& < > " '` escaped.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeHtml } from "./format_value.ts";
 * assert.equal(escapeHtml(`<a href="x">`), "&lt;a href=&quot;x&quot;&gt;");
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => entities[c]!);
}

/**
 * Escapes a name from the data (a host, a label value, a resource or a service) for HTML, its
 * control characters shown as `\u202e` (`escapeControls`, as the pages and the CLI show them): a
 * value stored before ingest refused bidi controls would read reversed, even isolated.
 *
 * @param text The name.
 * @returns The name, visible and HTML-escaped.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeName } from "./format_value.ts";
 * assert.equal(escapeName("<b>\u202egnp.exe"), "&lt;b&gt;\\u202egnp.exe");
 * ```
 */
export function escapeName(text: string): string {
  return escapeHtml(escapeControls(text));
}
