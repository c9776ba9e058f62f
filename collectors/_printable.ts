/**
 * Label text as the collectors store it: control characters as spaces.
 *
 * @module
 */

/** C0 controls, DEL and C1 controls (U+009B is CSI, as ESC [ is). */
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f]/g;

/**
 * Text the host's users chose (a process's name or command line, a FUSE mount point or device)
 * with each control character as a space: a newline broke a table row or a log line, and an
 * escape sequence reached the terminal of whoever printed the labels (`perfscope query`).
 *
 * @param text The text.
 * @returns It with control characters replaced (the same string when it has none).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { printable } from "./_printable.ts";
 * assert.equal(printable("a\x1b]0;t\x07\nb"), "a ]0;t  b");
 * ```
 */
export function printable(text: string): string {
  return text.replace(CONTROL, " ");
}
