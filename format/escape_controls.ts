/**
 * Control characters written out as `\u001b`, for text that reaches a terminal or a log line.
 *
 * @module
 */

// deno-lint-ignore no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
// deno-lint-ignore no-control-regex
const CONTROLS_BUT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

/**
 * Escapes C0 controls, DEL and C1 controls (U+009B is CSI, as ESC [ is; JSON quoting keeps it),
 * so quoted text can neither send an escape sequence to a terminal nor break its line.
 *
 * @param text The text.
 * @param options `keepTab`: leave tabs as they are (an error line may align with them).
 * @returns It with each control character as `\uXXXX`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeControls } from "./escape_controls.ts";
 * assert.equal(escapeControls("a\nb\x1b]0;x\x07"), "a\\u000ab\\u001b]0;x\\u0007");
 * assert.equal(escapeControls("a\tb\x9b", { keepTab: true }), "a\tb\\u009b");
 * ```
 */
export function escapeControls(text: string, options: { keepTab?: boolean } = {}): string {
  return text.replace(
    options.keepTab ? CONTROLS_BUT_TAB : CONTROLS,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
