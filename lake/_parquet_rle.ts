/**
 * Private: the RLE / bit-packing hybrid encoding of Parquet (apache/parquet-format
 * `Encodings.md`), used for dictionary indices.
 *
 * @module
 */

import type { ByteWriter } from "./_parquet_bytes.ts";

/** Bits needed for values `0 … count-1` (at least 1). */
export function bitWidth(count: number): number {
  let w = 1;
  while (w < 32 && 2 ** w < count) w++;
  return w;
}

/**
 * Writes `values[0…n)` (each below `2^width`) as the hybrid encoding: a repetition of 8 or
 * more equal values becomes one RLE run (header `count << 1`, then the value in
 * `ceil(width/8)` bytes, little-endian); other values go in bit-packed groups of 8 (header
 * `groups << 1 | 1`, values packed LSB first). Only the last group may be padded, with zeros.
 *
 * @param w Where to write.
 * @param values The values.
 * @param n How many.
 * @param width Bits per value, 1…32.
 */
export function writeHybrid(w: ByteWriter, values: Uint32Array, n: number, width: number): void {
  const valueBytes = (width + 7) >> 3;
  let i = 0;
  while (i < n) {
    let run = 1;
    while (i + run < n && values[i + run] === values[i]) run++;
    if (run >= 8) {
      w.varint(run * 2);
      w.ensure(valueBytes);
      let v = values[i]!;
      for (let b = 0; b < valueBytes; b++) {
        w.buf[w.pos++] = v & 0xff;
        v >>>= 8;
      }
      i += run;
      continue;
    }
    // Bit-packed groups until a group of 8 equal values starts (or the end).
    let groups = 0;
    let j = i;
    while (j < n && groups < 0x3fffffff) {
      groups++;
      j += 8;
      if (j + 8 <= n && allEqual(values, j)) break;
    }
    w.varint(groups * 2 + 1);
    w.ensure(groups * width);
    let acc = 0;
    let bits = 0;
    for (let k = i; k < i + groups * 8; k++) {
      const v = k < n ? values[k]! : 0;
      // Low bits of v above the bits already held, then flush whole bytes.
      let left = width;
      let rest = v;
      while (left > 0) {
        const take = Math.min(left, 8 - bits);
        acc |= (rest & ((1 << take) - 1)) << bits;
        rest >>>= take;
        bits += take;
        left -= take;
        if (bits === 8) {
          w.buf[w.pos++] = acc;
          acc = 0;
          bits = 0;
        }
      }
    }
    i = Math.min(n, i + groups * 8);
  }
}

function allEqual(values: Uint32Array, at: number): boolean {
  const v = values[at];
  for (let k = at + 1; k < at + 8; k++) if (values[k] !== v) return false;
  return true;
}
