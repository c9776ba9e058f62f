/**
 * The evidence rules every surface applies before it makes a claim: how much history an ETA or
 * a growth rate needs, how far ahead a forecast may look, and how much of a window a "for N min"
 * claim needs. One place, so the Capacity page, the API, the report, the CLI and the notebooks
 * cannot disagree.
 *
 * @module
 */
import { formatDuration } from "../../config/mod.ts";
const MIN = 60_000;
const DAY = 86_400_000;

/** The thresholds of the evidence rules. */
export interface EvidenceRules {
  /** Least history (first to last sample) before any ETA or growth rate; default 1 day. */
  minSpanMs: number;
  /** Least history as a share of how far an ETA looks ahead; default 1/4. With less, the ETA
   * looks only `span / minHorizonShare` ahead (4× the history): 3 days of data support ETAs
   * 12 days out, not 30. */
  minHorizonShare: number;
  /** Least history as a share of how far a forecast of the series looks ahead; default 1: a
   * forecast looks no further ahead than its history reaches back (a rolling-origin backtest
   * cannot check a step further out than the history is long, nor a model see a cycle longer
   * than it). A longer horizon is "not enough data yet" (`judgeForecastHorizon`). */
  minForecastShare: number;
  /** Least data inside a recent window before a "saturated for N min" claim; default 10 min
   * (two thirds of the default 15-minute window). */
  minWindowMs: number;
}

/** The defaults, documented in README ("Evidence rules"). */
export const DEFAULT_EVIDENCE: Readonly<EvidenceRules> = Object.freeze({
  minSpanMs: DAY,
  minHorizonShare: 0.25,
  minForecastShare: 1,
  minWindowMs: 10 * MIN,
});

/** The verdict on a history. */
export interface EvidenceVerdict {
  /** True when the history may carry an ETA and a growth rate. */
  sufficient: boolean;
  /** History span in ms (last − first sample; 0 for one point, NaN for none). */
  spanMs: number;
  /** How far ahead an ETA may look, ms: the horizon asked for, cut to `span / minHorizonShare`
   * (0 when insufficient). */
  horizonMs: number;
  /** Why there is no ETA, e.g. `7 min of history; ETAs need 1 day`; null when sufficient. */
  reason: string | null;
  /** Why the horizon is shorter than asked, e.g. `ETAs look 12 days ahead (4× the 3 days of
   * history), not 30 days`; null when it is not. */
  note: string | null;
}

/**
 * Judges whether a history may carry a capacity ETA and growth rate, and how far ahead.
 *
 * @param first First sample time, ms (NaN when none).
 * @param last Last sample time, ms.
 * @param horizonMs The horizon asked for, ms.
 * @param rules Overrides of {@linkcode DEFAULT_EVIDENCE}.
 * @returns The verdict with a reason a person can read.
 * @throws {RangeError} If the horizon is not positive.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { judgeHistory } from "./evidence_rules.ts";
 * const v = judgeHistory(0, 7 * 60_000, 30 * 86_400_000);
 * assert.equal(v.sufficient, false);
 * assert.equal(v.reason, "7 min of history; ETAs need 1 day");
 * const w = judgeHistory(0, 3 * 86_400_000, 30 * 86_400_000);
 * assert.equal(w.sufficient, true);
 * assert.equal(w.horizonMs, 12 * 86_400_000);
 * assert.equal(w.note, "ETAs look 12 days ahead (4× the 3 days of history), not 30 days");
 * ```
 */
export function judgeHistory(
  first: number,
  last: number,
  horizonMs: number,
  rules: Partial<EvidenceRules> = {},
): EvidenceVerdict {
  if (!(horizonMs > 0)) throw new RangeError(`Invalid horizonMs: ${horizonMs}`);
  const r = { ...DEFAULT_EVIDENCE, ...rules };
  const spanMs = historySpan(first, last);
  if (!(spanMs >= r.minSpanMs)) {
    const have = historyText(spanMs);
    return {
      sufficient: false,
      spanMs,
      horizonMs: 0,
      reason: `${have}; ETAs need ${spanText(r.minSpanMs)}`,
      note: null,
    };
  }
  const supported = r.minHorizonShare > 0 ? spanMs / r.minHorizonShare : Infinity;
  if (supported >= horizonMs) {
    return { sufficient: true, spanMs, horizonMs, reason: null, note: null };
  }
  const times = Number((1 / r.minHorizonShare).toFixed(1));
  return {
    sufficient: true,
    spanMs,
    horizonMs: supported,
    reason: null,
    note: `ETAs look ${spanText(supported)} ahead (${times}× the ${
      spanText(spanMs)
    } of history), not ${spanText(horizonMs)}`,
  };
}

/** The verdict on a forecast horizon. */
export interface ForecastVerdict {
  /** True when the history supports forecasting that far ahead. */
  sufficient: boolean;
  /** Furthest ahead the history supports, ms (`span / minForecastShare`; NaN for no span). */
  supportedMs: number;
  /** Why not, e.g. `9 min of history; forecasts up to 9 min ahead; 1 day needs at least 1 day
   * of history`; null when sufficient. */
  reason: string | null;
}

/**
 * Judges whether a history may carry a forecast that far ahead: the horizon must not reach past
 * `span / minForecastShare` (1× the history by default), give or take half a step: sample
 * timestamps jitter by milliseconds, so 360 points a minute apart may span 1 ms less than 359
 * minutes, and a horizon of 359 steps must not be refused for that millisecond.
 *
 * @param spanMs History span, ms (last − first sample).
 * @param horizonMs How far ahead the forecast would look, ms.
 * @param rules Overrides of {@linkcode DEFAULT_EVIDENCE}.
 * @param stepMs The series' step, ms; half of it is the tolerance (default 0: none).
 * @returns The verdict with a reason a person can read.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { judgeForecastHorizon } from "./evidence_rules.ts";
 * const v = judgeForecastHorizon(9 * 60_000, 86_400_000);
 * assert.equal(v.sufficient, false);
 * assert.equal(v.reason,
 *   "9 min of history; forecasts up to 9 min ahead; 1 day needs at least 1 day of history");
 * assert.equal(judgeForecastHorizon(9 * 60_000, 9 * 60_000).sufficient, true);
 * assert.equal(judgeForecastHorizon(9 * 60_000 - 1, 9 * 60_000, {}, 60_000).sufficient, true);
 * ```
 */
export function judgeForecastHorizon(
  spanMs: number,
  horizonMs: number,
  rules: Partial<EvidenceRules> = {},
  stepMs = 0,
): ForecastVerdict {
  const share = { ...DEFAULT_EVIDENCE, ...rules }.minForecastShare;
  const span = Number.isFinite(spanMs) ? Math.max(0, spanMs) : NaN;
  const supportedMs = share > 0 ? span / share : Infinity;
  const tolerance = Number.isFinite(stepMs) && stepMs > 0 ? stepMs / 2 : 0;
  if (supportedMs + tolerance >= horizonMs) return { sufficient: true, supportedMs, reason: null };
  // 359 s and 360 s both read "6 min": then say seconds, or the refusal reads as a contradiction
  const text = spanText(supportedMs || 0) === spanText(horizonMs) ? seconds : spanText;
  // with no span (one sample or none) there is no reach to state: "up to 0 s ahead" is noise
  const have = span > 0
    ? `${text(span)} of history; forecasts up to ${text(supportedMs)} ahead`
    : historyText(span);
  return {
    sufficient: false,
    supportedMs,
    reason: `${have}; ${text(horizonMs)} needs at least ${text(horizonMs * share)} of history`,
  };
}

/** A span in whole seconds (the precise wording when two spans round to the same words). */
function seconds(ms: number): string {
  return ms < 60_000 ? spanText(ms) : `${Math.round(ms / 1000)} s`;
}

/**
 * How long a "for N" claim over a window may say: the data's span inside the window, or null
 * when that is below `minWindowMs` (then no claim is made).
 *
 * @param windowMs The window asked for, ms.
 * @param dataSpanMs Span of the data inside it (last − first sample), ms.
 * @param rules Overrides of {@linkcode DEFAULT_EVIDENCE}.
 * @returns The span a claim may state, ms, or null.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { claimSpan } from "./evidence_rules.ts";
 * assert.equal(claimSpan(15 * 60_000, 5 * 60_000), null);
 * assert.equal(claimSpan(15 * 60_000, 12 * 60_000), 12 * 60_000);
 * assert.equal(claimSpan(15 * 60_000, 20 * 60_000), 15 * 60_000);
 * ```
 */
export function claimSpan(
  windowMs: number,
  dataSpanMs: number,
  rules: Partial<EvidenceRules> = {},
): number | null {
  const r = { ...DEFAULT_EVIDENCE, ...rules };
  const span = Math.min(windowMs, dataSpanMs);
  return Number.isFinite(span) && span >= Math.min(r.minWindowMs, windowMs) ? span : null;
}

/**
 * The span of a history: last − first sample time, 0 for a single sample time, NaN for none.
 * The one computation behind every "N of history" and "N of data" figure (a host's data, a
 * resource's evidence, a service row), so that two places never state two spans of one history.
 *
 * @param first First sample time, ms (NaN when none).
 * @param last Last sample time, ms.
 * @returns The span, ms.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { historySpan } from "./evidence_rules.ts";
 * assert.equal(historySpan(1_000, 14_000), 13_000);
 * assert.equal(historySpan(5_000, 5_000), 0);
 * assert.ok(Number.isNaN(historySpan(NaN, NaN)));
 * ```
 */
export function historySpan(first: number, last: number): number {
  return Number.isFinite(first) && Number.isFinite(last) ? Math.max(0, last - first) : NaN;
}

/**
 * How much history a span is, for people: `13 s of history`; `1 sample so far` for a span of 0
 * (one sample spans no time, and "0 s of history" would read as if there were none); `No
 * history` for none.
 *
 * @param spanMs The span ({@linkcode historySpan}), ms.
 * @param noun What the span is of; default `history` (the host lists say `data`).
 * @returns The words.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { historyText } from "./evidence_rules.ts";
 * assert.equal(historyText(13_000), "13 s of history");
 * assert.equal(historyText(0, "data"), "1 sample so far");
 * assert.equal(historyText(NaN, "data"), "No data");
 * ```
 */
export function historyText(spanMs: number, noun = "history"): string {
  if (!Number.isFinite(spanMs)) return `No ${noun}`;
  return spanMs > 0 ? `${spanText(spanMs)} of ${noun}` : "1 sample so far";
}

/**
 * The history behind a resource's figures, for people: its span and its points, e.g. `13 s of
 * history, 14 points`; a single point is said once, `1 sample so far`. The Capacity page and the
 * report both write it.
 *
 * @param spanMs The span ({@linkcode historySpan}), ms; NaN or null for none.
 * @param points Finite points read.
 * @returns The words.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evidenceText } from "./evidence_rules.ts";
 * assert.equal(evidenceText(13_000, 14), "13 s of history, 14 points");
 * assert.equal(evidenceText(0, 1), "1 sample so far");
 * ```
 */
export function evidenceText(spanMs: number | null, points: number): string {
  const have = historyText(spanMs ?? NaN);
  if (points === 1 && spanMs === 0) return have;
  return `${have}, ${points} point${points === 1 ? "" : "s"}`;
}

/**
 * A span for people: minutes under an hour, hours under a day, then days.
 *
 * @param ms Milliseconds.
 * @returns E.g. `7 min`, `2.5 h`, `1 day`, `7.5 days`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spanText } from "./evidence_rules.ts";
 * assert.deepEqual([420_000, 9_000_000, 86_400_000, 648_000_000].map(spanText),
 *   ["7 min", "2.5 h", "1 day", "7.5 days"]);
 * ```
 */
export function spanText(ms: number): string {
  // the one duration wording (config/), so the page, the report and the CLI agree
  return formatDuration(ms);
}
