import assert from "node:assert/strict";
import { capacityCharts, type ChartContext } from "../../analytics/mod.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2025, 0, 8);

function grid(n: number, f: (i: number) => number) {
  const ts = Float64Array.from({ length: n }, (_, i) => NOW - (n - i) * HOUR);
  return { ts, values: Float64Array.from({ length: n }, (_, i) => f(i)) };
}

const ctx: ChartContext = {
  step: HOUR,
  horizonMs: 7 * DAY,
  maxPoints: 400,
  anomalyScore: 0.9,
  maxAnomalies: 5,
};

Deno.test("capacityCharts() drops the spurious seasons of a quantized ramp and forecasts its growth", () => {
  // A linear fill stored with limited precision: a staircase that period detection reads as
  // 3-step "seasons".
  const g = grid(168, (i) => 2 ** 30 * (300 + Math.round(i / 3)));
  const s = capacityCharts(g, true, ctx);
  assert.deepEqual(s.decomposition?.periodsMs, []);
  assert.ok(s.forecast && s.forecast.ts.length > 0);
  assert.ok(s.forecast.mean.at(-1)! > g.values.at(-1)!, "the forecast keeps growing");
  assert.ok(s.accuracy.origins >= 4, "the forecast horizon leaves room for a backtest");
  assert.ok(s.accuracy.mae !== null);
  // Forecasts never look further than the capacity horizon nor start before the history ends.
  assert.ok(s.forecast.ts.at(-1)! <= g.ts.at(-1)! + ctx.horizonMs);
  assert.ok(s.forecast.ts[0]! > g.ts.at(-1)!);
});

Deno.test("capacityCharts() keeps a daily cycle and uses it in the forecast", () => {
  const g = grid(24 * 21, (i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 24) + 0.01 * i);
  const s = capacityCharts(g, true, ctx);
  assert.deepEqual(s.decomposition?.periodsMs, [DAY]);
  assert.ok(s.forecast!.ts.length === 7 * 24, "three weeks of history support a 7-day forecast");
});

Deno.test("capacityCharts() of a too short series has no decomposition, forecast or accuracy", () => {
  const s = capacityCharts(grid(5, (i) => i), true, ctx);
  assert.equal(s.decomposition, null);
  assert.equal(s.forecast, null);
  assert.equal(s.forecastModel, "none");
  assert.deepEqual(s.anomalies, []);
  assert.deepEqual(s.accuracy, {
    mae: null,
    wape: null,
    rmse: null,
    coverage80: null,
    coverage95: null,
    origins: 0,
  });
});

Deno.test("capacityCharts() draws only the observed series when the evidence is insufficient", () => {
  const g = grid(200, (i) => 100 + i);
  const s = capacityCharts(g, false, ctx);
  assert.equal(s.series.ts.length, 200);
  assert.equal(s.series.ts[0], g.ts[0]);
  assert.equal(s.decomposition, null);
  assert.equal(s.forecast, null, "no forecast drawn from a sliver of data");
  assert.deepEqual(s.anomalies, []);
});

Deno.test("capacityCharts() marks a spike as an anomaly, at most maxAnomalies of them", () => {
  const g = grid(200, (i) => (i === 150 ? 500 : 100 + (i % 7)));
  const s = capacityCharts(g, true, ctx);
  assert.ok(s.anomalies.some((a) => a.ts === g.ts[150]), "the spike is circled");
  assert.ok(s.anomalies.length <= ctx.maxAnomalies);
});
