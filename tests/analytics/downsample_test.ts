import assert from "node:assert/strict";
import { downsample } from "../../analytics/capacity/downsample.ts";

Deno.test("downsample() passes short series through unchanged", () => {
  const out = downsample([1, 2, 3], [[4, NaN, 6]], 10);
  assert.deepEqual(out, { ts: [1, 2, 3], columns: [[4, null, 6]] });
});

Deno.test("downsample() averages equal-count buckets and keeps columns aligned", () => {
  const ts = Float64Array.from({ length: 1000 }, (_, i) => i * 1000);
  const a = Float64Array.from(ts, (t) => t / 1000);
  const b = Float64Array.from(ts, () => 7);
  const out = downsample(ts, [a, b], 100);
  assert.equal(out.ts.length, 100);
  assert.equal(out.columns[0]!.length, 100);
  assert.equal(out.columns[0]![0], 4.5);
  assert.equal(out.ts[0], 4500);
  assert.ok(out.columns[1]!.every((v) => v === 7));
});

Deno.test("downsample() turns an all-NaN bucket into a gap and handles empty input", () => {
  const out = downsample([0, 1, 2, 3], [[NaN, NaN, 1, 3]], 2);
  assert.deepEqual(out.columns, [[null, 2]]);
  assert.deepEqual(downsample([], [[]], 5), { ts: [], columns: [[]] });
});

Deno.test("downsample() rejects a bad limit and misaligned columns", () => {
  assert.throws(() => downsample([1], [[1]], 0), /Invalid maxPoints: 0/);
  assert.throws(() => downsample([1, 2], [[1]], 5), /Column length 1 differs from 2/);
});
