/**
 * Human-readable numbers for the report's tables: values in their unit, durations, dates.
 *
 * @module
 */

const entities: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
const binary = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
const si = ["", "k", "M", "G", "T", "P"];

/**
 * Formats a value in its unit: `bytes` as KiB/MiB/GiB, `ratio` as a percentage, anything else
 * with an SI suffix and the unit word.
 *
 * @param value The value; `null` or non-finite prints `–`.
 * @param unit `bytes`, `ratio`, or another unit word (printed after the number).
 * @returns The text, e.g. `1.5 GiB`, `87 %`, `1.2 k 1/s`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatValue } from "./format_value.ts";
 * assert.equal(formatValue(1.5 * 2 ** 30, "bytes"), "1.5 GiB");
 * assert.equal(formatValue(0.873, "ratio"), "87.3 %");
 * assert.equal(formatValue(null, "bytes"), "–");
 * ```
 */
export function formatValue(value: number | null, unit: string): string {
  if (value === null || !Number.isFinite(value)) return "–";
  if (unit === "ratio") return `${trim(value * 100)} %`;
  const [base, names] = unit === "bytes" ? [1024, binary] : [1000, si];
  let v = value;
  let i = 0;
  while (Math.abs(v) >= base && i < names.length - 1) (v /= base, i++);
  const suffix = unit === "bytes" ? names[i] : `${names[i]}${names[i] ? " " : ""}${unit}`;
  return `${trim(v)} ${suffix}`.trimEnd();
}

function trim(v: number): string {
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return String(Number(v.toFixed(digits)));
}

/**
 * Formats a duration in ms as days or hours, e.g. `3.2 d`, `5 h`, `40 min`.
 *
 * @param ms Duration in milliseconds; `null` or non-finite prints `–`.
 * @returns The text.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "./format_value.ts";
 * assert.equal(formatDuration(36 * 3_600_000), "1.5 d");
 * assert.equal(formatDuration(5 * 3_600_000), "5 h");
 * ```
 */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "–";
  const abs = Math.abs(ms);
  if (abs >= 86_400_000) return `${trim(ms / 86_400_000)} d`;
  if (abs >= 3_600_000) return `${trim(ms / 3_600_000)} h`;
  return `${Math.round(ms / 60_000)} min`;
}

/**
 * Formats an epoch time as `YYYY-MM-DD HH:MM UTC`.
 *
 * @param ms Milliseconds since the epoch; `null` prints `–`.
 * @returns The text.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatTime } from "./format_value.ts";
 * assert.equal(formatTime(Date.UTC(2025, 0, 2, 3, 4)), "2025-01-02 03:04 UTC");
 * ```
 */
export function formatTime(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "–";
  return `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC`;
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
