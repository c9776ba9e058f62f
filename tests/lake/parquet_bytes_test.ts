import assert from "node:assert/strict";
import { ByteWriter, T } from "../../lake/_parquet_bytes.ts";
import fc from "fast-check";
import { writeHybrid, writeHybridRuns } from "../../lake/_parquet_rle.ts";

Deno.test("ByteWriter grows, writes LEB128, zigzag and Thrift compact field headers", () => {
  const w = new ByteWriter(1);
  w.varint(300);
  w.zigzag(-1);
  w.zigzag(2 ** 40);
  w.begin();
  w.i32(1, 7);
  w.i32(20, 1); // a jump of more than 15 ids: long form
  w.list(21, T.I32, 20); // 15 or more elements: long list header
  w.end();
  w.append(new Uint8Array(5000));
  const b = w.bytes();
  assert.deepEqual([...b.subarray(0, 3)], [0xac, 0x02, 0x01]);
  assert.deepEqual([...b.subarray(3, 9)], [0x80, 0x80, 0x80, 0x80, 0x80, 0x40]);
  assert.deepEqual([...b.subarray(9, 18)], [0x15, 0x0e, 0x05, 0x28, 0x02, 0x19, 0xf5, 0x14, 0x00]);
  assert.equal(b.length, 18 + 5000);
});

Deno.test("writeHybrid() bit-packs mixed values and runs long repeats", () => {
  const w = new ByteWriter(4);
  writeHybrid(w, new Uint32Array([1, 2, 3, 4, 5, 6, 7, 0, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]), 18, 4);
  // one bit-packed group of 8 (header 3), then a run of ten 9s (header 20, value 9)
  assert.deepEqual([...w.bytes()], [3, 0x21, 0x43, 0x65, 0x07, 20, 9]);
});

/** The hybrid encoding bit by bit, as the format describes it: the reference for the fast one. */
function referenceHybrid(values: Uint32Array, n: number, width: number): number[] {
  const out: number[] = [];
  const varint = (x: number) => {
    while (x >= 128) out.push((x % 128) | 128), x = Math.floor(x / 128);
    out.push(x);
  };
  let i = 0;
  while (i < n) {
    let run = 1;
    while (i + run < n && values[i + run] === values[i]) run++;
    if (run >= 8) {
      varint(run * 2);
      for (let b = 0, v = values[i]!; b < (width + 7) >> 3; b++, v >>>= 8) out.push(v & 0xff);
      i += run;
      continue;
    }
    let groups = 0;
    let j = i;
    while (j < n) {
      groups++;
      j += 8;
      if (j + 8 <= n && values.subarray(j, j + 8).every((v) => v === values[j])) break;
    }
    varint(groups * 2 + 1);
    const bits: number[] = [];
    for (let k = i; k < i + groups * 8; k++) {
      const v = k < n ? values[k]! : 0;
      for (let b = 0; b < width; b++) bits.push(Math.floor(v / 2 ** b) % 2);
    }
    for (let b = 0; b < bits.length; b += 8) {
      out.push(bits.slice(b, b + 8).reduce((acc, bit, k) => acc | (bit << k), 0));
    }
    i = Math.min(n, i + groups * 8);
  }
  return out;
}

Deno.test("writeHybrid() and writeHybridRuns() write the reference encoding's bytes for any runs and widths", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 32 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 20 })), { maxLength: 60 }),
      (width, runs) => {
        const max = width === 32 ? 2 ** 32 : 2 ** width;
        const runValue = Uint32Array.from(runs, ([v]) => v % Math.min(max, 5) === 0 ? 0 : v % max);
        const runLength = Uint32Array.from(runs, ([, l]) => l);
        const values = Uint32Array.from(
          runs.flatMap((_, r) => Array(runLength[r]!).fill(runValue[r]!)),
        );
        const expected = referenceHybrid(values, values.length, width);
        const w = new ByteWriter(1);
        w.byte(0xee); // a byte already there stays
        writeHybrid(w, values, values.length, width);
        assert.deepEqual([...w.bytes()], [0xee, ...expected]);
        const r = new ByteWriter(1);
        writeHybridRuns(r, runValue, runLength, runs.length, width);
        assert.deepEqual([...r.bytes()], expected);
      },
    ),
    { numRuns: 400 },
  );
});
