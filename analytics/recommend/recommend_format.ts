/**
 * Number formatting for recommendation texts: bytes in binary units, spans of time, ratios as
 * percentages.
 *
 * @module
 */

/**
 * Formats a quantity of a metric's unit for people: bytes in KiB…TiB, other units plainly.
 *
 * @param value The quantity.
 * @param unit `bytes` or another unit word (appended after a space when not empty).
 * @returns E.g. `1.8 GiB`, `2,300 inodes`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatQuantity } from "./recommend_format.ts";
 * assert.equal(formatQuantity(1.8 * 2 ** 30, "bytes"), "1.8 GiB");
 * assert.equal(formatQuantity(2300, "inodes"), "2,300 inodes");
 * ```
 */
export function formatQuantity(value: number, unit: string): string {
  if (!Number.isFinite(value)) return "n/a";
  if (unit === "bytes") {
    const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let v = Math.abs(value);
    let k = 0;
    while (v >= 1024 && k < units.length - 1) (v /= 1024, k++);
    return `${value < 0 ? "-" : ""}${v >= 100 || k === 0 ? Math.round(v) : v.toFixed(1)} ${
      units[k]
    }`;
  }
  const abs = Math.abs(value);
  const text = abs >= 100
    ? Math.round(value).toLocaleString("en-US")
    : Number(value.toPrecision(abs >= 1 ? 3 : 2)).toString();
  return unit ? `${text} ${unit}` : text;
}

/**
 * Formats a span of time: minutes under an hour, hours under two days, days otherwise.
 *
 * @param ms Milliseconds.
 * @returns E.g. `15 min`, `5.5 h`, `3.2 days`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatSpan } from "./recommend_format.ts";
 * assert.equal(formatSpan(3.24 * 86_400_000), "3.2 days");
 * assert.equal(formatSpan(5.5 * 3_600_000), "5.5 h");
 * assert.equal(formatSpan(900_001), "15 min");
 * ```
 */
export function formatSpan(ms: number): string {
  const hours = ms / 3_600_000;
  if (hours < 1) return `${Math.round(ms / 60_000)} min`;
  if (hours < 48) return `${hours < 10 ? hours.toFixed(1) : Math.round(hours)} h`;
  return `${(hours / 24).toFixed(1)} days`;
}

/**
 * Formats a ratio as a percentage.
 *
 * @param ratio 0..1.
 * @returns E.g. `95 %`, `0.4 %`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPercent } from "./recommend_format.ts";
 * assert.equal(formatPercent(0.95), "95 %");
 * assert.equal(formatPercent(0.004), "0.4 %");
 * ```
 */
export function formatPercent(ratio: number): string {
  const p = ratio * 100;
  return `${Math.abs(p) >= 10 ? Math.round(p) : Number(p.toPrecision(2))} %`;
}
