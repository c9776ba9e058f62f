/**
 * Names and labels as the lake takes them. The lake's `IngestWriter.writeBatch` stays the
 * authority (it validates again); these mirror its rules so that one bad series from a scrape or
 * a push is dropped and counted here instead of failing the whole batch there.
 *
 * @module
 */
import { controlIn } from "../format/escape_controls.js";
import { LABEL_VALUE_MAX_BYTES, RESERVED_LABELS } from "../config/label_rules.ts";

export {
  LABEL_NAME_MAX_BYTES,
  LABEL_VALUE_MAX_BYTES,
  MAX_LABELS,
  METRIC_MAX_BYTES,
} from "../config/label_rules.ts";
/** Label names the lake refuses; a source's label of that name is kept as `exported_<name>`. */
const RESERVED = new Set(RESERVED_LABELS);
const nameMemo = new Map<string, string>();
const labelMemo = new Map<string, string | undefined>();

/**
 * A source's metric name in the lake's snake_case: lower case, other characters (`:` `.` `-`)
 * become `_`, a leading digit gets a `_` before it.
 */
export function metricName(name: string): string {
  const hit = nameMemo.get(name);
  if (hit !== undefined) return hit;
  let out = name.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  if (/^[0-9]/.test(out)) out = `_${out}`;
  if (out.startsWith("__")) out = `x${out}`;
  if (nameMemo.size > 20_000) nameMemo.clear();
  nameMemo.set(name, out);
  return out;
}

/** A source's label name in the lake's charset: `__*` is dropped (undefined), other characters
 * become `_`, a leading digit gets a `_` before it. Names the lake reserves are moved aside by
 * {@linkcode addLabels}; keys that clean to one name are joined by `cleanLabelNames`. */
export function labelName(name: string): string | undefined {
  // every StatsD line and OTLP point cleans its names again: remember them, as metricName does
  const hit = labelMemo.get(name);
  if (hit !== undefined || labelMemo.has(name)) return hit;
  let out: string | undefined = name.replace(/[^a-zA-Z0-9_]/g, "_");
  if (/^[0-9]/.test(out)) out = `_${out}`;
  if (name.startsWith("__") || out === "") out = undefined;
  if (labelMemo.size > 20_000) labelMemo.clear();
  labelMemo.set(name, out);
  return out;
}

/** What is wrong with a label value for the lake, if anything (its rules: at most 1024 bytes of
 * UTF-8, no lone surrogate, no control character: C0, DEL, C1, bidi controls, U+2028/U+2029). */
export function labelValueProblem(value: string): string | undefined {
  // a lone surrogate (an OTLP JSON "\ud800"; bytes are decoded to U+FFFD) has no UTF-8: the lake
  // refuses the whole batch for it, where this drops the one series
  if (!value.isWellFormed()) return "label value not valid Unicode (a lone surrogate)";
  if (
    value.length * 3 > LABEL_VALUE_MAX_BYTES &&
    new TextEncoder().encode(value).length > LABEL_VALUE_MAX_BYTES
  ) {
    return `label value longer than ${LABEL_VALUE_MAX_BYTES} bytes`;
  }
  // the one list the lake refuses by (format/escape_controls.js)
  const control = controlIn(value);
  return control && `label value with ${control}`;
}

/**
 * Adds a series' own labels to labels that win over them (a scrape target's, or the ones
 * perfscope sets) and to the names the lake reserves (`host`, `instance`, `job`, `le`,
 * `quantile`): a label keeps its name when that is free, else it is kept as
 * `exported_<name>`, the prefix repeated until the name is free (Prometheus' rule for a scraped
 * label that clashes with a target label, honor_labels false), so no value is lost. Like
 * Prometheus, the clashing labels are placed after the others, shortest name first, so a
 * series' own `exported_x` keeps its name beside a clashing `x`.
 *
 * @param into The winning labels; the added ones are written into it.
 * @param own The series' labels, names cleaned and distinct (`cleanLabelNames`).
 * @param reserved Names left free for a label set after these (a histogram's `bucket`).
 */
export function addLabels(
  into: Record<string, string>,
  own: Iterable<readonly [string, string]>,
  reserved?: string,
): void {
  let clashes: [string, string][] | undefined;
  for (const pair of own) {
    const n = pair[0];
    if (Object.hasOwn(into, n) || n === reserved || RESERVED.has(n)) {
      (clashes ??= []).push([n, pair[1]]);
    } else into[n] = pair[1];
  }
  if (!clashes) return;
  // by name within a length, so the result does not depend on the order the source sent them in
  clashes.sort((a, b) => a[0].length - b[0].length || (a[0] < b[0] ? -1 : 1));
  for (const [n, v] of clashes) {
    let name = `exported_${n}`;
    while (Object.hasOwn(into, name) || name === reserved) name = `exported_${name}`;
    into[name] = v;
  }
}
