/**
 * Reads the canonical text of a label set back into labels.
 *
 * @module
 */

/**
 * Parses a canonical label string back into labels (the inverse of `formatLabels`).
 *
 * @param text The canonical string, e.g. `cpu=0,mode=user`.
 * @returns The labels.
 * @throws {SyntaxError} If a pair has no unescaped `=`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLabels } from "./parse_labels.ts";
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
 * line in a log or a 400 answer) and cut at 80 characters (labels may come from a request). The
 * caller names the field (`Invalid labels: …`, `labels: …`), so the message does not. */
function noPair(text: string): SyntaxError {
  const shown = JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
  return new SyntaxError(`pair without "=" in ${shown}`);
}
