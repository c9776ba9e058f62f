/**
 * One rule for the label names every receiver cleans (StatsD tags, OTLP attributes, a scraped
 * page's labels): what happens when two of a source's keys clean to the same name.
 *
 * @module
 */
import { labelName } from "./_labels.ts";

/** A label as a source gave it, or as cleaned. */
export type LabelPair = readonly [name: string, value: string];

/** Up to this many labels, a clash is looked for by scanning the labels kept so far. */
const SCAN_MAX = 8;

/**
 * A source's labels with their names cleaned to the lake's charset ({@linkcode labelName}; a
 * `__*` name is dropped). Keys that clean to the same name (`a.b`, `a-b` and `a_b` all give
 * `a_b`) become one label whose value is their values joined by `;`, in the order of the
 * original keys sorted, so no value is lost and the labels do not depend on the order the
 * source sent its keys in. This is Prometheus' OTLP translation: `createAttributes` in
 * prometheus/prometheus `storage/remote/otlptranslator/prometheusremotewrite/helper.go` sorts a
 * point's attributes by key, then appends `;` and the value to a cleaned name already set; the
 * OpenTelemetry spec requires the same (Metric Attributes in
 * `specification/compatibility/prometheus_and_openmetrics.md`). Two cases OTLP's unique keys
 * never meet are settled in its spirit: a key given twice with different values (a StatsD
 * `#env:a,env:b`) joins them sorted by value, and the same key and value twice count once. Keys
 * are compared by UTF-16 code units (Go compares bytes: the orders differ only between
 * characters past U+FFFF and U+E000–U+FFFF).
 *
 * A name the lake reserves (`host`, `job`…) is left as it is, for `addLabels` (_labels.ts) to
 * move aside as `exported_<name>`. Without a clash this is one pass that keeps the source's
 * pairs whose names are already clean; the sort is paid only when two names meet.
 *
 * @param pairs The source's labels, in the order it sent them.
 * @returns The labels with clean, distinct names (in the source's order without a clash, else
 * in the order of the sorted keys).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cleanLabelNames } from "./_clean_label_names.ts";
 * assert.deepEqual(cleanLabelNames([["a_b", "2"], ["a.b", "1"], ["route", "/a"]]), [
 *   ["a_b", "1;2"],
 *   ["route", "/a"],
 * ]);
 * const cleaned = cleanLabelNames([["service.name", "api"], ["__x", "y"]]);
 * assert.deepEqual(cleaned, [["service_name", "api"]]);
 * ```
 */
export function cleanLabelNames(pairs: readonly LabelPair[]): LabelPair[] {
  const out: LabelPair[] = [];
  let seen: Set<string> | undefined;
  for (const pair of pairs) {
    const n = labelName(pair[0]);
    if (n === undefined) continue;
    if (seen) {
      if (seen.has(n)) return joinClashing(pairs);
      seen.add(n);
    } else {
      for (const kept of out) if (kept[0] === n) return joinClashing(pairs);
      if (out.length === SCAN_MAX) seen = new Set([...out.map((p) => p[0]), n]);
    }
    out.push(n === pair[0] ? pair : [n, pair[1]]);
  }
  return out;
}

/** The slow path of {@linkcode cleanLabelNames}: at least two keys clean to one name. */
function joinClashing(pairs: readonly LabelPair[]): LabelPair[] {
  const named: [name: string, key: string, value: string][] = [];
  for (const [k, v] of pairs) {
    const n = labelName(k);
    if (n !== undefined) named.push([n, k, v]);
  }
  named.sort((a, b) => compare(a[1], b[1]) || compare(a[2], b[2]));
  const values = new Map<string, string[]>();
  let last: [string, string, string] | undefined;
  for (const e of named) {
    if (last && last[1] === e[1] && last[2] === e[2]) continue; // the same label twice
    last = e;
    const joined = values.get(e[0]);
    if (joined) joined.push(e[2]);
    else values.set(e[0], [e[2]]);
  }
  const out: LabelPair[] = [];
  for (const [n, vs] of values) out.push([n, vs.join(";")]);
  return out;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
