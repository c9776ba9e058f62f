/**
 * The ingest line format (`POST /api/ingest` bodies and the ingest spool): one JSON object per
 * line, `{"ts":ms,"host":"h","metric":"m","labels":{"k":"v"}|"k=v","value":n|null}`, parsed
 * into columns. A hand-written scanner takes the common shape (no escapes, known keys) without
 * `JSON.parse`; any other line goes through `JSON.parse` and field-by-field checks that name
 * what is wrong. Host, metric and label checks are memoized (the same few names repeat).
 *
 * @module
 */
import { formatLabels, parseLabels } from "../collectors/sample.ts";

/** Samples as columns, labels in canonical form; `NaN` values stand for `null` (no value). */
export interface IngestBatch {
  ts: number[];
  host: string[];
  metric: string[];
  labels: string[];
  value: number[];
}

/** Options for {@linkcode parseIngestLines}. */
export interface ParseIngestLinesOptions {
  /** Most samples accepted; default 1 000 000. */
  maxLines?: number;
  /** Clock (ms) for the "at most one day ahead" check; default `Date.now()`. */
  now?: number;
  /** Skip the clock check (replaying the spool, whose lines were checked when they came in).
   * Default false. */
  trusted?: boolean;
}

/** Earliest accepted timestamp: 2000-01-01T00:00:00Z. */
export const INGEST_MIN_TS = 946_684_800_000;
const MAX_AHEAD_MS = 86_400_000;
const HOST = /^[A-Za-z0-9_.:-]{1,253}$/;
const METRIC = /^[a-z_][a-z0-9_]{0,199}$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const okHosts = new Set<string>();
const okMetrics = new Set<string>();
/** Raw labels text (object source or quoted string) → canonical string. */
const labelMemo = new Map<string, string>();

function remember<T>(set: Set<T> | Map<T, unknown>, limit: number): void {
  if (set.size >= limit) set.clear();
}

function hostProblem(h: string): string | undefined {
  if (okHosts.has(h)) return undefined;
  if (!HOST.test(h)) {
    return `host: ${
      JSON.stringify(h.slice(0, 80))
    } is not a host name (A-Z a-z 0-9 _ . : -, at most 253)`;
  }
  remember(okHosts, 10_000);
  okHosts.add(h);
  return undefined;
}

function metricProblem(m: string): string | undefined {
  if (okMetrics.has(m)) return undefined;
  if (!METRIC.test(m)) {
    return `metric: ${
      JSON.stringify(m.slice(0, 80))
    } is not a snake_case metric name (at most 200)`;
  }
  remember(okMetrics, 10_000);
  okMetrics.add(m);
  return undefined;
}

/** Canonical labels from an object or a canonical-form string; a string result is a problem. */
function canonical(labels: unknown): { ok: string } | { problem: string } {
  let obj: Record<string, unknown>;
  if (typeof labels === "string") {
    try {
      obj = parseLabels(labels);
    } catch (error) {
      return { problem: `labels: ${(error as Error).message}` };
    }
  } else if (typeof labels === "object" && labels !== null && !Array.isArray(labels)) {
    obj = labels as Record<string, unknown>;
  } else return { problem: "labels: expected an object of strings or a k=v,k=v string" };
  for (const key in obj) {
    const v = obj[key];
    if (!LABEL.test(key)) {
      return {
        problem: `labels: ${
          JSON.stringify(key.slice(0, 80))
        } is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)`,
      };
    }
    if (typeof v !== "string") return { problem: `labels.${key}: expected string` };
    if (v.length > 1024) return { problem: `labels.${key}: longer than 1024 characters` };
  }
  return { ok: formatLabels(obj as Record<string, string>) };
}

function memoLabels(raw: string, value: unknown): { ok: string } | { problem: string } {
  const hit = labelMemo.get(raw);
  if (hit !== undefined) return { ok: hit };
  const c = canonical(value);
  if ("ok" in c) {
    remember(labelMemo, 50_000);
    labelMemo.set(raw, c.ok);
  }
  return c;
}

/** The scanner's state for one line: fields found, or `false` when the line needs the slow path. */
class Scan {
  ts = NaN;
  host = "";
  metric = "";
  labels = "";
  value = NaN;
  seen = 0;
  prevHost = "";
  prevMetric = "";
  prevRaw = "";
  prevLabels = "";
  constructor(readonly text: string) {}
}

const QUOTE = 34, BACKSLASH = 92, COLON = 58, COMMA = 44, OPEN = 123, CLOSE = 125;

function ws(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}

/** End (exclusive, after the closing quote) of a plain string starting at `i`, or -1. */
function plainString(t: string, i: number, end: number): number {
  for (let j = i + 1; j < end; j++) {
    const c = t.charCodeAt(j);
    if (c === QUOTE) return j + 1;
    if (c === BACKSLASH || c < 32) return -1;
  }
  return -1;
}

/** End of a JSON number starting at `i`, or -1 if it is not one. */
function number(t: string, i: number, end: number): number {
  let j = i;
  if (t.charCodeAt(j) === 45) j++;
  const first = j;
  while (j < end && (t.charCodeAt(j) - 48) >>> 0 < 10) j++;
  if (j === first || (t.charCodeAt(first) === 48 && j - first > 1)) return -1;
  if (t.charCodeAt(j) === 46) {
    const f = ++j;
    while (j < end && (t.charCodeAt(j) - 48) >>> 0 < 10) j++;
    if (j === f) return -1;
  }
  const e = t.charCodeAt(j);
  if (e === 101 || e === 69) {
    j++;
    const s = t.charCodeAt(j);
    if (s === 43 || s === 45) j++;
    const f = j;
    while (j < end && (t.charCodeAt(j) - 48) >>> 0 < 10) j++;
    if (j === f) return -1;
  }
  return j;
}

/** Scans a flat `{"k":"v",…}` of plain strings; returns its end or -1. */
function labelObject(t: string, i: number, end: number): number {
  let j = i + 1;
  while (j < end && ws(t.charCodeAt(j))) j++;
  if (t.charCodeAt(j) === CLOSE) return j + 1;
  for (;;) {
    if (t.charCodeAt(j) !== QUOTE) return -1;
    j = plainString(t, j, end);
    if (j < 0) return -1;
    while (j < end && ws(t.charCodeAt(j))) j++;
    if (t.charCodeAt(j++) !== COLON) return -1;
    while (j < end && ws(t.charCodeAt(j))) j++;
    if (t.charCodeAt(j) !== QUOTE) return -1;
    j = plainString(t, j, end);
    if (j < 0) return -1;
    while (j < end && ws(t.charCodeAt(j))) j++;
    const c = t.charCodeAt(j++);
    if (c === CLOSE) return j;
    if (c !== COMMA) return -1;
    while (j < end && ws(t.charCodeAt(j))) j++;
  }
}

/** `t[i..]` starts with `"` + `prev` + `"`: the previous line's value repeats (no slicing). */
function repeats(t: string, i: number, prev: string): boolean {
  return prev !== "" && t.charCodeAt(i + 1 + prev.length) === QUOTE && t.startsWith(prev, i + 1);
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** Value of the JSON number `t[i..j)`: exact integer arithmetic where it is exact (Clinger's
 * fast path: an integer below 2^53 divided by an exact power of ten rounds correctly). */
function numberValue(t: string, i: number, j: number): number {
  let k = i, neg = false;
  if (t.charCodeAt(k) === 45) (neg = true, k++);
  let m = 0, frac = -1;
  for (; k < j; k++) {
    const c = t.charCodeAt(k);
    if (c === 46) frac = 0;
    else if (c > 57) return Number(t.slice(i, j)); // exponent
    else {
      m = m * 10 + (c - 48);
      if (frac >= 0) frac++;
    }
  }
  if (m > 9007199254740991 || frac > 15) return Number(t.slice(i, j));
  const v = frac > 0 ? m / POW10[frac]! : m;
  return neg ? -v : v;
}

/** Fast path: true when the line had the common shape and valid values (fields in `s`). */
function scan(s: Scan, start: number, end: number): boolean {
  const t = s.text;
  let i = start;
  while (i < end && ws(t.charCodeAt(i))) i++;
  if (t.charCodeAt(i++) !== OPEN) return false;
  for (;;) {
    while (i < end && ws(t.charCodeAt(i))) i++;
    if (t.charCodeAt(i) !== QUOTE) return false;
    const keyEnd = plainString(t, i, end);
    if (keyEnd < 0) return false;
    const k0 = t.charCodeAt(i + 1), kl = keyEnd - i - 2;
    const field = kl === 2 && k0 === 116 && t.charCodeAt(i + 2) === 115
      ? 1
      : kl === 4 && k0 === 104 && t.startsWith("host", i + 1)
      ? 2
      : kl === 6 && k0 === 109 && t.startsWith("metric", i + 1)
      ? 4
      : kl === 6 && k0 === 108 && t.startsWith("labels", i + 1)
      ? 8
      : kl === 5 && k0 === 118 && t.startsWith("value", i + 1)
      ? 16
      : 0;
    if (field === 0) return false;
    i = keyEnd;
    while (i < end && ws(t.charCodeAt(i))) i++;
    if (t.charCodeAt(i++) !== COLON) return false;
    while (i < end && ws(t.charCodeAt(i))) i++;
    const c = t.charCodeAt(i);
    let j: number;
    if (field === 1 || field === 16) {
      if (field === 16 && c === 110 && t.startsWith("null", i)) {
        s.value = NaN;
        j = i + 4;
      } else {
        j = number(t, i, end);
        if (j < 0) return false;
        const n = numberValue(t, i, j);
        if (!Number.isFinite(n)) return false;
        if (field === 1) s.ts = n;
        else s.value = n;
      }
    } else if (field === 2 || field === 4) {
      if (c !== QUOTE) return false;
      const prev = field === 2 ? s.prevHost : s.prevMetric;
      if (repeats(t, i, prev)) j = i + prev.length + 2;
      else {
        j = plainString(t, i, end);
        if (j < 0) return false;
        const v = t.slice(i + 1, j - 1);
        if ((field === 2 ? hostProblem(v) : metricProblem(v)) !== undefined) return false;
        if (field === 2) s.prevHost = v;
        else s.prevMetric = v;
      }
      if (field === 2) s.host = s.prevHost;
      else s.metric = s.prevMetric;
    } else {
      j = c === QUOTE ? plainString(t, i, end) : c === OPEN ? labelObject(t, i, end) : -1;
      if (j < 0) return false;
      if (j - i === s.prevRaw.length && t.startsWith(s.prevRaw, i)) s.labels = s.prevLabels;
      else {
        const raw = t.slice(i, j);
        let hit = labelMemo.get(raw);
        if (hit === undefined) {
          const l = memoLabels(raw, JSON.parse(raw));
          if ("problem" in l) return false;
          hit = l.ok;
        }
        s.prevRaw = raw, s.prevLabels = s.labels = hit;
      }
    }
    s.seen |= field;
    i = j;
    while (i < end && ws(t.charCodeAt(i))) i++;
    const d = t.charCodeAt(i++);
    if (d === CLOSE) break;
    if (d !== COMMA) return false;
  }
  while (i < end && ws(t.charCodeAt(i))) i++;
  return i >= end && (s.seen & 23) === 23;
}

/** Slow path: `JSON.parse` and checks with messages; fills `s` or returns the problem. */
function check(s: Scan, line: string): string | undefined {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch (error) {
    return (error as Error).message;
  }
  if (typeof o !== "object" || o === null || Array.isArray(o)) return "line: expected an object";
  const r = o as Record<string, unknown>;
  if (typeof r.ts !== "number" || !Number.isFinite(r.ts)) return "ts: expected number";
  if (typeof r.host !== "string") return "host: expected string";
  if (typeof r.metric !== "string") return "metric: expected string";
  if (r.value !== null && (typeof r.value !== "number" || !Number.isFinite(r.value))) {
    return "value: expected a finite number or null";
  }
  const problem = hostProblem(r.host) ?? metricProblem(r.metric);
  if (problem) return problem;
  let labels = "";
  if (r.labels !== undefined) {
    // memo key: the labels' source text, as the fast path sees it
    const c = memoLabels(JSON.stringify(r.labels), r.labels);
    if ("problem" in c) return c.problem;
    labels = c.ok;
  }
  s.ts = r.ts, s.host = r.host, s.metric = r.metric, s.labels = labels;
  s.value = r.value === null ? NaN : r.value;
  return undefined;
}

/**
 * Parses a JSON-lines body into columns. Blank lines are skipped; `ts` is rounded down to whole
 * ms; a missing `labels` means none; `value: null` becomes `NaN`; unknown fields are ignored.
 *
 * @param text The body.
 * @param options Line limit and clock.
 * @returns The samples as columns, in body order.
 * @throws {RangeError} `Invalid line N: field: problem` on the first bad line (nothing of the
 * body is returned), `Invalid body: no samples` for an empty one, `Too many lines` past the limit.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIngestLines } from "./ingest_lines.ts";
 * const ts = Date.UTC(2024, 0, 1);
 * const b = parseIngestLines(`{"ts":${ts},"host":"h","metric":"q","labels":{"b":"2","a":"1"},"value":3}\n`);
 * assert.deepEqual(b.labels, ["a=1,b=2"]);
 * assert.throws(() => parseIngestLines('{"ts":1}'), /Invalid line 1: host: expected string/);
 * ```
 */
export function parseIngestLines(text: string, options: ParseIngestLinesOptions = {}): IngestBatch {
  const maxLines = options.maxLines ?? 1_000_000;
  const maxTs = options.trusted ? Infinity : (options.now ?? Date.now()) + MAX_AHEAD_MS;
  const out: IngestBatch = { ts: [], host: [], metric: [], labels: [], value: [] };
  const s = new Scan(text);
  let start = 0;
  let lineNo = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    lineNo++;
    s.seen = 0;
    s.labels = "";
    const fast = scan(s, start, end);
    if (!fast) {
      const line = text.slice(start, end);
      if (line.trim() === "") {
        start = end + 1;
        continue;
      }
      const problem = check(s, line);
      if (problem) throw new RangeError(`Invalid line ${lineNo}: ${problem}`);
    }
    start = end + 1;
    if (!(s.ts >= INGEST_MIN_TS && s.ts <= maxTs)) {
      throw new RangeError(
        `Invalid line ${lineNo}: ts: ${s.ts} is not ms since the epoch from year 2000 to tomorrow`,
      );
    }
    if (out.ts.length >= maxLines) {
      throw new RangeError(`Too many lines: the limit is ${maxLines} per request`);
    }
    out.ts.push(Math.floor(s.ts));
    out.host.push(s.host);
    out.metric.push(s.metric);
    out.labels.push(s.labels);
    out.value.push(s.value);
  }
  if (out.ts.length === 0) throw new RangeError("Invalid body: no samples (expected JSON lines)");
  return out;
}
