/**
 * The characters that no text from the data may carry to a reader as they are, escaped (`\u001b`)
 * for text that reaches a terminal, a log line, a page or the report, and refused in label values
 * at ingest. Plain JavaScript with no imports, so the one list serves the server and the browser
 * alike (served as `/assets/escape_controls.js`, inlined into reports).
 *
 * @module
 */

// C0, DEL and C1 (U+009B is a terminal's CSI, as ESC [ is); the line and paragraph separators
// U+2028/U+2029 (a line break to editors, log viewers and JavaScript before ES2019); the bidi
// embeddings, overrides and isolates U+202A-U+202E and U+2066-U+2069 ("Trojan Source",
// CVE-2021-42574: a right-to-left override makes `exe.png` of `gnp.exe`, even inside an isolate).
// The zero-width joiner U+200D (emoji sequences), the marks LRM/RLM U+200E/U+200F and U+FEFF
// are left alone: real names use them, and none overrides the order of the text or breaks it.
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const CONTROLS = new RegExp(CONTROL.source, "g");
const CONTROLS_BUT_TAB =
  // deno-lint-ignore no-control-regex
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Escapes C0 controls, DEL, C1 controls, U+2028/U+2029 and the bidi controls (U+009B is CSI, as
 * ESC [ is; JSON quoting keeps C1 and the rest), so quoted text can neither send an escape
 * sequence to a terminal, break its line, nor read reversed.
 *
 * @param {string} text The text.
 * @param {{ keepTab?: boolean }} [options] `keepTab`: leave tabs as they are (an error line may
 *   align with them).
 * @returns {string} It with each control character as `\uXXXX`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeControls } from "./escape_controls.js";
 * assert.equal(escapeControls("a\nb\x1b]0;x\x07"), "a\\u000ab\\u001b]0;x\\u0007");
 * assert.equal(escapeControls("a\tb\x9b", { keepTab: true }), "a\tb\\u009b");
 * assert.equal(escapeControls("\u202egnp.exe\u2028"), "\\u202egnp.exe\\u2028");
 * ```
 */
export function escapeControls(text, options = {}) {
  return text.replace(
    options.keepTab ? CONTROLS_BUT_TAB : CONTROLS,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * Text with each character {@linkcode escapeControls} escapes as a space: for a name that is
 * kept (a process's name, an OTLP unit) rather than refused.
 *
 * @param {string} text The text.
 * @returns {string} It with those characters replaced (the same string when it has none).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spaceControls } from "./escape_controls.js";
 * assert.equal(spaceControls("a\nb\u202ec"), "a b c");
 * ```
 */
export function spaceControls(text) {
  return CONTROL.test(text) ? text.replace(CONTROLS, " ") : text;
}

/**
 * The first character {@linkcode escapeControls} escapes, named for a one-line refusal: the one
 * place that says which characters a label value may not hold (the lake and the receivers ask).
 *
 * @param {string} text The text.
 * @returns {string | undefined} `a control character (U+009B)`, `a bidi control character (U+202E)`, `a line
 *   separator (U+2028)` or `a paragraph separator (U+2029)`; undefined if there is none.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { controlIn } from "./escape_controls.js";
 * assert.equal(controlIn("a\u009bb"), "a control character (U+009B)");
 * assert.equal(controlIn("\u202egnp.exe"), "a bidi control character (U+202E)");
 * assert.equal(controlIn("a\u2028b"), "a line separator (U+2028)");
 * assert.equal(controlIn("👩\u200d💻 \u200f\ufeff"), undefined);
 * ```
 */
export function controlIn(text) {
  const found = CONTROL.exec(text);
  if (!found) return undefined;
  const c = found[0].charCodeAt(0);
  const code = `U+${c.toString(16).toUpperCase().padStart(4, "0")}`;
  if (c === 0x2028) return `a line separator (${code})`;
  if (c === 0x2029) return `a paragraph separator (${code})`;
  if (c > 0x2029) return `a bidi control character (${code})`;
  return `a control character (${code})`;
}
