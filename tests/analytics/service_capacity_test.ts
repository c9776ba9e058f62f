import assert from "node:assert/strict";
import {
  analyzeCapacity,
  capacityReport,
  lakeSource,
  serviceCapacity,
  uslThroughput,
} from "../../analytics/mod.ts";
import { mulberry32, simulateHost } from "../../lake/mod.ts";
import { growingLoad, serviceLake, type StoredSeries } from "./_service_lake.ts";

const T0 = Date.UTC(2024, 0, 1);
const DAY = 86_400_000, STEP = 300_000;
const LAW = { sigma: 0.02, kappa: 0.0002, lambda: 10 };
const PEAK = uslThroughput(Math.sqrt((1 - LAW.sigma) / LAW.kappa), LAW);

/** A service whose users grow 10 % a day on a daily cycle; throughput follows the USL. */
function growingService(): StoredSeries[] {
  const { users: n, throughput } = growingLoad(T0, 7, LAW);
  return [
    {
      metric: "http_requests_per_second",
      labels: { service: "api" },
      value: throughput,
    },
    { metric: "http_server_active_requests", labels: { service: "api" }, value: n },
  ];
}

function times(days: number): number[] {
  return Array.from({ length: Math.round(days * DAY / STEP) + 1 }, (_, i) => T0 + i * STEP);
}

/** serviceCapacity() over `lake` at `now`, two weeks back and 30 days ahead. */
function capacityOf(
  lake: Parameters<typeof lakeSource>[0],
  now: number,
  options: { bootstrap?: number } = {},
): ReturnType<typeof serviceCapacity> {
  return serviceCapacity(lakeSource(lake), {
    now,
    sinceMs: 14 * DAY,
    horizonMs: 30 * DAY,
    ...options,
  });
}

Deno.test("serviceCapacity() fits the USL of a simulated service from its own metrics", async () => {
  const ts = times(3);
  await using s = await serviceLake(ts, growingService());
  const now = ts[ts.length - 1]!;
  const [api] = await capacityOf(s.lake, now, { bootstrap: 50 });
  const fit = api!.capacity.fit!;
  assert.equal(api!.capacity.concurrencySource, "http_server_active_requests");
  assert.ok(Math.abs(fit.lambda - 10) < 0.5, `lambda ${fit.lambda}`);
  assert.ok(
    Math.abs(fit.peakThroughput - PEAK) / PEAK < 0.1,
    `peak ${fit.peakThroughput} vs ${PEAK}`,
  );
  const row = api!.row!;
  assert.equal(row.resource, "service");
  assert.equal(row.labels, "service=api");
  assert.ok(Math.abs(row.threshold - 0.8 * row.limit) < 1e-9);
  assert.equal(row.status, "crossing");
  assert.ok(row.eta! > now && row.eta! < now + 30 * DAY);
  assert.ok(row.etaLow! <= row.eta! && (row.etaHigh === null || row.eta! <= row.etaHigh));
  assert.match(row.limitSource, /^USL peak of service api: X\(N\*\) at N\* = /);
});

Deno.test("the service's USL capacity ranks with the machine resources and gets a recommendation", async () => {
  const ts = times(3);
  await using s = await serviceLake(ts, growingService(), (root) => {
    simulateHost({
      root,
      host: "app-1",
      start: T0,
      durationMs: 3 * DAY,
      stepMs: 600_000,
      cpus: 2,
      topN: 1,
      diskFill: { mountpoint: "/data", from: 0.2, to: 0.3 },
    });
  });
  const now = ts[ts.length - 1]!;
  const rows = await capacityReport(s.lake, { now, bootstrap: 50 });
  const kinds = rows.map((r) => r.resource);
  assert.ok(kinds.includes("service") && kinds.includes("filesystem"));
  // the service reaches its mark within days; the slowly filling disk is far later
  assert.equal(rows[0]!.resource, "service");
  const a = await analyzeCapacity(s.lake, { now, bootstrap: 50, clock: () => now });
  const svc = a.resources.find((r) => r.resource === "service")!;
  assert.equal(svc.name, "app-1 · service api");
  assert.equal(svc.unit, "req/s");
  const rec = a.recommendations.find((r) => r.rule === "service-full")!;
  assert.match(
    rec.title,
    /^Service api on app-1 reaches 80 % of its USL peak throughput \([\d,.]+ req\/s\) in [\d.]+ days \(80 %: .+\)/,
  );
  assert.equal(rec.evidence.series[0]!.metric, "http_requests_per_second");
  assert.match(rec.effect, /USL peak of service api/);
});

Deno.test("a service with less than a day of history gets no ETA, and flat load no fit", async () => {
  const ts = times(0.5);
  await using s = await serviceLake(ts, growingService());
  const now = ts[ts.length - 1]!;
  const [api] = await capacityOf(s.lake, now);
  assert.equal(api!.row!.status, "insufficient");
  assert.equal(api!.row!.eta, null);
  assert.match(api!.row!.reason!, /of history; ETAs need 1 day$/);
  const flat = await serviceLake(times(1), [
    { metric: "http_requests_per_second", labels: { service: "calm" }, value: () => 50 },
    { metric: "http_server_active_requests", labels: { service: "calm" }, value: () => 5 },
  ]);
  await using _ = flat;
  const [calm] = await capacityOf(flat.lake, T0 + DAY);
  assert.equal(calm!.row, null);
  assert.match(
    calm!.capacity.reason!,
    /^Concurrency has only ranged 5\.00–5\.00; a USL fit needs load that varies$/,
  );
});

/**
 * A service that exports only its request-duration histogram (no in-flight gauge, no request
 * counter): throughput X = the histogram's count rate, latency R = sum rate ÷ count rate, and by
 * Little's law N = X·R. The load swings on a daily cycle well past the USL peak, and X and R
 * each carry 1 % noise, as measured rates do.
 */
function histogramOnlyService(law: { sigma: number; kappa: number; lambda: number }) {
  const rand = mulberry32(11);
  const noise = new Map<string, number>();
  const jitter = (key: string) => {
    if (!noise.has(key)) noise.set(key, 1 + (rand() - 0.5) * 0.02);
    return noise.get(key)!;
  };
  const n = (t: number) => 30 + 28 * Math.sin(2 * Math.PI * (t - T0) / DAY);
  const x = (t: number) => uslThroughput(n(t), law) * jitter(`x${t}`);
  // mean latency from Little's law for the true N and X, measured with its own noise
  const r = (t: number) => n(t) / uslThroughput(n(t), law) * jitter(`r${t}`);
  const h = "http_server_request_duration_seconds";
  const svc = { service: "checkout" };
  const series: StoredSeries[] = [
    { metric: `${h}_count_per_second`, labels: svc, value: x },
    { metric: `${h}_sum_per_second`, labels: svc, value: (t) => x(t) * r(t) },
    { metric: `${h}_p99`, labels: svc, value: (t) => 3 * r(t) },
  ];
  return series;
}

Deno.test("serviceCapacity() takes N from Little's law (RPS × mean latency) without an in-flight gauge and recovers σ, κ, λ", async () => {
  const law = { sigma: 0.05, kappa: 0.001, lambda: 20 };
  const ts = times(2);
  await using s = await serviceLake(ts, histogramOnlyService(law));
  const now = ts[ts.length - 1]!;
  const [checkout] = await serviceCapacity(lakeSource(s.lake), {
    now,
    sinceMs: 14 * DAY,
    horizonMs: 30 * DAY,
    bootstrap: 50,
  });
  const c = checkout!.capacity;
  assert.equal(c.service, "checkout");
  assert.equal(c.metric, "http_server_request_duration_seconds_count_per_second");
  assert.equal(
    c.concurrencySource,
    "Little's law (http_server_request_duration_seconds_sum_per_second = RPS × mean latency)",
  );
  // every point's N is X·R of its own interval (2..58 in flight), not a gauge
  assert.equal(c.concurrency.length, ts.length);
  assert.ok(Math.min(...c.concurrency) < 3 && Math.max(...c.concurrency) > 57);
  const fit = c.fit!;
  assert.ok(Math.abs(fit.lambda - law.lambda) / law.lambda < 0.03, `lambda ${fit.lambda}`);
  assert.ok(Math.abs(fit.sigma - law.sigma) < 0.01, `sigma ${fit.sigma}`);
  assert.ok(Math.abs(fit.kappa - law.kappa) / law.kappa < 0.1, `kappa ${fit.kappa}`);
  const peakN = Math.sqrt((1 - law.sigma) / law.kappa);
  assert.ok(Math.abs(fit.peakConcurrency - peakN) / peakN < 0.05, `N* ${fit.peakConcurrency}`);
  assert.ok(fit.r2 > 0.95, `r2 ${fit.r2}`);
  // the intervals cover the law's parameters
  const { sigma, kappa, lambda } = fit.intervals!;
  assert.ok(sigma[0] <= law.sigma && law.sigma <= sigma[1], `sigma ${sigma}`);
  assert.ok(kappa[0] <= law.kappa && law.kappa <= kappa[1], `kappa ${kappa}`);
  assert.ok(lambda[0] <= law.lambda && law.lambda <= lambda[1], `lambda ${lambda}`);
  // the evidence says where N came from, in the row and in the capacity analysis
  assert.match(checkout!.row!.limitSource, /N from Little's law \(http_server_request_duration/);
  const a = await analyzeCapacity(s.lake, { now, bootstrap: 50, clock: () => now });
  const svc = a.resources.find((r) => r.resource === "service")!;
  assert.equal(svc.name, "app-1 · service checkout");
  assert.match(svc.evidence.limitSource, /^USL peak of service checkout: .*N from Little's law/);
});
