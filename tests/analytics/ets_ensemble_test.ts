import assert from "node:assert/strict";
import { forecast } from "../../analytics/forecast/forecast.ts";
import { DEFAULT_CANDIDATES } from "../../analytics/forecast/forecast_candidates.ts";
import { etsEnsemble } from "../../analytics/models/ets_ensemble.ts";
import { holtWinters } from "../../analytics/models/holt_winters.ts";
import { theta } from "../../analytics/models/theta.ts";
import { seeded } from "./_seeded.ts";

const wave = (n: number, noise = 0, seed = 5) => {
  const g = seeded(seed);
  return Float64Array.from(
    { length: n },
    (_, i) => Math.sin((2 * Math.PI * i) / 24) + noise * g(),
  );
};

Deno.test("etsEnsemble() fits one parameter set per history window and continues a wave", () => {
  const y = wave(1344, 0.2);
  const fit = etsEnsemble(y, 24, { period: 24 });
  assert.equal((fit.params.alpha as number[]).length, 3); // ¼, ½ and all of 1,344 points
  const f = fit.at(1344, 24);
  for (let h = 0; h < 24; h++) {
    assert.ok(Math.abs(f.mean[h]! - Math.sin((2 * Math.PI * (1344 + h)) / 24)) < 0.15);
    assert.ok(f.sd[h]! > 0);
  }
  // a backtest origin re-runs the filters over the prefix: forecasts the same wave from there
  const back = fit.at(1000, 4);
  assert.ok(Math.abs(back.mean[0]! - Math.sin((2 * Math.PI * 1000) / 24)) < 0.15);
});

Deno.test("etsEnsemble() windows shorter than 4 periods are left out, so a short history is one fit", () => {
  const y = wave(120, 0.2);
  const fit = etsEnsemble(y, 24, { period: 24 });
  assert.equal((fit.params.alpha as number[]).length, 1);
  const plain = holtWinters(y, 24, { period: 24 });
  assert.equal((fit.params.alpha as number[])[0], plain.params.alpha);
});

Deno.test("etsEnsemble() bagged uses the original and bootstraps-1 resampled series, seeded", () => {
  const y = wave(480, 0.5, 9);
  const a = etsEnsemble(y, 24, { period: 24, source: "bagged", bootstraps: 5 });
  const b = etsEnsemble(y, 24, { period: 24, source: "bagged", bootstraps: 5 });
  const alphas = a.params.alpha as number[];
  assert.equal(alphas.length, 5);
  assert.equal(alphas[0], holtWinters(y, 24, { period: 24 }).params.alpha);
  assert.deepEqual(a.params, b.params);
  assert.deepEqual([...a.at(400, 24).mean], [...b.at(400, 24).mean]);
  const other = etsEnsemble(y, 24, { period: 24, source: "bagged", bootstraps: 5, seed: 2 });
  assert.notDeepEqual(other.params.alpha, alphas);
  // without a period that fits twice there is nothing to decompose: the plain fit alone
  const short = etsEnsemble(y.subarray(0, 40), 8, { period: 24, source: "bagged" });
  assert.equal((short.params.alpha as number[]).length, 1);
});

Deno.test("etsEnsemble() bagged fits the last 2,016 points of a long history, filters all of it", () => {
  const y = wave(3000, 0.5, 4), start = 3000 - 2016, o = { period: 24, source: "bagged" } as const;
  const fit = etsEnsemble(y, 24, o);
  // the parameter sets are those of the window alone; the distant past as noise changes none
  assert.deepEqual(fit.params, etsEnsemble(y.slice(start), 24, o).params);
  const noisy = y.slice(), g = seeded(3);
  for (let t = 0; t < start; t++) noisy[t] = 20 * g();
  assert.deepEqual(etsEnsemble(noisy, 24, o).params, fit.params);
  assert.notDeepEqual(etsEnsemble(y, 24, { ...o, history: Infinity }).params, fit.params);
  // every set still runs over the whole history: origins before the window forecast the wave
  for (const end of [500, 3000]) {
    assert.ok(Math.abs(fit.at(end, 4).mean[0]! - Math.sin((2 * Math.PI * end) / 24)) < 0.3);
  }
  // origins in the window resume from the filter's states at its start: the same forecasts, to
  // the last bit, as a run from the first point (windows source: its fits read the whole history
  // with or without a cap; Infinity puts the window's start at 0)
  const resumed = etsEnsemble(y, 24, { period: 24 });
  const run = etsEnsemble(y, 24, { period: 24, history: Infinity });
  assert.deepEqual(resumed.params, run.params);
  for (const end of [1, start - 1, start, start + 1, 2500, 2999, 3000]) {
    assert.deepEqual(resumed.at(end, 24), run.at(end, 24));
  }
  // a history no longer than the window: the same fit as without a cap
  const short = y.subarray(0, 1344);
  const a = etsEnsemble(short, 24, o), b = etsEnsemble(short, 24, { ...o, history: 1e9 });
  assert.deepEqual(a.params, b.params);
  assert.deepEqual(a.at(1000, 24), b.at(1000, 24));
});

Deno.test("theta() with optimise chooses a drift weight by the one-step error", () => {
  const g = seeded(3);
  const trend = Float64Array.from({ length: 300 }, (_, i) => 0.5 * i + g());
  const fitted = theta(trend, 12, { periods: [] }, { optimise: true });
  assert.ok((fitted.params.theta as number) >= 2);
  const level = Float64Array.from({ length: 300 }, () => 10 + 0.5 * g());
  assert.equal(theta(level, 12, { periods: [] }, { optimise: true }).params.theta, 1);
  // the standard method keeps θ = 2 and its params as before
  assert.deepEqual(Object.keys(theta(level, 12, { periods: [] }).params), ["period", "alpha"]);
});

Deno.test("forecast() too short to backtest falls back to its pool's ETS, ets_bagged by default", () => {
  const y = Float64Array.from([3, 4, 3.5, 5, 4.5, 6, 5.5]); // 7 points: no backtest origin
  const f = forecast(y, { horizon: 2, season: 0 });
  assert.equal(f.fitted.model, "ets_bagged");
  assert.ok(Number.isNaN(f.fitted.backtest.mse));
  assert.equal(
    forecast(y, { horizon: 2, season: 0, models: ["snaive", "ets"] }).fitted.model,
    "ets",
  );
  assert.ok(DEFAULT_CANDIDATES.includes("ets_bagged") && !DEFAULT_CANDIDATES.includes("ets"));
});
