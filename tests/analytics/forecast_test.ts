import assert from "node:assert/strict";
import { forecast } from "../../analytics/forecast/forecast.ts";
import { seeded } from "./_seeded.ts";

const daily = (i: number) => Math.sin((2 * Math.PI * i) / 24);

Deno.test("forecast() continues a seasonal series and reports backtest accuracy", () => {
  const g = seeded(5);
  const y = Float64Array.from({ length: 24 * 20 }, (_, i) => 10 + 2 * daily(i) + 0.1 * g());
  const f = forecast(y, { horizon: 48 });
  let se = 0;
  for (let h = 0; h < 48; h++) se += (f.mean[h]! - (10 + 2 * daily(480 + h))) ** 2 / 48;
  assert.ok(se < 0.05, `mse ${se}`);
  assert.deepEqual(f.fitted.periods, [24]);
  assert.ok(f.backtest.mse < 0.1 && f.backtest.wape < 0.05 && f.backtest.origins > 0);
  assert.ok(f.candidates.length >= 6);
  for (let h = 0; h < 48; h++) {
    assert.ok(f.lo95[h]! <= f.lo80[h]! && f.lo80[h]! <= f.mean[h]! && f.mean[h]! <= f.hi80[h]!);
    assert.ok(f.hi80[h]! <= f.hi95[h]!);
  }
  const json = JSON.parse(JSON.stringify(f.fitted));
  assert.equal(json.model, f.model);
  assert.equal(json.intervals.scale.length, 48);
});

Deno.test("forecast() intervals cover a seeded random walk near the nominal rate", () => {
  const g = seeded(42);
  let in80 = 0, in95 = 0, k = 0;
  for (let rep = 0; rep < 30; rep++) {
    let s = 0;
    const y = Float64Array.from({ length: 320 }, () => (s += g()));
    const f = forecast(y.subarray(0, 300), { horizon: 20, season: 0 });
    for (let h = 0; h < 20; h++) {
      const a = y[300 + h]!;
      in80 += +(a >= f.lo80[h]! && a <= f.hi80[h]!),
        in95 += +(a >= f.lo95[h]! && a <= f.hi95[h]!),
        k++;
    }
  }
  assert.ok(Math.abs(in80 / k - 0.8) < 0.12, `80 %: ${in80 / k}`);
  assert.ok(Math.abs(in95 / k - 0.95) < 0.08, `95 %: ${in95 / k}`);
});

Deno.test("forecast() handles constant, one point, empty, all-NaN, gaps and huge values", () => {
  const c = forecast(new Float64Array(50).fill(7), { horizon: 3 });
  assert.ok(c.mean.every((v) => Math.abs(v - 7) < 1e-9));
  assert.ok(c.hi95.every((v, i) => Math.abs(v - c.lo95[i]!) < 1e-6));
  assert.deepEqual([...forecast(new Float64Array([3]), { horizon: 2 }).mean], [3, 3]);
  const e = forecast(new Float64Array(), { horizon: 2 });
  assert.equal(e.model, "none");
  assert.ok(e.mean.every(Number.isNaN));
  assert.equal(forecast(new Float64Array(10).fill(NaN), { horizon: 1 }).model, "none");
  const gappy = Float64Array.from({ length: 240 }, (_, i) => (i % 17 === 0 ? NaN : 5 + daily(i)));
  assert.ok(forecast(gappy, { horizon: 24 }).mean.every(Number.isFinite));
  const huge = Float64Array.from({ length: 240 }, (_, i) => 1e300 * (1 + 0.1 * daily(i)));
  const fh = forecast(huge, { horizon: 24 });
  assert.ok(fh.mean.every(Number.isFinite));
  assert.ok(Math.abs(fh.mean[6]! / 1.1e300 - 1) < 0.01);
});

Deno.test("forecast() honours season, models and combine, and rejects bad options", () => {
  const y = Float64Array.from({ length: 100 }, (_, i) => i + daily(i));
  const f = forecast(y, {
    horizon: 5,
    season: 24,
    models: ["drift", "augurs_mstl"],
    combine: 0,
    stepMs: 1000,
  });
  assert.ok(["drift", "augurs_mstl"].includes(f.model));
  assert.equal(f.fitted.stepMs, 1000);
  assert.throws(() => forecast(y, { horizon: 0 }), /Invalid horizon: 0/);
  assert.throws(() => forecast(y, { horizon: 1, season: 1 }), /Invalid season: 1/);
  // deno-lint-ignore no-explicit-any
  assert.throws(() => forecast(y, { horizon: 1, models: ["nope" as any] }), /Invalid model: nope/);
  const long = forecast(new Float64Array([1, 2, 3, 4, 5]), { horizon: 10 });
  assert.equal(long.fitted.intervals.method, "analytic");
  assert.equal(long.backtest.origins, 0);
});

Deno.test("forecast() keeps rising on a linear fill when the horizon is as long as the history", () => {
  const g = seeded(23);
  const y = Float64Array.from({ length: 336 }, (_, i) => 100 + 0.5 * i + 2 * g());
  const f = forecast(y, { horizon: 336 });
  // The truth 336 steps ahead is 100 + 0.5 · 671 = 435.5; a flat forecast stays near 268.
  assert.ok(Math.abs(f.mean[335]! - 435.5) < 30, `mean ${f.mean[335]}`);
  assert.ok(f.mean[335]! > f.mean[0]! + 100);
  assert.ok(f.backtest.origins >= 4 && Number.isFinite(f.backtest.mse));
  assert.equal(f.fitted.intervals.method, "extrapolated");
  const steps = f.fitted.intervals.backtestHorizon;
  assert.ok(steps > 0 && steps < 336, `backtest horizon ${steps}`);
  // Intervals widen past the backtested steps and cover the truth at the end.
  const width = (h: number) => f.hi80[h]! - f.lo80[h]!;
  assert.ok(width(335) > width(steps - 1));
  assert.ok(f.lo95[335]! <= 435.5 && 435.5 <= f.hi95[335]!);
  // A noise-free stepped fill, as a file system reports it, rises too.
  const stepped = forecast(Float64Array.from({ length: 336 }, (_, i) => Math.round(i / 3)), {
    horizon: 336,
  });
  assert.ok(Math.abs(stepped.mean[335]! - 671 / 3) < 10, `stepped ${stepped.mean[335]}`);
});

Deno.test("forecast() carries a weekly pattern forward that the daily candidates alone miss", () => {
  // hourly, 5 weeks: weekdays peak at 10, weekends stay at 2
  const y = Float64Array.from({ length: 24 * 7 * 5 }, (_, i) => {
    const day = Math.floor(i / 24) % 7, hour = i % 24;
    return day < 5 ? 2 + 8 * Math.max(0, Math.sin((Math.PI * (hour - 6)) / 12)) : 2;
  });
  const f = forecast(y, { horizon: 48 }); // the next two days are weekdays (day 0 and 1)
  const weekdayPeak = Math.max(...f.mean);
  assert.ok(weekdayPeak > 9, `peak ${weekdayPeak}`);
  const old = forecast(y, {
    horizon: 48,
    models: ["snaive", "drift", "seasonal_mean", "ets", "ets_damped", "theta"],
  });
  assert.ok(Math.max(...old.mean) < weekdayPeak);
});
