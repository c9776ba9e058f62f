import assert from "node:assert/strict";
import {
  analyzeCapacity,
  capacityReport,
  lakeSource,
  serviceCapacity,
  uslThroughput,
} from "../../analytics/mod.ts";
import { mulberry32, simulateHost } from "../../lake/mod.ts";
import { serviceLake, type StoredSeries } from "./_service_lake.ts";

const T0 = Date.UTC(2024, 0, 1);
const DAY = 86_400_000, STEP = 300_000;
const LAW = { sigma: 0.02, kappa: 0.0002, lambda: 10 };
const PEAK = uslThroughput(Math.sqrt((1 - LAW.sigma) / LAW.kappa), LAW);

/** A service whose users grow 10 % a day on a daily cycle; throughput follows the USL. */
function growingService(): StoredSeries[] {
  const noise = new Map<number, number>();
  const rand = mulberry32(7);
  const n = (t: number) => {
    const d = (t - T0) / DAY;
    return (12 + 6 * Math.sin(2 * Math.PI * d)) * (1 + 0.1 * d);
  };
  const jitter = (t: number) => {
    if (!noise.has(t)) noise.set(t, 1 + (rand() - 0.5) * 0.01);
    return noise.get(t)!;
  };
  return [
    {
      metric: "http_requests_per_second",
      labels: { service: "api" },
      value: (t) => uslThroughput(n(t), LAW) * jitter(t),
    },
    { metric: "http_server_active_requests", labels: { service: "api" }, value: n },
  ];
}

function times(days: number): number[] {
  return Array.from({ length: Math.round(days * DAY / STEP) + 1 }, (_, i) => T0 + i * STEP);
}

Deno.test("serviceCapacity() fits the USL of a simulated service from its own metrics", async () => {
  const ts = times(3);
  await using s = await serviceLake(ts, growingService());
  const now = ts[ts.length - 1]!;
  const [api] = await serviceCapacity(lakeSource(s.lake), {
    now,
    sinceMs: 14 * DAY,
    horizonMs: 30 * DAY,
    bootstrap: 50,
  });
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
  const [api] = await serviceCapacity(lakeSource(s.lake), {
    now,
    sinceMs: 14 * DAY,
    horizonMs: 30 * DAY,
  });
  assert.equal(api!.row!.status, "insufficient");
  assert.equal(api!.row!.eta, null);
  assert.match(api!.row!.reason!, /of history; ETAs need 1 day$/);
  const flat = await serviceLake(times(1), [
    { metric: "http_requests_per_second", labels: { service: "calm" }, value: () => 50 },
    { metric: "http_server_active_requests", labels: { service: "calm" }, value: () => 5 },
  ]);
  await using _ = flat;
  const [calm] = await serviceCapacity(lakeSource(flat.lake), {
    now: T0 + DAY,
    sinceMs: 14 * DAY,
    horizonMs: 30 * DAY,
  });
  assert.equal(calm!.row, null);
  assert.match(
    calm!.capacity.reason!,
    /^Concurrency has only ranged 5\.00–5\.00; a USL fit needs load that varies$/,
  );
});
