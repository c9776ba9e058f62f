import assert from "node:assert/strict";
import { type CandidateName, forecast } from "../../analytics/forecast/forecast.ts";
import {
  candidateModels,
  DEFAULT_CANDIDATES,
} from "../../analytics/forecast/forecast_candidates.ts";
import { fitEts } from "../../analytics/forecast/ets.ts";
import { etsForecast } from "../../analytics/forecast/ets_forecast.ts";
import { etsAicc, etsAuto } from "../../analytics/models/ets_auto.ts";
import { etsInitialStates } from "../../analytics/models/ets_filter.ts";
import { etsRefilter } from "../../analytics/models/ets_refilter.ts";
import { assertNoLookAhead, dailySeries, seeded } from "./_seeded.ts";

const series = dailySeries;

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

Deno.test("etsAicc() is n·log(SSE/n) + 2k + 2k(k+1)/(n−k−1), infinite without enough points", () => {
  assert.ok(Math.abs(etsAicc(50, 200, 4) - (200 * Math.log(0.25) + 8 + 40 / 195)) < 1e-9);
  assert.equal(etsAicc(1, 5, 4), Infinity);
  // an exact fit still ranks by the number of parameters
  assert.ok(etsAicc(0, 100, 3) < etsAicc(0, 100, 4));
  assert.ok(Number.isFinite(etsAicc(0, 100, 3)));
});

Deno.test("etsAuto() picks the season and the trend a series has, and none it lacks", () => {
  const cases: [string, Float64Array][] = [
    ["A,N,A", series(480, { wave: 2 })],
    ["A,N,N", series(480, {})],
  ];
  for (const [form, y] of cases) {
    assert.equal(etsAuto(y, 24, { period: 24 }).params.form, form);
  }
  // a trend with noise: one of the two trended forms, never the flat one
  const trended = etsAuto(series(480, { slope: 0.05, wave: 2 }), 24, { period: 24 });
  assert.match(String(trended.params.form), /^A,Ad?,A$/);
  const f = trended.at(480, 24);
  assert.ok(f.mean[23]! > f.mean[0]! - 3); // not falling back to the start's level
});

Deno.test("etsAuto() fits seasonal forms only with a period and two cycles of it", () => {
  const y = series(480, { wave: 2 });
  assert.equal((etsAuto(y, 24, { period: 24 }).params.aicc as number[]).length, 6);
  assert.equal((etsAuto(y, 24).params.aicc as number[]).length, 3);
  assert.equal((etsAuto(y.subarray(0, 40), 24, { period: 24 }).params.aicc as number[]).length, 3);
  const none = etsAuto(y, 24, { period: 0 });
  assert.match(String(none.params.form), /,N$/);
  assert.equal(none.params.period, 0);
});

Deno.test("etsAuto() with Akaike weights averages the forms by exp(−ΔAICc/2)", () => {
  // a weak trend and wave in noise, no period given: no form is clearly best (0.68 / 0.27 / 0.04)
  const y = series(300, { slope: 0.01, wave: 0.3, noise: 0.5, seed: 9 });
  const fit = etsAuto(y, 24, { combine: "weights" });
  const aicc = fit.params.aicc as number[], w = fit.params.weight as number[];
  assert.equal(fit.params.forms, "A,N,N A,A,N A,Ad,N");
  assert.ok(Math.abs(sum(w) - 1) < 1e-12 && Math.max(...w) < 0.9);
  const best = Math.min(...aicc), raw = aicc.map((a) => Math.exp(-(a - best) / 2));
  raw.forEach((r, i) => assert.ok(Math.abs(r / sum(raw) - w[i]!) < 1e-12));
  // each form refitted alone, as etsAuto fits it
  const forms = (["none", "additive", "damped"] as const).map((trend) =>
    etsForecast(fitEts(y, { trend, lossHorizon: 1, initial: "least_squares" }), 24)
  );
  const f = fit.at(300, 24);
  for (const h of [0, 11, 23]) {
    const mean = sum(forms.map((g, i) => w[i]! * g.mean[h]!));
    assert.ok(Math.abs(f.mean[h]! - mean) < 1e-9);
    // Burnham & Anderson's unconditional sd: at least the weighted sd of the forms
    assert.ok(f.sd[h]! >= sum(forms.map((g, i) => w[i]! * g.sd[h]!)) - 1e-12);
  }
  // the selection is the form of lowest AICc alone
  const picked = etsAuto(y, 24);
  assert.deepEqual(picked.params.weight, aicc.map((a) => +(a === best)));
  assert.deepEqual([...picked.at(300, 24).mean], [...forms[aicc.indexOf(best)]!.mean]);
});

Deno.test("etsAuto() backtest origins read nothing after the origin", () => {
  const y = series(480, { wave: 2, slope: 0.01, seed: 5 });
  for (const combine of ["select", "weights"] as const) {
    assertNoLookAhead(etsAuto(y, 24, { period: 24, combine }), y, combine);
  }
});

Deno.test("etsAuto() fits the last 2,016 points of a long history, and all of a short one", () => {
  const y = series(3000, { wave: 2, slope: 0.002, seed: 11 }), start = 3000 - 2016;
  const fit = etsAuto(y, 24, { period: 24 });
  // the same forms, AICc and forecast as fitting the window alone
  const tail = etsAuto(y.slice(start), 24, { period: 24 });
  assert.deepEqual(fit.params, tail.params);
  assert.deepEqual([...fit.at(3000, 24).mean], [...tail.at(2016, 24).mean]);
  assert.deepEqual([...fit.at(2900, 24).mean], [...tail.at(1916, 24).mean]);
  // the distant past replaced by noise changes nothing
  const noisy = y.slice(), g = seeded(2);
  for (let t = 0; t < start; t++) noisy[t] = 50 * g();
  assert.deepEqual(etsAuto(noisy, 24, { period: 24 }).params, fit.params);
  // a window as long as the history, or none: the whole history, as before the cap
  const whole = etsAuto(y, 24, { period: 24, history: Infinity });
  assert.deepEqual(etsAuto(y, 24, { period: 24, history: 3000 }).params, whole.params);
  assert.notDeepEqual(whole.params, fit.params);
  // a history no longer than the window is fitted whole, as before the cap
  const short = y.subarray(0, 1344);
  const a = etsAuto(short, 24, { period: 24 }),
    b = etsAuto(short, 24, { period: 24, history: 1e9 });
  assert.deepEqual(a.params, b.params);
  for (const end of [0, 700, 1344]) assert.deepEqual(a.at(end, 24), b.at(end, 24));
});

Deno.test("etsAuto() origins before the window run from the points before them", () => {
  const y = series(3000, { wave: 2, slope: 0.002, seed: 12 }), start = 3000 - 2016;
  const fit = etsAuto(y, 24, { period: 24 });
  for (const end of [start, 600, 100]) {
    const before = fit.at(end, 24).mean, saved = y.slice();
    // nothing between the origin and the window's start is read
    y.fill(100, end, start);
    assert.deepEqual([...fit.at(end, 24).mean], [...before]);
    y.set(saved);
    const truth = 10 + 0.002 * end + 2 * Math.sin((2 * Math.PI * end) / 24);
    assert.ok(Math.abs(before[0]! - truth) < 1, `at ${end}: ${before[0]}`);
  }
});

Deno.test("etsAuto() with preWindow filter runs origins before the window from the start", () => {
  // longer than two windows: origins before the window have more than a window's points before them
  const y = series(5000, { wave: 2, slope: 0, seed: 13 }), start = 5000 - 2016;
  const fit = etsAuto(y, 24, { period: 24, preWindow: "filter" });
  // the parameters are the window's, as without the switch
  assert.deepEqual(fit.params, etsAuto(y, 24, { period: 24 }).params);
  assert.equal(fit.params.form, "A,N,A");
  const m = fitEts(y.subarray(start), {
    trend: "none",
    period: 24,
    lossHorizon: 1,
    initial: "least_squares",
    maxEvaluations: 100,
  });
  assert.equal(m.alpha, fit.params.alpha);
  const heuristic = etsAuto(y, 24, { period: 24 });
  for (const end of [start, 2500, 600, 100]) {
    // the states of that model run over every point before the origin from heuristic states
    const prefix = y.subarray(0, end), s = etsInitialStates(prefix, 24, false);
    const initial = { level: s.level, slope: s.slope, season: [...s.season] };
    const run = etsForecast(etsRefilter({ ...m, initial }, prefix), 24);
    assert.deepEqual([...fit.at(end, 24).mean], [...run.mean]);
    // nothing between the origin and the window's start is read
    const before = fit.at(end, 24).mean, saved = y.slice();
    y.fill(100, end, start);
    assert.deepEqual([...fit.at(end, 24).mean], [...before]);
    y.set(saved);
  }
  // unlike heuristic states over the window's length before the origin, it reads the distant past
  assert.notDeepEqual(fit.at(start, 24).mean, heuristic.at(start, 24).mean);
  const early = y.slice();
  early.fill(12, 0, start - 2016);
  assert.deepEqual(etsAuto(early, 24, { period: 24 }).at(start, 24), heuristic.at(start, 24));
  assert.notDeepEqual(
    etsAuto(early, 24, { period: 24, preWindow: "filter" }).at(start, 24),
    fit.at(start, 24),
  );
  // origins in the window are unchanged
  for (const end of [start + 1, 4000, 5000]) {
    assert.deepEqual(fit.at(end, 24), heuristic.at(end, 24));
  }
});

Deno.test("etsAuto() on degenerate input: constant, short and two-point series", () => {
  const flat = etsAuto(new Float64Array(100).fill(3), 12, { period: 12 }).at(100, 12);
  assert.ok(flat.mean.every((v) => Math.abs(v - 3) < 1e-6));
  const short = etsAuto(Float64Array.from([1, 2, 3, 2, 1]), 3, { period: 2 });
  assert.equal(short.params.form, "A,N,N");
  assert.ok(short.at(5, 3).mean.every(Number.isFinite));
  const two = etsAuto(Float64Array.from([4, 6]), 2).at(2, 2);
  assert.deepEqual([...two.mean], [5, 5]);
});

Deno.test("ets_auto is a default candidate in ets_damped's place, ets_auto_avg opt-in", () => {
  assert.ok(DEFAULT_CANDIDATES.includes("ets_auto"));
  assert.ok(!DEFAULT_CANDIDATES.includes("ets_damped"));
  assert.ok(!DEFAULT_CANDIDATES.includes("ets_auto_avg"));
  const y = series(480, { wave: 2 });
  const pool = candidateModels(["ets_auto", "ets_auto_avg"]);
  assert.equal(pool.ets_auto(y, 24, { periods: [24] }).params.form, "A,N,A");
  const f = forecast(y, { horizon: 24, models: [...DEFAULT_CANDIDATES, "ets_auto_avg"] });
  assert.ok(f.candidates.some((c) => c.name === "ets_auto_avg"));
});

Deno.test("forecast() etsWindow reaches ets_auto and ets_bagged; left out it changes nothing", () => {
  const y = series(5000, { wave: 2, slope: 0.001, seed: 14 }), H = 24;
  const models: CandidateName[] = ["ets_auto", "ets_bagged"];
  const plain = forecast(y, { horizon: H, models, season: 24 });
  const same = forecast(y, { horizon: H, models, season: 24, etsWindow: { history: 2016 } });
  assert.deepEqual(same.fitted.params, plain.fitted.params);
  assert.deepEqual([...same.mean], [...plain.mean]);
  const whole = forecast(y, { horizon: H, models, season: 24, etsWindow: { history: Infinity } });
  assert.notDeepEqual(whole.fitted.params.ets_auto, plain.fitted.params.ets_auto);
  assert.notDeepEqual(whole.fitted.params.ets_bagged, plain.fitted.params.ets_bagged);
  // the pool's context passes both switches to ets_auto, only the window to ets_bagged
  const pool = candidateModels(models), ets = { history: Infinity, preWindow: "filter" } as const;
  assert.deepEqual(
    pool.ets_auto(y, H, { periods: [24], ets }).params,
    etsAuto(y, H, { period: 24, history: Infinity }).params,
  );
});
