/**
 * Label text as the collectors store it: control characters as spaces.
 *
 * @module
 */
import { spaceControls } from "../format/escape_controls.js";

/**
 * Text the host's users chose (a process's name or command line, a FUSE mount point or device)
 * with each control character as a space: a newline broke a table row or a log line, an escape
 * sequence reached the terminal of whoever printed the labels (`perfscope query`), and a
 * right-to-left override (U+202E) showed a process `gnp.exe` as `exe.png`. The characters are
 * those the lake refuses in a pushed label value (C0, DEL, C1, bidi controls, U+2028/U+2029).
 *
 * @param text The text.
 * @returns It with control characters replaced (the same string when it has none).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { printable } from "./_printable.ts";
 * assert.equal(printable("a\x1b]0;t\x07\nb"), "a ]0;t  b");
 * assert.equal(printable("\u202egnp.exe"), " gnp.exe");
 * ```
 */
export function printable(text: string): string {
  return spaceControls(text);
}
