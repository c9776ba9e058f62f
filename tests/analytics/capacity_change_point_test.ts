import assert from "node:assert/strict";
import { lastChangePoint } from "../../analytics/capacity/capacity_change_point.ts";
import { selectTrend } from "../../analytics/capacity/capacity_trend.ts";
import { seeded } from "./_seeded.ts";

const x = Float64Array.from({ length: 120 }, (_, i) => i / 10);

Deno.test("lastChangePoint() finds the last of several slope changes in noisy data", () => {
  const noise = seeded(3);
  // slope 1, then 2 from x = 4, then 0.8 from x = 8.5; noise sd 0.1
  const y = x.map((v) => v + Math.max(0, v - 4) - 1.2 * Math.max(0, v - 8.5) + 0.1 * noise());
  const at = lastChangePoint(x, y);
  assert.ok(Math.abs(at - 85) <= 4, `found ${at}`);
});

Deno.test("lastChangePoint() finds a log rotation's drop and leaves a straight noisy line whole", () => {
  const noise = seeded(5);
  const rotated = x.map((v) => 2 * v - (v >= 7 ? 6 : 0) + 0.2 * noise());
  assert.equal(lastChangePoint(x, rotated), 70);
  const straight = x.map((v) => 2 * v + 0.2 * noise());
  assert.equal(lastChangePoint(x, straight), 0);
});

Deno.test("lastChangePoint() takes too short a series as one line", () => {
  const few = Float64Array.of(0, 1, 2, 3, 4, 5, 6, 7);
  assert.equal(lastChangePoint(few, few.map((v) => (v < 4 ? v : 10 * v))), 0);
});

Deno.test("selectTrend() follows the slope after a late change that the fixed later-part starts straddle", () => {
  // The slope doubles at 70 % of the history; every fixed start (1/3, 1/2, 2/3) mixes in the old slope.
  const noise = seeded(11);
  const y = x.map((v) => v + Math.max(0, v - 8.4) + 0.05 * noise());
  const withCp = selectTrend(x, y);
  assert.ok(Math.abs(withCp.trend.b - 2) < 0.1, `slope ${withCp.trend.b}`);
  assert.ok(withCp.from! >= 80, `from ${withCp.from}`);
  const without = selectTrend(x, y, { changePoint: false });
  assert.ok(Math.abs(without.trend.b - 2) > Math.abs(withCp.trend.b - 2));
});
