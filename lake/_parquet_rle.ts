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
  let i = 0;
  while (i < n) {
    let run = 1;
    while (i + run < n && values[i + run] === values[i]) run++;
    if (run >= 8) {
      writeRun(w, values[i]!, run, width);
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
    pack(w, values, i, Math.min(n, i + groups * 8), groups * 8, width);
    i = Math.min(n, i + groups * 8);
  }
}

/**
 * {@linkcode writeHybrid} of values given as runs (`runLength[r]` times `runValue[r]`, lengths
 * above 0): the same bytes, with work per run where the runs are 8 or longer (a column of
 * dictionary indices sorted by series: every series' rows share its metric and labels).
 *
 * @param w Where to write.
 * @param runValue The value of each run.
 * @param runLength The length of each run.
 * @param runs How many runs.
 * @param width Bits per value, 1…32.
 */
export function writeHybridRuns(
  w: ByteWriter,
  runValue: Uint32Array,
  runLength: Uint32Array,
  runs: number,
  width: number,
): void {
  // Merged into maximal runs: the per-value encoding sees equal neighbours as one repetition.
  const value = new Uint32Array(runs);
  const start = new Float64Array(runs + 1);
  let m = 0;
  let n = 0;
  for (let r = 0; r < runs; r++) {
    if (m > 0 && value[m - 1] === runValue[r]) {
      n += runLength[r]!;
      continue;
    }
    value[m] = runValue[r]!;
    start[m++] = n;
    n += runLength[r]!;
  }
  start[m] = n;
  let scratch = new Uint32Array(64);
  let r = 0; // the run holding position i
  let i = 0;
  while (i < n) {
    while (start[r + 1]! <= i) r++;
    const rest = start[r + 1]! - i;
    if (rest >= 8) {
      writeRun(w, value[r]!, rest, width);
      i += rest;
      continue;
    }
    let groups = 0;
    let j = i;
    let q = r; // the run holding position j
    while (j < n && groups < 0x3fffffff) {
      groups++;
      j += 8;
      if (j + 8 <= n) {
        while (start[q + 1]! <= j) q++;
        if (start[q + 1]! - j >= 8) break;
      }
    }
    const end = Math.min(n, i + groups * 8);
    if (scratch.length < end - i) scratch = new Uint32Array(2 * (end - i));
    let k = 0;
    for (let p = r, at = i; at < end; p++) {
      const v = value[p]!;
      const stop = Math.min(end, start[p + 1]!);
      while (at < stop) scratch[k++] = v, at++;
    }
    w.varint(groups * 2 + 1);
    pack(w, scratch, 0, k, groups * 8, width);
    i = end;
  }
}

/**
 * {@linkcode writeHybrid} for a piece of a page that more pieces may follow: nothing is padded.
 * Repetitions of 8 or more equal values are RLE runs, other values go in whole bit-packed groups
 * of 8, and the last `n % 8` or so values that fill no group are written as short RLE runs
 * (a reader takes a run of any length; padding a group would add values to the column).
 *
 * @param w Where to write.
 * @param values The values.
 * @param n How many.
 * @param width Bits per value, 1…32.
 */
export function writeHybridPiece(
  w: ByteWriter,
  values: Uint32Array,
  n: number,
  width: number,
): void {
  let i = 0;
  while (i + 8 <= n) {
    if (allEqual(values, i)) {
      const v = values[i]!;
      let j = i + 8;
      while (j < n && values[j] === v) j++;
      writeRun(w, v, j - i, width);
      i = j;
      continue;
    }
    let groups = 1;
    let j = i + 8;
    while (j + 8 <= n && groups < 0x3fffffff && !allEqual(values, j)) groups++, j += 8;
    w.varint(groups * 2 + 1);
    pack(w, values, i, j, groups * 8, width);
    i = j;
  }
  while (i < n) {
    const v = values[i]!;
    let j = i + 1;
    while (j < n && values[j] === v) j++;
    writeRun(w, v, j - i, width);
    i = j;
  }
}

/** An RLE run: header `count << 1`, then the value in `ceil(width/8)` bytes, little-endian. */
function writeRun(w: ByteWriter, v: number, count: number, width: number): void {
  const valueBytes = (width + 7) >> 3;
  w.varint(count * 2);
  w.ensure(valueBytes);
  for (let b = 0; b < valueBytes; b++) {
    w.buf[w.pos++] = v & 0xff;
    v >>>= 8;
  }
}

/**
 * Bit-packs `values[from…to)` and zeros up to `slots` values, LSB first, `width` bits each
 * (`slots × width / 8` bytes).
 */
function pack(
  w: ByteWriter,
  values: Uint32Array,
  from: number,
  to: number,
  slots: number,
  width: number,
): void {
  const bytes = (slots * width) >> 3;
  w.ensure(bytes);
  const buf = w.buf;
  let pos = w.pos;
  let acc = 0;
  let bits = 0;
  if (width <= 24) {
    // fewer than 8 bits are held between values: a value shifted above them fits 32 bits
    for (let k = from; k < to; k++) {
      acc |= values[k]! << bits;
      bits += width;
      while (bits >= 8) {
        buf[pos++] = acc & 0xff;
        acc >>>= 8;
        bits -= 8;
      }
    }
  } else {
    for (let k = from; k < to; k++) {
      acc += values[k]! * 2 ** bits; // below 2^40: exact
      bits += width;
      while (bits >= 8) {
        buf[pos++] = acc & 0xff;
        acc = (acc - (acc & 0xff)) / 256;
        bits -= 8;
      }
    }
  }
  if (bits > 0) buf[pos++] = acc & 0xff;
  // the padding values are zeros: zero bytes
  const end = w.pos + bytes;
  buf.fill(0, pos, end);
  w.pos = end;
}

function allEqual(values: Uint32Array, at: number): boolean {
  const v = values[at];
  for (let k = at + 1; k < at + 8; k++) if (values[k] !== v) return false;
  return true;
}
