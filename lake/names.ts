/**
 * The one home of the rules for host, metric and label names (ingest, the lake's partition
 * directories, the series API, the CLI and the Prometheus exposition all use these; their limits
 * and the host syntax are config/label_rules.ts', the floor below, which the config loader uses).
 *
 * Why each rule:
 * - a host becomes the directory `host=<name>`: at most 255 bytes on ext4, xfs, btrfs and tmpfs,
 *   so a host has at most 250 bytes; letters, digits and `_ . : -` only (no `/`, NUL, `=`, `%`,
 *   control characters or multibyte UTF-8), and a letter, digit or `:` first (no `.`/`..`, no
 *   leading `-` that reads as a CLI flag); `null` in any case and `__HIVE_DEFAULT_PARTITION__`
 *   are refused because DuckDB's hive partitioning reads them back as SQL NULL;
 * - a metric is snake_case, at most 200 bytes, not starting with `__` (Prometheus reserves it);
 * - a label name is `[a-zA-Z_][a-zA-Z0-9_]*`, at most 128 bytes; the names the lake and the
 *   exposition own are reserved (see {@linkcode RESERVED_LABELS}): `host` would spoof another
 *   host's series on `/metrics`, `le`/`quantile` make `promtool check metrics` fail, `job` and
 *   `instance` are set by the Prometheus server that scrapes `/metrics`, and `__*` is Prometheus'
 *   internal namespace;
 * - a label value is at most 1024 bytes of well-formed UTF-8 without control characters (C0, DEL
 *   and C1: U+009B is a terminal's CSI, as ESC [ is, and U+0085 a line break to some readers),
 *   bidi controls (U+202A-U+202E, U+2066-U+2069: an override shows `gnp.exe` as `exe.png`) or
 *   U+2028/U+2029 (see `controlIn` in format/escape_controls.js); a sample has at most 32 labels.
 *
 * @module
 */
import { controlIn, escapeControls } from "../format/escape_controls.js";
import {
  hostNameFault,
  LABEL_NAME,
  LABEL_NAME_MAX_BYTES,
  LABEL_VALUE_MAX_BYTES,
  METRIC_MAX_BYTES,
  RESERVED_LABELS,
} from "../config/label_rules.ts";

export {
  HOST_MAX_BYTES,
  LABEL_NAME_MAX_BYTES,
  LABEL_VALUE_MAX_BYTES,
  MAX_LABELS,
  METRIC_MAX_BYTES,
  RESERVED_LABELS,
} from "../config/label_rules.ts";

const METRIC = /^[a-z_][a-z0-9_]*$/;
const reserved = new Set(RESERVED_LABELS);

/** A name quoted for a one-line message (control characters escaped, C1 too, which JSON quoting
 * keeps; long names cut). */
function quoted(name: string): string {
  return escapeControls(JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name));
}

/**
 * Bytes of a string in UTF-8, or -1 if it holds a lone surrogate (which UTF-8 cannot carry, so
 * it would not read back the same).
 *
 * @param text The string.
 * @returns Its UTF-8 length, or -1.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { utf8Bytes } from "./names.ts";
 * assert.equal(utf8Bytes("é€😀"), 2 + 3 + 4);
 * assert.equal(utf8Bytes("\ud800"), -1);
 * ```
 */
export function utf8Bytes(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return -1;
      n += 4;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return -1;
    else n += 3;
  }
  return n;
}

/**
 * What is wrong with a host name, if anything.
 *
 * @param host The name.
 * @returns A one-line problem (`"a/b" is not a host name (…)`), or undefined if it is valid.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostNameProblem } from "./names.ts";
 * assert.equal(hostNameProblem("web-1.example.com"), undefined);
 * assert.match(hostNameProblem("a".repeat(251))!, /251 bytes, at most 250/);
 * assert.match(hostNameProblem("..")!, /first a letter/);
 * assert.match(hostNameProblem("NULL")!, /NULL/);
 * ```
 */
export function hostNameProblem(host: string): string | undefined {
  // the rule itself is config/label_rules.ts', which the config loader holds its hosts to
  const fault = hostNameFault(host);
  return fault && `${quoted(host)} is not a host name (${fault})`;
}

/**
 * What is wrong with a metric name, if anything.
 *
 * @param metric The name.
 * @returns A one-line problem, or undefined if it is valid.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { metricNameProblem } from "./names.ts";
 * assert.equal(metricNameProblem("queue_depth"), undefined);
 * assert.match(metricNameProblem("queueDepth")!, /not a snake_case metric name/);
 * assert.match(metricNameProblem("__name")!, /reserves/);
 * ```
 */
export function metricNameProblem(metric: string): string | undefined {
  if (!METRIC.test(metric) || metric.length > METRIC_MAX_BYTES) {
    return `${
      quoted(metric)
    } is not a snake_case metric name (a-z 0-9 _, at most ${METRIC_MAX_BYTES} ` +
      "bytes)";
  }
  if (metric.startsWith("__")) {
    return `${quoted(metric)} starts with "__", which Prometheus reserves`;
  }
  return undefined;
}

/**
 * Whether a label name is one the lake or the exposition owns (`host`, `le`, `__name__`, …).
 *
 * @param name The label name.
 * @returns True if it is reserved.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isReservedLabel } from "./names.ts";
 * assert.equal(isReservedLabel("le"), true);
 * assert.equal(isReservedLabel("__name__"), true);
 * assert.equal(isReservedLabel("queue"), false);
 * ```
 */
export function isReservedLabel(name: string): boolean {
  return reserved.has(name) || name.startsWith("__");
}

/**
 * What is wrong with a label name, if anything (reserved names included).
 *
 * @param name The label name.
 * @returns A one-line problem, or undefined if it is valid.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labelNameProblem } from "./names.ts";
 * assert.equal(labelNameProblem("queue"), undefined);
 * assert.match(labelNameProblem("host")!, /"host" is reserved/);
 * assert.match(labelNameProblem("a-b")!, /not a label name/);
 * ```
 */
export function labelNameProblem(name: string): string | undefined {
  if (!LABEL_NAME.test(name) || name.length > LABEL_NAME_MAX_BYTES) {
    return `${quoted(name)} is not a label name ([a-zA-Z_][a-zA-Z0-9_]*, at most ` +
      `${LABEL_NAME_MAX_BYTES} bytes)`;
  }
  if (isReservedLabel(name)) {
    return `${quoted(name)} is reserved (${RESERVED_LABELS.join(", ")} and names starting with ` +
      '"__" belong to the lake and the Prometheus exposition)';
  }
  return undefined;
}

/**
 * What is wrong with a label value, if anything.
 *
 * @param value The value.
 * @returns A one-line problem, or undefined if it is valid.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labelValueProblem } from "./names.ts";
 * assert.equal(labelValueProblem("/var/lib, \"x\""), undefined);
 * assert.match(labelValueProblem("a\nb")!, /control character/);
 * assert.equal(labelValueProblem("a\u009bb"), "contains a control character (U+009B)");
 * assert.equal(labelValueProblem("\u202egnp.exe"), "contains a bidi control character (U+202E)");
 * assert.match(labelValueProblem("é".repeat(513))!, /longer than 1024 bytes/);
 * ```
 */
export function labelValueProblem(value: string): string | undefined {
  const bytes = utf8Bytes(value);
  if (bytes < 0) return "not valid Unicode (a lone surrogate)";
  if (bytes > LABEL_VALUE_MAX_BYTES) return `longer than ${LABEL_VALUE_MAX_BYTES} bytes`;
  const control = controlIn(value);
  return control && `contains ${control}`;
}

/**
 * The name a host is stored and looked up under: host names are case-insensitive, as DNS names
 * are, so `Web1` and `web1` are one host, `web1`. A host name holds ASCII letters only (see
 * {@linkcode hostNameProblem}), so lower case is the same in every locale, and no two partition
 * directories can differ only by case (one directory on a case-insensitive file system, where
 * the files of one would replace or take the name of the other's).
 *
 * @param host A host name.
 * @returns It in lower case (the same string when it has no capital).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalHost } from "./names.ts";
 * assert.equal(canonicalHost("Web1.Example.com"), "web1.example.com");
 * ```
 */
export function canonicalHost(host: string): string {
  return CAPITAL.test(host) ? host.toLowerCase() : host;
}

const CAPITAL = /[A-Z]/;

/**
 * Whether two host names name one host ({@linkcode canonicalHost}): how a host asked for is
 * found among hosts a source holds in its own case (a Prometheus server, a CSV file).
 *
 * @param a A host name.
 * @param b Another.
 * @returns True when they are equal ignoring case.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sameHost } from "./names.ts";
 * assert.equal(sameHost("Web1", "web1"), true);
 * assert.equal(sameHost("web1", "web2"), false);
 * ```
 */
export function sameHost(a: string, b: string): boolean {
  return a === b || canonicalHost(a) === canonicalHost(b);
}

/**
 * Returns a host name that is valid, in its stored form ({@linkcode canonicalHost}), or throws.
 *
 * @param host The name.
 * @returns The name in lower case.
 * @throws {RangeError} `Invalid host: …` naming the problem.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkHost } from "./names.ts";
 * assert.equal(checkHost("H1"), "h1");
 * assert.throws(() => checkHost("a/b"), /^RangeError: Invalid host: "a\/b" is not a host name/);
 * ```
 */
export function checkHost(host: string): string {
  const problem = hostNameProblem(host);
  if (problem) throw new RangeError(`Invalid host: ${problem}`);
  return canonicalHost(host);
}
