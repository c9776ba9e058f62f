import assert from "node:assert/strict";
import { forecast } from "../../analytics/forecast/forecast.ts";
import { fitEts } from "../../analytics/forecast/ets.ts";
import {
  candidateModels,
  DEFAULT_CANDIDATES,
} from "../../analytics/forecast/forecast_candidates.ts";
import { etsEnsemble } from "../../analytics/models/ets_ensemble.ts";
import { etsRefilter } from "../../analytics/models/ets_refilter.ts";
import { etsResiduals } from "../../analytics/models/ets_residuals.ts";
import { holtWinters } from "../../analytics/models/holt_winters.ts";
import { residualAr, withResidualAr } from "../../analytics/models/residual_ar.ts";
import { seeded } from "./_seeded.ts";

/** A daily wave plus AR(1) noise with coefficient `phi`. */
const arWave = (n: number, phi: number, seed = 4) => {
  const g = seeded(seed);
  let u = 0;
  return Float64Array.from({ length: n }, (_, i) => {
    u = phi * u + 0.3 * g();
    return Math.sin((2 * Math.PI * i) / 24) + u;
  });
};

Deno.test("residualAr() recovers an AR(1) coefficient and decays the last error by its powers", () => {
  const g = seeded(11), e = new Float64Array(5000);
  for (let t = 1; t < e.length; t++) e[t] = 0.7 * e[t - 1]! + g();
  const c = residualAr(e)(e.length, 3);
  const phi = c[0]! / e[e.length - 1]!;
  assert.ok(Math.abs(phi - 0.7) < 0.05, `phi ${phi}`);
  assert.ok(Math.abs(c[2]! - phi ** 3 * e[e.length - 1]!) < 1e-12);
});

Deno.test("residualAr() at an origin uses only the residuals before it", () => {
  const g = seeded(2), e = Float64Array.from({ length: 400 }, () => g());
  const at = residualAr(e, { skip: 24 })(300, 5);
  const changed = e.slice();
  for (let t = 300; t < 400; t++) changed[t] = 50 * Math.sin(t); // later residuals: no effect
  assert.deepEqual([...residualAr(changed, { skip: 24 })(300, 5)], [...at]);
  assert.deepEqual([...residualAr(e.subarray(0, 300), { skip: 24 })(300, 5)], [...at]);
});

Deno.test("residualAr() gives zeros with too few residuals and clamps φ below 1", () => {
  const e = Float64Array.from({ length: 30 }, () => 1);
  assert.deepEqual([...residualAr(e, { skip: 10 })(30, 2)], [0, 0]); // 19 pairs < 24
  const c = residualAr(Float64Array.from({ length: 100 }, (_, t) => 1.1 ** t))(100, 1);
  assert.ok(c[0]! <= 0.99 * 1.1 ** 99 + 1e-6);
  // a window fits φ to the last residuals only: here they alternate in sign
  const flip = Float64Array.from({ length: 200 }, (_, t) => (t < 100 ? 1 : (-1) ** t));
  assert.ok(residualAr(flip, { window: 50 })(200, 1)[0]! / flip[199]! < 0);
  assert.ok(residualAr(flip)(200, 1)[0]! / flip[199]! > -0.5);
});

Deno.test("etsResiduals() are the one-step errors the filter makes, prefix by prefix", () => {
  const y = arWave(480, 0.8);
  const model = fitEts(y, { trend: "damped", period: 24 });
  const e = etsResiduals(model, y);
  assert.equal(e.length, 480);
  // the residual at t is y_t minus the one-step forecast of the model re-run over y[0, t)
  for (const t of [100, 333, 479]) {
    const prefix = etsRefilter(model, y.subarray(0, t));
    const oneStep = prefix.level + prefix.phi * prefix.slope + prefix.season[0]!;
    assert.ok(Math.abs(e[t]! - (y[t]! - oneStep)) < 1e-9);
  }
  // sigma2 divides the same SSE by n − (4 parameters + level + slope + 23 free seasons)
  let sse = 0;
  for (const v of e) sse += v * v;
  assert.ok(Math.abs(sse / (model.n - 29) - model.sigma2) < 1e-9);
});

Deno.test("etsResiduals() of a model without season are finite one-step errors", () => {
  const y = Float64Array.from({ length: 200 }, (_, i) => 0.05 * i + Math.sin(i));
  const model = fitEts(y, { trend: "damped", period: 0 });
  const e = etsResiduals(model, y);
  assert.ok(e.every(Number.isFinite));
  for (const t of [50, 199]) {
    const prefix = etsRefilter(model, y.subarray(0, t));
    assert.ok(Math.abs(e[t]! - (y[t]! - prefix.level - prefix.phi * prefix.slope)) < 1e-9);
  }
});

Deno.test("errorAr corrects ETS towards persistent errors and stays honest at backtest origins", () => {
  const y = arWave(1344, 0.9);
  const plain = holtWinters(y, 24, { period: 24 });
  const corrected = holtWinters(y, 24, { period: 24, errorAr: true });
  assert.equal(corrected.params.errorAr, 1);
  // the correction fades with the step
  const d = (o: number, h: number) =>
    Math.abs(corrected.at(o, h).mean[h - 1]! - plain.at(o, h).mean[h - 1]!);
  assert.ok(d(1344, 1) > d(1344, 24));
  // at a backtest origin, the future does not move it (the ETS parameters are fitted once, as for
  // every candidate; the correction's φ and last error come from before the origin)
  const future = y.slice();
  for (let t = 1000; t < 1344; t++) future[t]! += 5;
  const refit = withResidualAr(
    plain,
    etsResiduals(fitEts(y, { period: 24, trend: "none", lossHorizon: 24 }), future),
    { skip: 24 },
  );
  assert.deepEqual([...refit.at(1000, 6).mean], [...corrected.at(1000, 6).mean]);
  // one-step errors of AR(1) noise are predictable: the corrected model backtests better
  let a = 0, b = 0;
  for (let o = 700; o < 1344; o += 7) {
    a += (y[o]! - plain.at(o, 1).mean[0]!) ** 2, b += (y[o]! - corrected.at(o, 1).mean[0]!) ** 2;
  }
  assert.ok(b < 0.8 * a, `${b} vs ${a}`);
});

Deno.test("ets_bagged_ar is an opt-in candidate: ets_bagged plus the members' mean error's AR(1)", () => {
  assert.ok(!DEFAULT_CANDIDATES.includes("ets_bagged_ar"));
  const y = arWave(720, 0.8, 7);
  const fit = candidateModels(["ets_bagged_ar"]).ets_bagged_ar(y, 24, { periods: [24] });
  const base = etsEnsemble(y, 24, { period: 24, source: "bagged" });
  assert.deepEqual(fit.params.alpha, base.params.alpha);
  assert.notDeepEqual([...fit.at(720, 3).mean], [...base.at(720, 3).mean]);
  const f = forecast(y, { horizon: 24, models: ["snaive", "ets_bagged_ar"] });
  assert.equal(f.mean.length, 24);
  assert.ok(f.mean.every(Number.isFinite));
});
