/**
 * Parses the Prometheus text exposition format (0.0.4) and OpenMetrics 1.0 text: `# HELP`,
 * `# TYPE`, `# UNIT`, `# EOF`, label escapes (`\\`, `\"`, `\n`), `NaN`/`+Inf`/`-Inf` values,
 * optional timestamps (milliseconds in 0.0.4, seconds in OpenMetrics) and OpenMetrics exemplars
 * (skipped). A hand-written scanner: no npm parser handles OpenMetrics, and the one for 0.0.4
 * (`parse-prometheus-text-format`) is slower on a 10 000-series page (see bench/receivers_bench.ts).
 *
 * @module
 */

/** A metric family's type as the exposition declares it. */
export type FamilyType =
  | "counter"
  | "gauge"
  | "histogram"
  | "gaugehistogram"
  | "summary"
  | "info"
  | "stateset"
  | "untyped"
  | "unknown";

/** One sample line. */
export interface ExpositionSample {
  /** Sample name, e.g. `http_requests_total` or `latency_seconds_bucket`. */
  name: string;
  /** Label pairs in the order written. */
  labels: [string, string][];
  value: number;
  /** Timestamp in ms, if the line has one. */
  timestampMs?: number;
}

/** A metric family: its metadata and samples. */
export interface MetricFamily {
  name: string;
  type: FamilyType;
  help: string;
  unit: string;
  samples: ExpositionSample[];
}

/** Options for {@linkcode parseExposition}. */
export interface ParseExpositionOptions {
  /** OpenMetrics text (timestamps in seconds, `# EOF` required at the end). Default false. */
  openMetrics?: boolean;
  /**
   * The series parts of lines seen before (the text before the value, e.g.
   * `http_requests_total{code="200"}`) with their name and labels, so a target's next scrape
   * reads each unchanged series' labels once, not every time. Filled as lines are parsed;
   * cleared when over 100 000 entries. The samples of a hit share the cached `labels` array:
   * treat it as read-only. Default none (every line parsed in full).
   */
  seriesCache?: Map<string, ParsedSeries>;
}

/** A line's series part as {@linkcode ParseExpositionOptions.seriesCache} keeps it. */
export interface ParsedSeries {
  readonly name: string;
  readonly labels: [string, string][];
}

const TYPES = new Set<string>([
  "counter",
  "gauge",
  "histogram",
  "gaugehistogram",
  "summary",
  "info",
  "stateset",
  "untyped",
  "unknown",
]);
/** Sample-name suffixes that belong to a family of a type. */
const SUFFIXES: Record<string, readonly string[]> = {
  counter: ["_total", "_created"],
  histogram: ["_bucket", "_count", "_sum", "_created"],
  gaugehistogram: ["_bucket", "_gcount", "_gsum"],
  summary: ["_count", "_sum", "_created"],
  info: ["_info"],
};

function fail(line: number, what: string): never {
  throw new SyntaxError(`Invalid exposition line ${line}: ${what}`);
}

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

/** Parses a float as the formats write it (`NaN`, `+Inf`, `-Inf`, `Inf` included). */
function parseValue(text: string): number {
  switch (text) {
    case "+Inf":
    case "Inf":
    case "+inf":
    case "inf":
      return Infinity;
    case "-Inf":
    case "-inf":
      return -Infinity;
    case "NaN":
    case "nan":
      return NaN;
  }
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return NaN;
  return Number(text);
}

function unescapeHelp(text: string): string {
  return text.indexOf("\\") < 0 ? text : text.replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
}

/**
 * Parses an exposition page into families.
 *
 * @param text The page.
 * @param options See {@linkcode ParseExpositionOptions}.
 * @returns The families in the order first seen.
 * @throws {SyntaxError} On the first malformed line (`Invalid exposition line N: …`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseExposition } from "./parse_exposition.ts";
 * const [f] = parseExposition('# TYPE req_total counter\nreq_total{code="200"} 7\n');
 * assert.equal(f!.type, "counter");
 * assert.deepEqual(f!.samples[0], { name: "req_total", labels: [["code", "200"]], value: 7 });
 * assert.throws(() => parseExposition("req_total{code=200} 7"), /line 1/);
 * ```
 */
export function parseExposition(
  text: string,
  options: ParseExpositionOptions = {},
): MetricFamily[] {
  const om = options.openMetrics ?? false;
  const cache = options.seriesCache;
  if (cache && cache.size > 100_000) cache.clear();
  const families = new Map<string, MetricFamily>();
  const order: MetricFamily[] = [];
  let current: MetricFamily | undefined;
  let sawEof = false;
  let lineNo = 0;
  let pos = 0;
  const end = text.length;

  function family(name: string): MetricFamily {
    let f = families.get(name);
    if (!f) {
      f = { name, type: "untyped", help: "", unit: "", samples: [] };
      families.set(name, f);
      order.push(f);
    }
    return f;
  }

  function owner(name: string): MetricFamily {
    if (current && (name === current.name || belongs(current, name))) return current;
    const exact = families.get(name);
    if (exact) return (current = exact);
    const cut = name.lastIndexOf("_");
    if (cut > 0) {
      const base = families.get(name.slice(0, cut));
      if (base && belongs(base, name)) return (current = base);
    }
    return (current = family(name));
  }

  while (pos < end) {
    let eol = text.indexOf("\n", pos);
    if (eol < 0) eol = end;
    lineNo++;
    let line = text.slice(pos, eol);
    pos = eol + 1;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (sawEof) {
      if (line === "") continue;
      fail(lineNo, "text after # EOF");
    }
    const first = line.charCodeAt(0);
    if (line === "" || ((first === 32 || first === 9) && /^\s*$/.test(line))) {
      if (om) fail(lineNo, "empty line (OpenMetrics allows none)");
      continue;
    }
    if (first === 35 /* # */) {
      if (line === "# EOF") {
        sawEof = true;
        continue;
      }
      const m = metaLine(line);
      if (!m) continue; // a comment
      const { kind, name, rest } = m;
      const f = family(name!);
      current = f;
      if (kind === "HELP") f.help = unescapeHelp(rest);
      else if (kind === "UNIT") f.unit = rest.trim();
      else {
        const t = rest.trim();
        if (!TYPES.has(t)) fail(lineNo, `unknown type ${JSON.stringify(t)} for ${name}`);
        if (f.samples.length > 0) fail(lineNo, `# TYPE for ${name} after its samples`);
        f.type = t as FamilyType;
      }
      continue;
    }
    const sample = parseSample(line, lineNo, om, cache);
    owner(sample.name).samples.push(sample);
  }
  if (om && !sawEof) fail(lineNo, "missing # EOF at the end (OpenMetrics)");
  return order;
}

/** Characters outside printable ASCII and tab, where `\s` and `.` read more than the scan does. */
// deno-lint-ignore no-control-regex
const NOT_PLAIN = /[^\x20-\x7e\t\x0b\x0c]/;

/** Whether the line from `i` is one token of printable ASCII without `#` (a value with no
 * timestamp: most lines), which the general split below would give back whole. */
function lastToken(line: string, i: number): boolean {
  const len = line.length;
  if (i >= len) return false;
  for (let j = i; j < len; j++) {
    const c = line.charCodeAt(j);
    if (c <= 32 || c >= 127 || c === 35) return false;
  }
  return true;
}

function splitRest(rest: string): string[] {
  const hash = rest.indexOf("#");
  if (hash >= 0) rest = rest.slice(0, hash);
  return rest.trim().split(/[ \t]+/);
}

function isSpace(c: number): boolean {
  // what \s matches in the ASCII range, as the line regex this scanner replaced did
  return c === 32 || (c >= 9 && c <= 13);
}

/** Reads `# HELP|TYPE|UNIT name[ rest]` (a scan, not a regex: a page has a HELP and a TYPE line
 * per family, more of them than samples on a node_exporter page); undefined for a comment. */
function metaLine(line: string): { kind: string; name: string; rest: string } | undefined {
  if (NOT_PLAIN.test(line)) {
    // Unicode spaces and line separators: the regex's own reading
    const m = /^#\s+(HELP|TYPE|UNIT)\s+(\S+)(?:\s(.*))?$/.exec(line);
    return m ? { kind: m[1]!, name: m[2]!, rest: m[3] ?? "" } : undefined;
  }
  const len = line.length;
  let i = 1;
  if (!isSpace(line.charCodeAt(i))) return undefined;
  while (i < len && isSpace(line.charCodeAt(i))) i++;
  const kind = line.slice(i, i + 4);
  if (kind !== "HELP" && kind !== "TYPE" && kind !== "UNIT") return undefined;
  i += 4;
  if (!isSpace(line.charCodeAt(i))) return undefined;
  while (i < len && isSpace(line.charCodeAt(i))) i++;
  const start = i;
  while (i < len && !isSpace(line.charCodeAt(i))) i++;
  if (i === start) return undefined;
  const name = line.slice(start, i);
  // one whitespace character after the name, then the rest as written
  return { kind, name, rest: i < len ? line.slice(i + 1) : "" };
}

function belongs(f: MetricFamily, name: string): boolean {
  if (!name.startsWith(f.name)) return false;
  const suffix = name.slice(f.name.length);
  if (suffix === "") return true;
  return (SUFFIXES[f.type] ?? []).includes(suffix);
}

/** Where a line's series part ends (after its `}`, or its name), when that is unambiguous: not
 * for lines with a `#` (an OpenMetrics exemplar has braces too), else -1. */
function seriesEnd(line: string): number {
  if (line.indexOf("#") >= 0) return -1;
  if (line.indexOf("{") >= 0) return line.lastIndexOf("}") + 1;
  let i = 0;
  const len = line.length;
  while (i < len && line.charCodeAt(i) !== 32 && line.charCodeAt(i) !== 9) i++;
  return i;
}

function parseSample(
  line: string,
  n: number,
  om: boolean,
  cache: Map<string, ParsedSeries> | undefined,
): ExpositionSample {
  const cut = cache ? seriesEnd(line) : -1;
  const key = cut > 0 ? line.slice(0, cut) : undefined;
  const hit = key === undefined ? undefined : cache!.get(key);
  if (hit) return parseRest(line, cut, n, om, hit.name, hit.labels);
  let i = 0;
  const len = line.length;
  while (i < len && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
  const start = i;
  if (!isNameStart(line.charCodeAt(i))) fail(n, "expected a metric name");
  while (i < len && isNameChar(line.charCodeAt(i))) i++;
  const name = line.slice(start, i);
  const labels: [string, string][] = [];
  if (line.charCodeAt(i) === 123 /* { */) {
    i++;
    for (;;) {
      while (line.charCodeAt(i) === 32) i++;
      if (line.charCodeAt(i) === 125 /* } */) {
        i++;
        break;
      }
      const ls = i;
      if (!isNameStart(line.charCodeAt(i))) fail(n, `expected a label name in ${name}`);
      while (i < len && isNameChar(line.charCodeAt(i))) i++;
      const key = line.slice(ls, i);
      while (line.charCodeAt(i) === 32) i++;
      if (line.charCodeAt(i) !== 61 /* = */) fail(n, `expected = after label ${key}`);
      i++;
      while (line.charCodeAt(i) === 32) i++;
      if (line.charCodeAt(i) !== 34 /* " */) fail(n, `expected a quoted value for label ${key}`);
      i++;
      let value = "";
      let seg = i;
      for (;;) {
        if (i >= len) fail(n, `unterminated value of label ${key}`);
        const c = line.charCodeAt(i);
        if (c === 34) break;
        if (c === 92 /* \ */) {
          value += line.slice(seg, i);
          const e = line[i + 1];
          if (e === "n") value += "\n";
          else if (e === "\\" || e === '"') value += e;
          else fail(n, `invalid escape \\${e ?? ""} in label ${key}`);
          i += 2;
          seg = i;
        } else i++;
      }
      value += line.slice(seg, i);
      i++;
      labels.push([key, value]);
      while (line.charCodeAt(i) === 32) i++;
      const c = line.charCodeAt(i);
      if (c === 44 /* , */) i++;
      else if (c !== 125) fail(n, `expected , or } after label ${key}`);
    }
  }
  // the series part parses the same wherever it appears: kept for the next scrape
  if (key !== undefined && i === cut) cache!.set(key, { name, labels });
  return parseRest(line, i, n, om, name, labels);
}

/** The value and timestamp after a line's series part (which ends at `i`). */
function parseRest(
  line: string,
  i: number,
  n: number,
  om: boolean,
  name: string,
  labels: [string, string][],
): ExpositionSample {
  if (line.charCodeAt(i) !== 32 && line.charCodeAt(i) !== 9) {
    fail(n, `expected a value after ${name}`);
  }
  while (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9) i++;
  // the value, then an optional timestamp, then (OpenMetrics) an optional exemplar after " # "
  const parts = lastToken(line, i) ? [line.slice(i)] : splitRest(line.slice(i));
  if (parts.length > 2 || parts[0] === "") fail(n, `expected "value [timestamp]" after ${name}`);
  const value = parseValue(parts[0]!);
  if (Number.isNaN(value) && parts[0] !== "NaN" && parts[0] !== "nan") {
    fail(n, `invalid value ${JSON.stringify(parts[0]!.slice(0, 40))} for ${name}`);
  }
  const sample: ExpositionSample = { name, labels, value };
  if (parts.length === 2) {
    const t = Number(parts[1]);
    if (!Number.isFinite(t)) fail(n, `invalid timestamp ${JSON.stringify(parts[1]!.slice(0, 40))}`);
    sample.timestampMs = om ? t * 1000 : t;
  }
  return sample;
}
