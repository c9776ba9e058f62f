/**
 * The official OpenTelemetry JS exporters (OTLP/HTTP JSON and protobuf) push from this process
 * to a real `serve` on loopback (with a token); what they sent must be in the lake under the
 * contract's names, with exact rates and quantiles. Bad input gets a 4xx naming what is wrong.
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
// deno-lint-ignore no-import-prefix
import * as sdk from "npm:@opentelemetry/sdk-metrics@3.1.1";
// deno-lint-ignore no-import-prefix
import { OTLPMetricExporter as JsonExporter } from "npm:@opentelemetry/exporter-metrics-otlp-http@0.301.0";
// deno-lint-ignore no-import-prefix
import { OTLPMetricExporter as ProtoExporter } from "npm:@opentelemetry/exporter-metrics-otlp-proto@0.301.0";
import { bucketQuantile, findServices, parseBound, serviceFigures } from "../../analytics/mod.ts";
import { appMetricInfo, decodeOtlpStatus } from "../../receivers/mod.ts";
import { serveWithToken } from "../_serve_with_token.ts";
import { exportTo, flushedMeters } from "./_otlp_meters.ts";

const { AggregationTemporality, AggregationType } = sdk;

const TOKEN = "otlp-test-token";

Deno.test({
  name:
    "The OTLP/HTTP JSON exporter's cumulative counter, histogram and gauge land with exact rates and quantiles",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    let before = 0, after = 0;
    const rows = await serveWithToken("{}\n", TOKEN, async (base) => {
      const { reader, provider } = flushedMeters(
        new JsonExporter(exportTo(base, TOKEN)),
        "checkout",
        [{
          instrumentName: "http.server.request.duration",
          aggregation: {
            type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
            options: { boundaries: [0.1, 0.5, 1] },
          },
        }],
      );
      const meter = provider.getMeter("test");
      const requests = meter.createCounter("http.server.requests");
      const duration = meter.createHistogram("http.server.request.duration", { unit: "s" });
      const inflight = meter.createGauge("jobs.inflight", { unit: "{job}" });
      before = Date.now();
      requests.add(10, { route: "/pay" });
      after = Date.now();
      duration.record(2); // before the first export: the histogram's series starts there
      inflight.record(4);
      // a new series' first export is rated over the time since its start: let some pass
      await new Promise((r) => setTimeout(r, 50));
      await reader.forceFlush();
      await new Promise((r) => setTimeout(r, 50));
      requests.add(30, { route: "/pay" });
      for (let i = 0; i < 10; i++) duration.record(0.05);
      for (let i = 0; i < 10; i++) duration.record(0.3);
      inflight.record(6);
      await reader.forceFlush();
      await provider.shutdown();
    });
    const of = (m: string) => rows.filter((r) => r.metric === m);
    const rate = of("http_server_requests_per_second");
    // three exports (two flushes and the shutdown's): the first rated over the time since the
    // series' start (it started under a second before), then two intervals, the last without
    // requests
    assert.deepEqual(rate.map((r) => r.value > 0), [true, true, false]);
    assert.equal(rate[0]!.labels, "route=/pay,service=checkout");
    // the first export's 10 requests over its start (between before and after) → its time
    // (to 1e-3: the lake keeps values to about 6 significant digits)
    const first = rate[0]!;
    assert.ok(
      first.value >= 10_000 / (first.ts - before) * (1 - 1e-3) &&
        first.value <= 10_000 / (first.ts - after) * (1 + 1e-3),
      `${first.value} from ${before}..${after} to ${first.ts}`,
    );
    // then the increase over the interval between the two exports, as stored
    const gauges = of("jobs_inflight");
    assert.deepEqual(gauges.map((g) => g.value), [4, 6, 6]);
    const dt = (gauges[1]!.ts - gauges[0]!.ts) / 1000;
    // (the gauge's and the counter's collection times differ by under a millisecond)
    assert.ok(Math.abs(rate[1]!.value * dt - 30) < 0.5, `${rate[1]!.value} × ${dt}`);
    // the first export's one value of 2 s lies past the last finite bucket
    assert.deepEqual(
      of("http_server_request_duration_seconds_p50").map((r) => r.value),
      [1, 0.1],
    );
    assert.ok(Math.abs(of("http_server_request_duration_seconds_p95")[1]!.value - 0.46) < 1e-9);
    assert.ok(Math.abs(of("http_server_request_duration_seconds_p99")[1]!.value - 0.492) < 1e-9);
    assert.ok(
      Math.abs(of("http_server_request_duration_seconds_count_per_second")[1]!.value * dt - 20) <
        0.5,
    );
    const inf = of("http_server_request_duration_seconds_bucket_per_second").filter((r) =>
      /bucket=\+Inf/.test(r.labels)
    );
    assert.ok(Math.abs(inf[1]!.value * dt - 20) < 0.5);
  },
});

Deno.test({
  name:
    "The OTLP/HTTP protobuf exporter's delta sums and exponential histograms land as rates and quantiles",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const rows = await serveWithToken("{}\n", TOKEN, async (base) => {
      const exporter = new ProtoExporter({
        ...exportTo(base, TOKEN),
        temporalityPreference: AggregationTemporality.DELTA,
      });
      const { reader, provider } = flushedMeters(exporter, "search", [{
        instrumentName: "rpc.duration",
        aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM },
      }]);
      const meter = provider.getMeter("test");
      const hits = meter.createCounter("cache.hits");
      const rpc = meter.createHistogram("rpc.duration", { unit: "ms" });
      hits.add(5);
      // 1..100 ms: the median is near 50, p99 near 99
      for (let v = 1; v <= 100; v++) rpc.record(v);
      await reader.forceFlush();
      await provider.shutdown();
    });
    const of = (m: string) => rows.filter((r) => r.metric === m);
    assert.equal(of("cache_hits_per_second").length, 1);
    assert.ok(of("cache_hits_per_second")[0]!.value > 0);
    assert.equal(of("cache_hits_per_second")[0]!.labels, "service=search");
    const p50 = of("rpc_duration_milliseconds_p50")[0]!.value;
    const p99 = of("rpc_duration_milliseconds_p99")[0]!.value;
    // exponential buckets at the SDK's scale hold a relative error of a few per cent
    assert.ok(Math.abs(p50 - 50) / 50 < 0.05, `p50 ${p50}`);
    assert.ok(Math.abs(p99 - 99) / 99 < 0.05, `p99 ${p99}`);
    assert.ok(of("rpc_duration_milliseconds_count_per_second")[0]!.value > 0);
  },
});

Deno.test({
  name:
    "UpDownCounters from the JSON and protobuf exporters are stored as gauges with their exact levels, negative ones included",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    let info: ReturnType<typeof appMetricInfo>;
    const rows = await serveWithToken("{}\n", TOKEN, async (base) => {
      // the JSON exporter's default (cumulative) and the protobuf one asked for delta, which
      // the SDK still exports as cumulative for an UpDownCounter (a level, not a change)
      const exporters = [
        { service: "mailer-json", exporter: new JsonExporter(exportTo(base, TOKEN)) },
        {
          service: "mailer-proto",
          exporter: new ProtoExporter({
            ...exportTo(base, TOKEN),
            temporalityPreference: AggregationTemporality.DELTA,
          }),
        },
      ];
      for (const { service, exporter } of exporters) {
        const { reader, provider } = flushedMeters(exporter, service);
        const queue = provider.getMeter("test").createUpDownCounter("queue.size", {
          unit: "{job}",
          description: "Jobs in the queue",
        });
        queue.add(5, { queue: "email" });
        queue.add(3, { queue: "email" });
        await reader.forceFlush(); // 8
        await new Promise((r) => setTimeout(r, 20));
        queue.add(-6, { queue: "email" });
        await reader.forceFlush(); // 2: a fall, not a counter reset
        await new Promise((r) => setTimeout(r, 20));
        queue.add(-5, { queue: "email" });
        await reader.forceFlush(); // -3
        await provider.shutdown(); // -3 again
      }
      info = appMetricInfo("queue_size");
    });
    for (const service of ["mailer-json", "mailer-proto"]) {
      const levels = rows.filter((r) =>
        r.metric === "queue_size" && r.labels === `queue=email,service=${service}`
      );
      assert.deepEqual(levels.map((r) => r.value), [8, 2, -3, -3], service);
    }
    assert.deepEqual(rows.filter((r) => /^queue_size_/.test(r.metric)), []);
    assert.deepEqual(info!, {
      name: "queue_size",
      unit: "job",
      kind: "gauge",
      help: "Jobs in the queue",
      source: "otlp",
    });
  },
});

Deno.test({
  name:
    "POST /v1/metrics refuses bad payloads, other content types, missing tokens and caps a label explosion",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const config = "receivers_limits:\n  max_series_per_source: 50\n";
    let explosion: Record<string, unknown> = {};
    const rows = await serveWithToken(config, TOKEN, async (base) => {
      const url = new URL("v1/metrics", base);
      const post = (body: BodyInit, type: string, headers: Record<string, string> = {}) =>
        fetch(url, {
          method: "POST",
          body,
          headers: { "content-type": type, authorization: `Bearer ${TOKEN}`, ...headers },
        });
      let res = await post(new Uint8Array([0x0a, 0x05, 0xff, 0xff]), "application/x-protobuf");
      assert.equal(res.status, 400);
      assert.equal(res.headers.get("content-type"), "application/x-protobuf");
      const status = decodeOtlpStatus(new Uint8Array(await res.arrayBuffer()));
      assert.equal(status.code, 3);
      assert.match(status.message, /Invalid OTLP protobuf/);
      res = await post("{not json", "application/json");
      assert.equal(res.status, 400);
      assert.match((await res.json()).message, /Invalid OTLP JSON/);
      res = await post("x", "text/plain");
      assert.equal(res.status, 415);
      // a Status like every OTLP failure, in JSON for a body that is neither encoding
      assert.match((await res.json()).message, /application\/x-protobuf/);
      res = await fetch(url, {
        method: "POST",
        body: "{}",
        headers: { "content-type": "application/json" },
      });
      assert.equal(res.status, 401);
      assert.equal((await res.json()).code, 16);
      res = await post("{}", "application/json", { "content-encoding": "br" });
      assert.equal(res.status, 415);
      await res.body?.cancel();
      const points = Array.from({ length: 200 }, (_, i) => ({
        asInt: String(i),
        attributes: [{ key: "user_id", value: { stringValue: `u${i}` } }],
      }));
      const body = JSON.stringify({
        resourceMetrics: [{
          scopeMetrics: [{ metrics: [{ name: "per.user", gauge: { dataPoints: points } }] }],
        }],
      });
      res = await post(gzipSync(body), "application/json", { "content-encoding": "gzip" });
      assert.equal(res.status, 200);
      explosion = await res.json();
    });
    const partial = explosion.partialSuccess as {
      rejectedDataPoints: number;
      errorMessage: string;
    };
    assert.equal(Number(partial.rejectedDataPoints), 150);
    assert.match(partial.errorMessage, /over the OTLP limit of 50 series/);
    assert.equal(rows.filter((r) => r.metric === "per_user").length, 50);
  },
});

Deno.test({
  name:
    "The SDK's exponential histogram keeps at most 40 stored buckets from which p50/p95/p99 and the service's KPIs come within a bucket of the truth",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // 2,000 latencies spread log-uniformly over 2 ms .. 3 s (a deterministic sequence)
    let seed = 11;
    const next = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    const values = Array.from({ length: 2000 }, () => 0.002 * 1500 ** next());
    const rows = await serveWithToken("{}\n", TOKEN, async (base) => {
      const exporter = new JsonExporter({
        ...exportTo(base, TOKEN),
        temporalityPreference: AggregationTemporality.DELTA,
      });
      const { reader, provider } = flushedMeters(exporter, "catalog", [{
        instrumentName: "http.server.request.duration",
        aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM },
      }]);
      const duration = provider.getMeter("test").createHistogram("http.server.request.duration", {
        unit: "s",
      });
      for (const v of values) duration.record(v, { "http.response.status_code": 200 });
      await reader.forceFlush();
      await provider.shutdown();
    });
    const name = "http_server_request_duration_seconds";
    const stored = rows.filter((r) => r.metric === `${name}_bucket_per_second`);
    const buckets = stored.map((r) => ({
      le: parseBound(/(?:^|,)bucket=([^,]+)/.exec(r.labels)![1]!),
      rate: r.value,
    }));
    assert.ok(buckets.length > 10 && buckets.length <= 40, `${buckets.length} buckets`);
    assert.ok(stored.every((r) => /http_response_status_code=200/.test(r.labels)));
    const total = buckets.find((b) => b.le === Infinity)!.rate;
    // exact counts at every stored bound (rate ∝ count over the one delta interval; the lake
    // keeps rates to about 6 digits: well under one event)
    for (const { le, rate } of buckets) {
      const truth = values.filter((v) => v <= le).length;
      assert.ok(Math.abs((rate / total) * values.length - truth) < 0.05, `le=${le}`);
    }
    const sorted = [...values].sort((a, b) => a - b);
    const bounds = buckets.map((b) => b.le).sort((a, b) => a - b);
    for (const q of [0.5, 0.95, 0.99]) {
      const truth = sorted[Math.ceil(q * values.length) - 1]!;
      const est = bucketQuantile(buckets, q);
      // the stored bucket holding the true quantile also holds the estimate
      const hi = bounds.find((b) => b >= truth)!;
      const lo = bounds.filter((b) => b < truth).pop()!;
      assert.ok(est >= lo && est <= hi, `p${q * 100}: ${est} outside (${lo}, ${hi}] of ${truth}`);
      assert.ok(hi / lo <= 2 ** 0.5 + 1e-12, `bucket (${lo}, ${hi}] wider than √2`);
    }
    // the Services figures read the same stored buckets
    const keys = rows.map((r) => ({ host: "h", metric: r.metric, labels: r.labels }));
    const [spec] = findServices(keys);
    assert.equal(spec?.name, "catalog");
    const figures = serviceFigures(
      spec!,
      rows.map((r) => ({
        host: "h",
        metric: r.metric,
        labels: Object.fromEntries(r.labels.split(",").map((kv) => kv.split("=", 2))),
        value: r.value,
      })),
    );
    assert.equal(figures.latency?.from, "buckets");
    assert.equal(figures.latency?.p95, bucketQuantile(buckets, 0.95));
    const satisfied = values.filter((v) => v <= 0.5).length / values.length;
    const tolerating = values.filter((v) => v > 0.5 && v <= 2).length / values.length;
    assert.ok(
      Math.abs(figures.apdex!.score - (satisfied + tolerating / 2)) < 0.05,
      `Apdex ${figures.apdex?.score}`,
    );
  },
});
