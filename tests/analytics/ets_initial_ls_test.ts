import assert from "node:assert/strict";
import fc from "fast-check";
import { etsFilter, etsInitialStates, type EtsStates } from "../../analytics/models/ets_filter.ts";
import { etsLeastSquaresInitial } from "../../analytics/models/ets_initial_ls.ts";
import { fitEts } from "../../analytics/forecast/ets.ts";
import { etsForecast } from "../../analytics/forecast/ets_forecast.ts";
import { candidateModels } from "../../analytics/forecast/forecast_candidates.ts";
import { props } from "../_props.ts";
import { seeded } from "./_seeded.ts";

const sse = (y: Float64Array, p: Parameters<typeof etsFilter>[1], init: EtsStates) =>
  etsFilter(y, p, init, { level: 0, slope: 0, season: new Float64Array(init.season.length) });

/**
 * Simulates the ETS(A,N,A) state space model from `level` and the seasonal states `season` over
 * `length` points with errors 0.1·g(): the series and the states it ends in.
 */
function simulateAna(
  g: () => number,
  start: { level: number; season: number[] },
  o: { length: number; alpha: number; gamma: number },
): { y: Float64Array; level: number; season: Float64Array } {
  const m = start.season.length;
  let level = start.level;
  const season = Float64Array.from(start.season);
  const y = new Float64Array(o.length);
  for (let t = 0; t < y.length; t++) {
    const e = 0.1 * g(), j = t % m;
    y[t] = level + season[j]! + e;
    level += o.alpha * e, season[j]! += o.gamma * e;
  }
  return { y, level, season };
}

Deno.test("etsLeastSquaresInitial() recovers the true initial states of a simulated ETS(A,N,A) series", () => {
  const g = seeded(21), m = 12;
  const truth = [3, 1, -1, -3, -2, 0, 2, 4, 1, -1, -2, -2];
  const p = { alpha: 0.05, beta: 0, gamma: 0.02, phi: 0, period: m };
  // simulate the state space model from known initial states with small errors
  const { y } = simulateAna(g, { level: 10, season: truth }, {
    length: 24 * m,
    alpha: p.alpha,
    gamma: p.gamma,
  });
  const heuristic = etsInitialStates(y, m, false);
  const s = etsLeastSquaresInitial(y, p, false, heuristic);
  assert.ok(Math.abs(s.level - 10) < 0.1, `level ${s.level}`);
  for (let j = 0; j < m; j++) assert.ok(Math.abs(s.season[j]! - truth[j]!) < 0.15, `season ${j}`);
  assert.ok(Math.abs(s.season.reduce((a, b) => a + b, 0)) < 1e-9);
  assert.ok(sse(y, p, s) <= sse(y, p, heuristic));
});

Deno.test("etsLeastSquaresInitial() finds the slope of a trend and falls back on too few points", () => {
  const y = Float64Array.from({ length: 60 }, (_, i) => 2 + 0.5 * i + (i % 3 === 0 ? 1 : -0.5));
  const p = { alpha: 0.2, beta: 0.01, gamma: 0.05, phi: 1, period: 3 };
  const s = etsLeastSquaresInitial(y, p, true, etsInitialStates(y, 3, true));
  assert.ok(Math.abs(s.slope - 0.5) < 1e-6 && Math.abs(s.level - 1.5) < 1e-6);
  const fallback = { level: 7, slope: 0, season: new Float64Array(3) };
  assert.equal(etsLeastSquaresInitial(new Float64Array([1, 2]), p, true, fallback), fallback);
});

Deno.test("etsLeastSquaresInitial() never gives a larger one-step error than the heuristic states", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 8 }),
      fc.integer({ min: 3, max: 8 }),
      fc.double({ min: 0.01, max: 0.9, noNaN: true }),
      fc.double({ min: 0, max: 0.09, noNaN: true }),
      fc.boolean(),
      fc.integer({ min: 1, max: 1000 }),
      (m, cycles, alpha, gamma, trend, seed) => {
        const g = seeded(seed);
        const y = Float64Array.from(
          { length: m * cycles },
          (_, i) => (trend ? 0.1 * i : 0) + Math.sin((2 * Math.PI * i) / m) + 0.3 * g(),
        );
        if (seed % 7 === 0) y[seed % y.length] = NaN;
        const p = { alpha, beta: trend ? alpha / 10 : 0, gamma, phi: trend ? 0.9 : 0, period: m };
        const heuristic = etsInitialStates(y, m, trend);
        const s = etsLeastSquaresInitial(y, p, trend, heuristic);
        assert.ok(sse(y, p, s) <= sse(y, p, heuristic) * (1 + 1e-9) + 1e-12);
      },
    ),
    props(60),
  );
});

Deno.test("fitEts() with least-squares initial states fits the one-step errors at least as well", () => {
  const g = seeded(5), m = 24;
  const truth = Array.from({ length: m }, (_, j) => Math.sin((2 * Math.PI * j) / m));
  const { y, level, season } = simulateAna(g, { level: 0, season: truth }, {
    length: 40 * m,
    alpha: 0.1,
    gamma: 0.01,
  });
  // two outliers at phase 5 of the first two cycles: the heuristic states average them in, and
  // the fit then needs a large seasonal smoothing to unlearn them
  y[5]! += 4, y[29]! += 4;
  const heuristic = fitEts(y, { trend: "none", period: m, lossHorizon: 1 });
  const ls = fitEts(y, { trend: "none", period: m, lossHorizon: 1, initial: "least_squares" });
  // the refit starts from the heuristic fit's parameters and its states minimise the same SSE
  assert.ok(ls.sigma2 <= heuristic.sigma2, `${ls.sigma2} vs ${heuristic.sigma2}`);
  assert.ok(Math.abs(ls.initial.season.reduce((a, b) => a + b, 0)) < 1e-9);
  const f = etsForecast(ls, m);
  for (let h = 0; h < m; h++) assert.ok(Math.abs(f.mean[h]! - (level + season[h]!)) < 0.3);
});

Deno.test("the ets_mle candidate forecasts a seasonal series and backtests by re-filtering", () => {
  const y = Float64Array.from({ length: 24 * 20 }, (_, i) => 3 + Math.sin((2 * Math.PI * i) / 24));
  const fit = candidateModels(["ets_mle"]).ets_mle(y, 24, { periods: [24] });
  const f = fit.at(y.length, 24), earlier = fit.at(y.length - 24, 24);
  for (let h = 0; h < 24; h++) {
    const want = 3 + Math.sin((2 * Math.PI * (y.length + h)) / 24);
    assert.ok(Math.abs(f.mean[h]! - want) < 0.05 && Math.abs(earlier.mean[h]! - want) < 0.05);
  }
});
