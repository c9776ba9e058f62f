/**
 * Parser for `/proc/net/snmp` (and `/proc/net/netstat`, which has the same layout).
 *
 * @module
 */

/**
 * Parses the paired header/value lines of `/proc/net/snmp` into `protocol → field → value`,
 * e.g. `Tcp` → `CurrEstab` → 12. A header line whose next line is not the same protocol's
 * values is skipped, as are non-numeric values.
 *
 * @param text The file's contents.
 * @returns Fields by protocol.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseNetSnmp } from "./parse_net_snmp.ts";
 * const s = parseNetSnmp("Tcp: CurrEstab RetransSegs\nTcp: 3 17\n");
 * assert.equal(s.get("Tcp")?.get("RetransSegs"), 17);
 * ```
 */
export function parseNetSnmp(text: string): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  const lines = text.split("\n");
  for (let i = 0; i + 1 < lines.length; i++) {
    const head = lines[i]!;
    const colon = head.indexOf(":");
    if (colon <= 0) continue;
    const proto = head.slice(0, colon);
    const next = lines[i + 1]!;
    if (!next.startsWith(proto + ":")) continue;
    const names = head.slice(colon + 1).trim().split(/\s+/);
    const values = next.slice(colon + 1).trim().split(/\s+/);
    const fields = out.get(proto) ?? new Map<string, number>();
    for (let k = 0; k < names.length && k < values.length; k++) {
      const v = Number(values[k]);
      if (Number.isFinite(v) && values[k] !== "") fields.set(names[k]!, v);
    }
    out.set(proto, fields);
    i++;
  }
  return out;
}
