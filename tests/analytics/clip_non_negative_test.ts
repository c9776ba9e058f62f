import assert from "node:assert/strict";
import { forecast } from "../../analytics/forecast/forecast.ts";
import { clipNonNegative } from "../../analytics/forecast/clip_non_negative.ts";
import { seeded } from "./_seeded.ts";

const min = (a: Float64Array) => Math.min(...a);
/** The same history with one value made (barely) negative: the clip must not apply. */
function withNegative(y: Float64Array): Float64Array {
  const out = Float64Array.from(y);
  out[0] = -1e-6;
  return out;
}

Deno.test("forecast() on a mostly-zero ratio clips the 95 % lower bound at 0; one negative value leaves it below", () => {
  const g = seeded(7);
  const y = Float64Array.from({ length: 300 }, () => (g() > 0.8 ? 0.01 * Math.abs(g()) : 0));
  const f = forecast(y, { horizon: 12 });
  assert.equal(min(f.lo95), 0);
  for (const a of [f.mean, f.lo80, f.hi80, f.hi95]) assert.ok(min(a) >= 0);
  const n = forecast(withNegative(y), { horizon: 12 });
  assert.ok(min(n.lo95) < 0, `lo95 ${min(n.lo95)}`);
});

Deno.test("forecast() of a non-negative series falling to 0 keeps the point forecast at 0, not below", () => {
  const y = Float64Array.from({ length: 200 }, (_, i) => Math.max(0, 2 - i / 90));
  const f = forecast(y, { horizon: 40 });
  assert.equal(min(f.mean), 0);
  assert.equal(min(f.lo95), 0);
  for (let h = 0; h < 40; h++) assert.ok(f.lo95[h]! <= f.mean[h]! && f.mean[h]! <= f.hi95[h]!);
  const n = forecast(withNegative(y), { horizon: 40 });
  assert.ok(min(n.mean) < 0 && min(n.lo95) < 0, `mean ${min(n.mean)}, lo95 ${min(n.lo95)}`);
});

Deno.test("clipNonNegative() leaves a history with a negative value, or none finite, untouched and keeps NaN", () => {
  const arr = (...x: number[]) => Float64Array.from(x);
  const make = () => ({
    mean: arr(-1, NaN),
    lo80: arr(-2, 1),
    hi80: arr(1, 2),
    lo95: arr(-3, 0),
    hi95: arr(2, 3),
  });
  const neg = make();
  clipNonNegative(neg as never, arr(1, -0.5, 2));
  assert.deepEqual(neg, make());
  const empty = make();
  clipNonNegative(empty as never, arr(NaN, NaN));
  assert.deepEqual(empty, make());
  const clipped = make();
  clipNonNegative(clipped as never, arr(0, NaN, 3));
  assert.deepEqual([...clipped.mean], [0, NaN]);
  assert.deepEqual([...clipped.lo80, ...clipped.lo95], [0, 1, 0, 0]);
});
