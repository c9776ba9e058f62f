import assert from "node:assert/strict";
import {
  bucketApdex,
  bucketQuantile,
  findServices,
  memorySource,
  panelData,
  parseBound,
  rateAtOrBelow,
  serviceFigures,
  serviceHistory,
  serviceKpis,
  ServiceLive,
} from "../../analytics/mod.ts";
import { knownService, serviceLake } from "./_service_lake.ts";

const T0 = Date.UTC(2024, 0, 1);

/** One sample of host "h", as serviceFigures() takes them. */
function sample(metric: string, labels: Record<string, string>, value: number) {
  return { host: "h", metric, labels, value };
}

/** Samples of host "h" as the column batch ServiceLive.observe() takes. */
function batchOf(rows: { ts: number; metric: string; labels: string; value: number }[]) {
  return {
    ts: rows.map((r) => r.ts),
    host: rows.map(() => "h"),
    metric: rows.map((r) => r.metric),
    labels: rows.map((r) => r.labels),
    value: rows.map((r) => r.value),
  };
}

Deno.test("bucketQuantile() handles no events, the +Inf bucket and an empty lowest bucket", () => {
  assert.ok(Number.isNaN(bucketQuantile([], 0.5)));
  assert.ok(Number.isNaN(bucketQuantile([{ le: 1, rate: 0 }, { le: Infinity, rate: 0 }], 0.5)));
  // every event above the last finite bound: the highest finite bound, as histogram_quantile
  assert.equal(bucketQuantile([{ le: 1, rate: 0 }, { le: Infinity, rate: 10 }], 0.99), 1);
  // a bucket with nothing new (equal cumulative rates) is skipped to the bound itself
  assert.equal(
    bucketQuantile([{ le: 1, rate: 5 }, { le: 2, rate: 5 }, { le: Infinity, rate: 5 }], 1),
    1,
  );
  assert.equal(rateAtOrBelow([{ le: 1, rate: 4 }, { le: Infinity, rate: 8 }], 5), 4);
  assert.equal(rateAtOrBelow([{ le: 1, rate: 4 }], 0.5), 2);
  assert.equal(parseBound("+Inf"), Infinity);
  assert.equal(parseBound("inf"), Infinity);
  assert.ok(Number.isNaN(parseBound("")));
  assert.equal(bucketApdex([], 0.5), null);
  const all = bucketApdex([{ le: 0.1, rate: 10 }, { le: Infinity, rate: 10 }], 0.5)!;
  assert.deepEqual([all.score, all.satisfied, all.frustrated], [1, 1, 0]);
});

Deno.test("rateAtOrBelow() and bucketQuantile() take negative bounds: nothing lies below the lowest bucket", () => {
  // below a lowest bound of 0 (it divided by 0 - 0 before) and below a negative lowest bound
  for (const x of [-1, -0.5]) {
    assert.equal(rateAtOrBelow([{ le: 0, rate: 5 }, { le: 1, rate: 10 }], x), 0);
  }
  assert.equal(rateAtOrBelow([{ le: -2, rate: 5 }, { le: 1, rate: 10 }], -3), 0);
  assert.equal(rateAtOrBelow([{ le: -2, rate: 5 }, { le: 1, rate: 10 }], -2), 5);
  assert.equal(rateAtOrBelow([{ le: -2, rate: 5 }, { le: 1, rate: 11 }], 0), 9);
  // below 0 with a positive lowest bound: its bucket starts at 0
  assert.equal(rateAtOrBelow([{ le: 1, rate: 4 }], -1), 0);
  // a rank in a lowest bucket bounded at or below 0 is that bound, as histogram_quantile
  assert.equal(bucketQuantile([{ le: -1, rate: 16 }, { le: Infinity, rate: 20 }], 0.5), -1);
  assert.equal(bucketQuantile([{ le: 0, rate: 16 }, { le: Infinity, rate: 20 }], 0.5), 0);
});

Deno.test("serviceFigures() sums bucket series whose lowest bounds differ, one of them at 0, into finite quantiles", () => {
  const spec = findServices([], [{ name: "x" }])[0]!;
  // the math under test does not care what the values measure: a histogram with negative bounds
  const h = "http_request_duration_seconds";
  const bucket = (route: string, le: string, value: number) =>
    sample(`${h}_bucket_per_second`, { route, bucket: le }, value);
  const f = serviceFigures(spec, [
    bucket("/a", "0", 2),
    bucket("/a", "1", 4),
    bucket("/a", "+Inf", 4),
    bucket("/b", "-1", 16),
    bucket("/b", "0", 18),
    bucket("/b", "1", 20),
    bucket("/b", "+Inf", 20),
  ]);
  // summed: -1 → 16 (/a has nothing below its lowest bound 0), 0 → 20, 1 → 24, +Inf → 24
  assert.equal(f.latency?.from, "buckets");
  assert.equal(f.latency?.p50, -1);
  assert.ok(Math.abs(f.latency!.p95! - (0 + (22.8 - 20) / 4)) < 1e-12);
});

Deno.test("serviceFigures() weighs quantile series by request rate and leaves missing figures null", () => {
  const spec = findServices([], [{ name: "x" }])[0]!;
  const h = "http_request_duration_seconds";
  const f = serviceFigures(spec, [
    sample(`${h}_count_per_second`, { route: "/a" }, 30),
    sample(`${h}_count_per_second`, { route: "/b" }, 10),
    sample(`${h}_p95`, { route: "/a" }, 0.1),
    sample(`${h}_p95`, { route: "/b" }, 0.5),
    sample(`${h}_p50`, { route: "/a" }, NaN),
  ]);
  assert.equal(f.rps, 40);
  assert.equal(f.latency!.from, "quantile series");
  assert.ok(Math.abs(f.latency!.p95! - 0.2) < 1e-12);
  assert.equal(f.latency!.p50, null);
  assert.equal(f.errorRate, null);
  assert.equal(f.apdex, null);
  assert.equal(f.cacheHitRatio, null);
  assert.equal(f.meanLatency, null);
  const empty = serviceFigures(spec, []);
  assert.deepEqual([empty.rps, empty.latency, empty.inFlight, empty.requestMetric], [
    null,
    null,
    null,
    null,
  ]);
});

Deno.test("ServiceLive keeps the newest sample per series, forgets stale ones and bounds its size", () => {
  const live = new ServiceLive({ maxSeries: 2 });
  const batch = (ts: number, labels: string, value: number) =>
    batchOf([{ ts, metric: "http_requests_per_second", labels, value }]);
  live.observe(batch(2000, "code=200,service=a", 10));
  live.observe(batch(1000, "code=200,service=a", 99)); // older: ignored
  live.observe(batchOf([{ ts: 2000, metric: "cpu_ratio", labels: "", value: 1 }])); // not a service metric
  const [a] = findServices(live.keys());
  assert.equal(live.figures(a!, 3000)?.rps, 10);
  assert.equal(live.figures(a!, 3000 + 120_001), null);
  live.observe(batch(2000, "code=500,service=a", 1));
  live.observe(batch(2000, "code=503,service=a", 1));
  assert.equal(live.keys().length, 2);
  assert.equal(live.figures(a!, 3000)?.errorRate, 1);
});

Deno.test("serviceHistory() computes the figures per step from the lake", async () => {
  const times = Array.from({ length: 20 }, (_, i) => T0 + i * 15_000);
  await using s = await serviceLake(times, knownService());
  const [spec] = findServices(await s.lake.metrics(), [{ name: "api", apdex: 0.25 }]);
  const points = await serviceHistory(s.lake, spec!, { from: T0, to: T0 + 300_000, step: 60_000 });
  assert.equal(points.length, 5);
  assert.ok(points.every((p) => p.rps === 100 && p.errorRate === 0.05 && p.p99 === 2));
  assert.ok(points.every((p) => Math.abs(p.apdex! - 0.88) < 1e-12 && p.inFlight === 20));
  await assert.rejects(() => serviceHistory(s.lake, spec!, { from: 1, to: 1 }), /Invalid range/);
  const none = await serviceHistory(memorySource([]), spec!, { from: 0, to: 1000 });
  assert.deepEqual(none, []);
});

Deno.test("panelData() turns SQL with ts, value and name into series and keeps a bad query's error", async () => {
  const times = Array.from({ length: 5 }, (_, i) => T0 + i * 60_000);
  await using s = await serviceLake(times, knownService());
  const now = times[4]!;
  const chart = await panelData(s.lake, {
    title: "codes",
    sql:
      "SELECT ts, labels AS name, value FROM samples WHERE metric = 'http_requests_per_second' ORDER BY ts",
  }, { now });
  assert.deepEqual(chart.series.map((x) => [x.name, x.ts.length]), [
    ["code=200,service=api", 5],
    ["code=500,service=api", 5],
  ]);
  assert.equal(chart.series[0]!.ts[0], T0);
  assert.equal(chart.last, 95);
  const bad = await panelData(s.lake, { title: "x", sql: "SELECT nope" }, { now });
  assert.match(bad.error!, /^Query failed: /);
  const table = await panelData(s.lake, {
    title: "t",
    metric: "http_requests_per_second",
    kind: "table",
  }, { now });
  assert.deepEqual(table.table, {
    columns: ["series", "value"],
    rows: [["app-1 code=200,service=api", 95], ["app-1 code=500,service=api", 5]],
  });
  // a metric panel without unit: takes the metric's own: a built-in one's, a pushed one's by
  // its name; a panel's unit: wins
  const unit = async (metric: string, given?: string) =>
    (await panelData(s.lake, { title: "u", metric, unit: given }, { now })).unit;
  assert.equal(await unit("disk_write_bytes_per_second"), "bytes/s");
  assert.equal(await unit("cpu_ratio"), "ratio");
  assert.equal(await unit("http_requests_per_second"), "1/s");
  assert.equal(await unit("queue_depth"), "");
  assert.equal(await unit("disk_write_bytes_per_second", "B/s"), "B/s");
  const none = await panelData(s.lake, { title: "x", metric: "absent_metric" }, { now });
  assert.equal(none.error, "No data for absent_metric in the range");
  const empty = await panelData(s.lake, {
    title: "x",
    sql: "SELECT 1 AS value WHERE false",
    kind: "number",
  }, { now });
  assert.equal(empty.error, "The query returned no rows");
  const one = await panelData(s.lake, {
    title: "x",
    sql: "SELECT count(*) AS n FROM samples",
    kind: "number",
  }, { now, runSql: () => Promise.resolve({ columns: [{ name: "n" }], rows: [[42]] }) });
  assert.equal(one.last, 42);
  // the SQL sandbox sends a BIGINT (count(*)) as text: a table panel gets it as a number, unless
  // a double would not hold it exactly; a text column of digits stays text
  const wide = await panelData(s.lake, { title: "t", sql: "SELECT 1", kind: "table" }, {
    now,
    runSql: () =>
      Promise.resolve({
        columns: [{ name: "code", type: "VARCHAR" }, { name: "n", type: "BIGINT" }],
        rows: [["200", "70680"], ["500", "9007199254740993"]],
      }),
  });
  assert.deepEqual(wide.table?.rows, [["200", 70680], ["500", "9007199254740993"]]);
});

Deno.test("a service pushed over OTLP (dots to underscores, status attribute) is found and measured", async () => {
  const h = "http_server_request_duration";
  const svc = { service: "checkout" };
  const times = Array.from({ length: 12 }, (_, i) => T0 + i * 10_000);
  await using s = await serviceLake(times, [
    {
      metric: `${h}_count_per_second`,
      labels: { ...svc, http_response_status_code: "200" },
      value: () => 9,
    },
    {
      metric: `${h}_count_per_second`,
      labels: { ...svc, http_response_status_code: "503" },
      value: () => 1,
    },
    { metric: `${h}_bucket_per_second`, labels: { ...svc, bucket: "0.5" }, value: () => 5 },
    { metric: `${h}_bucket_per_second`, labels: { ...svc, bucket: "+Inf" }, value: () => 10 },
    { metric: "db_client_operation_duration_p95", labels: svc, value: () => 0.004 },
  ]);
  const [k] = await serviceKpis(s.lake);
  assert.equal(k!.name, "checkout");
  assert.equal(k!.rps, 10);
  assert.equal(k!.errorRate, 0.1);
  assert.equal(k!.latency!.p50, 0.5);
  assert.ok(Math.abs(k!.db!.p95! - 0.004) < 1e-12);
});

Deno.test("a StatsD service (http.request.duration timer in ms, http.requests counter) is found and measured in seconds", () => {
  const live = new ServiceLive();
  const at = (metric: string, labels: string, value: number) => ({ ts: T0, metric, labels, value });
  const rows = [
    at("http_requests_per_second", "code=200,service=cart", 38),
    at("http_requests_per_second", "code=500,service=cart", 2),
    // two series of the timer: weighted by their request rates, 30 and 10
    at("http_request_duration_count_per_second", "route=/a,service=cart", 30),
    at("http_request_duration_p50", "route=/a,service=cart", 40),
    at("http_request_duration_p95", "route=/a,service=cart", 200),
    at("http_request_duration_p99", "route=/a,service=cart", 900),
    at("http_request_duration_count_per_second", "route=/b,service=cart", 10),
    at("http_request_duration_p50", "route=/b,service=cart", 80),
    at("http_request_duration_p95", "route=/b,service=cart", 600),
    at("http_request_duration_p99", "route=/b,service=cart", 900),
  ];
  live.observe(batchOf(rows));
  const [cart] = findServices(live.keys());
  assert.equal(cart?.name, "cart");
  const f = live.figures(cart!, T0)!;
  assert.equal(f.rps, 40);
  assert.equal(f.errorRate, 0.05);
  assert.deepEqual(f.latency, {
    p50: 0.05,
    p95: 0.3,
    p99: 0.9,
    from: "quantile series",
    metric: "http_request_duration",
  });
  assert.equal(f.apdex, null);
  // found by the timer alone, too (no counter): its count rate is the request rate
  const timerOnly = new ServiceLive();
  timerOnly.observe(
    batchOf([{
      ts: T0,
      metric: "http_request_duration_count_per_second",
      labels: "service=cart",
      value: 7,
    }]),
  );
  const [alone] = findServices(timerOnly.keys());
  assert.equal(
    timerOnly.figures(alone!, T0)?.requestMetric,
    "http_request_duration_count_per_second",
  );
});
