import assert from "node:assert/strict";
import { binSeries, evaluate, selectTrend } from "../../analytics/capacity/capacity_trend.ts";

Deno.test("binSeries() keeps short series and bins long ones by time", () => {
  const x = Float64Array.of(0, 1, 2);
  const same = binSeries(x, x, 10);
  assert.deepEqual([...same.x], [0, 1, 2]);
  assert.notEqual(same.x, x);
  const long = Float64Array.from({ length: 100 }, (_, i) => (i < 50 ? i : i + 100));
  const b = binSeries(long, long, 10);
  assert.ok(b.x.length < 10, "empty bins are dropped");
  assert.equal(b.x.length, b.y.length);
});

Deno.test("selectTrend() fits a line when there are too few points for a backtest", () => {
  const x = Float64Array.from({ length: 8 }, (_, i) => i);
  const c = selectTrend(x, x.map((v) => v * v));
  assert.equal(c.model, "linear");
  assert.equal(c.backtest.holdout, 0);
});

Deno.test("selectTrend() keeps the line for decelerating growth and honours linearOnly", () => {
  const x = Float64Array.from({ length: 40 }, (_, i) => i);
  assert.equal(selectTrend(x, x.map((v) => Math.sqrt(v))).model, "linear");
  assert.equal(selectTrend(x, x.map((v) => v * v), { linearOnly: true }).model, "linear");
  assert.equal(selectTrend(x, x.map((v) => v * v), { margin: 0 }).model, "linear");
  assert.equal(evaluate({ a: 1, b: 2, c: 3 }, 2), 17);
});
