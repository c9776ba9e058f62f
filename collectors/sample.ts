/**
 * The one record every stage passes along: a timestamped value of a named metric with labels.
 *
 * @module
 */

/** Label names to values. Keys are sorted when stored (see {@linkcode formatLabels}). */
export type Labels = Readonly<Record<string, string>>;

/** One observation of one series. */
export interface Sample {
  /** Milliseconds since the Unix epoch (UTC). */
  ts: number;
  /** Host name the sample belongs to. */
  host: string;
  /** Metric name from the registry, e.g. `cpu_ratio`. */
  metric: string;
  /** Labels that tell series of one metric apart, e.g. `{ cpu: "0", mode: "user" }`. */
  labels: Labels;
  /** The value; `NaN` where a rate could not be computed (first sample, counter reset). */
  value: number;
}

const escapes = /[\\,=]/g;

/**
 * Turns labels into the canonical string stored in the lake: keys sorted, `k=v` joined by
 * commas, with `\`, `,` and `=` escaped by a backslash. No labels give the empty string.
 *
 * @param labels The labels.
 * @returns The canonical string.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatLabels } from "./sample.ts";
 * assert.equal(formatLabels({ mode: "user", cpu: "0" }), "cpu=0,mode=user");
 * assert.equal(formatLabels({ mountpoint: "/a,b" }), "mountpoint=/a\\,b");
 * ```
 */
export function formatLabels(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  let out = "";
  for (const k of keys) {
    if (out) out += ",";
    out += k.replace(escapes, "\\$&") + "=" + labels[k]!.replace(escapes, "\\$&");
  }
  return out;
}

/**
 * Parses a canonical label string back into labels (the inverse of {@linkcode formatLabels}).
 *
 * @param text The canonical string, e.g. `cpu=0,mode=user`.
 * @returns The labels.
 * @throws {SyntaxError} If a pair has no unescaped `=`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLabels } from "./sample.ts";
 * assert.deepEqual(parseLabels("cpu=0,mode=user"), { cpu: "0", mode: "user" });
 * assert.deepEqual(parseLabels(""), {});
 * ```
 */
export function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (text === "") return out;
  let key: string | undefined;
  let cur = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "\\" && i + 1 < text.length) {
      cur += text[++i];
    } else if (ch === "=" && key === undefined) {
      key = cur;
      cur = "";
    } else if (ch === ",") {
      if (key === undefined) throw noPair(text);
      out[key] = cur;
      key = undefined;
      cur = "";
    } else {
      cur += ch;
    }
  }
  if (key === undefined) throw noPair(text);
  out[key] = cur;
  return out;
}

/** The error for a pair without `=`: the text quoted (newlines escaped, so the message stays one
 * line in a log or a 400 answer) and cut at 80 characters (labels may come from a request). */
function noPair(text: string): SyntaxError {
  const shown = JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
  return new SyntaxError(`Invalid labels: pair without "=" in ${shown}`);
}
