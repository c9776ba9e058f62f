/**
 * The stable identity of an alert instance: a hash of its label set, as Alertmanager computes
 * its own fingerprints (FNV-1a 64 over sorted names and values).
 *
 * @module
 */

const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;
const SEP = 0xff; // Prometheus' label separator byte: never inside UTF-8 text
const encoder = new TextEncoder();

/**
 * Hashes a label set into 16 hex digits, independent of the keys' order.
 *
 * @param labels The labels.
 * @returns 16 lowercase hex digits.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fingerprint } from "./fingerprint.ts";
 * assert.equal(fingerprint({ a: "1", b: "2" }), fingerprint({ b: "2", a: "1" }));
 * assert.match(fingerprint({}), /^[0-9a-f]{16}$/);
 * assert.notEqual(fingerprint({ a: "1" }), fingerprint({ a: "2" }));
 * ```
 */
export function fingerprint(labels: Readonly<Record<string, string>>): string {
  let h = OFFSET;
  for (const name of Object.keys(labels).sort()) {
    for (const part of [name, labels[name]!]) {
      for (const byte of encoder.encode(part)) h = ((h ^ BigInt(byte)) * PRIME) & MASK;
      h = ((h ^ BigInt(SEP)) * PRIME) & MASK;
    }
  }
  return h.toString(16).padStart(16, "0");
}
