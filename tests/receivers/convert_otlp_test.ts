import assert from "node:assert/strict";
import {
  BatchBuilder,
  convertOtlp,
  CumulativeState,
  exponentialBuckets,
  FRESH_START_MS,
  histogramQuantile,
  otlpMetricName,
  type OtlpMetricsRequest,
  OtlpReceiver,
} from "../../receivers/mod.ts";

const MS = 1_700_000_000_000;
const ns = (ms: number) => ms * 1e6;

function run(req: OtlpMetricsRequest, state = new CumulativeState(), now = MS) {
  const out = new BatchBuilder({ host: "h", ts: now, source: "otlp" });
  convertOtlp(req, state, out, { now });
  const b = out.batch();
  return b.metric.map((m, i) =>
    `${m}{${b.labels[i]}} ${+b.value[i]!.toFixed(6)} @${b.ts[i]! - MS}`
  );
}

function one(metric: Record<string, unknown>): OtlpMetricsRequest {
  return { resourceMetrics: [{ scopeMetrics: [{ metrics: [metric as never] }] }] };
}

Deno.test("convertOtlp() stores a non-monotonic sum as a gauge and a cumulative monotonic sum as a rate", () => {
  const state = new CumulativeState();
  const sum = (v: number, t: number, monotonic: boolean) =>
    one({
      name: monotonic ? "jobs.done_total" : "pool.size",
      sum: {
        isMonotonic: monotonic,
        aggregationTemporality: 2,
        dataPoints: [{ asDouble: v, timeUnixNano: ns(MS + t), startTimeUnixNano: ns(MS - 5000) }],
      },
    });
  assert.deepEqual(run(sum(4, 0, false), state), ["pool_size{} 4 @0"]);
  // the first export rates its value over the 5 s since the series' start time
  assert.deepEqual(run(sum(10, 0, true), state), ["jobs_done_per_second{} 2 @0"]);
  assert.deepEqual(run(sum(40, 2000, true), state), ["jobs_done_per_second{} 15 @2000"]);
  // a later start time is a reset: the value counts from it
  const reset = one({
    name: "jobs.done_total",
    sum: {
      isMonotonic: true,
      aggregationTemporality: 2,
      dataPoints: [{ asDouble: 6, timeUnixNano: ns(MS + 4000), startTimeUnixNano: ns(MS + 3000) }],
    },
  });
  assert.deepEqual(run(reset, state), ["jobs_done_per_second{} 3 @4000"]);
});

Deno.test("convertOtlp() rates a cumulative series' first export over its start time only when the start is recent and sane", () => {
  const counter = (v: number, t: number, start: number | undefined) =>
    one({
      name: "hits",
      sum: {
        isMonotonic: true,
        aggregationTemporality: 2,
        dataPoints: [{
          asInt: v,
          timeUnixNano: ns(MS + t),
          ...(start !== undefined && { startTimeUnixNano: start }),
        }],
      },
    });
  // started 0.8 s before the export: 40 over 0.8 s
  assert.deepEqual(run(counter(40, 0, ns(MS - 800))), ["hits_per_second{} 50 @0"]);
  // exactly FRESH_START_MS is still recent; a moment more is a long-run average: no rate yet
  assert.deepEqual(run(counter(120, 0, ns(MS - FRESH_START_MS))), ["hits_per_second{} 2 @0"]);
  assert.deepEqual(run(counter(120, 0, ns(MS - FRESH_START_MS - 1))), []);
  // a start of 0 (unknown), at the point's time, or after it gives nothing
  assert.deepEqual(run(counter(40, 0, undefined)), []);
  assert.deepEqual(run(counter(40, 0, ns(MS))), []);
  assert.deepEqual(run(counter(40, 0, ns(MS + 1000))), []);
  // a series seen before goes by the difference to its previous export, not by its start
  const state = new CumulativeState();
  assert.deepEqual(run(counter(10, 0, ns(MS - 20_000)), state), ["hits_per_second{} 0.5 @0"]);
  assert.deepEqual(run(counter(10, 0, ns(MS - 20_000)), state), []);
  assert.deepEqual(run(counter(30, 1000, ns(MS - 20_000)), state), ["hits_per_second{} 20 @1000"]);
  // an old series' first export waits for the second one, then rates the difference
  const old = new CumulativeState();
  assert.deepEqual(run(counter(1e6, 0, ns(MS - 3_600_000)), old), []);
  assert.deepEqual(run(counter(1e6 + 7, 1000, ns(MS - 3_600_000)), old), [
    "hits_per_second{} 7 @1000",
  ]);
});

Deno.test("convertOtlp() gives a new cumulative histogram's rates and percentiles from its first export", () => {
  const req = one({
    name: "http.server.request.duration",
    unit: "s",
    histogram: {
      aggregationTemporality: 2,
      dataPoints: [{
        timeUnixNano: ns(MS),
        startTimeUnixNano: ns(MS - 2000),
        count: 100,
        sum: 30,
        explicitBounds: [0.1, 0.5],
        bucketCounts: [50, 40, 10],
      }],
    },
  });
  assert.deepEqual(run(req), [
    "http_server_request_duration_seconds_count_per_second{} 50 @0",
    "http_server_request_duration_seconds_sum_per_second{} 15 @0",
    "http_server_request_duration_seconds_bucket_per_second{bucket=0.1} 25 @0",
    "http_server_request_duration_seconds_bucket_per_second{bucket=0.5} 45 @0",
    "http_server_request_duration_seconds_bucket_per_second{bucket=+Inf} 50 @0",
    "http_server_request_duration_seconds_p50{} 0.1 @0",
    "http_server_request_duration_seconds_p95{} 0.5 @0",
    "http_server_request_duration_seconds_p99{} 0.5 @0",
  ]);
});

Deno.test("convertOtlp() rates a delta sum over its own interval, or since the last point without a start", () => {
  const delta = (v: number, t: number, start?: number) =>
    one({
      name: "hits",
      sum: {
        isMonotonic: true,
        aggregationTemporality: 1,
        dataPoints: [{
          asInt: v,
          timeUnixNano: ns(MS + t),
          ...(start !== undefined && { startTimeUnixNano: ns(MS + start) }),
        }],
      },
    });
  assert.deepEqual(run(delta(20, 2000, 0)), ["hits_per_second{} 10 @2000"]);
  const state = new CumulativeState();
  assert.deepEqual(run(delta(5, 0), state), []);
  assert.deepEqual(run(delta(8, 4000), state), ["hits_per_second{} 2 @4000"]);
});

Deno.test("convertOtlp() keeps summary quantiles and turns attributes of every kind into labels", () => {
  const req: OtlpMetricsRequest = {
    resourceMetrics: [{
      resource: { attributes: [{ key: "service.name", value: { stringValue: "api" } }] },
      scopeMetrics: [{
        metrics: [{
          name: "rpc.latency",
          summary: {
            dataPoints: [{
              timeUnixNano: ns(MS),
              count: 10,
              sum: 2,
              quantileValues: [{ quantile: 0.5, value: 0.1 }, { quantile: 0.99, value: 0.7 }],
              attributes: [
                { key: "ok", value: { boolValue: true } },
                { key: "n", value: { intValue: 3 } },
                { key: "tags", value: { arrayValue: { values: [{ stringValue: "a" }] } } },
                { key: "service", value: { stringValue: "shadow" } },
                { key: "host.name", value: { stringValue: "x" } },
              ],
            }],
          },
        }],
      }],
    }],
  };
  assert.deepEqual(run(req), [
    'rpc_latency_p50{exported_service=shadow,host_name=x,n=3,ok=true,service=api,tags=["a"]} 0.1 @0',
    'rpc_latency_p99{exported_service=shadow,host_name=x,n=3,ok=true,service=api,tags=["a"]} 0.7 @0',
  ]);
});

Deno.test("exponentialBuckets() lays out negative, zero and positive buckets for histogram_quantile", () => {
  // scale 0: base 2; positive buckets (1,2], (2,4], (4,8] with 1, 2, 1 values
  const pos = exponentialBuckets({ scale: 0, positive: { offset: 0, bucketCounts: [1, 2, 1] } });
  assert.deepEqual(pos.bounds, [1, 2, 4, 8, Infinity]);
  assert.deepEqual(pos.cumulative, [0, 1, 3, 4, 4]);
  assert.equal(histogramQuantile(0.5, pos.bounds, pos.cumulative), 3);
  const both = exponentialBuckets({
    scale: 1,
    zeroCount: 2,
    positive: { offset: 0, bucketCounts: [1] },
    negative: { offset: 0, bucketCounts: [1] },
  });
  assert.deepEqual(both.bounds, [-(2 ** 0.5), -1, 0, 2 ** 0.5, Infinity]);
  assert.deepEqual(both.cumulative, [0, 1, 3, 4, 4]);
});

Deno.test("convertOtlp() gives exponential histogram quantiles and bucket rates over the interval of a cumulative series", () => {
  const state = new CumulativeState();
  const point = (counts: number[], t: number) =>
    one({
      name: "q.time",
      unit: "ms",
      exponentialHistogram: {
        aggregationTemporality: 2,
        dataPoints: [{
          scale: 0,
          count: counts.reduce((a, b) => a + b),
          sum: 10,
          timeUnixNano: ns(MS + t),
          positive: { offset: 0, bucketCounts: counts },
        }],
      },
    });
  assert.deepEqual(run(point([1, 0, 0], 0), state), []);
  assert.deepEqual(run(point([1, 2, 1], 1000), state), [
    "q_time_milliseconds_count_per_second{} 3 @1000",
    "q_time_milliseconds_sum_per_second{} 0 @1000",
    "q_time_milliseconds_p50{} 3.5 @1000",
    "q_time_milliseconds_p95{} 7.4 @1000",
    "q_time_milliseconds_p99{} 7.88 @1000",
    // stored buckets: the zero bucket, the lowest bucket's lower edge, then (1,2], (2,4], (4,8];
    // the layout widened since the first export, and the interval is still there
    "q_time_milliseconds_bucket_per_second{bucket=0} 0 @1000",
    "q_time_milliseconds_bucket_per_second{bucket=1} 0 @1000",
    "q_time_milliseconds_bucket_per_second{bucket=2} 0 @1000",
    "q_time_milliseconds_bucket_per_second{bucket=4} 2 @1000",
    "q_time_milliseconds_bucket_per_second{bucket=8} 3 @1000",
    "q_time_milliseconds_bucket_per_second{bucket=+Inf} 3 @1000",
  ]);
});

Deno.test("otlpMetricName() appends the unit as Prometheus names OTLP metrics, once", () => {
  assert.deepEqual(
    [
      otlpMetricName("http.server.request.duration", "s"),
      otlpMetricName("db.latency_seconds", "s"),
      otlpMetricName("disk.io", "By/s"),
      otlpMetricName("uptime", "h"),
      otlpMetricName("load", "1"),
      otlpMetricName("queue", "{item}"),
      otlpMetricName("odd", "m/s/s"),
      otlpMetricName("", "s"),
    ],
    [
      "http_server_request_duration_seconds",
      "db_latency_seconds",
      "disk_io_bytes_per_second",
      "uptime_hours",
      "load",
      "queue",
      "odd_meters_per_second",
      "",
    ],
  );
});

Deno.test("otlpMetricName() takes a unit named like an Object method as any other word", () => {
  // the prototype's functions were read as the unit's word: `By/constructor` threw (a 500 on
  // /v1/metrics) and `constructor` gave a name the lake refused, with the whole export
  assert.equal(otlpMetricName("x", "constructor"), "x_constructor");
  assert.equal(otlpMetricName("x", "By/constructor"), "x_bytes_per_constructor");
  assert.equal(otlpMetricName("x", "toString/s"), "x_tostring_per_second");
  assert.equal(otlpMetricName("x", "__proto__"), "x");
  const out = new BatchBuilder({ host: "h", ts: MS, source: "otlp" });
  const gauge = (name: string, unit: string) => ({
    name,
    unit,
    gauge: { dataPoints: [{ asDouble: 1 }] },
  });
  const req = {
    resourceMetrics: [{
      scopeMetrics: [{ metrics: [gauge("a", "By/constructor"), gauge("b", "valueOf")] }],
    }],
  };
  convertOtlp(req as OtlpMetricsRequest, new CumulativeState(), out, { now: MS });
  assert.deepEqual(out.batch().metric, ["a_bytes_per_constructor", "b_valueof"]);
});

Deno.test("A delta non-monotonic sum is refused with a partial success naming the metric, counted and logged once, while the rest of the export is stored", () => {
  // a hand-made export from a custom sender: a delta UpDownCounter beside a gauge
  const body = JSON.stringify({
    resourceMetrics: [{
      resource: { attributes: [{ key: "service.name", value: { stringValue: "api" } }] },
      scopeMetrics: [{
        metrics: [
          {
            name: "http.active_requests",
            sum: {
              isMonotonic: false,
              aggregationTemporality: 1,
              dataPoints: [
                {
                  asInt: "3",
                  timeUnixNano: String(ns(MS)),
                  startTimeUnixNano: String(ns(MS - 1000)),
                },
                {
                  asInt: "-2",
                  timeUnixNano: String(ns(MS)),
                  startTimeUnixNano: String(ns(MS - 1000)),
                },
              ],
            },
          },
          { name: "queue.depth", gauge: { dataPoints: [{ asInt: "7" }] } },
        ],
      }],
    }],
  });
  const lines: string[] = [];
  const r = new OtlpReceiver({ host: "h", now: () => MS, log: (l) => lines.push(l) });
  const out = r.receive(new TextEncoder().encode(body), "json");
  assert.deepEqual(out.batch.metric, ["queue_depth"]);
  assert.equal(out.points, 3);
  assert.equal(out.rejected, 2);
  assert.match(
    out.message,
    /2 data points refused: metric "http\.active_requests": a non-monotonic sum with delta temporality/,
  );
  const answer = JSON.parse(new TextDecoder().decode(r.response("json", out)));
  assert.equal(Number(answer.partialSuccess.rejectedDataPoints), 2);
  assert.match(answer.partialSuccess.errorMessage, /http\.active_requests.*send it as cumulative/);
  // a second such export within the minute adds no log line
  r.receive(new TextEncoder().encode(body), "json");
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^OTLP: 2 data points refused: metric "http\.active_requests"/);
  // the same counter sent as cumulative is stored as a gauge
  const cumulative = one({
    name: "http.active_requests",
    sum: { isMonotonic: false, aggregationTemporality: 2, dataPoints: [{ asInt: 4 }] },
  });
  assert.deepEqual(run(cumulative), ["http_active_requests{} 4 @0"]);
});

Deno.test("A histogram point whose buckets do not fit its bounds is refused with a partial success; the metric's other points are stored", () => {
  const point = (explicitBounds: unknown[], bucketCounts: string[]) => ({
    timeUnixNano: String(ns(MS)),
    startTimeUnixNano: String(ns(MS - 1000)),
    count: "10",
    sum: 30,
    explicitBounds,
    bucketCounts,
  });
  const histogram = (name: string, ...dataPoints: unknown[]) =>
    JSON.stringify({
      resourceMetrics: [{
        scopeMetrics: [{
          metrics: [{ name, histogram: { aggregationTemporality: 1, dataPoints } }],
        }],
      }],
    });
  const r = new OtlpReceiver({ host: "h", now: () => MS, log: () => {} });
  const receive = (body: string) => r.receive(new TextEncoder().encode(body), "json");
  // read anyway, these were stored: unsorted bounds a p95 (1.4) below the p50 (5); too few
  // counts a +Inf bucket of 5 for a count of 10; too many a p99 at 1 with 8 of 10 above it
  const cases = [
    [[5, 1], ["5", "5", "0"], /explicitBounds do not increase strictly \(5, 1; \+Inf is implied\)/],
    [[1, "NaN"], ["5", "5", "0"], /do not increase strictly \(1, NaN/],
    [[1, "Infinity"], ["5", "5", "0"], /do not increase strictly/],
    [[1, 2, 3], ["5"], /has 1 bucketCounts for 3 explicitBounds/],
    [[1], ["1", "1", "1", "1", "1", "5"], /has 6 bucketCounts for 1 explicitBounds/],
  ] as const;
  for (const [bounds, counts, why] of cases) {
    const out = receive(histogram("h.bad", point([...bounds], [...counts])));
    assert.deepEqual(out.batch.metric, [], `${bounds}`);
    assert.equal(out.rejected, 1);
    assert.match(out.message, /1 data points refused: metric "h\.bad": a histogram point/);
    assert.match(out.message, why);
  }
  // beside a good point, only the bad one goes; no counts at all is a histogram without buckets
  const out = receive(
    histogram("h.mixed", point([1, 2], ["5", "5", "0"]), point([2, 1], ["5", "5", "0"])),
  );
  assert.equal(out.rejected, 1);
  assert.deepEqual(out.batch.value.slice(0, 5).map((v) => +v.toFixed(3)), [10, 30, 5, 10, 10]);
  assert.equal(receive(histogram("h.none", point([1, 2], []))).rejected, 0);
});

Deno.test("An exponential histogram point with a scale past -10 … 20 is refused with a partial success", () => {
  const r = new OtlpReceiver({ host: "h", now: () => MS, log: () => {} });
  const receive = (scale: number) =>
    r.receive(
      new TextEncoder().encode(JSON.stringify(one({
        name: `e${scale < 0 ? "n" : ""}${Math.abs(scale)}`,
        exponentialHistogram: {
          aggregationTemporality: 1,
          dataPoints: [{
            timeUnixNano: String(ns(MS)),
            startTimeUnixNano: String(ns(MS - 1000)),
            count: "10",
            sum: 30,
            scale,
            positive: { offset: 0, bucketCounts: ["5", "5"] },
          }],
        },
      }))),
      "json",
    );
  // scale 1000 made every bound 1 (p50, p95, p99 all 1); -1000 every bound +Inf
  for (const scale of [1000, 21, -11, -1000]) {
    const out = receive(scale);
    assert.deepEqual(out.batch.metric, [], `scale ${scale}`);
    assert.equal(out.rejected, 1);
    assert.match(out.message, new RegExp(`point has scale ${scale} \\(from -10 to 20\\)`));
  }
  // (at -10 the second bucket's bound is past the largest double: its quantiles are dropped as
  // +Inf, but the point is read)
  for (const scale of [20, 0, -10]) assert.doesNotMatch(receive(scale).message, /scale/);
  assert.equal(receive(3).rejected, 0);
});
