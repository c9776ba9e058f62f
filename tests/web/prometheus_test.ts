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
      "# HELP processes Processes listed in /proc (processes)",
      "# TYPE processes gauge",
      'processes{host="h"} 120',
      "# HELP jobs_count_value Pushed through /api/ingest",
      "# TYPE jobs_count_value untyped",
      'jobs_count_value{host="other"} +Inf',
      "# HELP queue_sum_value Pushed through /api/ingest",
      "# TYPE queue_sum_value untyped",
      'queue_sum_value{host="h",q="a\\"b\\\\c\\nd"} -Inf',
      "# HELP load_average Kernel load average over a window (processes)",
      "# TYPE load_average gauge",
      'load_average{host="h",window="1m"} NaN',
      "",
    ].join("\n"),
  );
  assert.equal(formatExposition([]), "");
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
    await using t = await testApp();
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
    ]);
    const text = await (await t.app.request("/metrics")).text();
    assert.match(text, /# TYPE cpu_ratio gauge/);
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
