import assert from "node:assert/strict";
import { ByteWriter, T } from "../../lake/_parquet_bytes.ts";
import { writeHybrid } from "../../lake/_parquet_rle.ts";

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
