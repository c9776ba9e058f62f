/**
 * The label names of a label string as written, one per pair, for the edges that take label
 * strings from a request (`/api/series?labels=`, an ingest line's `"labels": "k=v"`):
 * `parseLabels` keeps the last value of a repeated name and drops a pair named `__proto__`, so
 * `k=v,k=w` was read as `k=w` alone without a word.
 *
 * @module
 */

/**
 * Lists the names of `text`'s pairs in order, repeats included (`\` escapes the next character,
 * as in `parseLabels`).
 *
 * @param text The parameter, e.g. `mode=user,cpu=0`.
 * @returns The names, e.g. `["mode", "cpu"]`; a pair without `=` gives its whole text.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labelNamesIn } from "./label_names_in.ts";
 * assert.deepEqual(labelNamesIn("k=v,k=w"), ["k", "k"]);
 * assert.deepEqual(labelNamesIn("a\\,b=1,c=x\\,y"), ["a,b", "c"]);
 * assert.deepEqual(labelNamesIn(""), []);
 * ```
 */
export function labelNamesIn(text: string): string[] {
  if (text === "") return [];
  const names: string[] = [];
  let name = "", inValue = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "\\" && i + 1 < text.length) {
      if (!inValue) name += text[i + 1];
      i++;
    } else if (ch === ",") {
      names.push(name);
      name = "", inValue = false;
    } else if (ch === "=" && !inValue) inValue = true;
    else if (!inValue) name += ch;
  }
  names.push(name);
  return names;
}
