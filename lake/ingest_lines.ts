/**
 * The ingest line format (`POST /api/ingest` bodies and the ingest spool): one JSON object per
 * line, `{"ts":ms,"host":"h","metric":"m","labels":{"k":"v"}|"k=v","value":n|null}`, parsed
 * into columns. A hand-written scanner takes the common shape (no escapes, known keys) without
 * `JSON.parse`; any other line goes through `JSON.parse` and field-by-field checks that name
 * what is wrong. Host, metric and label checks are memoized (the same few names repeat).
 *
 * @module
 */
import { formatLabels, parseLabels } from "../collectors/mod.ts";
import { labelNamesIn } from "../labels/mod.ts";
import type { IngestBatch } from "../receivers/mod.ts";
import {
  canonicalHost,
  hostNameProblem,
  labelNameProblem,
  labelValueProblem,
  MAX_LABELS,
  metricNameProblem,
} from "./names.ts";

// the receivers build these columns for the lake: one shape, defined below the lake
export type { IngestBatch };

/** What one request may carry (see {@linkcode INGEST_LIMITS} for the defaults). */
export interface IngestLimits {
  /** Most samples in one request; default 250 000. */
  maxLines?: number;
  /** Most partitions (distinct host × UTC date) in one request; default 64. Each becomes a
   * Parquet file at the next flush, so this bounds the files one request costs. */
  maxPartitions?: number;
  /** Oldest accepted sample, ms before the clock; default 30 days (the default retention:
   * older samples would be deleted by the next compaction). */
  maxAgeMs?: number;
  /** Newest accepted sample, ms after the clock; default 300 000 (5 minutes of clock skew). */
  maxAheadMs?: number;
}

/** Options for {@linkcode parseIngestLines}. */
export interface ParseIngestLinesOptions extends IngestLimits {
  /** Clock (ms) for the time window; default `Date.now()`. */
  now?: number;
  /** Replaying the spool, whose records were checked when they came in: skip the time window,
   * the line and partition limits, and metric and label rules newer than the record; the host
   * is checked again (it becomes a directory name). Default false. */
  trusted?: boolean;
}

/** The default {@linkcode IngestLimits}. */
export const INGEST_LIMITS: Readonly<Required<IngestLimits>> = Object.freeze({
  maxLines: 250_000,
  maxPartitions: 64,
  maxAgeMs: 30 * 86_400_000,
  maxAheadMs: 300_000,
});

/** Earliest accepted timestamp whatever the window: 2000-01-01T00:00:00Z (catches seconds). */
export const INGEST_MIN_TS = 946_684_800_000;
const DAY = 86_400_000;

const encoder = new TextEncoder();
const okHosts = new Set<string>();
const okMetrics = new Set<string>();
/** Raw labels text (object source or quoted string) → canonical string. */
const labelMemo = new Map<string, string>();
/** Labels text of a column sample, exactly as given (no quoting) → canonical string; kept apart
 * from `labelMemo` so a batch's labels are looked up without building a quoted key per sample.
 * Not one map with it: a body's key is JSON source (`{"a":"1"}`), which is invalid column text
 * but would be found by a column sample carrying that text, and pass it unchecked (one shared
 * map would need a guard on every column lookup; the test "the labels memos of bodies and
 * column samples…" is the case). */
const columnLabelMemo = new Map<string, string>();

function remember<T>(set: Set<T> | Map<T, unknown>, limit: number): void {
  if (set.size >= limit) set.clear();
}

function hostProblem(h: string): string | undefined {
  if (okHosts.has(h)) return undefined;
  const problem = hostNameProblem(h);
  if (problem) return `host: ${problem}`;
  remember(okHosts, 10_000);
  okHosts.add(h);
  return undefined;
}

function metricProblem(m: string): string | undefined {
  if (okMetrics.has(m)) return undefined;
  const problem = metricNameProblem(m);
  if (problem) return `metric: ${problem}`;
  remember(okMetrics, 10_000);
  okMetrics.add(m);
  return undefined;
}

/** Canonical labels from an object or a canonical-form string; a string result is a problem. */
function canonical(labels: unknown, strict = true): { ok: string } | { problem: string } {
  let obj: Record<string, unknown>;
  if (typeof labels === "string") {
    try {
      obj = parseLabels(labels);
    } catch (error) {
      return { problem: `labels: ${(error as Error).message}` };
    }
    // the parser keeps a repeated name's last value and drops `__proto__`: said, not stored
    const names = labelNamesIn(labels);
    if (names.length !== Object.keys(obj).length) {
      const bad = names.find((n, i) => n === "__proto__" || names.indexOf(n) !== i)!;
      const name = labelNameProblem(bad);
      return { problem: `labels: ${name ?? `${JSON.stringify(bad)} given twice`}` };
    }
  } else if (typeof labels === "object" && labels !== null && !Array.isArray(labels)) {
    obj = labels as Record<string, unknown>;
  } else return { problem: "labels: expected an object of strings or a k=v,k=v string" };
  let n = 0;
  for (const key in obj) {
    if (!strict) {
      if (typeof obj[key] !== "string") return { problem: `labels.${key}: expected string` };
      continue;
    }
    if (++n > MAX_LABELS) return { problem: `labels: more than ${MAX_LABELS}` };
    const v = obj[key];
    const name = labelNameProblem(key);
    if (name) return { problem: `labels: ${name}` };
    if (typeof v !== "string") return { problem: `labels.${key}: expected string` };
    const value = labelValueProblem(v);
    if (value) return { problem: `labels.${key}: ${value}` };
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
  /** The previous line's host as stored (lower case), and as sent. */
  prevHost = "";
  prevHostSent = "";
  prevMetric = "";
  /** Byte range of the previous line's raw labels (`prevEnd` 0: none). */
  prevStart = 0;
  prevEnd = 0;
  prevLabels = "";
  constructor(readonly text: Uint8Array, readonly trusted: boolean) {}
}

const QUOTE = 34, BACKSLASH = 92, COLON = 58, COMMA = 44, OPEN = 123, CLOSE = 125;

function ws(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}

/** End (exclusive, after the closing quote) of a plain string starting at `i`, or -1. */
function plainString(t: Uint8Array, i: number, end: number): number {
  for (let j = i + 1; j < end; j++) {
    const c = t[j]!;
    if (c === QUOTE) return j + 1;
    if (c === BACKSLASH || c < 32) return -1;
  }
  return -1;
}

/** End of a JSON number starting at `i`, or -1 if it is not one. */
function number(t: Uint8Array, i: number, end: number): number {
  let j = i;
  if (t[j] === 45) j++;
  const first = j;
  while (j < end && (t[j]! - 48) >>> 0 < 10) j++;
  if (j === first || (t[first] === 48 && j - first > 1)) return -1;
  if (t[j] === 46) {
    const f = ++j;
    while (j < end && (t[j]! - 48) >>> 0 < 10) j++;
    if (j === f) return -1;
  }
  const e = t[j];
  if (e === 101 || e === 69) {
    j++;
    const s = t[j];
    if (s === 43 || s === 45) j++;
    const f = j;
    while (j < end && (t[j]! - 48) >>> 0 < 10) j++;
    if (j === f) return -1;
  }
  return j;
}

/** Scans a flat `{"k":"v",…}` of plain strings; returns its end or -1. */
function labelObject(t: Uint8Array, i: number, end: number): number {
  let j = i + 1;
  while (j < end && ws(t[j]!)) j++;
  if (t[j] === CLOSE) return j + 1;
  for (;;) {
    if (t[j] !== QUOTE) return -1;
    j = plainString(t, j, end);
    if (j < 0) return -1;
    while (j < end && ws(t[j]!)) j++;
    if (t[j++] !== COLON) return -1;
    while (j < end && ws(t[j]!)) j++;
    if (t[j] !== QUOTE) return -1;
    j = plainString(t, j, end);
    if (j < 0) return -1;
    while (j < end && ws(t[j]!)) j++;
    const c = t[j++];
    if (c === CLOSE) return j;
    if (c !== COMMA) return -1;
    while (j < end && ws(t[j]!)) j++;
  }
}

/** `t[i..]` holds the ASCII text `s`. */
function startsWith(t: Uint8Array, i: number, s: string): boolean {
  if (i + s.length > t.length) return false;
  for (let k = 0; k < s.length; k++) if (t[i + k] !== s.charCodeAt(k)) return false;
  return true;
}

/** `t[i..]` starts with `"` + `prev` + `"`: the previous line's value repeats (no decoding). */
function repeats(t: Uint8Array, i: number, prev: string): boolean {
  return prev !== "" && t[i + 1 + prev.length] === QUOTE && startsWith(t, i + 1, prev);
}

/** Bytes `[a, b)` equal bytes `[c, c + b - a)`. */
function sameBytes(t: Uint8Array, a: number, b: number, c: number): boolean {
  for (let k = 0; k < b - a; k++) if (t[a + k] !== t[c + k]) return false;
  return true;
}

// fatal: bytes that are not UTF-8 used to become U+FFFD, so a label was stored other than sent
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Bytes of a body that are not UTF-8; {@linkcode parseSteps} adds the line number. */
class NotUtf8 extends RangeError {}

/** UTF-8 bytes → text, or {@linkcode NotUtf8}. */
function decode(t: Uint8Array): string {
  try {
    return utf8.decode(t);
  } catch {
    throw new NotUtf8(
      "not valid UTF-8 (send text as UTF-8; other bytes are refused, not replaced)",
    );
  }
}

/** Text of bytes `[i, j)`: short ASCII runs without the decoder's call overhead. */
function text(t: Uint8Array, i: number, j: number): string {
  if (j - i > 64) return decode(t.subarray(i, j));
  let out = "";
  for (let k = i; k < j; k++) {
    const c = t[k]!;
    if (c > 127) return decode(t.subarray(i, j));
    out += String.fromCharCode(c);
  }
  return out;
}

/** Raw labels bytes → canonical string, by FNV-1a hash of the bytes then a byte compare. */
const rawLabels = new Map<number, { raw: Uint8Array; ok: string }[]>();
let rawLabelCount = 0;

function fnv(t: Uint8Array, i: number, j: number): number {
  let h = 0x811c9dc5;
  for (let k = i; k < j; k++) h = Math.imul(h ^ t[k]!, 0x01000193);
  return h >>> 0;
}

function knownLabels(t: Uint8Array, i: number, j: number): string | undefined {
  const bucket = rawLabels.get(fnv(t, i, j));
  if (bucket === undefined) return undefined;
  for (const e of bucket) {
    if (e.raw.length !== j - i) continue;
    let k = 0;
    while (k < e.raw.length && e.raw[k] === t[i + k]) k++;
    if (k === e.raw.length) return e.ok;
  }
  return undefined;
}

function learnLabels(t: Uint8Array, i: number, j: number, ok: string): void {
  if (rawLabelCount >= 50_000) (rawLabels.clear(), rawLabelCount = 0);
  const h = fnv(t, i, j);
  const bucket = rawLabels.get(h) ?? [];
  bucket.push({ raw: t.slice(i, j), ok });
  rawLabels.set(h, bucket);
  rawLabelCount++;
}

/** Checked host (field 2) and metric (field 4) names by FNV-1a hash of their bytes. */
const rawNames = new Map<number, string[]>();
let rawNameCount = 0;

function knownName(field: number, t: Uint8Array, i: number, j: number): string | undefined {
  const bucket = rawNames.get((fnv(t, i, j) ^ field) >>> 0);
  if (bucket === undefined) return undefined;
  for (const name of bucket) {
    if (name.length !== j - i) continue;
    let k = 0;
    while (k < name.length && name.charCodeAt(k) === t[i + k]) k++;
    if (k === name.length) return name;
  }
  return undefined;
}

function learnName(field: number, t: Uint8Array, i: number, j: number, name: string): void {
  // ASCII names only: a byte compare against their UTF-16 code units is exact then
  for (let k = 0; k < name.length; k++) if (name.charCodeAt(k) > 127) return;
  if (rawNameCount >= 20_000) (rawNames.clear(), rawNameCount = 0);
  const h = (fnv(t, i, j) ^ field) >>> 0;
  const bucket = rawNames.get(h);
  if (bucket === undefined) rawNames.set(h, [name]);
  else bucket.push(name);
  rawNameCount++;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** Value of the JSON number `t[i..j)`: exact integer arithmetic where it is exact (Clinger's
 * fast path: an integer below 2^53 divided by an exact power of ten rounds correctly). */
function numberValue(t: Uint8Array, i: number, j: number): number {
  let k = i, neg = false;
  if (t[k] === 45) (neg = true, k++);
  let m = 0, frac = -1;
  for (; k < j; k++) {
    const c = t[k]!;
    if (c === 46) frac = 0;
    else if (c > 57) return Number(text(t, i, j)); // exponent
    else {
      m = m * 10 + (c - 48);
      if (frac >= 0) frac++;
    }
  }
  if (m > 9007199254740991 || frac > 15) return Number(text(t, i, j));
  const v = frac > 0 ? m / POW10[frac]! : m;
  return neg ? -v : v;
}

/** Fast path: true when the line had the common shape and valid values (fields in `s`). */
function scan(s: Scan, start: number, end: number): boolean {
  const t = s.text;
  let i = start;
  while (i < end && ws(t[i]!)) i++;
  if (t[i++] !== OPEN) return false;
  for (;;) {
    while (i < end && ws(t[i]!)) i++;
    if (t[i] !== QUOTE) return false;
    const keyEnd = plainString(t, i, end);
    if (keyEnd < 0) return false;
    const k0 = t[i + 1], kl = keyEnd - i - 2;
    const field = kl === 2 && k0 === 116 && t[i + 2] === 115
      ? 1
      : kl === 4 && k0 === 104 && startsWith(t, i + 1, "host")
      ? 2
      : kl === 6 && k0 === 109 && startsWith(t, i + 1, "metric")
      ? 4
      : kl === 6 && k0 === 108 && startsWith(t, i + 1, "labels")
      ? 8
      : kl === 5 && k0 === 118 && startsWith(t, i + 1, "value")
      ? 16
      : 0;
    if (field === 0) return false;
    i = keyEnd;
    while (i < end && ws(t[i]!)) i++;
    if (t[i++] !== COLON) return false;
    while (i < end && ws(t[i]!)) i++;
    const c = t[i];
    let j: number;
    if (field === 1 || field === 16) {
      if (field === 16 && c === 110 && startsWith(t, i, "null")) {
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
      const prev = field === 2 ? s.prevHostSent : s.prevMetric;
      if (repeats(t, i, prev)) j = i + prev.length + 2;
      else {
        j = plainString(t, i, end);
        if (j < 0) return false;
        // names cycle (a body holds many metrics in turn): a checked name is found by its bytes,
        // without building its string or checking it again
        let v = knownName(field, t, i + 1, j - 1);
        if (v === undefined) {
          v = text(t, i + 1, j - 1);
          if ((field === 2 ? hostProblem(v) : metricProblem(v)) !== undefined) return false;
          learnName(field, t, i + 1, j - 1, v);
        }
        // a host is stored in lower case (Web1 and web1 are one host); the line after compares
        // its bytes with the host as sent
        if (field === 2) s.prevHostSent = v, s.prevHost = canonicalHost(v);
        else s.prevMetric = v;
      }
      if (field === 2) s.host = s.prevHost;
      else s.metric = s.prevMetric;
    } else {
      j = c === QUOTE ? plainString(t, i, end) : c === OPEN ? labelObject(t, i, end) : -1;
      if (j < 0) return false;
      if (j - i === s.prevEnd - s.prevStart && sameBytes(t, i, j, s.prevStart)) {
        s.labels = s.prevLabels;
      } else {
        let hit = knownLabels(t, i, j);
        if (hit === undefined) {
          const raw = text(t, i, j);
          const l = memoLabels(raw, JSON.parse(raw));
          if ("problem" in l) return false;
          hit = l.ok;
          learnLabels(t, i, j, hit);
        }
        s.prevStart = i, s.prevEnd = j, s.prevLabels = s.labels = hit;
      }
    }
    s.seen |= field;
    i = j;
    while (i < end && ws(t[i]!)) i++;
    const d = t[i++];
    if (d === CLOSE) break;
    if (d !== COMMA) return false;
  }
  while (i < end && ws(t[i]!)) i++;
  return i >= end && (s.seen & 23) === 23;
}

/** The fields every line must have (`labels` may be left out). */
const REQUIRED = ["ts", "host", "metric", "value"] as const;

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
  // an absent field is named as such (the HTTP routes' words), not as one of the wrong type
  for (const key of REQUIRED) if (r[key] === undefined) return `${key}: missing`;
  if (typeof r.ts !== "number" || !Number.isFinite(r.ts)) return "ts: expected number";
  if (typeof r.host !== "string") return "host: expected string";
  if (typeof r.metric !== "string") return "metric: expected string";
  if (r.value !== null && (typeof r.value !== "number" || !Number.isFinite(r.value))) {
    return "value: expected a finite number or null";
  }
  // A replayed record was accepted by the version that spooled it: only what would make it
  // unwritable (its host becomes a directory) is checked again, not newer metric or label rules.
  const problem = hostProblem(r.host) ?? (s.trusted ? undefined : metricProblem(r.metric));
  if (problem) return problem;
  let labels = "";
  if (r.labels !== undefined) {
    // memo key: the labels' source text, as the fast path sees it
    let c = memoLabels(JSON.stringify(r.labels), r.labels);
    if ("problem" in c && s.trusted) c = canonical(r.labels, false); // not memoized: not valid
    if ("problem" in c) return c.problem;
    labels = c.ok;
  }
  s.ts = r.ts, s.host = canonicalHost(r.host), s.metric = r.metric, s.labels = labels;
  s.value = r.value === null ? NaN : r.value;
  return undefined;
}

/**
 * The sample times a request may carry at a given clock: `maxAgeMs` back (never before
 * {@linkcode INGEST_MIN_TS}) to `maxAheadMs` ahead, both ends included.
 *
 * @param limits The limits (defaults in {@linkcode INGEST_LIMITS}).
 * @param now The clock, ms.
 * @returns The window, ms since the epoch.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ingestWindow } from "./ingest_lines.ts";
 * const now = Date.UTC(2024, 0, 1);
 * assert.deepEqual(ingestWindow({ maxAgeMs: 1000 }, now), { from: now - 1000, to: now + 300_000 });
 * ```
 */
export function ingestWindow(limits: IngestLimits, now: number): { from: number; to: number } {
  return {
    from: Math.max(INGEST_MIN_TS, now - (limits.maxAgeMs ?? INGEST_LIMITS.maxAgeMs)),
    to: now + (limits.maxAheadMs ?? INGEST_LIMITS.maxAheadMs),
  };
}

/**
 * What every accepted sample must pass besides its names: the time window, the line limit and the
 * partition limit. `unit` names a sample in messages (`line` for bodies, `sample` for columns).
 */
function admission(
  options: ParseIngestLinesOptions,
  unit: "line" | "sample",
): (n: number, ts: number, host: string, accepted: number) => void {
  const trusted = options.trusted ?? false;
  const maxLines = trusted ? Infinity : options.maxLines ?? INGEST_LIMITS.maxLines;
  const maxPartitions = trusted ? Infinity : options.maxPartitions ?? INGEST_LIMITS.maxPartitions;
  const now = options.now ?? Date.now();
  const window = ingestWindow(options, now);
  const minTs = trusted ? INGEST_MIN_TS : window.from;
  const maxTs = trusted ? Infinity : window.to;
  const partitions = new Set<string>();
  let lastHost = "", lastDay = NaN;
  return (n, ts, host, accepted) => {
    if (!(ts >= minTs && ts <= maxTs)) throw outside(unit, n, ts, minTs, maxTs);
    if (accepted >= maxLines) {
      throw new RangeError(
        `Too many lines: ${unit} ${n} is past the limit of ${maxLines} samples per request`,
      );
    }
    const day = Math.floor(ts / DAY);
    if (day !== lastDay || host !== lastHost) {
      lastDay = day, lastHost = host;
      const key = `${day}\n${host}`;
      if (!partitions.has(key)) {
        if (partitions.size >= maxPartitions) {
          throw new RangeError(
            `Too many partitions: ${unit} ${n} (host ${JSON.stringify(host)}, ` +
              `${new Date(day * DAY).toISOString().slice(0, 10)}) is past the limit of ` +
              `${maxPartitions} host × date partitions per request (split it by host or day)`,
          );
        }
        partitions.add(key);
      }
    }
  };
}

/**
 * Checks samples that arrive as columns (the receivers) by the rules {@linkcode parseIngestLines}
 * applies to a body: names, labels (in canonical form), values, the time window and the limits.
 *
 * @param batch The samples; labels in canonical form, `NaN` for no value.
 * @param options Limits and clock, as for {@linkcode parseIngestLines} (`trusted` is ignored).
 * @returns The samples with timestamps rounded down to whole ms and labels re-canonicalized.
 * @throws {RangeError} `Invalid sample N: field: problem` on the first bad sample (N from 1),
 * `Invalid body: no samples` for an empty batch, `Too many lines` or `Too many partitions`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkIngestBatch } from "./ingest_lines.ts";
 * const ts = Date.UTC(2024, 0, 1);
 * const batch = { ts: [ts], host: ["h"], metric: ["m"], labels: ["b=2,a=1"], value: [1] };
 * assert.equal(checkIngestBatch(batch, { now: ts }).labels[0], "a=1,b=2");
 * assert.throws(
 *   () => checkIngestBatch({ ...batch, metric: ["1x"] }, { now: ts }),
 *   /^RangeError: Invalid sample 1: metric: /,
 * );
 * ```
 */
export function checkIngestBatch(
  batch: IngestBatch,
  options: Omit<ParseIngestLinesOptions, "trusted"> = {},
): IngestBatch {
  const admit = admission(options, "sample");
  const out: IngestBatch = { ts: [], host: [], metric: [], labels: [], value: [] };
  // A scrape's batch repeats one host and runs of one metric: a name equal to the previous
  // sample's passed its checks already (the rules are pure functions of the text).
  let okHost: string | undefined, okMetric: string | undefined;
  let host = "";
  for (let i = 0; i < batch.ts.length; i++) {
    const n = i + 1;
    const ts = batch.ts[i]!, rawHost = batch.host[i]!, metric = batch.metric[i]!;
    const value = batch.value[i]!;
    if (!Number.isFinite(ts)) throw new RangeError(`Invalid sample ${n}: ts: expected number`);
    if (rawHost !== okHost) {
      const problem = hostProblem(rawHost);
      if (problem) throw new RangeError(`Invalid sample ${n}: ${problem}`);
      okHost = rawHost;
      host = canonicalHost(rawHost); // stored in lower case: Web1 and web1 are one host
    }
    if (metric !== okMetric) {
      const problem = metricProblem(metric);
      if (problem) throw new RangeError(`Invalid sample ${n}: ${problem}`);
      okMetric = metric;
    }
    if (value === Infinity || value === -Infinity) {
      throw new RangeError(`Invalid sample ${n}: value: expected a finite number or null`);
    }
    const raw = batch.labels[i]!;
    let labels = raw === "" ? "" : columnLabelMemo.get(raw);
    if (labels === undefined) {
      // only valid text is remembered, under its exact text: a bad label is checked (and
      // refused) every time it comes
      const c = canonical(raw);
      if ("problem" in c) throw new RangeError(`Invalid sample ${n}: ${c.problem}`);
      remember(columnLabelMemo, 50_000);
      columnLabelMemo.set(raw, labels = c.ok);
    }
    admit(n, ts, host, out.ts.length);
    out.ts.push(Math.floor(ts));
    out.host.push(host);
    out.metric.push(metric);
    out.labels.push(labels);
    out.value.push(value);
  }
  if (out.ts.length === 0) throw new RangeError("Invalid body: no samples");
  return out;
}

/** The error for a timestamp outside the accepted window. */
function outside(
  unit: string,
  lineNo: number,
  ts: number,
  minTs: number,
  maxTs: number,
): RangeError {
  const iso = (ms: number) => new Date(ms).toISOString();
  const when = ts >= INGEST_MIN_TS && ts <= 8.64e15 ? ` (${iso(ts)})` : "";
  const to = Number.isFinite(maxTs) ? iso(maxTs) : "any time";
  return new RangeError(
    `Invalid ${unit} ${lineNo}: ts: ${ts}${when} is outside the accepted window, ms since the ` +
      `epoch from ${iso(minTs)} to ${to}`,
  );
}

/**
 * Parses a JSON-lines body into columns. Blank lines are skipped; `ts` is rounded down to whole
 * ms; a missing `labels` means none; `value: null` becomes `NaN`; unknown fields are ignored.
 *
 * @param body The body, as bytes (scanned without decoding) or text.
 * @param options Limits (see {@linkcode INGEST_LIMITS}) and clock.
 * @returns The samples as columns, in body order.
 * @throws {RangeError} `Invalid line N: field: problem` on the first bad line, a timestamp
 * outside the window included (nothing of the body is returned), `Invalid body: no samples` for
 * an empty one, `Too many lines` or `Too many partitions` past a limit.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIngestLines } from "./ingest_lines.ts";
 * const ts = Date.UTC(2024, 0, 1);
 * const line = `{"ts":${ts},"host":"h","metric":"q","labels":{"b":"2","a":"1"},"value":3}\n`;
 * assert.deepEqual(parseIngestLines(line, { now: ts }).labels, ["a=1,b=2"]);
 * assert.throws(() => parseIngestLines(line, { now: ts + 31 * 86_400_000 }), /outside the accepted window/);
 * assert.throws(() => parseIngestLines('{"ts":1}'), /Invalid line 1: host: missing/);
 * ```
 */
export function parseIngestLines(
  body: string | Uint8Array,
  options: ParseIngestLinesOptions = {},
): IngestBatch {
  const steps = parseSteps(body, options, Infinity);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Options for {@linkcode parseIngestLinesAsync}. */
export interface ParseIngestLinesAsyncOptions extends ParseIngestLinesOptions {
  /** Longest stretch of parsing between two yields to the event loop, in ms; default 8. Time,
   * not bytes, so an idle machine parses a 5,000-line body without a pause (each pause costs a
   * timer turn, a few ms under load) while a loaded one still answers `/healthz` in between. */
  sliceMs?: number;
  /** Bytes parsed between two looks at the clock; default 16 384 (a fraction of a ms). */
  chunkBytes?: number;
  /** How to yield; default a zero-delay timer, which lets the event loop serve I/O (a
   * `setImmediate` turn measured ~100 turns before a pending request was answered). */
  pause?: () => Promise<void>;
}

function timerPause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * {@linkcode parseIngestLines} in slices: the same result and errors, but the event loop gets a
 * turn every `sliceMs` of parsing, so a server parsing a large body still answers other requests.
 *
 * @param body The body, as bytes or text.
 * @param options Limits, clock, slice length, chunk size and how to yield.
 * @returns The samples as columns, in body order.
 * @throws {RangeError} As {@linkcode parseIngestLines} does.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseIngestLinesAsync } from "./ingest_lines.ts";
 * const ts = Date.UTC(2024, 0, 1);
 * const line = `{"ts":${ts},"host":"h","metric":"q","value":3}\n`;
 * let pauses = 0;
 * const pause = () => (pauses++, Promise.resolve());
 * const batch = await parseIngestLinesAsync(line.repeat(3), {
 *   now: ts,
 *   chunkBytes: 1,
 *   sliceMs: 0,
 *   pause,
 * });
 * assert.equal(batch.ts.length, 3);
 * assert.equal(pauses, 2); // between the three lines
 * ```
 */
export async function parseIngestLinesAsync(
  body: string | Uint8Array,
  options: ParseIngestLinesAsyncOptions = {},
): Promise<IngestBatch> {
  const chunkBytes = options.chunkBytes ?? 16_384;
  const sliceMs = options.sliceMs ?? 8;
  if (!(chunkBytes > 0)) throw new RangeError(`Invalid chunkBytes: ${chunkBytes}`);
  if (!(sliceMs >= 0)) throw new RangeError(`Invalid sliceMs: ${sliceMs}`);
  const pause = options.pause ?? timerPause;
  const steps = parseSteps(body, options, chunkBytes);
  let since = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - since < sliceMs) continue;
    await pause();
    since = performance.now();
  }
}

/** The parser, stopping after each `chunkBytes` of lines (never inside a line) so that the
 * caller can look at the clock and yield. */
function* parseSteps(
  body: string | Uint8Array,
  options: ParseIngestLinesOptions,
  chunkBytes: number,
): Generator<void, IngestBatch, void> {
  const trusted = options.trusted ?? false;
  const admit = admission(options, "line");
  const out: IngestBatch = { ts: [], host: [], metric: [], labels: [], value: [] };
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  const s = new Scan(bytes, trusted);
  let start = 0;
  let lineNo = 0;
  let next = chunkBytes;
  try {
    while (start < bytes.length) {
      if (start >= next) {
        next = start + chunkBytes;
        yield;
      }
      let end = bytes.indexOf(10, start);
      if (end < 0) end = bytes.length;
      lineNo++;
      s.seen = 0;
      s.labels = "";
      const fast = scan(s, start, end);
      if (!fast) {
        s.prevEnd = s.prevStart = 0; // a line the scanner left half-read is no reference
        const line = decode(bytes.subarray(start, end));
        if (line.trim() === "") {
          start = end + 1;
          continue;
        }
        const problem = check(s, line);
        if (problem) throw new RangeError(`Invalid line ${lineNo}: ${problem}`);
      }
      start = end + 1;
      admit(lineNo, s.ts, s.host, out.ts.length);
      out.ts.push(Math.floor(s.ts));
      out.host.push(s.host);
      out.metric.push(s.metric);
      out.labels.push(s.labels);
      out.value.push(s.value);
    }
  } catch (error) {
    if (error instanceof NotUtf8) throw new RangeError(`Invalid line ${lineNo}: ${error.message}`);
    throw error;
  }
  if (out.ts.length === 0) throw new RangeError("Invalid body: no samples (expected JSON lines)");
  return out;
}
