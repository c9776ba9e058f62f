import assert from "node:assert/strict";
import { decompose } from "../../analytics/forecast/decompose.ts";
import { detectPeriods } from "../../analytics/models/detect_periods.ts";
import { forecast } from "../../analytics/forecast/forecast.ts";
import { seeded } from "./_seeded.ts";

const daily = (i: number) => Math.sin((2 * Math.PI * i) / 24);
const weekly = (i: number) => 0.5 * Math.sin((2 * Math.PI * i) / 168);

function rmse(a: Float64Array, f: (i: number) => number): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - f(i)) ** 2;
  return Math.sqrt(s / a.length);
}

Deno.test("decompose() recovers a known trend, daily and weekly season from a seeded series", () => {
  const g = seeded(7);
  const y = Float64Array.from(
    { length: 24 * 7 * 6 },
    (_, i) => 0.01 * i + daily(i) + weekly(i) + 0.2 * g(),
  );
  const d = decompose(y);
  assert.deepEqual(d.seasonal.map((s) => s.period), [24, 168]);
  assert.ok(rmse(d.trend, (i) => 0.01 * i) < 0.1);
  assert.ok(rmse(d.seasonal[0]!.values, daily) < 0.1);
  assert.ok(rmse(d.seasonal[1]!.values, weekly) < 0.15);
  assert.ok(d.seasonal[0]!.strength > 0.8 && d.trendStrength > 0.8);
});

Deno.test("decompose() ignores an outlier and keeps gaps as NaN in the remainder", () => {
  const g = seeded(3);
  const y = Float64Array.from({ length: 24 * 7 * 6 }, (_, i) => daily(i) + weekly(i) + 0.2 * g());
  y[100] = 50;
  y[200] = NaN;
  const d = decompose(y, { periods: [24, 168] });
  assert.ok(d.remainder[100]! > 45);
  assert.ok(Number.isNaN(d.remainder[200]!));
  assert.ok(Number.isFinite(d.trend[200]!));
  assert.ok(rmse(d.seasonal[1]!.values, weekly) < 0.15);
});

Deno.test("decompose() handles empty, one point, constant and all-NaN input", () => {
  assert.equal(decompose(new Float64Array()).trend.length, 0);
  assert.deepEqual([...decompose(new Float64Array([4])).trend], [4]);
  const c = decompose(new Float64Array(100).fill(3), { periods: [10] });
  assert.ok(c.trend.every((v) => Math.abs(v - 3) < 1e-9));
  assert.ok(c.seasonal[0]!.values.every((v) => Math.abs(v) < 1e-9));
  const nan = decompose(new Float64Array(50).fill(NaN));
  assert.ok(nan.remainder.every(Number.isNaN));
  assert.equal(nan.seasonal.length, 0);
});

Deno.test("decompose() without periods smooths a trend, and drops periods that do not fit twice", () => {
  const y = Float64Array.from({ length: 60 }, (_, i) => i);
  const d = decompose(y, { periods: [40], robust: false });
  assert.equal(d.seasonal.length, 0);
  assert.ok(Math.abs(d.trend[30]! - 30) < 1e-6);
});

Deno.test("decompose() is exact on huge values", () => {
  const y = Float64Array.from({ length: 240 }, (_, i) => 1e12 + 1e9 * daily(i));
  const d = decompose(y, { periods: [24] });
  assert.ok(Math.abs(d.seasonal[0]!.values[6]! - 1e9) / 1e9 < 0.01);
});

Deno.test("detectPeriods() finds daily and weekly cycles and nothing in noise or a random walk", () => {
  const g = seeded(11);
  const y = Float64Array.from({ length: 24 * 7 * 6 }, (_, i) => daily(i) + weekly(i) + 0.3 * g());
  assert.deepEqual(detectPeriods(y).map((p) => p.period), [24, 168]);
  const hourly = Float64Array.from({ length: 24 * 10 }, (_, i) => daily(i) + 0.3 * g());
  assert.deepEqual(detectPeriods(hourly).map((p) => p.period), [24]);
  assert.deepEqual(detectPeriods(Float64Array.from({ length: 500 }, () => g())), []);
  let s = 0;
  assert.deepEqual(detectPeriods(Float64Array.from({ length: 1000 }, () => (s += g()))), []);
  assert.deepEqual(detectPeriods(new Float64Array(3)), []);
  assert.deepEqual(detectPeriods(new Float64Array(100).fill(NaN)), []);
  assert.deepEqual(detectPeriods(new Float64Array(100).fill(2)), []);
});

Deno.test("detectPeriods() finds no season in a stepped linear fill, so decompose() and forecast() see none", () => {
  const stepped = Float64Array.from({ length: 336 }, (_, i) => Math.round(i / 3));
  assert.deepEqual(detectPeriods(stepped), []);
  assert.deepEqual(decompose(stepped).seasonal, []);
  assert.deepEqual(forecast(stepped, { horizon: 24 }).fitted.periods, []);
  // A 100 GiB file system filling 50 → 80 % over a week at a 30-minute step, in 4 KiB blocks.
  const fill = Float64Array.from(
    { length: 336 },
    (_, i) => 4096 * Math.round((100 * 2 ** 30 * (0.5 + (0.3 * i) / 336)) / 4096),
  );
  assert.deepEqual(detectPeriods(fill), []);
});

Deno.test("detectPeriods() still finds a daily cycle on a quantized rising series", () => {
  const g = seeded(19);
  const y = Float64Array.from(
    { length: 24 * 14 },
    (_, i) => Math.round(i / 3 + 4 * daily(i) + 0.5 * g()),
  );
  assert.deepEqual(detectPeriods(y).map((p) => p.period), [24]);
});
