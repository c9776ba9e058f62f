/**
 * Parser for `/proc/net/dev`.
 *
 * @module
 */

import { splitFields } from "./_fields.ts";

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
  for (const line of text.split("\n")) {
    const colon = line.lastIndexOf(":");
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const fields = splitFields(line.slice(colon + 1));
    if (name === "" || fields.length < 16) continue;
    // Plain loops, no callbacks: this runs every second in an interpreter (lite mode).
    const f: number[] = new Array(fields.length);
    let finite = true;
    for (let i = 0; i < fields.length; i++) {
      const x = Number(fields[i]);
      f[i] = x;
      if (x - x !== 0) finite = false;
    }
    if (!finite) continue;
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
