/**
 * Parser for `/proc/net/dev`.
 *
 * @module
 */

/** One interface's counters since it came up. */
export interface NetDev {
  /** Interface name, e.g. `eth0`. */
  interface: string;
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDrops: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDrops: number;
}

/**
 * Parses `/proc/net/dev`. The two header lines, and lines without `name:` followed by 16
 * numbers, are skipped. Counters above 2^53 lose precision (JavaScript numbers).
 *
 * @param text The file's contents.
 * @returns One record per interface, in file order.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseNetDev } from "./parse_net_dev.ts";
 * const [d] = parseNetDev("  lo: 10 1 0 0 0 0 0 0 20 2 0 0 0 0 0 0\n");
 * assert.equal(d!.interface, "lo");
 * assert.equal(d!.txBytes, 20);
 * ```
 */
export function parseNetDev(text: string): NetDev[] {
  const out: NetDev[] = [];
  const f = fields;
  for (const line of text.split("\n")) {
    const colon = line.lastIndexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === "") continue;
    // The fields between runs of spaces (the kernel pads its columns) from a split on one
    // space, skipping the empty strings between: no regular expression, which V8's
    // interpreter (lite mode) runs slowly. Plain loops, no callbacks.
    const parts = line.slice(colon + 1).split(" ");
    let k = 0;
    let finite = true;
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (p === "") continue;
      const x = Number(p);
      if (x - x !== 0) finite = false;
      f[k++] = x;
    }
    if (k < 16 || !finite) continue;
    out.push({
      interface: name,
      rxBytes: f[0]!,
      rxPackets: f[1]!,
      rxErrors: f[2]!,
      rxDrops: f[3]!,
      txBytes: f[8]!,
      txPackets: f[9]!,
      txErrors: f[10]!,
      txDrops: f[11]!,
    });
  }
  return out;
}

/** One line's fields (scratch). */
const fields: number[] = [];
