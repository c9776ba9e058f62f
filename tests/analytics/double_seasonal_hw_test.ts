import assert from "node:assert/strict";
import { forecast } from "../../analytics/forecast/forecast.ts";
import { DEFAULT_CANDIDATES } from "../../analytics/forecast/forecast_candidates.ts";
import { prepareForecast } from "../../analytics/forecast/forecast_prepare.ts";
import { doubleSeasonalHw, dshwPeriods } from "../../analytics/models/double_seasonal_hw.ts";
import {
  dshwFilter,
  dshwInitialStates,
  type DshwParams,
} from "../../analytics/models/dshw_filter.ts";
import { holtWinters } from "../../analytics/models/holt_winters.ts";
import { seeded } from "./_seeded.ts";

/** Hourly shape: a daily wave, weekdays above the weekend. */
const shape = (i: number) =>
  Math.sin((2 * Math.PI * i) / 24) + (Math.floor((i % 168) / 24) < 5 ? 0.4 : -1);

/** `shape` plus AR(1) noise (coefficient `phi`) and a slow random-walk level. */
function series(n: number, phi: number, seed = 4): Float64Array {
  const g = seeded(seed), y = new Float64Array(n);
  let level = 0, ar = 0;
  for (let i = 0; i < n; i++) {
    level += 0.005 * g(), ar = phi * ar + 0.1 * g();
    y[i] = shape(i) + level + ar;
  }
  return y;
}

Deno.test("doubleSeasonalHw() recovers a daily and a weekly shape that one period misses", () => {
  const y = series(1344, 0);
  const f = doubleSeasonalHw(y, 168, { periods: [24, 168] }).at(1344, 168);
  const one = holtWinters(y, 168, { period: 24 }).at(1344, 168);
  let worst = 0, oneWorst = 0;
  const level = y.subarray(1176).reduce((a, v, i) => a + v - shape(1176 + i), 0) / 168;
  for (let h = 0; h < 168; h++) {
    const truth = shape(1344 + h) + level;
    worst = Math.max(worst, Math.abs(f.mean[h]! - truth));
    oneWorst = Math.max(oneWorst, Math.abs(one.mean[h]! - truth));
    assert.ok(f.sd[h]! > 0 && (h === 0 || f.sd[h]! >= f.sd[h - 1]! - 1e-12));
  }
  assert.ok(worst < 0.3, `largest error ${worst}`);
  assert.ok(oneWorst > 0.8, `one period: ${oneWorst}`); // the weekend dip is not daily
  assert.deepEqual(doubleSeasonalHw(y, 24, { periods: [24, 168] }).params.periods, [24, 168]);
});

Deno.test("doubleSeasonalHw() adds φ^k times the last error, which decays with the step", () => {
  const y = series(1344, 0.8, 11);
  y[1343]! += 1; // a shock on the last point: a large last error
  const fit = doubleSeasonalHw(y, 24, { periods: [24, 168] });
  const phi = fit.params.phi as number;
  assert.ok(phi > 0.5 && phi < 0.99, `phi ${phi}`);
  // the seasonal states repeat every 168 steps, the AR term does not: their gap is φ^k e (1 − φ^168)
  const f = fit.at(1344, 336).mean;
  const adj = Array.from({ length: 24 }, (_, k) => f[k]! - f[k + 168]!);
  assert.ok(adj[0]! > 0.3, `first adjustment ${adj[0]}`);
  for (let k = 1; k < 24; k++) {
    assert.ok(Math.abs(adj[k]! / adj[k - 1]! - phi) < 1e-6);
  }
});

Deno.test("doubleSeasonalHw() backtest origins read no value after them", () => {
  const y = series(1000, 0.5, 2);
  // origins after the two long cycles the initial states come from, and one inside them
  for (const end of [700, 200]) {
    const z = y.slice(), fit = doubleSeasonalHw(z, 24, { periods: [24, 168] });
    const before = fit.at(end, 24);
    z.fill(1e6, end); // the fitted model holds `z`: what lies after the origin changes
    const after = fit.at(end, 24);
    assert.deepEqual([...after.mean], [...before.mean]);
    assert.deepEqual([...after.sd], [...before.sd]);
  }
  // an origin inside the first two long cycles starts from its own prefix's initial states
  const fit = doubleSeasonalHw(y, 24, { periods: [24, 168] }), p = fit.params;
  const prefix = y.subarray(0, 200), s0 = dshwInitialStates(prefix, 24, 168);
  const s = { level: 0, season1: new Float64Array(24), season2: new Float64Array(168), error: 0 };
  dshwFilter(prefix, { ...p, period1: 24, period2: 168 } as DshwParams, s0, s);
  const phi = p.phi as number;
  const first = s.level + s.season1[200 % 24]! + s.season2[200 % 168]! + phi * s.error;
  assert.ok(Math.abs(fit.at(200, 1).mean[0]! - first) < 1e-12);
  // the initial states come from the first two long cycles only
  const a = dshwInitialStates(series(1000, 0.5, 2), 24, 168);
  const b = dshwInitialStates(series(1000, 0.5, 2).subarray(0, 336), 24, 168);
  assert.deepEqual([a.level, ...a.season1, ...a.season2], [b.level, ...b.season1, ...b.season2]);
});

Deno.test("doubleSeasonalHw() with one period or none smooths with the AR term alone", () => {
  const y = series(300, 0.5, 6);
  const one = doubleSeasonalHw(y, 24, { periods: [24, 168] }); // 300 < 2 × 168
  assert.deepEqual(one.params.periods, [24]);
  assert.equal(one.params.gamma2, 0);
  const none = doubleSeasonalHw(y, 24);
  assert.deepEqual(none.params.periods, []);
  assert.ok(none.at(300, 24).mean.every(Number.isFinite));
  const flat = doubleSeasonalHw(new Float64Array([1, 1]), 3, { periods: [24, 168] });
  assert.deepEqual([...flat.at(2, 3).mean], [1, 1, 1]);
});

Deno.test("forecast() takes the opt-in `dshw` on a week of the period when one is detected", () => {
  assert.deepEqual(dshwPeriods([24, 168], 1344), [24, 168]);
  assert.deepEqual(dshwPeriods([24, 28, 216], 1344), [24, 216]);
  assert.deepEqual(dshwPeriods([24], 336), [24, 168]);
  assert.equal(dshwPeriods([24], 335), undefined); // not two weeks
  assert.equal(dshwPeriods([], 1344), undefined);
  const y = series(1344, 0.5, 8);
  const with24 = prepareForecast(y, { horizon: 24, season: 24, models: ["ets", "dshw"] });
  assert.deepEqual(with24.names, ["ets", "dshw"]);
  const none = prepareForecast(y, { horizon: 24, season: 0, models: ["ets", "dshw"] });
  assert.deepEqual(none.names, ["ets"]);
  const short = prepareForecast(y.subarray(0, 300), { horizon: 24, season: 24 });
  assert.ok(!short.names.includes("dshw"));
  // alone it stays, smoothing without the periods it lacks
  assert.deepEqual(prepareForecast(y, { horizon: 24, season: 0, models: ["dshw"] }).names, [
    "dshw",
  ]);
  const f = forecast(y, { horizon: 24, season: 24, models: [...DEFAULT_CANDIDATES, "dshw"] });
  const dshw = f.fitted.candidates.find((c) => c.name === "dshw");
  assert.ok(dshw && dshw.origins > 0);
  // opt-in: it passed the rule by 0.1–0.2 % and lost on OT's test origins (README: Forecasting)
  assert.ok(!DEFAULT_CANDIDATES.includes("dshw"));
});
