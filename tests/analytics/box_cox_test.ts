import assert from "node:assert/strict";
import {
  boxCox,
  guerreroLambda,
  invBoxCox,
  invBoxCoxMean,
} from "../../analytics/forecast/box_cox.ts";
import { seeded } from "./_seeded.ts";

Deno.test("boxCox and invBoxCox round-trip positive values for λ in [0, 1]", () => {
  const y = new Float64Array([0.001, 0.5, 1, 7, 1234.5, NaN]);
  for (const lambda of [0, 0.25, 0.5, 1]) {
    const w = boxCox(y, lambda);
    assert.ok(Number.isNaN(w[5]!));
    for (let i = 0; i < 5; i++) {
      const back = invBoxCox(w[i]!, lambda);
      assert.ok(Math.abs(back - y[i]!) <= 1e-9 * y[i]!, `λ ${lambda}: ${back} vs ${y[i]}`);
    }
  }
  // increasing, so interval bounds stay bounds
  assert.ok(invBoxCox(-1, 0.5) < invBoxCox(0, 0.5) && invBoxCox(0, 0.5) < invBoxCox(1, 0.5));
  // below the range of the transform (λw + 1 ≤ 0): 0
  assert.equal(invBoxCox(-3, 0.5), 0);
});

Deno.test("boxCox refuses values ≤ 0", () => {
  assert.throws(() => boxCox(new Float64Array([1, 0, 2]), 0), RangeError);
  assert.throws(() => boxCox(new Float64Array([1, -2]), 0.5), RangeError);
});

Deno.test("invBoxCoxMean is the lognormal mean at λ = 0 and the median without variance", () => {
  assert.ok(Math.abs(invBoxCoxMean(1, 0, 0.2) - Math.exp(1.1)) < 1e-12);
  for (const lambda of [0, 0.5]) {
    assert.equal(invBoxCoxMean(2, lambda, 0), invBoxCox(2, lambda));
    assert.ok(invBoxCoxMean(2, lambda, 0.1) > invBoxCox(2, lambda));
  }
  assert.equal(invBoxCoxMean(2, 1, 0.1), invBoxCox(2, 1)); // λ = 1: linear, no bias
});

Deno.test("guerreroLambda: near 0 for a multiplicative season, near 1 for an additive one", () => {
  const g = seeded(11), n = 24 * 40;
  const level = (i: number) => 5 * Math.exp(i / 250);
  const wave = (i: number) => Math.sin((2 * Math.PI * i) / 24);
  const multiplicative = Float64Array.from(
    { length: n },
    (_, i) => level(i) * (1 + 0.4 * wave(i)) * Math.exp(0.02 * g()),
  );
  // a slow trend: within a day the level barely moves, so each day's spread is the wave's
  const additive = Float64Array.from(
    { length: n },
    (_, i) => 10 + 0.01 * i + 2 * wave(i) + 0.05 * g(),
  );
  const m = guerreroLambda(multiplicative, 24), a = guerreroLambda(additive, 24);
  assert.ok(m <= 0.1, `multiplicative λ ${m}`);
  assert.ok(a >= 0.8, `additive λ ${a}`);
  assert.ok(m >= 0 && a <= 1);
});

Deno.test("guerreroLambda: too short or non-positive gives the upper bound", () => {
  assert.equal(guerreroLambda(new Float64Array([1, 2, 3]), 24), 1);
  assert.equal(guerreroLambda(Float64Array.from({ length: 96 }, (_, i) => i - 5), 24), 1);
  assert.equal(guerreroLambda(new Float64Array([1, 2, 3]), 24, { upper: 0.7 }), 0.7);
});
