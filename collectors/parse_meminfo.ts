/**
 * Parser for `/proc/meminfo`.
 *
 * @module
 */

/**
 * Parses `/proc/meminfo` into a map from key (e.g. `MemTotal`) to value; values with a `kB`
 * unit are converted to bytes, others (e.g. `HugePages_Total`) are kept as counts. Lines
 * without a `key:` and a number are skipped.
 *
 * @param text The file's contents.
 * @returns Values by key.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMeminfo } from "./parse_meminfo.ts";
 * const m = parseMeminfo("MemTotal:  2048 kB\nHugePages_Total:   3\nbad\n");
 * assert.equal(m.get("MemTotal"), 2048 * 1024);
 * assert.equal(m.get("HugePages_Total"), 3);
 * assert.equal(m.size, 2);
 * ```
 */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    let rest = line.slice(colon + 1).trim();
    let scale = 1;
    if (rest.endsWith(" kB")) {
      rest = rest.slice(0, -3);
      scale = 1024;
    }
    if (rest === "") continue;
    const value = Number(rest);
    if (Number.isFinite(value)) out.set(line.slice(0, colon), value * scale);
  }
  return out;
}
