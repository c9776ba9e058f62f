/**
 * The Capacity page and its APIs over a lake holding a service's application metrics: the
 * service's USL capacity (fitted from its own request rate and requests in flight) ranks with
 * the machine resources as a `resource: "service"` row and gets its recommendation.
 */
import assert from "node:assert/strict";
import { uslThroughput } from "../../analytics/mod.ts";
import { openLake, simulateHost } from "../../lake/mod.ts";
import { buildReport, renderReport } from "../../reports/mod.ts";
import { growingLoad, type StoredSeries, writeServiceSeries } from "../analytics/_service_lake.ts";
import { testApp } from "./_app.ts";

const T0 = Date.UTC(2024, 0, 1);
const DAY = 86_400_000, STEP = 300_000;
const LAW = { sigma: 0.02, kappa: 0.0002, lambda: 10 };
const PEAK = uslThroughput(Math.sqrt((1 - LAW.sigma) / LAW.kappa), LAW);

/**
 * Service `api` on host app-1: its users grow 10 % a day on a daily cycle, in flight as many,
 * and its throughput (over two status codes) follows the law above (with 0.5 % noise, so the
 * fit has residuals).
 */
function growingApi(): StoredSeries[] {
  const { users, throughput: x } = growingLoad(T0, 11, LAW);
  return [
    // 99 % answered 200, 1 % 500: the throughput is their sum
    {
      metric: "http_requests_per_second",
      labels: { service: "api", code: "200" },
      value: (t) => 0.99 * x(t),
    },
    {
      metric: "http_requests_per_second",
      labels: { service: "api", code: "500" },
      value: (t) => 0.01 * x(t),
    },
    { metric: "http_server_active_requests", labels: { service: "api" }, value: users },
  ];
}

Deno.test("the Capacity page and its APIs show a service's USL capacity as a ranked row with its recommendation", async () => {
  const days = 3;
  const times = Array.from({ length: days * DAY / STEP + 1 }, (_, i) => T0 + i * STEP);
  const end = times[times.length - 1]!;
  const root = await Deno.makeTempDir({ prefix: "perfscope-capacity-svc-" });
  try {
    // the machine the service runs on, with a disk filling slowly (its ETA is far off)
    simulateHost({
      root,
      host: "app-1",
      start: T0,
      durationMs: days * DAY,
      stepMs: 600_000,
      cpus: 2,
      topN: 1,
      diskFill: { mountpoint: "/data", from: 0.2, to: 0.3 },
    });
    writeServiceSeries(root, times, growingApi());
    await using t = await testApp({ root, now: () => end, capacity: { bootstrap: 20, top: 2 } });

    const capacity = await (await t.app.request("/api/capacity")).json();
    assert.equal(capacity.status, "ready");
    const kinds = capacity.resources.map((r: { resource: string }) => r.resource);
    assert.ok(kinds.includes("filesystem"), kinds.join());
    // the service reaches 80 % of its peak within days, before the disk: it ranks first
    const svc = capacity.resources[0];
    assert.equal(svc.resource, "service");
    assert.equal(svc.host, "app-1");
    // (the service's labels: its rate is the sum of the two codes' series)
    assert.equal(svc.labels, "service=api");
    assert.equal(svc.name, "app-1 · service api");
    assert.equal(svc.unit, "req/s");
    assert.equal(svc.status, "crossing");
    assert.ok(svc.eta > end && svc.eta < end + 30 * DAY, `eta ${svc.eta}`);
    // its limit is the fitted peak throughput X(N*), near the law's, and the mark 80 % of it
    assert.ok(Math.abs(svc.limit - PEAK) / PEAK < 0.1, `limit ${svc.limit} vs ${PEAK}`);
    // (the API rounds its figures to 5 significant digits)
    assert.ok(Math.abs(svc.threshold / (0.8 * svc.limit) - 1) < 1e-4, `${svc.threshold}`);
    assert.match(
      svc.evidence.limitSource,
      /^USL peak of service api: X\(N\*\) at N\* = [\d.]+ .*N from http_server_active_requests\)$/,
    );
    // its chart draws the summed rate (no stored series has the labels service=api): the two
    // codes' series added, near the law's throughput at the end (the mean over the last step)
    assert.ok(svc.series.ts.length > 100, `${svc.series.ts.length} points`);
    const lastX = svc.series.values.at(-1);
    assert.ok(lastX > 0.9 * svc.current && lastX < 1.1 * svc.current, `${lastX} vs ${svc.current}`);
    assert.ok(svc.forecast?.ts.length > 0);

    const recs = await (await t.app.request("/api/recommendations")).json();
    assert.equal(recs.status, "ready");
    const rec = recs.recommendations.find((r: { rule: string }) => r.rule === "service-full");
    assert.ok(rec, recs.recommendations.map((r: { rule: string }) => r.rule).join());
    assert.equal(rec.host, "app-1");
    assert.match(
      rec.title,
      /^Service api on app-1 reaches 80 % of its USL peak throughput \([\d,.]+ req\/s\) in [\d.]+ days \(80 %: .+\)/,
    );
    assert.equal(rec.evidence.series[0].metric, "http_requests_per_second");

    // the page renders the same analysis: the service's row first, and its recommendation
    const res = await t.app.request("/capacity");
    assert.equal(res.status, 200);
    const page = await res.text();
    const body = page.slice(page.indexOf("<tbody>"));
    const firstRow = body.slice(0, body.indexOf("</tr>"));
    assert.match(firstRow, /<td data-resource="service">service api<\/td>/);
    assert.match(firstRow, /<td class="wrap">service=api<\/td>/);
    assert.match(firstRow, /data-status="crossing"/);
    assert.match(firstRow, /days? \(80 %: /);
    assert.match(
      page,
      /\[(warning|critical|info)\] Service api on app-1 reaches 80 % of its USL peak/,
    );
    // and its chart card, first as the row is
    assert.match(
      page,
      /<h2><bdi>app-1 · service api<\/bdi><\/h2>\s*<p class="meta">[a-z_]+\{<bdi>service=api<\/bdi>\}<\/p>\s*<div class="chart" id="capacity-0"/,
    );

    // the report charts it too
    const lake = await openLake({ root });
    try {
      const data = await buildReport(lake, { now: end, clock: () => end, bootstrap: 20 });
      const r = data.resources.find((r) => r.resource === "service")!;
      assert.ok(r.series.ts.length > 100, `${r.series.ts.length} points`);
      const html = await renderReport(data);
      assert.match(html, new RegExp(`id="chart-${r.id}-forecast"`));
    } finally {
      lake.close();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
