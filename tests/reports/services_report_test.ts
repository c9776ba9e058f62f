import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../cli/report.ts";
import { buildReport, renderReport } from "../../reports/mod.ts";
import { uslThroughput } from "../../analytics/mod.ts";
import { openLake } from "../../lake/mod.ts";
import { knownService, writeServiceSeries } from "../analytics/_service_lake.ts";

const T0 = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;

/** Two days of a growing service (USL throughput of a rising concurrency) and the known
 * service's latency, errors and cache series. */
async function lakeRoot(): Promise<{ root: string; now: number }> {
  const root = await Deno.makeTempDir({ prefix: "perfscope-svc-report-" });
  const times = Array.from({ length: 2 * 288 + 1 }, (_, i) => T0 + i * 300_000);
  const law = { sigma: 0.02, kappa: 0.0002, lambda: 10 };
  const n = (t: number) => {
    const d = (t - T0) / DAY;
    return (12 + 6 * Math.sin(2 * Math.PI * d)) * (1 + 0.1 * d);
  };
  const series = knownService().filter((s) => s.metric !== "http_server_active_requests")
    .map((s) => s.metric === "http_requests_per_second" ? { ...s, host: "app-1" } : s);
  writeServiceSeries(root, times, [
    ...series,
    {
      metric: "http_requests_per_second",
      labels: { service: "shop" },
      value: (t) => uslThroughput(n(t), law),
    },
    { metric: "http_server_active_requests", labels: { service: "shop" }, value: n },
  ]);
  return { root, now: times[times.length - 1]! };
}

Deno.test("the report's services section shows each service's signals, SLO and USL capacity", async () => {
  const { root, now } = await lakeRoot();
  const lake = await openLake({ root });
  const data = await buildReport(lake, {
    now,
    bootstrap: 20,
    clock: () => now,
    services: [{ name: "api", apdex: 0.25 }],
    dashboards: [{
      name: "ops",
      title: "Ops",
      panels: [
        {
          title: "Errors",
          metric: "http_requests_per_second",
          labels: { code: "500" },
          thresholds: [4],
        },
        {
          title: "Total",
          sql:
            "SELECT round(sum(value), 1) AS value FROM samples WHERE metric = 'cache_hits_per_second' AND ts = (SELECT max(ts) FROM samples)",
          kind: "number",
        },
      ],
    }],
  });
  lake.close();
  const api = data.services!.find((s) => s.name === "api")!;
  assert.equal(api.rps, 100);
  assert.equal(api.apdex!.score, 0.88);
  assert.equal(data.services!.map((s) => s.name).join(","), "api,shop");
  assert.ok(data.resources.some((r) => r.resource === "service"));
  assert.equal(data.dashboards![0]!.panels[0]!.last, 5);
  assert.equal(data.dashboards![0]!.panels[1]!.last, 90);
  const html = await renderReport(data);
  assert.match(html, /<section id="services"><h2>Services<\/h2>/);
  assert.match(html, /<tr data-service="api"><th scope="row">api<\/th>/);
  assert.match(html, /<tr data-service="shop">.*?Capacity: [\d.,]+ req\/s peak; /s);
  assert.match(html, /<li><a href="#dashboards">Dashboards<\/a><\/li>/);
  assert.match(html, /data-chart="panel" data-panel="0:0"/);
  assert.match(html, /thresholds 4/);
  assert.match(html, /<p class="big-number">90<\/p>/);
  await Deno.remove(root, { recursive: true });
});

Deno.test("report --dashboard exports a dashboard of the config and refuses an unknown one", async () => {
  const { root, now } = await lakeRoot();
  const config = join(root, "perfscope.yaml");
  await Deno.writeTextFile(
    config,
    `services:\n  - name: api\n    apdex: 250ms\ndashboards:\n  - name: api\n    title: API board\n    panels:\n      - title: Requests\n        metric: http_requests_per_second\n        unit: req/s\n        thresholds: [50]\n      - title: Series\n        sql: SELECT count(DISTINCT labels) AS value FROM samples\n        kind: number\n      - title: Outside\n        sql: SELECT * FROM read_text('/etc/hostname')\n        kind: table\n`,
  );
  const out = join(root, "r.html");
  const args = ["--data", root, "--config", config, "--now", new Date(now).toISOString()];
  assert.equal(await main([...args, "--dashboard", "api", "--out", out]), 0);
  const html = await Deno.readTextFile(out);
  assert.match(html, /<article class="dashboard" id="dashboard-api"><h3>API board<\/h3>/);
  assert.match(html, /<section id="services">/);
  // SQL panels run in the read-only sandbox: a view query works, reading a file does not
  assert.match(html, /<h4>Series<\/h4><p class="big-number">\d+<\/p>/);
  assert.match(html, /<h4>Outside<\/h4>.*?Query failed: /s);
  await assert.rejects(
    () => main([...args, "--dashboard", "nope"]),
    { name: "UsageError", message: "Unknown --dashboard: nope (dashboards: api)" },
  );
  await Deno.remove(root, { recursive: true });
});
