import assert from "node:assert/strict";
import { burnRates, lakeSource, memorySource, serviceKpis } from "../../analytics/mod.ts";
import { knownService, serviceLake } from "./_service_lake.ts";

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000, HOUR = 3_600_000, DAY = 86_400_000;

function close(actual: number | null | undefined, expected: number, tol = 1e-9): void {
  assert.ok(actual !== null && actual !== undefined, `expected ${expected}, got ${actual}`);
  assert.ok(Math.abs(actual - expected) <= tol, `expected ${expected}, got ${actual}`);
}

Deno.test("serviceKpis() gives exact RPS, errors, latency, Apdex, cache and DB figures from the lake", async () => {
  const times = Array.from({ length: 41 }, (_, i) => T0 + i * 15_000);
  await using s = await serviceLake(times, knownService());
  const [api, ...rest] = await serviceKpis(s.lake, {
    services: [{ name: "api", apdex: 0.25 }],
  });
  assert.equal(rest.length, 0);
  assert.equal(api!.status, "ok");
  assert.equal(api!.origin, "config");
  assert.equal(api!.labels, "service=api");
  close(api!.rps, 100);
  close(api!.tpm, 6000);
  close(api!.errorRate, 0.05);
  close(api!.successRate, 0.95);
  assert.equal(api!.latency!.from, "buckets");
  close(api!.latency!.p50, 0.1);
  close(api!.latency!.p95, 0.5 + 0.5 * 5 / 6);
  close(api!.latency!.p99, 2);
  close(api!.meanLatency, 0.2);
  // satisfied ≤ 0.25 s: 80 %; tolerating ≤ 1 s: 16 %
  close(api!.apdex!.score, 0.88);
  close(api!.apdex!.frustrated, 0.04);
  close(api!.cacheHitRatio, 0.9);
  assert.equal(api!.db!.from, "quantile series");
  close(api!.db!.p95, 0.03);
  close(api!.inFlight, 20);
  assert.equal(api!.samples, 21);
  // 10 minutes of data: the hour, day and month are not stated
  assert.deepEqual(api!.availability.map((a) => a.value), [null, null, null]);
  assert.equal(api!.availability[0]!.reason, "not enough data yet: 10 min of 1 h");
  assert.equal(api!.errorBudget.value, null);
  assert.equal(api!.series[0]!.metric, "http_requests_per_second");
  assert.equal(api!.series.length, 14);
});

Deno.test("serviceKpis() discovers services by label and says not enough data for 3 samples", async () => {
  const times = [T0, T0 + 15_000, T0 + 30_000];
  await using s = await serviceLake(times, knownService());
  const [api] = await serviceKpis(lakeSource(s.lake));
  assert.equal(api!.name, "api");
  assert.equal(api!.origin, "label service");
  assert.equal(api!.status, "insufficient");
  assert.equal(api!.rps, null);
  assert.equal(api!.apdex, null);
  assert.equal(api!.reason, "not enough data yet: 3 samples in 5 min (figures need 10)");
});

Deno.test("serviceKpis() computes multi-window burn rates, availability and the budget left", async () => {
  const step = MIN;
  const times = Array.from({ length: 3 * 1440 + 1 }, (_, i) => T0 + i * step);
  const now = times[times.length - 1]!;
  // 0.1 % errors for days, then 2 % over the last 6 hours
  const errors = (t: number) => (t >= now - 6 * HOUR ? 2 : 0.1);
  await using s = await serviceLake(times, knownService(errors));
  const [api] = await serviceKpis(s.lake, {
    now,
    minSamples: 5,
    services: [{ name: "api", slo: 0.999 }],
  });
  const [strict] = await serviceKpis(s.lake, { now });
  assert.equal(strict!.burn[0]!.reason, "not enough data yet: 6 samples in 5 min (need 10)");
  const rate = (w: number) => {
    const inside = times.filter((t) => t >= now - w);
    return inside.reduce((a, t) => a + errors(t), 0) / inside.length / 100;
  };
  const [page1, page2, ticket1, ticket2] = api!.burn;
  close(page1!.longBurn, 20, 1e-6);
  close(page1!.shortBurn, 20, 1e-6);
  assert.equal(page1!.firing, true);
  close(page2!.longBurn, 20, 1e-6);
  assert.equal(page2!.firing, true);
  close(ticket1!.longBurn, rate(DAY) / 0.001, 1e-6);
  close(ticket1!.shortBurn, 20, 1e-6);
  assert.equal(ticket1!.firing, rate(DAY) / 0.001 >= 3);
  close(ticket2!.longBurn, rate(3 * DAY) / 0.001, 1e-6);
  assert.equal(ticket2!.factor, 1);
  assert.deepEqual(api!.burn.map((b) => [b.longMs, b.shortMs, b.factor]), [
    [HOUR, 5 * MIN, 14.4],
    [6 * HOUR, 30 * MIN, 6],
    [DAY, 2 * HOUR, 3],
    [3 * DAY, 6 * HOUR, 1],
  ]);
  close(api!.availability[0]!.value, 0.98, 1e-9);
  close(api!.availability[1]!.value, 1 - rate(DAY), 1e-9);
  assert.equal(api!.availability[2]!.value, null);
  assert.equal(api!.availability[2]!.reason, "not enough data yet: 3 days of 30 days");
  assert.equal(api!.errorBudget.value, null);
});

Deno.test("serviceKpis() states the error budget once the month is covered", async () => {
  const n = 31 * 24;
  const ts = Float64Array.from({ length: n + 1 }, (_, i) => T0 + i * HOUR);
  const src = memorySource([
    {
      host: "h",
      metric: "http_requests_per_second",
      labels: "code=200,service=web",
      ts,
      values: new Float64Array(n + 1).fill(99.95),
    },
    {
      host: "h",
      metric: "http_requests_per_second",
      labels: "code=503,service=web",
      ts,
      values: new Float64Array(n + 1).fill(0.05),
    },
  ]);
  const [web] = await serviceKpis(src, { windowMs: HOUR * 12 });
  // 0.05 % errors against a 0.1 % budget: half of it left
  close(web!.errorBudget.value, 0.5, 1e-9);
  close(web!.availability[2]!.value, 0.9995, 1e-12);
  assert.equal(web!.burn.some((b) => b.firing), false);
});

Deno.test("serviceKpis() names services by scrape target or host and refuses bad settings", async () => {
  const ts = Float64Array.from({ length: 12 }, (_, i) => T0 + i * 10_000);
  const ones = new Float64Array(12).fill(1);
  const src = memorySource([
    {
      host: "h1",
      metric: "http_request_duration_seconds_count_per_second",
      labels: "target=shop",
      ts,
      values: ones,
    },
    { host: "h2", metric: "http_requests_per_second", labels: "", ts, values: ones },
    { host: "h2", metric: "cpu_ratio", labels: "cpu=total", ts, values: ones },
  ]);
  const list = await serviceKpis(src);
  assert.deepEqual(list.map((s) => [s.name, s.origin, s.rps]), [
    ["h2", "host", 1],
    ["shop", "label target", 1],
  ]);
  assert.equal(list[0]!.errorRate, null);
  assert.equal(list[0]!.burn[0]!.reason, "not enough data yet: 2 min of 1 h");
  await assert.rejects(() => serviceKpis(src, { windowMs: 0 }), /Invalid windowMs: 0/);
  assert.deepEqual(await serviceKpis(memorySource([])), []);
  assert.throws(() => burnRates(() => ({ rate: 0, reason: null }), 1), /Invalid SLO target: 1/);
});
