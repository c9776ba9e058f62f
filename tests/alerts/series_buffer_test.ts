import assert from "node:assert/strict";
import { MAX_POINTS, SeriesBuffer } from "../../alerts/mod.ts";

Deno.test("SeriesBuffer keeps only the window its rules read", () => {
  const buf = new SeriesBuffer();
  buf.keepMs = 10_000;
  for (let i = 0; i < 10_000; i++) buf.push(i * 1000, i);
  assert.equal(buf.length, 10);
  assert.equal(buf.reduce("min", 9_999_000, 10_000), 9990);
});

Deno.test("SeriesBuffer with keepMs 0 holds one sample", () => {
  const buf = new SeriesBuffer();
  for (let i = 0; i < 100; i++) buf.push(i, i);
  assert.equal(buf.length, 1);
  assert.equal(buf.reduce("last", 99, 0), 99);
});

Deno.test("SeriesBuffer never holds more than MAX_POINTS", () => {
  const buf = new SeriesBuffer();
  buf.keepMs = Infinity;
  for (let i = 0; i < MAX_POINTS + 10; i++) buf.push(i, i);
  assert.equal(buf.length, MAX_POINTS);
  assert.equal(buf.reduce("min", Infinity, Infinity), 10);
});

Deno.test("SeriesBuffer drops out-of-order samples and lets the newest win at one instant", () => {
  const buf = new SeriesBuffer();
  buf.keepMs = 60_000;
  assert.equal(buf.push(2000, 1), true);
  assert.equal(buf.push(1000, 50), false);
  assert.equal(buf.push(2000, 7), true);
  assert.equal(buf.reduce("max", 2000, 60_000), 7);
});

Deno.test("SeriesBuffer.reduce() skips NaN, ignores samples after now, and gives NaN when empty", () => {
  const buf = new SeriesBuffer();
  buf.keepMs = 60_000;
  assert.ok(Number.isNaN(buf.reduce("avg", 0, 1000)));
  buf.push(1000, 2);
  buf.push(2000, NaN);
  buf.push(3000, 4);
  buf.push(9000, 100);
  assert.equal(buf.reduce("avg", 3000, 10_000), 3);
  assert.equal(buf.reduce("last", 2500, 10_000), 2);
  assert.ok(Number.isNaN(buf.reduce("rate", 1000, 10_000))); // one point: no rate
  assert.equal(buf.reduce("rate", 3000, 10_000), 1); // (4 − 2) / 2 s
});

Deno.test("SeriesBuffer p95 interpolates between order statistics (R-7)", () => {
  const buf = new SeriesBuffer();
  buf.keepMs = 100_000;
  for (let i = 1; i <= 21; i++) buf.push(i * 1000, 22 - i); // 21 … 1, unsorted in time
  assert.equal(buf.reduce("p95", 21_000, 100_000), 20);
  assert.equal(buf.reduce("p95", 21_000, 100_000, 42), 20); // from the memo: same answer
});

Deno.test("SeriesBuffer reductions stay finite on huge values", () => {
  const buf = new SeriesBuffer();
  buf.keepMs = 10_000;
  buf.push(1000, 1e300);
  buf.push(2000, 1e300);
  assert.equal(buf.reduce("max", 2000, 10_000), 1e300);
  assert.equal(buf.reduce("p95", 2000, 10_000), 1e300);
});

Deno.test("SeriesBuffer: a sample replacing the newest at the same instant is seen by a reduction already made at that time", () => {
  const buf = new SeriesBuffer();
  buf.keepMs = 60_000;
  buf.push(1000, 1);
  buf.push(2000, 3);
  assert.equal(buf.reduce("avg", 2000, 60_000, 1), 2);
  assert.equal(buf.reduce("max", 2000, 60_000, 2), 3);
  assert.equal(buf.push(2000, 11), true);
  assert.equal(buf.reduce("avg", 2000, 60_000, 1), 6);
  assert.equal(buf.reduce("max", 2000, 60_000, 2), 11);
});
