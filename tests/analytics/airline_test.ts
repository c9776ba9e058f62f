import assert from "node:assert/strict";
import { airline } from "../../analytics/models/airline.ts";
import { forecast } from "../../analytics/forecast/forecast.ts";
import { DEFAULT_CANDIDATES } from "../../analytics/forecast/forecast_candidates.ts";
import { assertNoLookAhead, dailySeries, seeded } from "./_seeded.ts";

/** A simulated airline process: (1 − B)(1 − B^m) y = (1 − θB)(1 − ΘB^m) e, e ~ N(0, 1). */
function simulate(n: number, m: number, theta: number, seasonal: number, seed: number) {
  const g = seeded(seed), e = new Float64Array(n), y = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    e[t] = g();
    const at = (a: Float64Array, k: number) => (t - k >= 0 ? a[t - k]! : 0);
    y[t] = at(y, 1) + at(y, m) - at(y, m + 1) + e[t]! - theta * at(e, 1) - seasonal * at(e, m) +
      theta * seasonal * at(e, m + 1) + (t < m + 1 ? 50 : 0);
  }
  return y;
}

Deno.test("airline() recovers θ and Θ of a simulated airline process", () => {
  for (const [theta, seasonal, seed] of [[0.4, 0.7, 5], [-0.3, 0.5, 9]] as const) {
    const y = simulate(3000, 24, theta, seasonal, seed);
    const p = airline(y, 24, { periods: [24] }).params;
    assert.equal(p.period, 24);
    assert.ok(Math.abs((p.theta as number) - theta) < 0.06, `θ ${p.theta} for ${theta}`);
    assert.ok(
      Math.abs((p.seasonalTheta as number) - seasonal) < 0.06,
      `Θ ${p.seasonalTheta} for ${seasonal}`,
    );
    // the innovations have variance 1
    assert.ok(Math.abs((p.sigma2 as number) - 1) < 0.15, `σ² ${p.sigma2}`);
  }
});

Deno.test("airline() continues a line plus a repeating pattern exactly, its spread growing", () => {
  const pattern = [5, 2, 7, 1, 3, 3];
  const y = Float64Array.from({ length: 60 }, (_, t) => 2 + 0.25 * t + pattern[t % 6]!);
  const f = airline(y, 12, { periods: [6] }).at(60, 12);
  f.mean.forEach((v, h) =>
    assert.ok(Math.abs(v - (2 + 0.25 * (60 + h) + pattern[(60 + h) % 6]!)) < 1e-9)
  );
  // a noiseless fit has σ² 0: no spread
  assert.ok(f.sd.every((s) => s === 0));
  const noisy = dailySeries(24 * 30, { wave: 2, noise: 0.3 });
  const g = airline(noisy, 48, { periods: [24] }).at(noisy.length, 48);
  for (let h = 1; h < 48; h++) assert.ok(g.sd[h]! >= g.sd[h - 1]! - 1e-12);
  assert.ok(g.sd[0]! > 0.2 && g.sd[0]! < 0.5, `one-step sd ${g.sd[0]}`);
});

Deno.test("airline() without a period is ARIMA(0,1,1): θ recovered, a flat forecast", () => {
  // y_t = y_{t−1} + e_t − 0.6·e_{t−1}
  const g = seeded(13), y = new Float64Array(2000);
  let last = 0;
  for (let t = 0; t < y.length; t++) {
    const e = g();
    y[t] = (t ? y[t - 1]! : 20) + e - 0.6 * last;
    last = e;
  }
  const fit = airline(y, 10, { periods: [] });
  assert.equal(fit.params.period, 0);
  assert.equal(fit.params.seasonalTheta, 0);
  assert.ok(Math.abs((fit.params.theta as number) - 0.6) < 0.06, `θ ${fit.params.theta}`);
  const f = fit.at(y.length, 10);
  assert.ok(f.mean.every((v) => Math.abs(v - f.mean[0]!) < 1e-12));
  // a period the history cannot hold three times is dropped the same way
  assert.equal(airline(y.subarray(0, 70), 5, { periods: [24] }).params.period, 0);
});

Deno.test("airline() on under three points gives the last value, and its origins read no later point", () => {
  const f = airline(Float64Array.of(4, 6), 3, { periods: [24] }).at(2, 3);
  assert.deepEqual([...f.mean], [6, 6, 6]);
  assert.deepEqual([...f.sd], [0, 0, 0]);
  assert.ok(Number.isNaN(airline(new Float64Array(0), 2, { periods: [] }).at(0, 2).mean[0]));
  const y = dailySeries(24 * 25, { wave: 2, slope: 0.01, noise: 0.1 });
  assertNoLookAhead(airline(y, 24, { periods: [24] }), y, "airline");
});

Deno.test("forecast() mixes airline by default", () => {
  assert.ok(DEFAULT_CANDIDATES.includes("airline"));
  const y = dailySeries(24 * 20, { wave: 3, slope: 0.02 });
  const f = forecast(y, { horizon: 24 });
  assert.ok(f.candidates.some((c) => c.name === "airline"));
});
