import assert from "node:assert/strict";
import {
  BatchBuilder,
  convertExposition,
  CumulativeState,
  histogramQuantile,
  parseExposition,
  quantileName,
  SeriesLimit,
} from "../../receivers/mod.ts";

Deno.test("parseExposition() reads HELP, TYPE, escapes, NaN, +Inf and timestamps of the 0.0.4 format", () => {
  const text = [
    "# HELP http_requests_total Requests \\\\ by code\\nand path",
    "# TYPE http_requests_total counter",
    'http_requests_total{code="200",path="/a\\"b\\\\c\\nd"} 1027 1395066363000',
    'http_requests_total{code="500",} 3',
    "# a comment",
    "temp NaN",
    "big +Inf",
    "small -Inf",
    "sci 1.5e3",
  ].join("\n");
  const fams = parseExposition(text);
  assert.deepEqual(fams.map((f) => [f.name, f.type]), [
    ["http_requests_total", "counter"],
    ["temp", "untyped"],
    ["big", "untyped"],
    ["small", "untyped"],
    ["sci", "untyped"],
  ]);
  assert.equal(fams[0]!.help, "Requests \\ by code\nand path");
  assert.deepEqual(fams[0]!.samples[0], {
    name: "http_requests_total",
    labels: [["code", "200"], ["path", '/a"b\\c\nd']],
    value: 1027,
    timestampMs: 1395066363000,
  });
  assert.deepEqual(fams[0]!.samples[1]!.labels, [["code", "500"]]);
  assert.ok(Number.isNaN(fams[1]!.samples[0]!.value));
  assert.equal(fams[2]!.samples[0]!.value, Infinity);
  assert.equal(fams[3]!.samples[0]!.value, -Infinity);
  assert.equal(fams[4]!.samples[0]!.value, 1500);
});

Deno.test("parseExposition() reads OpenMetrics: UNIT, _total/_created, exemplars skipped, seconds timestamps, EOF", () => {
  const text = [
    "# TYPE rpc counter",
    "# UNIT rpc requests",
    "# HELP rpc Calls",
    'rpc_total{m="get"} 17 1700000000.5 # {trace_id="abc"} 1 1700000000',
    'rpc_created{m="get"} 1700000000',
    "# TYPE lat_seconds histogram",
    'lat_seconds_bucket{le="0.1"} 1 # {trace_id="x"} 0.05',
    'lat_seconds_bucket{le="+Inf"} 2',
    "lat_seconds_count 2",
    "lat_seconds_sum 0.5",
    "# EOF",
  ].join("\n");
  const fams = parseExposition(text, { openMetrics: true });
  assert.deepEqual(fams.map((f) => [f.name, f.type, f.unit, f.samples.length]), [
    ["rpc", "counter", "requests", 2],
    ["lat_seconds", "histogram", "", 4],
  ]);
  assert.equal(fams[0]!.samples[0]!.timestampMs, 1700000000500);
  assert.equal(fams[0]!.samples[0]!.value, 17);
});

Deno.test("parseExposition() refuses malformed text with the line number and what is wrong", () => {
  assert.throws(
    () => parseExposition("ok 1\nbad{a=1} 2"),
    /line 2: expected a quoted value for label a/,
  );
  assert.throws(() => parseExposition('m{a="x} 1'), /line 1: unterminated value/);
  assert.throws(() => parseExposition("m one"), /line 1: invalid value "one"/);
  assert.throws(() => parseExposition("m 1 2 3"), /line 1: expected "value \[timestamp\]"/);
  assert.throws(() => parseExposition("# TYPE m gauges\nm 1"), /unknown type "gauges"/);
  assert.throws(() => parseExposition("m 1\n", { openMetrics: true }), /missing # EOF/);
  assert.throws(() => parseExposition("# EOF\nm 1", { openMetrics: true }), /text after # EOF/);
  assert.throws(() => parseExposition('{a="b"} 1'), /expected a metric name/);
  assert.throws(() => parseExposition('m{a="\\q"} 1'), /invalid escape/);
});

Deno.test("histogramQuantile() interpolates within buckets as Prometheus' histogram_quantile does", () => {
  const le = [0.1, 0.5, 1, Infinity];
  assert.equal(histogramQuantile(0.5, le, [10, 20, 20, 20]), 0.1);
  assert.ok(Math.abs(histogramQuantile(0.95, le, [10, 20, 20, 20]) - 0.46) < 1e-12);
  // rank in the +Inf bucket: the highest finite bound
  assert.equal(histogramQuantile(0.99, le, [0, 0, 0, 5]), 1);
  assert.ok(Number.isNaN(histogramQuantile(0.5, le, [0, 0, 0, 0])));
  assert.ok(Number.isNaN(histogramQuantile(0.5, [0.1, 1], [1, 2])), "no +Inf bucket");
  assert.equal(histogramQuantile(0.5, [-1, Infinity], [3, 3]), -1);
  // non-monotonic counts are made monotonic
  assert.equal(histogramQuantile(0.5, [1, 2, Infinity], [10, 8, 10]), 0.5);
});

Deno.test("quantileName() names summary quantiles p50, p90, p99, p99_9", () => {
  assert.deepEqual([0.5, 0.9, 0.99, 0.999, 0].map((q) => quantileName("s", q)), [
    "s_p50",
    "s_p90",
    "s_p99",
    "s_p99_9",
    "s_p0",
  ]);
});

function scrapeOf(text: string, state: CumulativeState, ts: number, limit?: SeriesLimit) {
  const out = new BatchBuilder({ host: "h", ts, source: "scrape", ...(limit && { limit }) });
  convertExposition(parseExposition(text), state, out, { targetLabels: { target: "app" }, ts });
  const b = out.batch();
  return { rows: b.metric.map((m, i) => `${m}{${b.labels[i]}} ${b.value[i]}`), out };
}

Deno.test("convertExposition() turns counters into per-second rates, a decrease restarting from the new value", () => {
  const state = new CumulativeState();
  const page = (n: number) => `# TYPE c_total counter\nc_total{instance="x"} ${n}\n`;
  assert.deepEqual(scrapeOf(page(100), state, 0).rows, []);
  assert.deepEqual(scrapeOf(page(130), state, 2000).rows, [
    "c_per_second{exported_instance=x,target=app} 15",
  ]);
  // reset: the counter restarted and counted 4 since
  assert.deepEqual(scrapeOf(page(4), state, 4000).rows, [
    "c_per_second{exported_instance=x,target=app} 2",
  ]);
});

Deno.test("convertExposition() turns histograms into count, sum and bucket rates and interpolated quantiles", () => {
  const state = new CumulativeState();
  const page = (a: number, b: number, sum: number) =>
    [
      "# TYPE lat_seconds histogram",
      `lat_seconds_bucket{le="0.1"} ${a}`,
      `lat_seconds_bucket{le="0.5"} ${a + b}`,
      `lat_seconds_bucket{le="+Inf"} ${a + b}`,
      `lat_seconds_sum ${sum}`,
      `lat_seconds_count ${a + b}`,
    ].join("\n");
  scrapeOf(page(5, 5, 1), state, 0);
  const { rows } = scrapeOf(page(15, 15, 5), state, 2000);
  const near = (row: string) => row.replace(/ (\d+\.\d{6})\d*$/, " $1");
  assert.deepEqual(rows.map(near), [
    "lat_seconds_count_per_second{target=app} 10",
    "lat_seconds_sum_per_second{target=app} 2",
    "lat_seconds_bucket_per_second{bucket=0.1,target=app} 5",
    "lat_seconds_bucket_per_second{bucket=0.5,target=app} 10",
    "lat_seconds_bucket_per_second{bucket=+Inf,target=app} 10",
    "lat_seconds_p50{target=app} 0.1",
    "lat_seconds_p95{target=app} 0.460000",
    "lat_seconds_p99{target=app} 0.492000",
  ]);
});

Deno.test("convertExposition() keeps summary quantiles and rates its count and sum", () => {
  const state = new CumulativeState();
  const page = (n: number) =>
    `# TYPE rpc_seconds summary\nrpc_seconds{quantile="0.5"} 0.2\nrpc_seconds{quantile="0.999"} 0.9\nrpc_seconds_sum ${
      n / 10
    }\nrpc_seconds_count ${n}\n`;
  assert.deepEqual(scrapeOf(page(10), state, 0).rows, [
    "rpc_seconds_p50{target=app} 0.2",
    "rpc_seconds_p99_9{target=app} 0.9",
  ]);
  assert.deepEqual(scrapeOf(page(30), state, 1000).rows.slice(2), [
    "rpc_seconds_count_per_second{target=app} 20",
    "rpc_seconds_sum_per_second{target=app} 2",
  ]);
});

Deno.test("convertExposition() stores gauges under snake_case names, dropping values the lake refuses", () => {
  const text = [
    "# TYPE node_memory_MemTotal_bytes gauge",
    "node_memory_MemTotal_bytes 8e9",
    `bad{v="${"x".repeat(2000)}"} 1`,
    'ok:rule{__meta="x",job="j"} 2',
  ].join("\n");
  const { rows, out } = scrapeOf(text, new CumulativeState(), 0);
  assert.deepEqual(rows, [
    "node_memory_memtotal_bytes{target=app} 8000000000",
    "ok_rule{exported_job=j,target=app} 2",
  ]);
  assert.equal(out.invalid, 1);
  assert.match(out.problems[0]!, /longer than 1024 bytes/);
});

Deno.test("A label explosion stops at the source's series limit and the excess is counted", () => {
  const lines = ["# TYPE g gauge"];
  for (let i = 0; i < 500; i++) lines.push(`g{id="${i}"} ${i}`);
  const limit = new SeriesLimit({ maxSeries: 100 });
  const { rows, out } = scrapeOf(lines.join("\n"), new CumulativeState(), 0, limit);
  assert.equal(rows.length, 100);
  assert.equal(out.limited, 400);
  assert.equal(limit.dropped, 400);
  // the series already admitted keep flowing on the next scrape
  assert.equal(scrapeOf(lines.join("\n"), new CumulativeState(), 1000, limit).rows.length, 100);
});
