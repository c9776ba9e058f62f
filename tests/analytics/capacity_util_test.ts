import assert from "node:assert/strict";
import {
  firstAtOrAbove,
  medianInPlace,
  selectKth,
} from "../../analytics/capacity/capacity_util.ts";
import { mulberry32 } from "../../lake/mod.ts";

Deno.test("selectKth() and medianInPlace() agree with sorting", () => {
  const random = mulberry32(9);
  for (let n = 1; n < 40; n++) {
    const a = Float64Array.from({ length: n }, () => Math.floor(random() * 10));
    const sorted = a.slice().sort();
    for (let k = 0; k < n; k++) assert.equal(selectKth(a.slice(), n, k), sorted[k]);
    const mid = n % 2 ? sorted[n >> 1]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
    assert.equal(medianInPlace(a.slice(), n), mid);
  }
  assert.ok(Number.isNaN(medianInPlace(new Float64Array(0), 0)));
});

Deno.test("mulberry32() is deterministic and uniform on [0, 1)", () => {
  const a = mulberry32(1);
  const b = mulberry32(1);
  let sum = 0;
  for (let i = 0; i < 10_000; i++) {
    const v = a();
    assert.equal(v, b());
    assert.ok(v >= 0 && v < 1);
    sum += v;
  }
  assert.ok(Math.abs(sum / 10_000 - 0.5) < 0.02);
});

Deno.test("firstAtOrAbove() finds the first crossing of lines and parabolas", () => {
  assert.equal(firstAtOrAbove(-4, 2, 0, 0, 10), 2);
  assert.equal(firstAtOrAbove(1, 0, 0, 0, 10), 0);
  assert.ok(Number.isNaN(firstAtOrAbove(-1, 0, 0, 0, 10)));
  assert.ok(Number.isNaN(firstAtOrAbove(-1, 0, -1, 0, 10)), "no real root");
  assert.equal(firstAtOrAbove(-9, 0, 1, 0, 10), 3);
  assert.equal(firstAtOrAbove(-3, 4, -1, 0, 10), 1, "the earlier root of two");
  assert.ok(Number.isNaN(firstAtOrAbove(-100, 0, 1, 0, 5)), "root past the end");
  assert.equal(firstAtOrAbove(0, 0, -1, -1, 1), 0, "t = 0 root");
});
