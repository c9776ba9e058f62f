import assert from "node:assert/strict";
import { createSampler } from "../../collectors/mod.ts";
import { formatExposition, PROMETHEUS_CONTENT_TYPE } from "../../web/mod.ts";
import { missing } from "../_skip.ts";
import { T0, testApp } from "./_app.ts";

Deno.test("formatExposition() renames and rescales to Prometheus conventions and escapes", () => {
  const text = formatExposition([
    { ts: T0, host: "h", metric: "disk_wait_ms", labels: { device: "sda" }, value: 250 },
    { ts: T0, host: "h", metric: "processes_total", labels: {}, value: 120 },
    { ts: T0, host: "h", metric: "jobs_count", labels: { host: "other" }, value: Infinity },
    {
      ts: T0,
      host: "h",
      metric: "queue_sum",
      labels: { q: 'a"b\\c\nd', "bad-name": "x", __x: "y" },
      value: -Infinity,
    },
    { ts: T0, host: "h", metric: "load_average", labels: { window: "1m" }, value: NaN },
    { ts: T0, host: "h", metric: "bad-metric", labels: {}, value: 1 },
  ]);
  assert.equal(
    text,
    [
      "# HELP disk_wait_seconds Average time a request spent queued and served (seconds)",
      "# TYPE disk_wait_seconds gauge",
      'disk_wait_seconds{device="sda",host="h"} 0.25',
      "# HELP jobs_count_value Pushed through /api/ingest",
      "# TYPE jobs_count_value untyped",
      'jobs_count_value{exported_host="other",host="h"} +Inf',
      "# HELP load_average Kernel load average over a window (processes)",
      "# TYPE load_average gauge",
      'load_average{host="h",window="1m"} NaN',
      "# HELP processes Processes listed in /proc (processes)",
      "# TYPE processes gauge",
      'processes{host="h"} 120',
      "# HELP queue_sum_value Pushed through /api/ingest",
      "# TYPE queue_sum_value untyped",
      'queue_sum_value{host="h",q="a\\"b\\\\c\\nd"} -Inf',
      "",
    ].join("\n"),
  );
  assert.equal(formatExposition([]), "");
});

Deno.test("formatExposition() never lets a sample's labels pose as another host or break the format", () => {
  const text = formatExposition([
    {
      ts: T0,
      host: "web1",
      metric: "load_average",
      labels: { host: "db1", window: "1m" },
      value: 1,
    },
    {
      ts: T0,
      host: "web1",
      metric: "load_average",
      labels: { window: "5m", le: "+Inf" },
      value: 2,
    },
    {
      ts: T0,
      host: "web1",
      metric: "load_average",
      labels: { window: "15m", quantile: "0.9", job: "j", instance: "i" },
      value: 3,
    },
    {
      ts: T0,
      host: "web1",
      metric: "load_average",
      labels: { window: "1m", __name__: "up" },
      value: 4,
    },
  ]);
  const lines = text.split("\n").filter((l) => l.startsWith("load_average"));
  assert.deepEqual(lines, [
    'load_average{exported_host="db1",host="web1",window="1m"} 1',
    'load_average{exported_le="+Inf",host="web1",window="5m"} 2',
    'load_average{exported_instance="i",exported_job="j",exported_quantile="0.9",host="web1",window="15m"} 3',
    'load_average{host="web1",window="1m"} 4',
  ]);
  // every series names its real host exactly once
  for (const l of lines) assert.equal(l.match(/(^|[{,])host=/g)?.length, 1);
});

Deno.test("formatExposition() gives each exposed name one HELP and TYPE when two metrics map to it", () => {
  const text = formatExposition([
    { ts: T0, host: "h", metric: "wait_seconds", labels: {}, value: 1 },
    { ts: T0, host: "h", metric: "jobs", labels: {}, value: 2 },
    { ts: T0, host: "h", metric: "wait_ms", labels: {}, value: 3000 },
    { ts: T0, host: "h", metric: "jobs_total", labels: {}, value: 4 },
    { ts: T0, host: "h", metric: "jobs", labels: { a: "1" }, value: 5 },
  ]);
  assert.equal(text.match(/^# HELP jobs /gm)?.length, 1);
  assert.equal(text.match(/^# HELP wait_seconds /gm)?.length, 1);
  assert.match(text, /^jobs\{a="1",host="h"\} 5$/m);
  assert.match(text, /^wait_seconds\{host="h"\} 3$/m); // wait_ms sorts first and keeps the name
});

Deno.test("POST /api/ingest refuses the labels /metrics owns with 400 naming the label", async () => {
  await using t = await testApp({ now: () => T0 + 60_000 });
  for (const label of ["host", "le", "quantile", "job", "instance", "__name__"]) {
    const res = await t.app.request("/api/ingest", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: JSON.stringify({
        ts: T0,
        host: "h",
        metric: "load_average",
        labels: { [label]: "x" },
        value: 1,
      }),
    });
    assert.equal(res.status, 400);
    assert.match(
      (await res.json()).error,
      new RegExp(`^Invalid line 1: labels: "${label}" is reserved`),
    );
  }
  assert.equal(t.hub.latest().length, 0);
});

Deno.test("GET /metrics exposes the latest collected values", async () => {
  await using t = await testApp();
  t.hub.publish([{
    ts: T0,
    host: "h",
    metric: "load_average",
    labels: { window: "1m" },
    value: 1,
  }]);
  t.hub.publish([{
    ts: T0 + 1000,
    host: "h",
    metric: "load_average",
    labels: { window: "1m" },
    value: 2,
  }]);
  const res = await t.app.request("/metrics");
  assert.equal(res.headers.get("content-type"), PROMETHEUS_CONTENT_TYPE);
  assert.match(await res.text(), /\nload_average\{host="h",window="1m"\} 2\n$/);
});

Deno.test({
  name: "GET /metrics of a real snapshot passes promtool check metrics",
  ignore: missing("promtool", "the Prometheus exposition check"),
  async fn() {
    await using t = await testApp({ now: Date.now });
    using sampler = createSampler({ host: "test-host" });
    t.hub.publish(sampler.sample());
    await new Promise((r) => setTimeout(r, 200));
    t.hub.publish(sampler.sample());
    t.hub.publish([
      {
        ts: T0,
        host: "pushed",
        metric: "orders_total",
        labels: { shop: 'a "quoted"\nname' },
        value: 5,
      },
      { ts: T0, host: "pushed", metric: "latency_ms", labels: {}, value: 12 },
      { ts: T0, host: "pushed", metric: "latency_seconds", labels: {}, value: 0.5 },
      { ts: T0, host: "pushed", metric: "orders", labels: { le: "1", host: "spoof" }, value: 1 },
      {
        ts: T0,
        host: "pushed",
        metric: "load_average",
        labels: { le: "1", window: "1m" },
        value: 1,
      },
      {
        ts: T0,
        host: "pushed",
        metric: "queue_depth",
        labels: { quantile: "0.5", __x: "y" },
        value: 1,
      },
    ]);
    // hostile but allowed labels through the real ingest path (the hub keeps the live metrics)
    const now = Date.now();
    const pushed = await t.app.request("/api/ingest", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: [
        { window: 'a"b\\c', note: "ünï €😀" },
        { window: "x\\", path: "C:\\dir,with=odd" },
        { window: "}{,=" },
      ].map((labels, i) =>
        JSON.stringify({ ts: now, host: `pushed-${i}`, metric: "load_average", labels, value: i })
      ).join("\n"),
    });
    assert.equal(pushed.status, 200, await pushed.text());
    const text = await (await t.app.request("/metrics")).text();
    assert.match(text, /# TYPE cpu_ratio gauge/);
    assert.match(text, /load_average\{host="pushed-0",note="ünï €😀",window="a\\"b\\\\c"\} 0/);
    assert.doesNotMatch(text, /[{,](le|quantile|__x)=/);
    const child = new Deno.Command("promtool", {
      args: ["check", "metrics"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(text));
    await writer.close();
    const out = await child.output();
    const report = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, report);
  },
});
