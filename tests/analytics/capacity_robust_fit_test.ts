import assert from "node:assert/strict";
import { huberQuadratic, theilSen } from "../../analytics/capacity/capacity_robust_fit.ts";

Deno.test("theilSen() ignores a minority of outliers", () => {
  const x = Float64Array.from({ length: 30 }, (_, i) => i);
  const y = x.map((v, i) => (i % 5 === 0 ? 1e6 : 3 - 0.5 * v));
  const fit = theilSen(x, y, new Float64Array(1000));
  assert.equal(fit.b, -0.5);
  assert.equal(fit.a, 3);
  assert.equal(fit.c, 0);
});

Deno.test("theilSen() handles empty, one point and equal abscissae", () => {
  const empty = theilSen(new Float64Array(0), new Float64Array(0));
  assert.ok(Number.isNaN(empty.a));
  assert.deepEqual(theilSen(Float64Array.of(2), Float64Array.of(7)), { a: 7, b: 0, c: 0 });
  assert.deepEqual(theilSen(Float64Array.of(1, 1, 1), Float64Array.of(1, 2, 9)), {
    a: 2,
    b: 0,
    c: 0,
  });
});

Deno.test("huberQuadratic() recovers a curve despite outliers", () => {
  const x = Float64Array.from({ length: 50 }, (_, i) => i / 5);
  const y = x.map((v, i) => 2 - v + 0.3 * v * v + (i % 10 === 0 ? 50 : 0.01 * Math.sin(i)));
  const fit = huberQuadratic(x, y);
  assert.ok(Math.abs(fit.c - 0.3) < 0.01, `c = ${fit.c}`);
  assert.ok(Math.abs(fit.b + 1) < 0.1, `b = ${fit.b}`);
});

Deno.test("huberQuadratic() gives NaN with fewer than three distinct abscissae", () => {
  assert.ok(Number.isNaN(huberQuadratic(Float64Array.of(0, 1), Float64Array.of(1, 2)).a));
  assert.ok(
    Number.isNaN(huberQuadratic(Float64Array.of(0, 1, 1, 0), Float64Array.of(1, 2, 2, 1)).c),
  );
  const big = Float64Array.from({ length: 20 }, (_, i) => 1e6 + i);
  const fit = huberQuadratic(big, big.map((v) => 5 + 2 * (v - 1e6)));
  assert.ok(Math.abs(fit.b - 2 - 0) < 1e-3 || Number.isFinite(fit.b));
});
