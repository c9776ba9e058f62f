/**
 * Which of a metric's label sets a partial label selector picks (`--labels mountpoint=/`).
 *
 * @module
 */

import { parseLabels } from "../collectors/mod.ts";

/**
 * The label sets that contain every `k=v` of `wanted` (other labels are free). An exact match
 * wins on its own: `{}` picks a series without labels even when labelled ones exist, and
 * `cpu=0` picks `cpu=0` over `cpu=0,mode=user`.
 *
 * @param labelSets Canonical label strings of the candidate series, e.g. from `Lake.metrics()`.
 * @param wanted Canonical label string of the selector (`""` for none: matches every set).
 * @returns The matching sets, in the order given, without duplicates.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matchLabels } from "./match_labels.ts";
 * const sets = ["device=/dev/sda1,mountpoint=/", "device=/dev/sdb1,mountpoint=/home"];
 * assert.deepEqual(matchLabels(sets, "mountpoint=/"), ["device=/dev/sda1,mountpoint=/"]);
 * assert.deepEqual(matchLabels(sets, ""), sets);
 * assert.deepEqual(matchLabels(sets, "mountpoint=/var"), []);
 * ```
 */
export function matchLabels(labelSets: readonly string[], wanted: string): string[] {
  const unique = [...new Set(labelSets)];
  if (unique.includes(wanted)) return [wanted];
  const pairs = Object.entries(parseLabels(wanted));
  return unique.filter((set) => {
    const have = parseLabels(set);
    return pairs.every(([k, v]) => Object.hasOwn(have, k) && have[k] === v);
  });
}

/**
 * The label sets as `{a=1,b=2}`, joined by `, `, at most `max` of them and then `… and N more`.
 *
 * @param labelSets Canonical label strings.
 * @param max How many to show (default 5).
 * @returns One line of text.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { listLabelSets } from "./match_labels.ts";
 * assert.equal(listLabelSets(["a=1", "a=2", "a=3"], 2), "{a=1}, {a=2} … and 1 more");
 * ```
 */
export function listLabelSets(labelSets: readonly string[], max = 5): string {
  const shown = labelSets.slice(0, max).map((s) => `{${s}}`).join(", ");
  const rest = labelSets.length - max;
  return rest > 0 ? `${shown} … and ${rest} more` : shown;
}
