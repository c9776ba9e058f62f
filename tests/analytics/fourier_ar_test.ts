import assert from "node:assert/strict";
import { fourierAr } from "../../analytics/models/fourier_ar.ts";
import { forecast } from "../../analytics/forecast/forecast.ts";
import { DEFAULT_CANDIDATES } from "../../analytics/forecast/forecast_candidates.ts";
import { seeded } from "./_seeded.ts";

/** A daily and a weekly sine around 5 plus AR(1) noise (coefficient 0.7), seeded. */
function twoSeasons(n: number, seed: number): Float64Array {
  const noise = seeded(seed), y = new Float64Array(n);
  let x = 0;
  for (let t = 0; t < n; t++) {
    x = 0.7 * x + 0.3 * noise();
    y[t] = 5 + 2 * Math.sin((2 * Math.PI * t) / 24) + Math.cos((2 * Math.PI * t) / 168) + x;
  }
  return y;
}

Deno.test("fourierAr() forecasts the daily and the weekly shape together", () => {
  const y = twoSeasons(168 * 8, 3), n = y.length;
  const f = fourierAr(y, 168, { periods: [24, 168] }).at(n, 168);
  let se = 0;
  for (let h = 24; h < 168; h++) {
    const t = n + h;
    const truth = 5 + 2 * Math.sin((2 * Math.PI * t) / 24) + Math.cos((2 * Math.PI * t) / 168);
    se += (f.mean[h]! - truth) ** 2;
  }
  assert.ok(se / 144 < 0.02, `MSE against the noiseless profile ${se / 144}`);
  // the spread grows from one step to its limit, the AR part having decayed
  assert.ok(f.sd[0]! > 0 && f.sd[167]! > f.sd[0]! && f.sd[167]! < 3 * f.sd[0]!);
});

Deno.test("fourierAr() keeps the last deviation from the profile when differenced", () => {
  const y = twoSeasons(24 * 30, 8);
  for (let t = 24 * 28; t < y.length; t++) y[t]! += 4; // a level shift two days before the end
  const level = fourierAr(y, 48, { periods: [24] }).at(y.length, 48);
  const diff = fourierAr(y, 48, { periods: [24] }, { difference: true }).at(y.length, 48);
  const last = y[y.length - 24]!; // same phase one day earlier
  // the differenced errors stay near the shifted level; the AR on levels drifts back down
  assert.ok(Math.abs(diff.mean[23]! - last) < Math.abs(level.mean[23]! - last));
  assert.ok(diff.sd[47]! > level.sd[47]!);
});

Deno.test("fourierAr() forecasts from each origin's own prefix and copes with short input", () => {
  const y = twoSeasons(600, 1), fit = fourierAr(y, 24, { periods: [24, 168] });
  assert.notDeepEqual([...fit.at(400, 3).mean], [...fit.at(600, 3).mean]);
  const two = fourierAr(new Float64Array([2, 4]), 2, { periods: [] }).at(2, 2).mean;
  assert.ok(two.every((v) => Math.abs(v - 3) < 1e-6), `${[...two]}`); // the mean (ridge 1e-8)
  const empty = fourierAr(new Float64Array(0), 2, { periods: [] }).at(0, 2);
  assert.ok(empty.mean.every(Number.isNaN));
  // a period without two cycles in the window is left out
  assert.deepEqual(fourierAr(y.subarray(0, 200), 1, { periods: [24, 168] }).params.periods, [24]);
});

Deno.test("forecast() mixes the opt-in fourier candidate only when asked for", () => {
  const y = twoSeasons(168 * 6, 4);
  assert.ok(!DEFAULT_CANDIDATES.includes("fourier"));
  const names = (f: ReturnType<typeof forecast>) => f.candidates.map((c) => c.name);
  assert.ok(!names(forecast(y, { horizon: 24 })).includes("fourier"));
  const f = forecast(y, { horizon: 24, models: [...DEFAULT_CANDIDATES, "fourier"] });
  assert.ok(names(f).includes("fourier") && f.mean.every(Number.isFinite));
});
