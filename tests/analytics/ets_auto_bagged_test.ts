import assert from "node:assert/strict";
import {
  candidateModels,
  DEFAULT_CANDIDATES,
} from "../../analytics/forecast/forecast_candidates.ts";
import { type EtsTrend, fitEts } from "../../analytics/forecast/ets.ts";
import { etsForecast } from "../../analytics/forecast/ets_forecast.ts";
import { etsAuto } from "../../analytics/models/ets_auto.ts";
import { etsAutoBagged } from "../../analytics/models/ets_auto_bagged.ts";
import { ensembleSources } from "../../analytics/models/ets_ensemble.ts";
import { etsInitialStates } from "../../analytics/models/ets_filter.ts";
import { etsLeastSquaresInitial } from "../../analytics/models/ets_initial_ls.ts";
import { etsRefilter } from "../../analytics/models/ets_refilter.ts";
import { assertNoLookAhead, dailySeries } from "./_seeded.ts";

const series = dailySeries;

const TREND: Record<string, EtsTrend> = { N: "none", A: "additive", Ad: "damped" };

/** The forecast of `form` fitted on `y` and run over `values` from its least-squares states. */
function memberForecast(y: Float64Array, values: Float64Array, form: string, h: number) {
  const [, t, s] = form.split(",");
  const trend = TREND[t!]!, hasTrend = trend !== "none";
  const fit = fitEts(y, {
    trend,
    period: s === "A" ? 24 : 0,
    lossHorizon: 1,
    initial: "least_squares",
  });
  const init = etsLeastSquaresInitial(
    values,
    fit,
    hasTrend,
    etsInitialStates(values, fit.period, hasTrend),
  );
  const initial = { ...init, season: fit.period > 1 ? [...init.season] : [] };
  return etsForecast(etsRefilter({ ...fit, initial, n: values.length }, values), h);
}

Deno.test("etsAutoBagged() averages the chosen form refitted on ets_bagged's 8 series", () => {
  const y = series(480, { wave: 2, slope: 0.01, noise: 0.4, seed: 7 });
  const fit = etsAutoBagged(y, 24, { period: 24 });
  const auto = etsAuto(y, 24, { period: 24 });
  const forms = String(fit.params.form).split(" ");
  assert.equal(forms.length, 8);
  assert.ok(forms.every((f) => f === auto.params.form));
  // the original series' member is etsAuto's own fit
  assert.equal((fit.params.alpha as number[])[0], auto.params.alpha);
  const sources = ensembleSources(y, 24, { source: "bagged", bootstraps: 8, seed: 1 });
  const members = sources.map((b) => memberForecast(b, y, String(auto.params.form), 24));
  const own = auto.at(480, 24).mean;
  members[0]!.mean.forEach((v, i) => assert.ok(Math.abs(v - own[i]!) < 1e-9));
  const f = fit.at(480, 24);
  for (let h = 0; h < 24; h++) {
    const mean = members.reduce((a, m) => a + m.mean[h]!, 0) / 8;
    const sd = members.reduce((a, m) => a + m.sd[h]!, 0) / 8;
    assert.ok(Math.abs(f.mean[h]! - mean) < 1e-9 && Math.abs(f.sd[h]! - sd) < 1e-9);
  }
  // the bootstraps do move the parameters
  assert.ok(new Set(fit.params.alpha as number[]).size > 1);
});

Deno.test("etsAutoBagged() with select each chooses every bootstrap's form by AICc", () => {
  // a weak trend in noise: the forms' AICc are close, so the bootstraps need not agree
  const y = series(480, { wave: 1, slope: 0.004, noise: 0.8, seed: 11 });
  const fit = etsAutoBagged(y, 24, { period: 24, select: "each" });
  const sources = ensembleSources(y, 24, { source: "bagged", bootstraps: 8, seed: 1 });
  const forms = sources.map((b) => String(etsAuto(b, 24, { period: 24 }).params.form));
  assert.equal(fit.params.form, forms.join(" "));
  assert.ok(new Set(forms).size > 1); // A,A,A on some, A,Ad,A on others
  const members = sources.map((b, i) => memberForecast(b, y, forms[i]!, 12));
  const f = fit.at(480, 12);
  for (let h = 0; h < 12; h++) {
    const mean = members.reduce((a, m) => a + m.mean[h]!, 0) / 8;
    assert.ok(Math.abs(f.mean[h]! - mean) < 1e-9);
  }
});

Deno.test("etsAutoBagged() backtest origins read nothing after the origin", () => {
  const y = series(480, { wave: 2, slope: 0.01, seed: 5 });
  for (const select of ["once", "each"] as const) {
    assertNoLookAhead(etsAutoBagged(y, 24, { period: 24, select }), y, select);
  }
});

Deno.test("etsAutoBagged() without two cycles is etsAuto's chosen form alone", () => {
  const y = series(40, { wave: 2 });
  const fit = etsAutoBagged(y, 12, { period: 24, select: "each" });
  assert.equal(fit.params.form, etsAuto(y, 12, { period: 24 }).params.form);
  const own = etsAuto(y, 12, { period: 24 }).at(40, 12).mean;
  fit.at(40, 12).mean.forEach((v, i) => assert.ok(Math.abs(v - own[i]!) < 1e-9));
  const flat = etsAutoBagged(new Float64Array(100).fill(3), 12, { period: 12 }).at(100, 12);
  assert.ok(flat.mean.every((v) => Math.abs(v - 3) < 1e-6));
});

Deno.test("ets_auto_bagged and ets_auto_bagged_sel are opt-in candidates", () => {
  assert.ok(!DEFAULT_CANDIDATES.includes("ets_auto_bagged"));
  assert.ok(!DEFAULT_CANDIDATES.includes("ets_auto_bagged_sel"));
  const y = series(480, { wave: 2 });
  const pool = candidateModels(["ets_auto_bagged", "ets_auto_bagged_sel"]);
  assert.equal(
    pool.ets_auto_bagged(y, 24, { periods: [24] }).params.form,
    Array(8).fill("A,N,A").join(" "),
  );
  const sel = pool.ets_auto_bagged_sel(y, 24, { periods: [24] });
  assert.equal(String(sel.params.form).split(" ").length, 8);
});
