import assert from "node:assert/strict";
import { seasonalAr } from "../../analytics/models/seasonal_ar.ts";
import { combinationWeights } from "../../analytics/forecast/forecast_combine.ts";
import { forecast } from "../../analytics/forecast/forecast.ts";
import { DEFAULT_CANDIDATES } from "../../analytics/forecast/forecast_candidates.ts";
import { seeded } from "./_seeded.ts";

/** An AR(1) around 10 with coefficient 0.8 plus a daily sine, seeded. */
function ar1(n: number, seed: number): Float64Array {
  const noise = seeded(seed), y = new Float64Array(n);
  let x = 0;
  for (let t = 0; t < n; t++) {
    x = 0.8 * x + noise();
    y[t] = 10 + x + 3 * Math.sin((2 * Math.PI * t) / 24);
  }
  return y;
}

Deno.test("seasonalAr() recovers an AR(1) coefficient on the seasonally adjusted levels", () => {
  const y = ar1(24 * 40, 11);
  const fit = seasonalAr(y, 24, { periods: [24] }, { difference: false, order: 1, window: 960 });
  const phi = fit.params.phi as number[];
  assert.ok(Math.abs(phi[0]! - 0.8) < 0.08, `phi ${phi[0]}`);
  // the forecast returns to the mean plus the daily cycle, and its spread grows to a limit
  const f = fit.at(y.length, 96);
  const t = y.length + 95;
  assert.ok(Math.abs(f.mean[95]! - (10 + 3 * Math.sin((2 * Math.PI * t) / 24))) < 0.6);
  assert.ok(f.sd[95]! > f.sd[0]! && f.sd[95]! < 3 * f.sd[0]!);
});

Deno.test("seasonalAr() differenced settles at a level, its spread keeps growing", () => {
  const y = ar1(24 * 20, 5);
  const f = seasonalAr(y, 24, { periods: [24] }).at(y.length, 200);
  // one cycle apart the forecast repeats: the adjusted level has settled
  assert.ok(Math.abs(f.mean[199]! - f.mean[175]!) < 0.05);
  assert.ok(Math.abs(f.mean[23]! - f.mean[47]!) > Math.abs(f.mean[199]! - f.mean[175]!));
  assert.ok(f.sd[199]! > 2 * f.sd[0]!);
  assert.ok(f.mean.every(Number.isFinite) && f.sd.every(Number.isFinite));
});

Deno.test("seasonalAr() keeps an explosive fit stationary and a short history flat", () => {
  const grow = Float64Array.from({ length: 120 }, (_, i) => 1.05 ** i);
  const f = seasonalAr(grow, 10, { periods: [] }, { difference: false }).at(120, 500);
  assert.ok(f.mean.every(Number.isFinite) && Math.abs(f.mean[499]!) < 1e4);
  const short = seasonalAr(new Float64Array([1, 2, 3]), 2, { periods: [] }).at(3, 2);
  assert.deepEqual([...short.mean], [3, 3]);
  // a backtest origin forecasts from its own prefix
  const y = ar1(300, 2);
  const fit = seasonalAr(y, 24, { periods: [24] });
  assert.notDeepEqual([...fit.at(200, 3).mean], [...fit.at(300, 3).mean]);
});

Deno.test("combinationWeights() with power 2 leans further towards the lower MSE", () => {
  const mse = [new Float64Array([1]), new Float64Array([2])];
  const w1 = combinationWeights(mse, 2, 1)[0]![0]!, w2 = combinationWeights(mse, 2, 2)[0]![0]!;
  assert.ok(Math.abs(w1 - 2 / 3) < 1e-12 && Math.abs(w2 - 0.8) < 1e-12);
});

Deno.test("forecast() mixes at most `combine` candidates per step, ar_level in its default pool", () => {
  // `ar` left the defaults for `linear` (README: Forecasting)
  assert.ok(!DEFAULT_CANDIDATES.includes("ar") && DEFAULT_CANDIDATES.includes("ar_level"));
  const y = ar1(24 * 30, 9);
  for (const combine of [2, 4]) {
    const f = forecast(y, { horizon: 24, combine });
    const w = Object.values(f.fitted.weights);
    for (let h = 0; h < 24; h++) {
      const used = w.filter((row) => row[h]! > 0).length;
      assert.ok(used <= combine, `step ${h}: ${used} members`);
      assert.ok(Math.abs(w.reduce((a, row) => a + row[h]!, 0) - 1) < 1e-9);
    }
  }
  assert.ok(forecast(y, { horizon: 24 }).candidates.some((c) => c.name === "ar_level"));
});
