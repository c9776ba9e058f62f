/**
 * Source keys that clean to one label name (`a.b`, `a-b`, `a_b` → `a_b`) keep every value, joined
 * by `;` in the order of the original keys sorted (Prometheus' OTLP rule), whatever order the
 * source sent them in: StatsD tags from the real hot-shots client over UDP, OTLP attributes from
 * the official JSON and protobuf exporters into a real `serve`, a scraped page's labels over
 * loopback. A single key is unchanged and a reserved name still goes to `exported_`.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
// deno-lint-ignore no-import-prefix
import { OTLPMetricExporter as JsonExporter } from "npm:@opentelemetry/exporter-metrics-otlp-http@0.301.0";
// deno-lint-ignore no-import-prefix
import { OTLPMetricExporter as ProtoExporter } from "npm:@opentelemetry/exporter-metrics-otlp-proto@0.301.0";
import {
  BatchBuilder,
  convertOtlp,
  CumulativeState,
  scrapeTarget,
  StatsdAggregator,
} from "../../receivers/mod.ts";
import { cleanLabelNames } from "../../receivers/_clean_label_names.ts";
import { addLabels } from "../../receivers/_labels.ts";
import { serveWithToken } from "../_serve_with_token.ts";
import { serveText } from "../_serve_text.ts";
import { batchRows } from "./_batch_rows.ts";
import { exportTo, flushedMeters } from "./_otlp_meters.ts";
import { capturingServer, flushAfter, hotShots } from "./_statsd.ts";

/** The labels a series gets from `pairs` alone (no winning labels). */
function labelsOf(pairs: [string, string][]): Record<string, string> {
  const out: Record<string, string> = {};
  addLabels(out, cleanLabelNames(pairs));
  return out;
}

Deno.test("cleanLabelNames() joins keys that clean to one name in the order of the keys sorted, and leaves the rest as sent", () => {
  assert.deepEqual(labelsOf([["a.b", "1"], ["a_b", "2"]]), { a_b: "1;2" });
  assert.deepEqual(labelsOf([["a_b", "2"], ["a.b", "1"]]), { a_b: "1;2" });
  // `-` (45) < `.` (46) < `_` (95)
  assert.deepEqual(labelsOf([["a_b", "3"], ["a.b", "2"], ["a-b", "1"]]), { a_b: "1;2;3" });
  // one key: unchanged, the source's pair kept as it is
  const route: [string, string] = ["route", "/a"];
  assert.equal(cleanLabelNames([route])[0], route);
  assert.deepEqual(labelsOf([["service.name", "api"]]), { service_name: "api" });
  assert.deepEqual(cleanLabelNames([]), []);
  // an empty value (a StatsD tag without one) takes its place like any other
  assert.deepEqual(labelsOf([["a_b", "2"], ["a.b", ""]]), { a_b: ";2" });
  // a key given twice joins its values sorted; the same pair twice counts once
  assert.deepEqual(labelsOf([["env", "b"], ["env", "a"]]), { env: "a;b" });
  assert.deepEqual(labelsOf([["env", "a"], ["env", "a"]]), { env: "a" });
  // a leading digit and `__*`: cleaned and dropped before anything is joined
  assert.deepEqual(labelsOf([["1x", "d"], ["_1x", "u"], ["__x", "gone"]]), { _1x: "d;u" });
  // a clash past the first eight labels (where a set takes over from the scan) is found too
  const many = Array.from({ length: 12 }, (_, i): [string, string] => [`k_${i}`, `${i}`]);
  assert.deepEqual(labelsOf([...many, ["k.3", "x"]]).k_3, "x;3");
});

Deno.test("A reserved name still goes to exported_, beside the source's own exported_ name, in any order", () => {
  assert.deepEqual(labelsOf([["host", "web1"]]), { exported_host: "web1" });
  const expected = { exported_host: "mine", exported_exported_host: "web1" };
  assert.deepEqual(labelsOf([["host", "web1"], ["exported.host", "mine"]]), expected);
  assert.deepEqual(labelsOf([["exported.host", "mine"], ["host", "web1"]]), expected);
  // a reserved key given twice joins first, then moves aside
  assert.deepEqual(labelsOf([["job", "b"], ["job", "a"]]), { exported_job: "a;b" });
  assert.deepEqual(labelsOf([["j.ob", "2"], ["job", "1"]]), { exported_job: "1", j_ob: "2" });
});

Deno.test("cleanLabelNames() gives the same labels for every order of the same keys, and loses no value", () => {
  const key = fc.constantFrom(
    "a.b",
    "a_b",
    "a-b",
    "c",
    "host",
    "exported.host",
    "1x",
    "_1x",
    "__z",
  );
  const pair = fc.tuple(key, fc.constantFrom("", "1", "2", "x;y"));
  fc.assert(
    fc.property(
      fc.array(pair, { maxLength: 12 }),
      fc.infiniteStream(fc.nat()),
      (pairs, randoms) => {
        const shuffled = [...pairs];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = randoms.next().value! % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        const a = labelsOf(pairs), b = labelsOf(shuffled);
        assert.deepEqual(Object.entries(a).sort(), Object.entries(b).sort());
        // each kept pair's value is in its label (joined values split on `;` to check)
        const values = Object.values(a).join(";").split(";");
        for (const [k, v] of pairs) {
          if (!k.startsWith("__")) assert.ok(v.split(";").every((p) => values.includes(p)), v);
        }
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test({
  name:
    "hot-shots over UDP: tags a.b:1 and a_b:2 in either order give one series a_b=1;2; one key is unchanged; host goes to exported_host",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { server, batches, clock } = await capturingServer();
    const { client, send } = hotShots(server.port);
    try {
      // hot-shots sends an object's tags in its key order, an array's as given
      await send((cb) => client.increment("jobs.done", 3, { "a.b": "1", a_b: "2" }, cb));
      await send((cb) => client.increment("jobs.done", 5, ["a_b:2", "a.b:1"], cb));
      await send((cb) => client.gauge("queue.depth", 7, { "service.name": "api" }, cb));
      await send((cb) => client.gauge("disk.free", 9, { host: "web1" }, cb));
      // a tag without a value is a key with the value ""
      await send((cb) => client.gauge("flag", 1, ["a.b", "a_b:2"], cb));
      await send((cb) => client.gauge("flag", 4, ["a_b:2", "a.b"], cb));
      await flushAfter(server, 6, clock, 1000);
    } finally {
      client.close();
      await server.close();
    }
    assert.deepEqual(batchRows(batches[0]!), [
      "disk_free{exported_host=web1} 9",
      "flag{a_b=;2} 4",
      "jobs_done_per_second{a_b=1;2} 8",
      "queue_depth{service_name=api} 7",
    ]);
  },
});

Deno.test("StatsdAggregator keys a series by its joined labels, so tag order never splits it", () => {
  let t = 0;
  const agg = new StatsdAggregator({ host: "h", now: () => t });
  agg.packet("hits:1|c|#a-b:x,a.b:y,route:/a\nhits:2|c|#route:/a,a.b:y,a-b:x\nhits:4|c|#a.b:y");
  t = 1000;
  assert.deepEqual(batchRows(agg.flush()), [
    "hits_per_second{a_b=x;y,route=/a} 3",
    "hits_per_second{a_b=y} 4",
  ]);
  assert.equal(agg.size, 2);
});

Deno.test("convertOtlp() joins point attributes that clean to one name, in either order on the wire", () => {
  type KeyValue = { key: string; value: { stringValue: string } };
  const kv = (key: string, v: string): KeyValue => ({ key, value: { stringValue: v } });
  const point = (attributes: KeyValue[], v: number) => ({ asDouble: v, attributes });
  const out = new BatchBuilder({ host: "h", ts: 5, source: "otlp" });
  convertOtlp(
    {
      resourceMetrics: [{
        resource: { attributes: [kv("service.name", "api")] },
        scopeMetrics: [{
          metrics: [
            { name: "one", gauge: { dataPoints: [point([kv("a.b", "1"), kv("a_b", "2")], 1)] } },
            { name: "two", gauge: { dataPoints: [point([kv("a_b", "2"), kv("a.b", "1")], 2)] } },
            { name: "three", gauge: { dataPoints: [point([kv("service", "x")], 3)] } },
          ],
        }],
      }],
    },
    new CumulativeState(),
    out,
    { now: 5 },
  );
  assert.deepEqual(batchRows(out.batch()), [
    "one{a_b=1;2,service=api} 1",
    "three{exported_service=x,service=api} 3",
    "two{a_b=1;2,service=api} 2",
  ]);
});

const TOKEN = "collision-test-token";

Deno.test({
  name:
    "The OTLP JSON and protobuf exporters into a real serve: attributes a.b and a_b give a_b=1;2 in either order, one key is unchanged, host goes to exported_host",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const samples = await serveWithToken("{}\n", TOKEN, async (base) => {
      const { url, headers } = exportTo(base, TOKEN);
      for (
        const [service, exporter] of [
          ["json", new JsonExporter({ url, headers })],
          ["proto", new ProtoExporter({ url, headers })],
        ] as const
      ) {
        const { reader, provider } = flushedMeters(exporter, service);
        const meter = provider.getMeter("test");
        meter.createGauge("order.one").record(1, { "a.b": "1", a_b: "2" });
        meter.createGauge("order.two").record(2, { a_b: "2", "a.b": "1" });
        meter.createGauge("single").record(3, { "k8s.pod.name": "p-1" });
        meter.createGauge("reserved").record(4, { host: "web1" });
        await reader.forceFlush();
        await provider.shutdown();
      }
      // the same in http/json by hand, the keys in the order the wire carries them
      const kv = (key: string, v: string) => ({ key, value: { stringValue: v } });
      const res = await fetch(url, {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body: JSON.stringify({
          resourceMetrics: [{
            resource: { attributes: [kv("service.name", "raw")] },
            scopeMetrics: [{
              metrics: [{
                name: "order.wire",
                gauge: {
                  dataPoints: [
                    { asDouble: 5, attributes: [kv("a_b", "2"), kv("a-b", "0"), kv("a.b", "1")] },
                  ],
                },
              }],
            }],
          }],
        }),
      });
      assert.equal(res.status, 200);
      await res.body?.cancel();
    });
    const stored = samples.map((x) => `${x.metric}{${x.labels}} ${x.value}`).sort();
    // each gauge is exported twice (the flush and the shutdown); one series each
    assert.deepEqual([...new Set(stored)], [
      "order_one{a_b=1;2,service=json} 1",
      "order_one{a_b=1;2,service=proto} 1",
      "order_two{a_b=1;2,service=json} 2",
      "order_two{a_b=1;2,service=proto} 2",
      "order_wire{a_b=0;1;2,service=raw} 5",
      "reserved{exported_host=web1,service=json} 4",
      "reserved{exported_host=web1,service=proto} 4",
      "single{k8s_pod_name=p-1,service=json} 3",
      "single{k8s_pod_name=p-1,service=proto} 3",
    ]);
  },
});

Deno.test("A scraped page's labels a:b and a_b give a_b=1;2 in either order; the target's labels still win", async () => {
  const page = [
    "# TYPE g gauge",
    'g{a:b="1",a_b="2"} 1',
    'g2{a_b="2",a:b="1"} 2',
    'g3{instance="i",target="own"} 3',
  ].join("\n") + "\n";
  const server = serveText(page);
  try {
    const url = `http://127.0.0.1:${server.addr.port}/metrics`;
    const r = await scrapeTarget({ url, name: "app" }, new CumulativeState(), { host: "h" });
    assert.equal(r.error, undefined);
    const own = batchRows(r.batch).filter((l) => /^g/.test(l));
    assert.deepEqual(own, [
      "g2{a_b=1;2,target=app} 2",
      "g3{exported_instance=i,exported_target=own,target=app} 3",
      "g{a_b=1;2,target=app} 1",
    ]);
  } finally {
    await server.shutdown();
  }
});
