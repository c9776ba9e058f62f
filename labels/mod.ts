/**
 * Labels: the canonical text of a label set (keys sorted, `k=v` joined by commas, `\` `,` `=`
 * escaped by a backslash) and its inverse. A ground floor like `config/` and `format/`, so that
 * the collectors and the receivers, which may not import each other, write one form.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatLabels, parseLabels } from "./mod.ts";
 * const text = formatLabels({ mode: "user", cpu: "0" });
 * assert.equal(text, "cpu=0,mode=user");
 * assert.deepEqual(parseLabels(text), { cpu: "0", mode: "user" });
 * ```
 *
 * @module
 */
export { formatLabels } from "./format_labels.ts";
export { labelNamesIn } from "./label_names_in.ts";
export { parseLabels } from "./parse_labels.ts";
