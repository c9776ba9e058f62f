import assert from "node:assert/strict";
import {
  addForecast,
  choose,
  decide,
  emptySums,
  figures,
  type Sums,
  type Table,
} from "../../bench/_transform_rule.ts";

const close = (a: number, b: number, eps = 1e-12) =>
  assert.ok(Math.abs(a - b) <= eps, `${a} is not ${b}`);

const SLACK = { coverage: 0.01, overshoot: 0.02 };

/** Sums of a forecast scored elsewhere: squared error, hits out of `points`, overs out of 10. */
function sums(se: number, in80: number, in95: number, over: number, points = 100): Sums {
  return { ...emptySums(), se, points, in80, in95, over, forecasts: 10 };
}

Deno.test("addForecast() adds squared errors, band hits and one overshoot per forecast", () => {
  const s = emptySums();
  const band = (lo: number[], hi: number[]) => ({ lo80: lo, hi80: hi, lo95: lo, hi95: hi });
  // history 0..10: the line is 10 + 0.25 × 10 = 12.5; the upper bound 13 passes it
  addForecast(
    s,
    { mean: [4, 6], ...band([3, 5], [5, 13]) },
    [5, 8],
    [0, NaN, 10, 5],
    0.25,
  );
  assert.equal(s.se, 1 + 4);
  assert.equal(s.points, 2);
  assert.equal(s.in80, 2);
  assert.equal(s.in95, 2);
  assert.equal(s.over, 1);
  assert.equal(s.forecasts, 1);
  // a second forecast whose peak is on the line (not over it) and whose band misses its first actual
  addForecast(s, { mean: [4, 6], ...band([5, 5], [6, 12.5]) }, [4, 7], [0, 10], 0.25);
  assert.equal(s.se, 5 + 0 + 1);
  assert.equal(s.in80, 3);
  assert.equal(s.over, 1);
  assert.equal(s.forecasts, 2);
});

Deno.test("figures() takes the geometric mean of MSE ratios and pools coverage and overshoot", () => {
  const table: Table = [
    [[sums(4, 80, 95, 0)], [sums(2, 70, 90, 1)]],
    [[sums(1, 80, 95, 0)], [sums(2, 90, 100, 3)]],
    // never transformed: the candidate's sums are none's, ratio 1 (also for 0 / 0)
    [[sums(0, 80, 95, 0)], [sums(0, 80, 95, 0)]],
  ];
  const f = figures(table, [0, 1], 1, 0);
  close(f.m, 1); // √(0.5 × 2)
  close(f.c80, 160 / 200);
  close(f.c95, 190 / 200);
  close(f.over, 4 / 20);
  close(figures(table, [0, 2], 1, 0).m, Math.sqrt(0.5));
  assert.ok(Number.isNaN(figures(table, [], 1, 0).m));
});

Deno.test("choose() keeps none unless an eligible candidate has a product below 1", () => {
  // one file, two horizons; candidates: none, better, better but overshooting, best but off-nominal
  const none = [sums(1, 80, 95, 1), sums(1, 80, 95, 1)];
  const table: Table = [[
    none,
    [sums(0.9, 80, 95, 1), sums(0.9, 80.5, 95, 1)],
    [sums(0.5, 80, 95, 4), sums(0.5, 80, 95, 1)],
    [sums(0.4, 78, 95, 1), sums(0.4, 80, 95, 1)],
  ]];
  const r = choose(table, [0], [12, 288], SLACK);
  assert.equal(r.chosen, 1);
  close(r.product[1]!, 0.81);
  assert.deepEqual(r.reasons[1], []);
  assert.deepEqual(r.reasons[2], ["overshoot 0.400 > none's 0.100 + 0.02 at H=12"]);
  assert.deepEqual(r.reasons[3], ["80 % coverage at H=12"]);
  // worse at one horizon: M > 1 rules it out even with a product below 1
  const worse: Table = [[none, [sums(0.5, 80, 95, 1), sums(1.1, 80, 95, 1)]]];
  const w = choose(worse, [0], [12, 288], SLACK);
  assert.equal(w.chosen, 0);
  assert.deepEqual(w.reasons[1], ["M 1.1000 > 1 at H=288"]);
  // a coverage closer to nominal than none's is never held against a candidate
  const nearer: Table = [[[sums(1, 70, 95, 1)], [sums(0.99, 79, 95, 1)]]];
  assert.equal(choose(nearer, [0], [12], SLACK).chosen, 1);
  // equal to none in every file (never transformed): product 1, not strictly below
  const same: Table = [[none, none]];
  assert.equal(choose(same, [0], [12, 288], SLACK).chosen, 0);
});

Deno.test("decide() names the common out-of-fold choice, else undefined", () => {
  assert.equal(decide([0, 0]), 0);
  assert.equal(decide([2, 2, 2]), 2);
  assert.equal(decide([1, 0]), undefined);
  assert.equal(decide([]), undefined);
});
