import assert from "node:assert/strict";
import {
  mase,
  maseScale,
  msis,
  multiplicativeIndices,
  naive2,
  seasonalityTest,
  seasonalNaiveM4,
  smape,
} from "../../bench/m4_scores.ts";

const daily = (n: number, amp: number) =>
  Float64Array.from({ length: n }, (_, i) => 100 * (1 + amp * Math.sin((2 * Math.PI * i) / 24)));

Deno.test("the M4 seasonality test needs three cycles and a lag-m autocorrelation above the 90 % limit", () => {
  assert.equal(seasonalityTest(daily(240, 0.3), 24), true);
  assert.equal(seasonalityTest(daily(71, 0.3), 24), false);
  let s = 7;
  const noise = Float64Array.from(
    { length: 480 },
    () => ((s = (s * 16807) % 2147483647) / 2147483647),
  );
  assert.equal(seasonalityTest(noise, 24), false);
});

Deno.test("Naive2 reseasonalizes the last adjusted value of a multiplicative daily cycle exactly", () => {
  const y = daily(240, 0.3);
  const s = multiplicativeIndices(y, 24);
  const mean = s.reduce((a, b) => a + b, 0) / 24;
  assert.ok(Math.abs(mean - 1) < 1e-12);
  const f = naive2(y, 48, 24);
  const truth = daily(288, 0.3).subarray(240);
  for (let k = 0; k < 48; k++) assert.ok(Math.abs(f[k]! - truth[k]!) < 1e-6 * 100);
});

Deno.test("seasonal naive, sMAPE, MASE and MSIS follow the competition's formulas", () => {
  const y = daily(96, 0.2);
  assert.deepEqual([...seasonalNaiveM4(y, 24, 24)], [...y.subarray(72)]);
  assert.equal(maseScale([1, 2, 4, 8], 1), (1 + 2 + 4) / 3);
  assert.equal(smape([100, 100], [100, 300]), 50);
  assert.equal(mase([2, 4], [1, 1], 2), 1);
  // inside: width only; outside by 1 below the lower bound at a = 0.05: width + 40
  assert.equal(msis([5, -1], [0, 0], [10, 10], 1), (10 + 10 + 40) / 2);
});
