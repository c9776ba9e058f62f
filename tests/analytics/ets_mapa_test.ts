import assert from "node:assert/strict";
import { forecast } from "../../analytics/forecast/forecast.ts";
import { DEFAULT_CANDIDATES } from "../../analytics/forecast/forecast_candidates.ts";
import { aggregateToEnd } from "../../analytics/models/aggregate_to_end.ts";
import { etsMapa } from "../../analytics/models/ets_mapa.ts";
import { holtWinters } from "../../analytics/models/holt_winters.ts";
import { reconcileTemporal } from "../../analytics/models/reconcile_temporal.ts";
import { seeded } from "./_seeded.ts";

const wave = (n: number, noise: number, seed = 7) => {
  const g = seeded(seed);
  return Float64Array.from(
    { length: n },
    (_, i) =>
      5 + Math.sin((2 * Math.PI * i) / 24) + 0.5 * Math.cos((2 * Math.PI * i) / 12) + noise * g(),
  );
};

Deno.test("aggregateToEnd() buckets end at the origin and drop the leading remainder", () => {
  const y = Float64Array.from({ length: 11 }, (_, i) => i);
  // end 11, k 4: buckets 3–6 and 7–10; 0, 1, 2 do not fill one
  assert.deepEqual([...aggregateToEnd(y, 11, 4)], [4.5, 8.5]);
  // a prefix is aggregated on its own: nothing at or after `end` is read
  assert.deepEqual([...aggregateToEnd(y, 9, 4)], [2.5, 6.5]);
  assert.deepEqual([...aggregateToEnd(y, 9, 1)], [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual([...aggregateToEnd(y, 3, 4)], []);
  const gap = Float64Array.from([1, NaN, 3, 4]);
  assert.ok(Number.isNaN(aggregateToEnd(gap, 4, 2)[0]!));
  assert.equal(aggregateToEnd(gap, 4, 2)[1], 3.5);
});

Deno.test("etsMapa() uses the levels that nest in the period and have enough buckets", () => {
  const y = wave(480, 0.1);
  assert.deepEqual(etsMapa(y, 24, { period: 24 }).params.levels, [1, 2, 3, 4, 6, 12, 24]);
  // 200 points: 8 daily buckets are too few (16 needed), 16 half-day ones enough
  assert.deepEqual(etsMapa(y.subarray(0, 200), 24, { period: 24 }).params.levels, [
    1,
    2,
    3,
    4,
    6,
    12,
  ]);
  // a 7-point period nests with no level but the base one
  assert.deepEqual(etsMapa(y, 7, { period: 7 }).params.levels, [1]);
  // without season every level is non-seasonal ETS
  assert.deepEqual(etsMapa(y, 24, { period: 0, levels: [4, 1, 2] }).params.levels, [1, 2, 4]);
});

Deno.test("etsMapa() forecasts a noisy two-harmonic daily wave about as well as ETS", () => {
  const y = wave(1344 + 168, 0.3), n = 1344;
  const truth = (t: number) =>
    5 + Math.sin((2 * Math.PI * t) / 24) + 0.5 * Math.cos((2 * Math.PI * t) / 12);
  for (const spread of ["base", "uniform", "thief"] as const) {
    const fit = etsMapa(y.subarray(0, n), 24, { period: 24, spread });
    const f = fit.at(n, 24);
    let mse = 0, hw = 0;
    const base = holtWinters(y.subarray(0, n), 24, { period: 24 }).at(n, 24);
    for (let h = 0; h < 24; h++) {
      mse += (f.mean[h]! - truth(n + h)) ** 2 / 24, hw += (base.mean[h]! - truth(n + h)) ** 2 / 24;
      assert.ok(f.sd[h]! > 0);
    }
    // spreading a bucket uniformly flattens the hourly shape within it; the base level's shape
    // keeps it
    assert.ok(mse < (spread === "uniform" ? 0.2 : 0.02), `${spread}: ${mse}`);
    if (spread !== "uniform") assert.ok(mse < 2 * hw + 0.005, `${mse} vs ETS ${hw}`);
  }
});

Deno.test("etsMapa() backtest origins read nothing after the origin", () => {
  const y = wave(600, 0.3, 11);
  const fit = etsMapa(y, 24, { period: 24 });
  // origins at several alignments to the 24-point buckets (600 = 25 × 24)
  for (const end of [517, 520, 531, 576]) {
    const before = fit.at(end, 24).mean, saved = y.slice();
    y.fill(100, end); // everything from the origin on changes after the fit
    assert.deepEqual([...fit.at(end, 24).mean], [...before]);
    y.set(saved);
    // and the origin forecasts its own continuation
    const truth = 5 + Math.sin((2 * Math.PI * end) / 24) + 0.5 * Math.cos((2 * Math.PI * end) / 12);
    assert.ok(Math.abs(before[0]! - truth) < 0.6, `${end}: ${before[0]} vs ${truth}`);
  }
});

Deno.test("etsMapa() uniform spreading: a level's share is constant within each bucket", () => {
  const y = wave(480, 0.2, 3);
  const both = etsMapa(y, 48, { period: 24, levels: [1, 24], spread: "uniform" }).at(480, 48);
  const base = etsMapa(y, 48, { period: 24, levels: [1] }).at(480, 48);
  for (let h = 0; h < 48; h++) {
    const share = both.mean[h]! - base.mean[h]! / 2,
      first = both.mean[h - (h % 24)]! - base.mean[h - (h % 24)]! / 2;
    assert.ok(Math.abs(share - first) < 1e-9);
  }
});

Deno.test("reconcileTemporal() keeps coherent forecasts and splits a gap between levels", () => {
  const levels = [1, 2, 3, 4, 6, 12, 24], span = 48;
  const base = Float64Array.from({ length: span }, (_, t) => Math.sin(t / 3) + t / 10);
  const means = levels.map((k) =>
    Float64Array.from({ length: span / k }, (_, j) => {
      let s = 0;
      for (let t = j * k; t < (j + 1) * k; t++) s += base[t]! / k;
      return s;
    })
  );
  // every level agreeing with the base's bucket means: nothing to reconcile
  const same = reconcileTemporal(levels, means, span);
  for (let t = 0; t < span; t++) assert.ok(Math.abs(same[t]! - base[t]!) < 1e-9);
  // the daily level 1 higher for the first day: its hours rise by less than 1, the same for each,
  // and the second day stays
  const daily = Float64Array.from(means[6]!);
  daily[0]! += 1;
  const moved = reconcileTemporal(levels, [...means.slice(0, 6), daily], span);
  const rise = moved[0]! - base[0]!;
  assert.ok(rise > 0 && rise < 1);
  for (let t = 0; t < 24; t++) assert.ok(Math.abs(moved[t]! - base[t]! - rise) < 1e-9);
  for (let t = 24; t < span; t++) assert.ok(Math.abs(moved[t]! - base[t]!) < 1e-9);
});

Deno.test("forecast() takes the opt-in ets_mapa beside its default pool", () => {
  // opt-in: worse in four of M4's five folds (README: Forecasting)
  assert.ok(!DEFAULT_CANDIDATES.includes("ets_mapa"));
  const y = wave(720, 0.3, 5);
  const f = forecast(y, { horizon: 24, models: [...DEFAULT_CANDIDATES, "ets_mapa"] });
  assert.ok(f.candidates.some((c) => c.name === "ets_mapa"));
  assert.equal(f.mean.length, 24);
  assert.ok(f.mean.every(Number.isFinite));
});
