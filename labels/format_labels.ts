/**
 * The canonical text of a label set, the form the lake stores and every stage keys series by.
 *
 * @module
 */

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
 * import { formatLabels } from "./format_labels.ts";
 * assert.equal(formatLabels({ mode: "user", cpu: "0" }), "cpu=0,mode=user");
 * assert.equal(formatLabels({ mountpoint: "/a,b" }), "mountpoint=/a\\,b");
 * ```
 */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort();
  let out = "";
  for (const k of keys) {
    if (out) out += ",";
    out += k.replace(escapes, "\\$&") + "=" + labels[k]!.replace(escapes, "\\$&");
  }
  return out;
}
