import assert from "node:assert/strict";
import { quantile } from "d3-array";
import { selectQuantiles } from "../../analytics/forecast/select_quantile.ts";
import { calibrateIntervals } from "../../analytics/forecast/forecast_intervals.ts";
import { seeded } from "./_seeded.ts";

/** Uniform numbers in [0, 1) from a Park–Miller LCG. */
function uniform(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

Deno.test("selectQuantiles() gives the R-7 quantiles d3-array gives, ties and small arrays included", () => {
  const random = uniform(7);
  for (let trial = 0; trial < 2000; trial++) {
    const n = 1 + Math.floor(random() * 50);
    // a third of the values on a few integers: ties on both sides of the pivot
    const a = Float64Array.from(
      { length: n },
      () => random() < 0.3 ? Math.floor(random() * 4) : random(),
    );
    const levels = [random() * 0.5, 0.5 + random() * 0.5];
    const want = levels.map((p) => quantile(a, p)!);
    const got = selectQuantiles(a.slice(), levels);
    for (let i = 0; i < 2; i++) assert.ok(Math.abs(got[i]! - want[i]!) < 1e-12, `trial ${trial}`);
  }
});

Deno.test("selectQuantiles() handles the ends, equal levels and an empty array", () => {
  assert.deepEqual(selectQuantiles(Float64Array.from([3, 1, 2]), [0, 1]), [1, 3]);
  assert.deepEqual(selectQuantiles(Float64Array.from([4, 1, 3, 2]), [0.5, 0.5]), [2.5, 2.5]);
  assert.deepEqual(selectQuantiles(new Float64Array(), [0.5]), [NaN]);
  const sorted = Float64Array.from({ length: 1000 }, (_, i) => i);
  assert.deepEqual(selectQuantiles(sorted, [0.8, 0.95]), [799.2, 949.05]);
});

Deno.test("calibrateIntervals() multipliers are the quantiles of the scaled errors at the widened levels", () => {
  const random = seeded(3);
  const errors = Array.from(
    { length: 16 },
    () => Float64Array.from({ length: 8 }, () => random() - 0.5),
  );
  const c = calibrateIntervals(errors, new Float64Array(8));
  const z = errors.flatMap((row) => [...row].map((e, h) => Math.abs(e) / c.scale[h]!));
  assert.ok(Math.abs(c.q80 - quantile(z, 0.8 + 0.2 / 4)!) < 1e-12);
  assert.ok(Math.abs(c.q95 - quantile(z, 0.95 + 0.05 / 4)!) < 1e-12);
});
