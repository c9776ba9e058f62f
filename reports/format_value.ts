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
 * Formats a value in its unit: `bytes` as KiB/MiB/GiB…, `ratio` as a percentage, counts below
 * 100,000 with thousands separators (`2,300 inodes`), larger ones with an SI prefix
 * (`688 k inodes`), and the unit word after the number.
 *
 * @param value The value; `null` or non-finite prints `–`.
 * @param unit `bytes`, `ratio`, or another unit word (printed after the number; `""` for none).
 * @returns The text, e.g. `1.5 GiB`, `87.3 %`, `1.23 M 1/s`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatValue } from "./format_value.ts";
 * assert.equal(formatValue(1.5 * 2 ** 30, "bytes"), "1.5 GiB");
 * assert.equal(formatValue(0.873, "ratio"), "87.3 %");
 * assert.equal(formatValue(2300, "inodes"), "2,300 inodes");
 * assert.equal(formatValue(null, "bytes"), "–");
 * ```
 */
export function formatValue(value: number | null, unit: string): string {
  if (value === null || !Number.isFinite(value)) return "–";
  if (unit === "ratio") return `${trim(value * 100)} %`;
  if (unit !== "bytes" && Math.abs(value) < 1e5) {
    const abs = Math.abs(value);
    const text = abs >= 1000 ? Math.round(value).toLocaleString("en-US") : trim(value);
    return unit ? `${text} ${unit}` : text;
  }
  const [base, names] = unit === "bytes" ? [1024, binary] : [1000, si];
  let v = value;
  let i = 0;
  // Move up a unit also when rounding would print the base itself (1023.99 MiB → 1 GiB).
  while (Math.abs(Number(trim(v))) >= base && i < names.length - 1) (v /= base, i++);
  const suffix = unit === "bytes" ? names[i] : `${names[i]}${names[i] && unit ? " " : ""}${unit}`;
  return `${trim(v)} ${suffix}`.trimEnd();
}

/**
 * Formats a growth rate per day with its sign, e.g. `+18.6 GiB/day`, `-3 %/day`, `0 inodes/day`.
 *
 * @param perDay Growth per day in the unit; `null` or non-finite prints `–`.
 * @param unit As for {@linkcode formatValue}.
 * @returns The text.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatGrowth } from "./format_value.ts";
 * assert.equal(formatGrowth(1.5 * 2 ** 30, "bytes"), "+1.5 GiB/day");
 * assert.equal(formatGrowth(-12, "processes"), "-12 processes/day");
 * ```
 */
export function formatGrowth(perDay: number | null, unit: string): string {
  if (perDay === null || !Number.isFinite(perDay)) return "–";
  const text = formatValue(perDay, unit);
  return `${perDay > 0 && Number.parseFloat(text) !== 0 ? "+" : ""}${text}/day`;
}

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
  if (ms === null || !Number.isFinite(ms)) return "–";
  const abs = Math.abs(ms);
  if (abs >= 86_400_000) {
    const d = ms / 86_400_000;
    const text = String(Number(d.toFixed(Math.abs(d) >= 10 ? 0 : 1)));
    return `${text} ${text === "1" ? "day" : "days"}`;
  }
  if (abs >= 3_600_000) {
    return `${Number((ms / 3_600_000).toFixed(abs < 36_000_000 ? 1 : 0))} h`;
  }
  return `${Math.round(ms / 60_000)} min`;
}

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

function trim(v: number): string {
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return String(Number(v.toFixed(digits)));
}

function splitUnit(text: string): [string, string] {
  const i = text.indexOf(" ");
  return [text.slice(0, i), text.slice(i + 1)];
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
