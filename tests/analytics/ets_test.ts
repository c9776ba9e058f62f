import assert from "node:assert/strict";
import { fitEts } from "../../analytics/forecast/ets.ts";
import { etsForecast } from "../../analytics/forecast/ets_forecast.ts";
import { backtest } from "../../analytics/forecast/backtest.ts";
import { backtestScores } from "../../analytics/forecast/backtest_scores.ts";
import { calibrateIntervals } from "../../analytics/forecast/forecast_intervals.ts";
import { seasonalNaive } from "../../analytics/models/seasonal_naive.ts";
import { seeded } from "./_seeded.ts";

Deno.test("fitEts() learns a Holt-Winters season and trend, with multi-step loss too", () => {
  const g = seeded(9);
  const y = Float64Array.from(
    { length: 240 },
    (_, i) => 0.05 * i + Math.sin((2 * Math.PI * i) / 12) + 0.05 * g(),
  );
  for (const lossHorizon of [1, 12]) {
    const m = fitEts(y, { trend: "additive", period: 12, lossHorizon });
    const f = etsForecast(m, 12);
    for (let h = 0; h < 12; h++) {
      assert.ok(
        Math.abs(f.mean[h]! - (0.05 * (240 + h) + Math.sin((2 * Math.PI * (240 + h)) / 12))) < 0.3,
      );
    }
    assert.ok(f.sd[11]! >= f.sd[0]!);
  }
  const d = fitEts(y, { trend: "damped", period: 12 });
  assert.ok(d.phi >= 0.8 && d.phi <= 0.98);
});

Deno.test("fitEts() skips NaN, drops a season that does not fit twice, and handles tiny input", () => {
  const y = Float64Array.from({ length: 30 }, (_, i) => (i % 5 === 0 ? NaN : i));
  assert.ok(Number.isFinite(fitEts(y).level));
  assert.equal(fitEts(y, { period: 20 }).period, 0);
  const two = fitEts(new Float64Array([2, NaN, 4]));
  assert.equal(two.level, 3);
  assert.equal(fitEts(new Float64Array()).level, 0);
});

Deno.test("backtest() scores rolling origins and calibrateIntervals() widens with the errors", () => {
  const y = Float64Array.from({ length: 100 }, (_, i) => i % 10);
  const r = backtest(y, (train, h) => seasonalNaive(train, h, 10), {
    horizon: 10,
    origins: 4,
    minTrain: 20,
  });
  assert.equal(r.origins.length, 4);
  const s = backtestScores(r.errors, r.actuals);
  assert.equal(s.mse, 0);
  assert.ok(Number.isNaN(backtestScores([], []).mse));
  const errs = [0, 1, 2, 3].map((k) =>
    Float64Array.from({ length: 10 }, (_, h) => ((h + k) % 3) - 1)
  );
  const c = calibrateIntervals(errs, new Float64Array(10).fill(0.1));
  assert.equal(c.method, "backtest");
  assert.ok(c.q95 * c.scale[0]! >= 0.9);
  const trend = [0, 1, 2, 3].map(() =>
    Float64Array.from({ length: 10 }, (_, h) => (h % 2 ? 1 : -1) * (h + 1))
  );
  const t = calibrateIntervals(trend, new Float64Array(10));
  assert.ok(t.scale[9]! > t.scale[0]!);
});
