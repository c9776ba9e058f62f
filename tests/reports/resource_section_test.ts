import assert from "node:assert/strict";
import type { CapacityRow } from "../../analytics/mod.ts";
import { resourceSection, type SectionContext } from "../../reports/resource_section.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2025, 0, 8);

function row(over: Partial<CapacityRow> = {}): CapacityRow {
  return {
    host: "db-1",
    resource: "filesystem",
    metric: "filesystem_used_bytes",
    labels: "device=sda1,fstype=xfs,mountpoint=/var",
    current: 400 * 2 ** 30,
    limit: 500 * 2 ** 30,
    threshold: 475 * 2 ** 30,
    utilization: 0.8,
    growthPerDay: 10 * 2 ** 30,
    eta: NOW + 7.5 * DAY,
    etaLow: NOW + 6 * DAY,
    etaHigh: null,
    model: "linear",
    status: "crossing",
    points: 168,
    tier: "1h",
    ...over,
  };
}

function grid(n: number, f: (i: number) => number) {
  const ts = Float64Array.from({ length: n }, (_, i) => NOW - (n - i) * HOUR);
  return { ts, values: Float64Array.from({ length: n }, (_, i) => f(i)) };
}

const ctx: SectionContext = {
  now: NOW,
  step: HOUR,
  horizonMs: 7 * DAY,
  maxPoints: 400,
  anomalyScore: 0.9,
  maxAnomalies: 5,
};

Deno.test("resourceSection() drops the spurious seasons of a quantized ramp and forecasts its growth", () => {
  // A linear fill stored with limited precision: a staircase that period detection reads as
  // 3-step "seasons".
  const g = grid(168, (i) => 2 ** 30 * (300 + Math.round(i / 3)));
  const s = resourceSection("db-1-var", row(), g, ctx);
  assert.deepEqual(s.decomposition?.periodsMs, []);
  assert.equal(s.unit, "bytes");
  assert.equal(s.status, "warning");
  assert.equal(s.threshold, Number((475 * 2 ** 30).toPrecision(5)));
  assert.ok(s.forecast && s.forecast.ts.length > 0);
  assert.ok(s.forecast.mean.at(-1)! > g.values.at(-1)!, "the forecast keeps growing");
  assert.ok(s.accuracy.origins >= 4, "the forecast horizon leaves room for a backtest");
  assert.ok(s.accuracy.mae !== null);
  // Forecasts never look further than the capacity horizon nor start before the history ends.
  assert.ok(s.forecast.ts.at(-1)! <= g.ts.at(-1)! + ctx.horizonMs);
  assert.ok(s.forecast.ts[0]! > g.ts.at(-1)!);
});

Deno.test("resourceSection() keeps a daily cycle and uses it in the forecast", () => {
  const g = grid(24 * 21, (i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 24) + 0.01 * i);
  const s = resourceSection("db-1-mem", row({ resource: "memory", labels: "state=used" }), g, ctx);
  assert.deepEqual(s.decomposition?.periodsMs, [DAY]);
  assert.equal(s.name, "db-1 · memory");
  assert.ok(s.forecast!.ts.length === 7 * 24, "three weeks of history support a 7-day forecast");
});

Deno.test("resourceSection() of a too short series has no decomposition, forecast or accuracy", () => {
  const g = grid(5, (i) => i);
  const s = resourceSection("x", row({ resource: "cpu", eta: null, etaLow: null }), g, ctx);
  assert.equal(s.decomposition, null);
  assert.equal(s.forecast, null);
  assert.equal(s.model, "none");
  assert.equal(s.unit, "processes");
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

Deno.test("resourceSection() marks a spike as an anomaly and maps a missing utilization to unknown", () => {
  const g = grid(200, (i) => (i === 150 ? 500 : 100 + (i % 7)));
  const s = resourceSection(
    "c",
    row({ resource: "connections", utilization: NaN, eta: null, etaLow: null }),
    g,
    ctx,
  );
  assert.equal(s.status, "unknown");
  assert.equal(s.utilization, null);
  assert.equal(s.unit, "connections");
  assert.ok(s.anomalies.some((a) => a.ts === g.ts[150]), "the spike is circled");
  assert.ok(s.anomalies.length <= ctx.maxAnomalies);
});
