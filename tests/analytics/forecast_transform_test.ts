import assert from "node:assert/strict";
import { forecast } from "../../analytics/forecast/forecast.ts";
import { backtestFitted } from "../../analytics/forecast/backtest_fitted.ts";
import { prepareForecast } from "../../analytics/forecast/forecast_prepare.ts";
import {
  backtestOnOriginal,
  prepareTransform,
} from "../../analytics/forecast/forecast_transform.ts";
import { invBoxCox } from "../../analytics/forecast/box_cox.ts";
import { seeded } from "./_seeded.ts";

/** A level growing 2.5× over the history with a daily wave of ±50 % of it, noise ×e^(±3 %). */
function multiplicative(n: number, seed = 7): { y: Float64Array; truth: (i: number) => number } {
  const g = seeded(seed);
  const truth = (i: number) =>
    20 * Math.exp(i / 800) * (1 + 0.5 * Math.sin((2 * Math.PI * i) / 24));
  return { y: Float64Array.from({ length: n }, (_, i) => truth(i) * Math.exp(0.03 * g())), truth };
}

Deno.test("forecast() with a transform beats none on a multiplicative seasonal series", () => {
  const n = 24 * 30, H = 48, { y, truth } = multiplicative(n);
  const mse = (mean: Float64Array) => {
    let se = 0;
    for (let h = 0; h < H; h++) se += (mean[h]! - truth(n + h)) ** 2 / H;
    return se;
  };
  const none = forecast(y, { horizon: H, transform: "none" });
  assert.equal(none.fitted.transform, undefined);
  // the default: Box-Cox, the median
  const byDefault = forecast(y, { horizon: H });
  assert.equal(byDefault.fitted.transform?.name, "boxcox");
  assert.equal(byDefault.fitted.transform?.biasAdjust, false);
  for (const transform of ["log", "boxcox"] as const) {
    for (const biasAdjust of [false, true]) {
      const f = forecast(y, { horizon: H, transform, biasAdjust });
      assert.equal(f.fitted.transform?.name, transform);
      assert.ok(f.fitted.transform!.lambda <= (transform === "log" ? 0 : 0.3));
      assert.ok(
        mse(f.mean) < 0.8 * mse(none.mean),
        `${transform}: ${mse(f.mean)} vs ${mse(none.mean)}`,
      );
      for (let h = 0; h < H; h++) {
        assert.ok(0 <= f.lo95[h]! && f.lo95[h]! <= f.lo80[h]! && f.lo80[h]! <= f.hi80[h]!);
        assert.ok(f.hi80[h]! <= f.hi95[h]!);
        assert.ok(f.lo80[h]! <= f.mean[h]! && f.mean[h]! <= f.hi80[h]!);
      }
      // scores are on the original scale, comparable with those without transform
      assert.ok(f.backtest.mse > 0 && f.backtest.mse < 2 * none.backtest.mse);
      // and so are the residuals (the intervals' scale stays on the transformed one)
      const rmse = Math.sqrt(f.backtest.mse), sd = f.fitted.residuals.sd;
      assert.ok(sd > 0.5 * rmse && sd < 1.01 * rmse, `residual sd ${sd}, backtest rmse ${rmse}`);
    }
  }
});

Deno.test("forecast() with a transform: a value ≤ 0 forecasts as without", () => {
  const n = 24 * 20, { y } = multiplicative(n, 3);
  for (const bad of [0, -1]) {
    const z = y.slice();
    z[100] = bad;
    const none = forecast(z, { horizon: 24, transform: "none" });
    for (const transform of ["log", "boxcox"] as const) {
      const f = forecast(z, { horizon: 24, transform, biasAdjust: true });
      assert.equal(f.fitted.transform, undefined);
      assert.deepEqual([...f.mean], [...none.mean]);
      assert.deepEqual([...f.hi95], [...none.hi95]);
    }
  }
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => forecast(y, { horizon: 24, transform: "sqrt" as any }),
    RangeError,
  );
});

Deno.test("backtestOnOriginal: an origin's errors read nothing after its steps", () => {
  const n = 24 * 20, H = 6, { y } = multiplicative(n, 5);
  const options = { horizon: H, season: 24 };
  const t = prepareTransform(y, prepareForecast(y, options), "boxcox", options)!;
  // the last transformed value of the prefix, as a filter re-run on it would use
  const last = (raw: Float64Array) => ({
    params: {},
    at: (end: number, h: number) => ({
      mean: new Float64Array(h).fill(raw[end - 1]!),
      sd: new Float64Array(h),
      params: {},
    }),
  });
  const origins = [300, 400];
  const a = backtestOnOriginal(backtestFitted(last(t.prep.raw), t.prep.raw, origins, H), t);
  // everything after the first origin's steps replaced, on both scales
  const cut = origins[0]! + H, raw = t.prep.raw.slice(), orig = t.original.raw.slice();
  raw.fill(NaN, cut), orig.fill(NaN, cut);
  const t2 = { ...t, original: { ...t.original, raw: orig } };
  const b = backtestOnOriginal(backtestFitted(last(raw), raw, origins, H), t2);
  assert.deepEqual([...b.errors[0]!], [...a.errors[0]!]);
  assert.ok(b.errors[1]!.every(Number.isNaN));
  // the forecast mapped back is the inverse transform of the transformed one (the median)
  const f = invBoxCox(t.prep.center + t.prep.scale * t.prep.raw[origins[0]! - 1]!, t.lambda);
  const actual = y[origins[0]!]!,
    scaled = (v: number) => (v - t.original.center) / t.original.scale;
  assert.ok(Math.abs(a.errors[0]![0]! - (scaled(actual) - scaled(f))) < 1e-12);
});
