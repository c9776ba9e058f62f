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

Deno.test("selectTrend() follows the later slope when growth changed rate, unless told not to", () => {
  // slope 1 for the first 60 points, then 3: the full-history line is too shallow
  const x = Float64Array.from({ length: 120 }, (_, i) => i);
  const y = x.map((v) => (v < 60 ? v : 60 + 3 * (v - 60)));
  const chosen = selectTrend(x, y);
  assert.equal(chosen.model, "linear");
  assert.ok(Math.abs(chosen.trend.b - 3) < 1e-9);
  assert.ok(Math.abs(evaluate(chosen.trend, 119) - y[119]!) < 1e-6);
  assert.ok(selectTrend(x, y, { recent: false }).trend.b < 2.9);
});

Deno.test("selectTrend() ignores an early log rotation when fitting the later line", () => {
  const x = Float64Array.from({ length: 120 }, (_, i) => i);
  const y = x.map((v) => 2 * v - (v >= 25 ? 30 : 0));
  const chosen = selectTrend(x, y);
  assert.ok(Math.abs(chosen.trend.b - 2) < 1e-9);
});

Deno.test("selectTrend() names as alternatives only the candidates the held-out tail cannot tell apart", () => {
  const x = Float64Array.from({ length: 120 }, (_, i) => i);
  const straight = selectTrend(x, x.map((v) => 5 + 2 * v), { alternatives: true });
  assert.deepEqual(straight.alternatives, [], "an exact fit has no model uncertainty");
  const wobbly = selectTrend(x, x.map((v) => 5 + 2 * v + (v % 2 ? 0.5 : -0.5)), {
    alternatives: true,
  });
  assert.ok(wobbly.alternatives!.length >= 1);
  for (const alt of wobbly.alternatives!) assert.ok(Math.abs(alt.b - 2) < 0.05);
  const bent = x.map((v) => (v < 60 ? v : 60 + 3 * (v - 60)));
  const chosen = selectTrend(x, bent, { alternatives: true });
  assert.ok(chosen.alternatives!.every((alt) => alt.b > 2.9), "the full-history line is not one");
  assert.equal(selectTrend(x, bent).alternatives, undefined);
});
