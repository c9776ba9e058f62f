/**
 * Parser for `/proc/vmstat`.
 *
 * @module
 */

/**
 * Parses `/proc/vmstat` (`name value` per line) into a map. Lines that are not a name and one
 * number are skipped.
 *
 * @param text The file's contents.
 * @returns Counters and gauges by name.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseVmstat } from "./parse_vmstat.ts";
 * const v = parseVmstat("pgfault 1121449\npgmajfault 189\noops\n");
 * assert.equal(v.get("pgmajfault"), 189);
 * assert.equal(v.size, 2);
 * ```
 */
export function parseVmstat(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const sp = line.indexOf(" ");
    if (sp <= 0) continue;
    const value = Number(line.slice(sp + 1));
    if (Number.isFinite(value) && line.slice(sp + 1).trim() !== "") {
      out.set(line.slice(0, sp), value);
    }
  }
  return out;
}
