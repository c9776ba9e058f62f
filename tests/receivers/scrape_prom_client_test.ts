/**
 * A test app instrumented with prom-client (the real library, served by Deno.serve on loopback)
 * exposes known values; scraping it twice must store the exact rates and quantiles in the lake.
 */
import assert from "node:assert/strict";
// deno-lint-ignore no-import-prefix
import client from "npm:prom-client@15.1.3";
import { IngestWriter, openLake } from "../../lake/mod.ts";
import { appMetricInfo, CumulativeState, scrapeTarget, SeriesLimit } from "../../receivers/mod.ts";

interface App {
  url: string;
  registry: client.Registry;
  requests: client.Counter;
  latency: client.Histogram;
  size: client.Summary;
  queue: client.Gauge;
  close(): Promise<void>;
}

function startApp(openMetrics: boolean): App {
  const registry = new client.Registry();
  if (openMetrics) registry.setContentType(client.Registry.OPENMETRICS_CONTENT_TYPE as never);
  const requests = new client.Counter({
    name: "app_requests_total",
    help: "Requests served",
    labelNames: ["code"],
    registers: [registry],
  });
  const latency = new client.Histogram({
    name: "app_latency_seconds",
    help: "Request latency",
    buckets: [0.1, 0.5, 1],
    registers: [registry],
  });
  const size = new client.Summary({
    name: "app_size_bytes",
    help: "Response size",
    percentiles: [0.5, 0.9],
    registers: [registry],
  });
  const queue = new client.Gauge({
    name: "app_queue_depth",
    help: "Jobs queued",
    registers: [registry],
  });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async () =>
      new Response(await registry.metrics(), { headers: { "content-type": registry.contentType } }),
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/metrics`,
    registry,
    requests,
    latency,
    size,
    queue,
    close: () => server.shutdown(),
  };
}

for (const openMetrics of [false, true]) {
  Deno.test(
    `Scraping a prom-client app (${
      openMetrics ? "OpenMetrics" : "text 0.0.4"
    }) stores exact rates and quantiles in the lake`,
    async () => {
      const app = startApp(openMetrics);
      const root = await Deno.makeTempDir();
      const t0 = Date.now();
      let now = t0;
      const writer = new IngestWriter({ root, sync: false, now: () => now });
      const state = new CumulativeState();
      const target = { url: app.url, name: "shop", labels: { env: "test" } };
      const options = { host: "app-host", now: () => now, limit: new SeriesLimit() };
      const appSamples: number[] = [];
      try {
        app.requests.inc({ code: "200" }, 10);
        app.queue.set(7);
        for (let i = 0; i < 4; i++) app.size.observe(100);
        const first = await scrapeTarget(target, state, options);
        appSamples.push(first.batch.metric.filter((m) => m.startsWith("app_")).length);
        assert.equal(first.error, undefined);
        writer.writeBatch(first.batch);
        // between the scrapes: 30 more requests, 10 fast and 10 slower observations
        app.requests.inc({ code: "200" }, 30);
        for (let i = 0; i < 10; i++) app.latency.observe(0.05);
        for (let i = 0; i < 10; i++) app.latency.observe(0.3);
        for (let i = 0; i < 6; i++) app.size.observe(300);
        now = t0 + 2000;
        const second = await scrapeTarget(target, state, options);
        appSamples.push(second.batch.metric.filter((m) => m.startsWith("app_")).length);
        assert.equal(second.error, undefined);
        writer.writeBatch(second.batch);
        writer.flush();
      } finally {
        writer.close();
        await app.close();
      }
      const lake = await openLake({ root });
      try {
        const rows = await lake.query(
          `SELECT epoch_ms(ts) AS ts, host, metric, labels, value FROM samples ORDER BY ts, metric, labels`,
        );
        const at = (metric: string, labels: string) =>
          rows.filter((r) => r.metric === metric && r.labels === labels).map((r) =>
            Number(r.value)
          );
        const base = "env=test,target=shop";
        assert.deepEqual(at("app_requests_per_second", `code=200,${base}`), [15]);
        assert.deepEqual(at("app_queue_depth", base), [7, 7]);
        assert.deepEqual(at("app_latency_seconds_count_per_second", base), [10]);
        assert.deepEqual(at("app_latency_seconds_p50", base), [0.1]);
        assert.ok(Math.abs(at("app_latency_seconds_p95", base)[0]! - 0.46) < 1e-9);
        assert.ok(Math.abs(at("app_latency_seconds_p99", base)[0]! - 0.492) < 1e-9);
        assert.deepEqual(at("app_latency_seconds_bucket_per_second", `bucket=+Inf,${base}`), [10]);
        assert.deepEqual(at("app_latency_seconds_bucket_per_second", `bucket=0.1,${base}`), [5]);
        assert.ok(Math.abs(at("app_latency_seconds_sum_per_second", base)[0]! - 1.75) < 1e-9);
        assert.deepEqual(at("app_size_bytes_count_per_second", base), [3]);
        assert.equal(at("app_size_bytes_p90", base).length, 2);
        assert.deepEqual(at("up", base), [1, 1]);
        assert.equal(at("scrape_duration_seconds", base).length, 2);
        // under the default limit and all valid: every sample the scrape gave was stored
        assert.deepEqual(at("scrape_samples_dropped", `env=test,reason=series_limit,target=shop`), [
          0,
          0,
        ]);
        assert.deepEqual(at("scrape_samples_dropped", `env=test,reason=invalid,target=shop`), [
          0,
          0,
        ]);
        assert.deepEqual(
          at("scrape_samples_scraped", base),
          appSamples,
        );
        assert.ok(rows.every((r) => r.host === "app-host"));
        assert.equal(appMetricInfo("app_latency_seconds_p95")?.unit, "s");
        assert.equal(appMetricInfo("app_requests_per_second")?.kind, "rate");
      } finally {
        lake.close();
        await Deno.remove(root, { recursive: true });
      }
    },
  );
}
