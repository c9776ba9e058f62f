// @ts-check
/**
 * The one set of formatters for numbers and times shown to people: the Live and Explore pages
 * (the browser loads this very file as `/assets/format.js`), the Capacity page, reports and
 * notebooks (which import it through `format/mod.ts`). Plain JavaScript with JSDoc types, so the
 * browser runs it without a build step and Deno type-checks it.
 *
 * Rules, the same everywhere:
 * - values are printed by their registry unit: `bytes` in IEC units (KiB, MiB, GiB…), `bytes/s`
 *   likewise per second, `ratio` as a percentage, `ms` as ms or s, `1/s` as `/s`, other counts
 *   with thousands separators below 100,000 and SI prefixes (k, M, G…) above;
 * - never exponent notation (`2.415e+10`), whatever the magnitude;
 * - one time zone, UTC, always named (`12:00 UTC`, axis label `Time (UTC)`), 24-hour clock.
 *
 * @module
 */

const IEC = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];
const SI = ["", "k", "M", "G", "T", "P", "E", "Z", "Y"];

/** The time zone every time is shown in. */
export const TIME_ZONE = "UTC";

/** Axis label for time axes: says the time zone. */
export const TIME_LABEL = "Time (UTC)";

/** @type {Map<number, Intl.NumberFormat>} */
const byDigits = new Map();

/**
 * Formats with grouping and at most `fraction` decimals; never exponent notation.
 *
 * @param {number} v
 * @param {number} fraction
 * @returns {string}
 */
function fixed(v, fraction) {
  let f = byDigits.get(fraction);
  if (!f) {
    f = new Intl.NumberFormat("en-US", { maximumFractionDigits: fraction, useGrouping: true });
    byDigits.set(fraction, f);
  }
  const text = f.format(v);
  return text === "-0" ? "0" : text;
}

/**
 * About `digits` significant digits (but never rounding the whole part), grouped.
 *
 * @param {number} v
 * @param {number} digits
 * @returns {string}
 */
function significant(v, digits) {
  const abs = Math.abs(v);
  if (abs === 0) return "0";
  const whole = Math.floor(Math.log10(abs)) + 1;
  return fixed(v, Math.min(20, Math.max(0, digits - whole)));
}

/**
 * The short form: whole numbers from 100, one decimal from 10, two from 1, three below (so tiny
 * values read 0 rather than a string of zeros; tooltips use {@linkcode significant}).
 *
 * @param {number} v
 * @returns {string}
 */
function compact(v) {
  const abs = Math.abs(v);
  return fixed(v, abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3);
}

/**
 * Formats a number in the short (`digits` 3) or tooltip (`digits` 4) style.
 *
 * @param {number} v
 * @param {number} digits
 * @returns {string}
 */
function num(v, digits) {
  return digits <= 3 ? compact(v) : significant(v, digits);
}

/**
 * Scales `v` by powers of `base` until it reads below `base` after rounding to `digits`.
 *
 * @param {number} v
 * @param {number} base
 * @param {number} top Largest index allowed.
 * @param {number} digits
 * @returns {[number, number]} The scaled value and the prefix index.
 */
function scale(v, base, top, digits) {
  let i = 0;
  // Move up also when rounding would print the base itself (1023.99 MiB reads 1 GiB).
  while (i < top && Math.abs(Number(num(v, digits).replaceAll(",", ""))) >= base) {
    v /= base;
    i++;
  }
  return [v, i];
}

/**
 * Splits a unit into the part that takes a prefix and its suffix: `bytes/s` is IEC plus `/s`.
 *
 * @param {string} unit
 * @returns {{ kind: "bytes" | "ratio" | "ms" | "count", word: string, per: string }}
 */
function parseUnit(unit) {
  if (unit === "bytes") return { kind: "bytes", word: "", per: "" };
  if (unit === "bytes/s") return { kind: "bytes", word: "", per: "/s" };
  if (unit === "ratio") return { kind: "ratio", word: "", per: "" };
  if (unit === "ms") return { kind: "ms", word: "", per: "" };
  if (unit === "1/s") return { kind: "count", word: "", per: "/s" };
  return { kind: "count", word: unit, per: "" };
}

/**
 * Formats a number in its unit at `digits` significant digits.
 *
 * @param {number} value
 * @param {string} unit
 * @param {number} digits
 * @returns {string}
 */
function inUnit(value, unit, digits) {
  const u = parseUnit(unit);
  if (u.kind === "ratio") return `${num(value * 100, digits)} %`;
  if (u.kind === "bytes") {
    const [v, i] = scale(value, 1024, IEC.length - 1, digits);
    return `${num(v, digits)} ${IEC[i]}${u.per}`;
  }
  if (u.kind === "ms") {
    const abs = Math.abs(value);
    if (abs >= 1000) return `${num(value / 1000, digits)} s`;
    return `${num(value, digits)} ms`;
  }
  if (Math.abs(value) < 1e5) {
    const text = Math.abs(value) >= 1000 ? fixed(value, 0) : num(value, digits);
    return joinUnit(text, "", u.word, u.per);
  }
  const [v, i] = scale(value, 1000, SI.length - 1, digits);
  return joinUnit(num(v, digits), SI[i] ?? "", u.word, u.per);
}

/**
 * @param {string} text
 * @param {string} prefix
 * @param {string} word
 * @param {string} per
 * @returns {string}
 */
function joinUnit(text, prefix, word, per) {
  if (word) return `${text} ${prefix}${prefix ? " " : ""}${word}`;
  if (prefix) return `${text} ${prefix}${per}`;
  return `${text}${per}`;
}

/**
 * Formats a value in its registry unit, short (three significant digits): `bytes` and `bytes/s`
 * in IEC units, `ratio` as a percentage, `ms` as ms or s, `1/s` as `/s`, counts below 100,000
 * with thousands separators, larger ones with an SI prefix. Never exponent notation.
 *
 * @param {number | null | undefined} value The value; `null`, `undefined` or non-finite prints `–`.
 * @param {string} unit The registry unit (`bytes`, `bytes/s`, `ratio`, `ms`, `1/s`, `processes`,
 *   …) or `""` for a bare number.
 * @returns {string} The text, e.g. `23.5 GiB`, `87.3 %`, `1.23 M packets`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatValue } from "./format.js";
 * assert.equal(formatValue(23.5 * 2 ** 30, "bytes"), "23.5 GiB");
 * assert.equal(formatValue(0.873, "ratio"), "87.3 %");
 * assert.equal(formatValue(2.415e10, "1/s"), "24.2 G/s");
 * assert.equal(formatValue(NaN, "bytes"), "–");
 * ```
 */
export function formatValue(value, unit) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return inUnit(value, unit, 3);
}

/**
 * Formats a y-axis tick: like {@linkcode formatValue} but without a count's unit word, which the
 * axis label already gives ({@linkcode unitLabel}), so ticks stay short: `1.5` (processes),
 * `24.2 G` (per second), `5 GiB`, `50 %`, `1.5 s`.
 *
 * @param {number | null | undefined} value The tick value.
 * @param {string} unit Registry unit.
 * @returns {string} The label.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatTick } from "./format.js";
 * assert.equal(formatTick(1.5, "processes"), "1.5");
 * assert.equal(formatTick(2.415e10, "1/s"), "24.2 G");
 * assert.equal(formatTick(5 * 2 ** 30, "bytes"), "5 GiB");
 * ```
 */
export function formatTick(value, unit) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "";
  return parseUnit(unit).kind === "count" ? inUnit(value, "", 3) : inUnit(value, unit, 3);
}

/**
 * Formats a value for a tooltip: four significant digits in the scaled unit, and the exact
 * value grouped by thousands in brackets when a prefix was used. Never exponent notation.
 *
 * @param {number | null | undefined} value The value; `null`, `undefined` or non-finite prints `–`.
 * @param {string} unit As for {@linkcode formatValue}.
 * @returns {string} The text, e.g. `22.49 GiB (24,150,000,000 B)`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatExact } from "./format.js";
 * assert.equal(formatExact(2.415e10, "bytes"), "22.49 GiB (24,150,000,000 B)");
 * assert.equal(formatExact(0.87345, "ratio"), "87.35 %");
 * assert.equal(formatExact(1.5, "processes"), "1.5 processes");
 * ```
 */
export function formatExact(value, unit) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  const short = inUnit(value, unit, 4);
  const u = parseUnit(unit);
  const plain = u.kind === "bytes"
    ? `${fixed(value, 3)} B${u.per}`
    : u.kind === "count"
    ? joinUnit(fixed(value, 3), "", u.word, u.per)
    : u.kind === "ms"
    ? `${fixed(value, 3)} ms`
    : short;
  // Only worth saying when the short form scaled or rounded the number.
  return plain === short || Math.abs(value) < 1000 ? short : `${short} (${plain})`;
}

/**
 * Formats a growth per day with its sign, e.g. `+18.6 GiB/day`, `-0.5 processes/day`.
 *
 * @param {number | null | undefined} perDay Growth per day in the unit; `null` or non-finite
 *   prints `–`.
 * @param {string} unit As for {@linkcode formatValue}.
 * @returns {string} The text.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatGrowth } from "./format.js";
 * assert.equal(formatGrowth(18.6 * 2 ** 30, "bytes"), "+18.6 GiB/day");
 * assert.equal(formatGrowth(0.00001, "processes"), "0 processes/day");
 * ```
 */
export function formatGrowth(perDay, unit) {
  if (perDay === null || perDay === undefined || !Number.isFinite(perDay)) return "–";
  const text = formatValue(perDay, unit);
  const zero = Number.parseFloat(text.replaceAll(",", "")) === 0;
  return `${perDay > 0 && !zero ? "+" : ""}${text}/day`;
}

/**
 * The axis label of a unit, as the Live page names it: `%` for ratios, the unit otherwise.
 *
 * @param {string} unit Registry unit.
 * @returns {string} The label.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unitLabel } from "./format.js";
 * assert.equal(unitLabel("ratio"), "%");
 * assert.equal(unitLabel("1/s"), "per second");
 * assert.equal(unitLabel("bytes/s"), "bytes/s");
 * ```
 */
export function unitLabel(unit) {
  if (unit === "ratio") return "%";
  if (unit === "1/s") return "per second";
  return unit;
}

/**
 * A left margin, in px, wide enough for the longest of the given y-axis tick labels (Plot's
 * default 40 px clips anything longer than about six characters).
 *
 * @param {readonly string[]} labels The tick labels as they will be drawn.
 * @returns {number} The margin in px (at least 40).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { axisMargin } from "./format.js";
 * assert.ok(axisMargin(["0 B", "512 MiB", "1.5 GiB"]) >= 7 * 7);
 * assert.equal(axisMargin([]), 40);
 * ```
 */
export function axisMargin(labels) {
  let longest = 0;
  for (const l of labels) longest = Math.max(longest, l.length);
  // 10 px sans-serif averages under 7 px per character; 12 px for the tick and a gap.
  return Math.max(40, Math.ceil(longest * 7 + 12));
}

/**
 * Right margin of a chart with a time x axis, px: half the widest tick label (`HH:MM:SS`, 8
 * characters at the 7 px each that `axisMargin` assumes) and a gap. Plot's default of 20 px cut
 * the last tick of a chart of minutes ("07:11:0").
 */
export const TIME_MARGIN_RIGHT = 32;

/** @param {number} n @returns {string} */
function two(n) {
  return String(n).padStart(2, "0");
}

/**
 * Formats an epoch time as `YYYY-MM-DD HH:MM UTC` (with seconds: `YYYY-MM-DD HH:MM:SS UTC`).
 *
 * @param {number | null | undefined} ms Milliseconds since the epoch; `null` or non-finite
 *   prints `–`.
 * @param {{ seconds?: boolean }} [options] `seconds`: include seconds (default `false`).
 * @returns {string} The text.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatTime } from "./format.js";
 * assert.equal(formatTime(Date.UTC(2025, 0, 2, 13, 4, 5)), "2025-01-02 13:04 UTC");
 * assert.equal(formatTime(Date.UTC(2025, 0, 2, 13, 4, 5), { seconds: true }), "2025-01-02 13:04:05 UTC");
 * ```
 */
export function formatTime(ms, options = {}) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  const d = new Date(ms);
  const date = `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
  const time = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
  return `${date} ${time}${options.seconds ? `:${two(d.getUTCSeconds())}` : ""} ${TIME_ZONE}`;
}

/**
 * A tick formatter for a time axis spanning `spanMs`, in UTC on a 24-hour clock (the axis label
 * {@linkcode TIME_LABEL} names the zone): `HH:MM:SS` below 3 minutes, `HH:MM` up to 2 days,
 * then `MM-DD` at midnight and `MM-DD HH:MM` otherwise.
 *
 * @param {number} spanMs Width of the axis domain in ms.
 * @returns {(t: Date | number) => string} The formatter.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { timeTickFormat } from "./format.js";
 * const t = Date.UTC(2025, 0, 2, 13, 4, 5);
 * assert.equal(timeTickFormat(3_600_000)(t), "13:04");
 * assert.equal(timeTickFormat(60_000)(t), "13:04:05");
 * assert.equal(timeTickFormat(7 * 86_400_000)(Date.UTC(2025, 0, 2)), "01-02");
 * ```
 */
export function timeTickFormat(spanMs) {
  return function tick(t) {
    const d = new Date(+t);
    const hm = `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}`;
    if (spanMs < 180_000) return `${hm}:${two(d.getUTCSeconds())}`;
    if (spanMs <= 2 * 86_400_000) return hm;
    const md = `${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
    return hm === "00:00" ? md : `${md} ${hm}`;
  };
}

/**
 * A tick formatter for a time axis that names each day once: the time of day on a 24-hour clock
 * (UTC; with seconds when a tick is not on a whole minute), and under the first tick of each day
 * a second line with the day (`Jan 6`); ticks all at midnight are days alone. Plot calls a
 * tickFormat function with (value, index, ticks), as its own two-level time format does. The
 * Capacity page uses it, and the offline report inlines this very function (its source text), so
 * the two draw the same axis; a chart using it needs room for the second line (a bottom margin
 * of about 42 px).
 *
 * Self-contained on purpose (no helper outside its body): `reports/` inlines its source text.
 *
 * @param {Date | number} t The tick.
 * @param {number} [i] Its index among the ticks (default 0).
 * @param {ArrayLike<Date | number>} [ticks] All the ticks (default: this one alone).
 * @returns {string} The label, `\n` between its two lines.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dayTimeTick } from "./format.js";
 * const H = 3_600_000, t0 = Date.UTC(2024, 0, 6);
 * const ticks = [t0 + 12 * H, t0 + 18 * H, t0 + 24 * H, t0 + 30 * H];
 * assert.deepEqual(ticks.map((t, i) => dayTimeTick(t, i, ticks)),
 *   ["12:00\nJan 6", "18:00", "00:00\nJan 7", "06:00"]);
 * assert.equal(dayTimeTick(t0, 0, [t0, t0 + 24 * H]), "Jan 6");
 * ```
 */
export function dayTimeTick(t, i = 0, ticks = [t]) {
  const months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");
  const pad = (/** @type {number} */ n) => String(n).padStart(2, "0");
  const day = (/** @type {Date | number} */ v) => {
    const d = new Date(+v);
    return `${months[d.getUTCMonth()]} ${d.getUTCDate()}`;
  };
  const all = Array.from(ticks, (v) => +v);
  if (all.every((v) => v % 86_400_000 === 0)) return day(t);
  const d = new Date(+t);
  const seconds = all.some((v) => v % 60_000 !== 0);
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${
    seconds ? `:${pad(d.getUTCSeconds())}` : ""
  }`;
  return i > 0 && day(all[i - 1] ?? t) === day(t) ? time : `${time}\n${day(t)}`;
}

/**
 * Tick values for a y axis from `min` to `max` in the unit's own steps: bytes at multiples of
 * 1, 2, 5 (or 2.5) times a power of ten of the IEC unit the largest value reads in (so `0 B,
 * 5 GiB, 10 GiB`, not `4.66 GiB, 9.31 GiB`), ratios at round percentages, others at 1, 2, 5 ×
 * 10ⁿ. Pass them to Plot as `y: { ticks }` with {@linkcode formatValue} as `tickFormat`.
 *
 * @param {number} min Lowest value to cover.
 * @param {number} max Highest value to cover.
 * @param {string} unit Registry unit.
 * @param {number} [count] About how many ticks (default 6).
 * @returns {number[]} Ascending tick values covering `[min, max]` (empty if either is not finite).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatValue, yTicks } from "./format.js";
 * const ticks = yTicks(0, 23.5 * 2 ** 30, "bytes");
 * assert.deepEqual(ticks.map((t) => formatValue(t, "bytes")), ["0 B", "5 GiB", "10 GiB", "15 GiB", "20 GiB", "25 GiB"]);
 * ```
 */
export function yTicks(min, max, unit, count = 6) {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    const pad = Math.abs(max) > 0 ? Math.abs(max) / 10 : 1;
    min -= pad;
    max += pad;
  }
  const kind = parseUnit(unit).kind;
  let factor = 1;
  if (kind === "bytes") {
    const top = Math.max(Math.abs(min), Math.abs(max));
    while (factor * 1024 <= top && factor < 1024 ** 8) factor *= 1024;
  }
  const lo = min / factor;
  const hi = max / factor;
  const raw = (hi - lo) / Math.max(1, count - 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const out = [];
  const first = Math.floor(lo / step);
  const last = Math.ceil(hi / step);
  for (let i = first; i <= last && out.length < 100; i++) {
    // Round away floating-point dust (0.30000000000000004) so labels stay short.
    out.push(Number((i * step).toPrecision(12)) * factor);
  }
  return out;
}
