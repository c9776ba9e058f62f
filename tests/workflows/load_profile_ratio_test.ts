import assert from "node:assert/strict";
import { openLake, simulateHost } from "../../lake/mod.ts";
import { capacityCharts, forecast, lakeSource } from "../../analytics/mod.ts";
import { forecastLoad, readLoad } from "../../workflows/mod.ts";

const H = 3_600_000, D = 24 * H;
const NOW = Date.UTC(2026, 0, 26);

/** Largest finite value of an array. */
const top = (a: ArrayLike<number | null>) =>
  Math.max(...Array.from(a, Number).filter(Number.isFinite));

// The calm host of balanceAdvice's test (troughs ≈ 0.02, peaks ≈ 0.56), whose 80 % band under
// forecast()'s Box-Cox default (λ = 0) went far above its maximum: through transformFor the
// load profile and a capacity chart of a ratio stay near the history's range.
Deno.test("a calm host's CPU ratio: the load profile's and a ratio chart's upper band stay near its peak", async () => {
  const root = await Deno.makeTempDir();
  simulateHost({
    root,
    host: "calm",
    seed: 1,
    start: NOW - 15 * D,
    durationMs: 15 * D,
    stepMs: 900_000,
    cpus: 2,
    topN: 1,
    chunkMs: D,
  });
  const lake = await openLake({ root });
  try {
    const points = 15 * 24, from = NOW - points * H;
    const y = await readLoad(lakeSource(lake), {
      host: "calm",
      metric: "cpu_busy",
      from,
      stepMs: H,
      points,
    });
    const finite = [...y].filter(Number.isFinite);
    const max = Math.max(...finite), min = Math.min(...finite);
    assert.ok(min < 0.05 && max > 0.4, `a calm host: ${min}..${max}`);
    // the pre-registered overshoot line of bench/ratio_transform_bench.ts
    const line = max + 0.25 * (max - min);
    const f = forecastLoad(y, { from, stepMs: H, horizon: 7 * 24, metric: "cpu_busy" });
    assert.equal(f.method, "forecast");
    assert.ok(top(f.hi80) <= line, `load profile hi80 ${top(f.hi80)} vs ${line}`);
    // the default transform, as the load profile would call it without the rule, does not
    const d = forecast(y, {
      horizon: 7 * 24,
      season: [24, 7 * 24],
      stepMs: H,
      models: ["snaive", "seasonal_mean", "ets"],
    });
    assert.equal(d.fitted.transform?.name, "boxcox");
    assert.ok(top(d.hi80) > line, `the default's hi80 ${top(d.hi80)} vs ${line}`);
    const ts = Float64Array.from(y, (_, i) => from + i * H);
    const ctx = { step: H, horizonMs: 7 * D, maxPoints: 400, anomalyScore: 0.9, maxAnomalies: 5 };
    const c = capacityCharts({ ts, values: y }, true, ctx, "cpu_ratio");
    assert.ok(c.forecast, "the chart has a forecast");
    assert.ok(top(c.forecast.hi80) <= line, `chart hi80 ${top(c.forecast.hi80)} vs ${line}`);
    for (const v of c.forecast.lo95) assert.ok(v === null || v >= 0);
  } finally {
    lake.close();
  }
});
