import assert from "node:assert/strict";
import { drift } from "../../analytics/models/drift.ts";
import { seasonalMean } from "../../analytics/models/seasonal_mean.ts";
import { seasonalNaive } from "../../analytics/models/seasonal_naive.ts";
import { holtWinters } from "../../analytics/models/holt_winters.ts";
import { mstlEts } from "../../analytics/models/mstl_ets.ts";
import { augursMstl } from "../../analytics/models/augurs_mstl.ts";
import { loess, loessAt } from "../../analytics/models/loess.ts";
import { nelderMead } from "../../analytics/models/nelder_mead.ts";
import { interpolateGaps } from "../../analytics/models/interpolate_gaps.ts";
import { autocorrelation } from "../../analytics/models/autocorrelation.ts";
import { stl } from "../../analytics/models/stl.ts";

const wave = Float64Array.from({ length: 96 }, (_, i) => 5 + Math.sin((2 * Math.PI * i) / 12));

Deno.test("baseline models forecast their textbook values and degrade gracefully", () => {
  assert.deepEqual([...seasonalNaive(new Float64Array([1, 2]), 2, 5).mean], [2, 2]);
  assert.ok(Number.isNaN(seasonalNaive(new Float64Array(), 1, 2).mean[0]!));
  assert.deepEqual([...drift(new Float64Array([4]), 2).mean], [4, 4]);
  assert.ok(Number.isNaN(drift(new Float64Array(), 1).mean[0]!));
  assert.deepEqual([...seasonalMean(new Float64Array([1, 3]), 1, 1, 2).mean], [2]);
  assert.ok(Number.isNaN(seasonalMean(new Float64Array(), 1, 1, 1).mean[0]!));
});

Deno.test("Holt-Winters, MSTL+ETS and augurs MSTL continue a clean wave", () => {
  for (
    const f of [
      holtWinters(wave, 12, { period: 12 }).at(96, 12),
      mstlEts(wave, 12, { periods: [12] }),
      augursMstl(wave, 12, [12]),
    ]
  ) {
    for (let h = 0; h < 12; h++) {
      assert.ok(Math.abs(f.mean[h]! - (5 + Math.sin((2 * Math.PI * (96 + h)) / 12))) < 0.1);
    }
  }
  assert.ok(Number.isFinite(mstlEts(wave, 3).mean[2]!));
});

Deno.test("loess, STL and helpers cover their edge cases", () => {
  assert.ok(Number.isNaN(loessAt(new Float64Array(), 3, 0, undefined)));
  assert.equal(loessAt(new Float64Array([2, 2, 2]), 7, 1, undefined), 2);
  const w = new Float64Array([0, 0, 0]);
  assert.equal(loessAt(new Float64Array([1, 2, 3]), 3, 1, w), 2);
  const s = loess(Float64Array.from({ length: 25 }, (_, i) => i), 5, { jump: 4 });
  assert.ok(Math.abs(s[22]! - 22) < 1e-9);
  const short = stl(new Float64Array([1, 2, 3, 4, 5]), 4);
  assert.ok(short.seasonal.every((v) => v === 0));
  const robust = stl(wave, 12, { outer: 1 });
  assert.ok(robust.weights.every((v) => v >= 0 && v <= 1));
  assert.deepEqual([...interpolateGaps(new Float64Array([NaN, NaN]))], [0, 0]);
  assert.deepEqual([...autocorrelation(new Float64Array(4).fill(1), 2)], [1, 0, 0]);
  assert.equal(autocorrelation(new Float64Array(), 2).length, 1);
  const r = nelderMead(() => NaN, new Float64Array(1), { maxEvaluations: 10 });
  assert.equal(r.value, Infinity);
  assert.equal(nelderMead(() => 1, new Float64Array()).evaluations, 1);
  const rosen = nelderMead(
    (x) => 100 * (x[1]! - x[0]! ** 2) ** 2 + (1 - x[0]!) ** 2,
    new Float64Array(2),
    {
      maxEvaluations: 2000,
    },
  );
  assert.ok(rosen.value < 1e-4);
});

Deno.test("augursMstl() without a period that fits forecasts by damped ETS instead of throwing", () => {
  const y = Float64Array.from({ length: 60 }, (_, i) => 5 + 0.1 * i);
  for (const periods of [[], [48]]) {
    const f = augursMstl(y, 6, periods);
    assert.equal(f.params.fallback, "ets_damped");
    assert.ok(f.mean.every((v) => v > 10 && v < 12), `${[...f.mean]}`);
  }
});
