import assert from "node:assert/strict";
import { simplexLeastSquares } from "../../analytics/forecast/simplex_least_squares.ts";
import { stackWeights } from "../../analytics/forecast/stack_weights.ts";
import { seeded } from "./_seeded.ts";

const close = (a: ArrayLike<number>, b: number[], tol = 1e-7) =>
  assert.ok(
    b.every((x, i) => Math.abs(a[i]! - x) <= tol),
    `${[...Array.from(a)]} vs ${b}`,
  );

Deno.test("simplexLeastSquares() solves the hand-worked two-candidate cases", () => {
  // S = [[1, 0.5], [0.5, 4]]: S⁻¹1 ∝ [4 − 0.5, 1 − 0.5] = [3.5, 0.5], so w = [0.875, 0.125]
  close(simplexLeastSquares(new Float64Array([1, 0.5, 0.5, 4]), 2), [0.875, 0.125]);
  // S = [[1, 1.2], [1.2, 2]]: S⁻¹1 ∝ [0.8, −0.2], negative: the corner [1, 0], where
  // g = Sw = [1, 1.2] and λ = wᵀSw = 1, so g₂ ≥ λ (optimal)
  close(simplexLeastSquares(new Float64Array([1, 1.2, 1.2, 2]), 2), [1, 0]);
  // the same with the candidates swapped: the corner is found from the other side too
  close(simplexLeastSquares(new Float64Array([2, 1.2, 1.2, 1]), 2), [0, 1]);
  // negatively correlated errors with equal variance: the half-half mix cancels them
  close(simplexLeastSquares(new Float64Array([1, -1, -1, 1]), 2), [0.5, 0.5]);
});

Deno.test("simplexLeastSquares() solves a hand-worked three-candidate case with one left out", () => {
  // S = diag(1, 2) on the first two and a third candidate whose errors are the first's plus
  // independent noise of variance 1 (S₃₃ = 2, S₁₃ = 1, S₂₃ = 0). On {1, 2}: w ∝ [1, 1/2] =
  // [2/3, 1/3], g = Sw = [2/3, 2/3], λ = 2/3; g₃ = 1·2/3 + 0 = 2/3 = λ: the third adds nothing.
  const s = new Float64Array([1, 0, 1, 0, 2, 0, 1, 0, 2]);
  close(simplexLeastSquares(s, 3), [2 / 3, 1 / 3, 0]);
  // starting from the smallest diagonal works whatever the order
  const t = new Float64Array([2, 0, 1, 0, 2, 0, 1, 0, 1]); // the first and third swapped
  close(simplexLeastSquares(t, 3), [0, 1 / 3, 2 / 3]);
});

Deno.test("simplexLeastSquares() matches a brute-force search over the simplex", () => {
  const rand = seeded(7);
  for (let trial = 0; trial < 40; trial++) {
    // S = EᵀE / n from correlated random errors of three candidates
    const n = 12,
      e = Array.from({ length: n }, () => {
        const common = rand() - 0.5;
        return [0, 1, 2].map((c) => common * (c + 0.5) + (rand() - 0.5) * (0.3 + c * 0.2));
      });
    const s = new Float64Array(9);
    for (const row of e) {
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) s[i * 3 + j]! += row[i]! * row[j]! / n;
      }
    }
    const q = (w: number[]) => {
      let v = 0;
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) v += w[i]! * s[i * 3 + j]! * w[j]!;
      return v;
    };
    let best = Infinity;
    const grid = 200;
    for (let a = 0; a <= grid; a++) {
      for (let b = 0; a + b <= grid; b++) {
        best = Math.min(best, q([a / grid, b / grid, 1 - (a + b) / grid]));
      }
    }
    const w = simplexLeastSquares(s, 3);
    assert.ok(Math.abs(w[0]! + w[1]! + w[2]! - 1) < 1e-12 && w.every((x) => x >= 0));
    assert.ok(q([...w]) <= best + 1e-12, `trial ${trial}: ${q([...w])} > ${best}`);
  }
});

Deno.test("simplexLeastSquares() handles no candidate, one, duplicates and non-finite input", () => {
  assert.deepEqual([...simplexLeastSquares(new Float64Array(0), 0)], []);
  assert.deepEqual([...simplexLeastSquares(new Float64Array([3]), 1)], [1]);
  assert.deepEqual([...simplexLeastSquares(new Float64Array([0]), 1)], [1]);
  // two identical candidates: one answer that sums to 1 and gives the same error
  const dup = simplexLeastSquares(new Float64Array([2, 2, 2, 2]), 2);
  close([dup[0]! + dup[1]!], [1]);
  assert.ok(simplexLeastSquares(new Float64Array([1, NaN, NaN, 1]), 2).every(Number.isNaN));
});

Deno.test("stackWeights() pools steps, keeps left-out candidates out and skips missing errors", () => {
  // candidate 0's errors are +1 and −1 at alternate steps; candidate 1 the opposite, doubled
  const steps = 4;
  const e0 = [Float64Array.from([1, -1, 1, -1])], e1 = [Float64Array.from([-2, 2, -2, 2])];
  const cur = [new Float64Array(steps).fill(0.5), new Float64Array(steps).fill(0.5)];
  const w = stackWeights([e0, e1], steps, 1, cur);
  for (let h = 0; h < steps; h++) close([w[0]![h]!, w[1]![h]!], [2 / 3, 1 / 3], 1e-6);
  // a candidate with weight 0 at a step takes no part there
  const off = [new Float64Array(steps).fill(1), new Float64Array(steps)];
  assert.deepEqual(stackWeights([e0, e1], steps, 1, off).map((c) => [...c]), [
    [1, 1, 1, 1],
    [0, 0, 0, 0],
  ]);
  // a candidate without a finite error keeps the others' stack; none at all keeps `current`
  const nan = [new Float64Array(steps).fill(NaN)];
  const only = stackWeights([e0, nan], steps, 1, cur);
  assert.deepEqual(only.map((c) => [...c]), [[1, 1, 1, 1], [0, 0, 0, 0]]);
  const none = stackWeights([nan, nan], steps, 1, cur);
  assert.deepEqual(none.map((c) => [...c]), cur.map((c) => [...c]));
});

Deno.test("forecast() stacking is opt-in, validated and mixes the same candidates", async () => {
  const { forecast } = await import("../../analytics/forecast/forecast.ts");
  const y = Float64Array.from(
    { length: 24 * 20 },
    (_, i) => 10 + Math.sin((2 * Math.PI * i) / 24) + 0.1 * Math.sin(i / 5),
  );
  const base = forecast(y, { horizon: 24 });
  const stacked = forecast(y, { horizon: 24, stacking: {} });
  const half = forecast(y, { horizon: 24, stacking: { shrink: 0.5, recentOrigins: Infinity } });
  const back = forecast(y, { horizon: 24, stacking: { shrink: 1 } });
  assert.deepEqual([...back.mean], [...base.mean]);
  for (const f of [stacked, half]) {
    for (const [name, w] of Object.entries(f.fitted.weights ?? {})) {
      assert.ok(name in (base.fitted.weights ?? {}), name);
      assert.ok(w.every((x) => x >= 0 && x <= 1 + 1e-12));
    }
    assert.ok(f.mean.every(Number.isFinite));
  }
  assert.throws(() => forecast(y, { horizon: 24, stacking: { shrink: 2 } }), RangeError);
  assert.throws(() => forecast(y, { horizon: 24, stacking: { recentOrigins: 0 } }), RangeError);
});
