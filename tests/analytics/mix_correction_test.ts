import assert from "node:assert/strict";
import { mixCorrection } from "../../analytics/forecast/mix_correction.ts";
import type { FittedModel } from "../../analytics/models/model_forecast.ts";

/** A model that forecasts the value `lag` points before its origin, recording what it reads. */
function lagged(y: Float64Array, lag: number, reads: number[]): FittedModel {
  return {
    params: {},
    at: (end, h) => (reads.push(end), {
      mean: new Float64Array(h).fill(y[end - lag] ?? 0),
      sd: new Float64Array(h),
      params: {},
    }),
  };
}

Deno.test("mixCorrection() reads nothing after the history and uses the last 96 + steps origins", () => {
  const y = Float64Array.from({ length: 300 }, (_, i) => Math.sin(i / 7));
  const reads: number[] = [];
  mixCorrection([lagged(y, 1, reads)], [new Float64Array(24).fill(1)], y, {
    form: "direct",
    steps: 24,
    minTrain: 8,
  });
  assert.equal(Math.max(...reads), 299);
  assert.equal(Math.min(...reads), 300 - 96 - 24);
});

Deno.test("mixCorrection() ar1 decays as φ^h and is 0 without a weighted candidate", () => {
  // errors of a lag-1 forecast of a random walk are white: φ ≈ 0, clipped at 0 or small
  let s = 1, v = 0;
  const y = Float64Array.from({ length: 400 }, () => {
    s = (s * 16807) % 2147483647;
    return v += s / 2147483647 - 0.5;
  });
  const reads: number[] = [];
  const w = [new Float64Array(5).fill(1)];
  const c = mixCorrection([lagged(y, 1, reads)], w, y, { form: "ar1", steps: 5, minTrain: 8 });
  for (let h = 1; h < 5; h++) assert.ok(Math.abs(c[h]!) <= Math.abs(c[h - 1]!) + 1e-15);
  const none = mixCorrection([lagged(y, 1, [])], [new Float64Array(5)], y, {
    form: "direct",
    steps: 5,
    minTrain: 8,
  });
  assert.deepEqual([...none], [0, 0, 0, 0, 0]);
  // too short a history for 10 origins: no correction
  const short = mixCorrection([lagged(y, 1, [])], w, y.subarray(0, 15), {
    form: "direct",
    steps: 5,
    minTrain: 8,
  });
  assert.deepEqual([...short], [0, 0, 0, 0, 0]);
});

Deno.test("forecast() corrections are opt-in and shift only the mean's level", async () => {
  const { forecast } = await import("../../analytics/forecast/forecast.ts");
  const y = Float64Array.from(
    { length: 24 * 20 },
    (_, i) => 10 + Math.sin((2 * Math.PI * i) / 24) + (i > 400 ? 1 : 0),
  );
  const base = forecast(y, { horizon: 24, transform: "none" });
  assert.deepEqual(
    forecast(y, { horizon: 24, transform: "none", interceptCorrection: 0 }).mean,
    base.mean,
  );
  for (
    const f of [
      forecast(y, { horizon: 24, transform: "none", interceptCorrection: 1 }),
      forecast(y, { horizon: 24, transform: "none", mixCorrection: { form: "direct" } }),
    ]
  ) {
    assert.ok(f.mean.every(Number.isFinite));
    // the interval moves with the mean (no transform): same width
    for (let h = 0; h < 24; h++) {
      const w = (r: typeof f) => r.hi95[h]! - r.lo95[h]!;
      assert.ok(Math.abs(w(f) - w(base)) < 1e-6 * (1 + w(base)));
    }
  }
  assert.throws(
    () => forecast(y, { horizon: 24, transform: "none", interceptCorrection: 2 }),
    RangeError,
  );
});
