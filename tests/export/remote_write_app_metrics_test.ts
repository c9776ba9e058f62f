/**
 * Application metrics through remote write into a real VictoriaMetrics (Debian's, on loopback):
 * `serve --remote-write` (a real child process) takes pushes from an app over `/api/ingest` and
 * from the OpenTelemetry SDK's OTLP/HTTP exporter; the series are read back through the query
 * API with the registry's names, labels and values. Then the receiver goes down, serve is
 * killed with SIGKILL in the middle of the outage and started again, the receiver comes back:
 * every sample serve acknowledged is there, once.
 */
import assert from "node:assert/strict";
// deno-lint-ignore no-import-prefix
import * as sdk from "npm:@opentelemetry/sdk-metrics@3.1.1";
// deno-lint-ignore no-import-prefix
import { resourceFromAttributes } from "npm:@opentelemetry/resources@3.1.1";
// deno-lint-ignore no-import-prefix
import { OTLPMetricExporter } from "npm:@opentelemetry/exporter-metrics-otlp-http@0.301.0";
import { listIngestOutbox, openLake } from "../../lake/mod.ts";
import { serveChild } from "../_serve_process.ts";
import { missing } from "../_skip.ts";
import { freePort } from "../_ports.ts";
import { rawSamples, startVictoriaMetrics } from "./_engines.ts";

const ignore = missing("victoria-metrics", "the application-metrics remote-write test");

const step = (what: string) => console.error(`[${new Date().toISOString()}] ${what}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` is true, polling; fails with `what` after `ms`. */
async function until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  step(what);
  const end = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await sleep(250);
  }
}

/** `serve` as a child process (so it can be killed with SIGKILL), its output drained. */
function serve(config: string, root: string, port: number) {
  const child = serveChild(["--config", config, "--data", root, "--no-collect"], {
    port,
    stderr: "piped",
  });
  return { child, logs: new Response(child.stderr).text() };
}

/** Samples of one metric in the lake, by label set. */
async function lakeSamples(root: string, metric: string) {
  const lake = await openLake({ root });
  try {
    const rows = await lake.query<{ t: number; labels: string; value: number }>(
      `SELECT epoch_ms(ts) AS t, labels, value FROM samples
       WHERE metric = $metric AND isfinite(value) ORDER BY t`,
      { metric },
    );
    return rows.map((r) => ({ ts: Number(r.t), labels: r.labels, value: r.value }));
  } finally {
    lake.close();
  }
}

Deno.test({
  name:
    "application metrics pushed to serve over /api/ingest and OTLP reach VictoriaMetrics through an outage and a kill -9, each accepted sample once",
  ignore,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const vm = await startVictoriaMetrics();
    const dir = Deno.makeTempDirSync({ prefix: "perfscope-appmetrics-" });
    const root = `${dir}/data`;
    const config = `${dir}/perfscope.yaml`;
    Deno.writeTextFileSync(
      config,
      `collect:
  host: serve-a
ingest:
  flush_every: 2s
remote_write:
  - url: ${vm.writeUrl}
    interval: 1s
    timeout: 2s
    external_labels: { env: test }
`,
    );
    const port = freePort();
    const base = `http://127.0.0.1:${port}`;
    let server = serve(config, root, port);
    await until("serve to listen", async () => (await fetch(`${base}/healthz`)).ok);

    // the app's pushes: one sample a second of orders_total's rate, acknowledged one by one
    const t0 = Math.floor(Date.now() / 1000) * 1000 - 120_000;
    const pushed: { ts: number; value: number }[] = [];
    async function push(i: number): Promise<boolean> {
      const ts = t0 + i * 1000;
      const line = { ts, host: "web-1", metric: "orders_per_second", labels: { service: "shop" } };
      try {
        const res = await fetch(`${base}/api/ingest`, {
          method: "POST",
          headers: { "Content-Type": "application/x-ndjson" },
          body: JSON.stringify({ ...line, value: i * 1.5 }) + "\n",
        });
        const text = await res.text();
        if (res.status >= 400 && res.status < 500) throw new Error(`Refused: ${text}`);
        if (res.ok) pushed.push({ ts, value: i * 1.5 });
        return res.ok;
      } catch (error) {
        if ((error as Error).message.startsWith("Refused")) throw error;
        return false; // serve is down: not acknowledged
      }
    }
    let next = 0;
    const pushAll = async (n: number) => {
      for (const end = next + n; next < end;) {
        if (await push(next)) next++;
        else await sleep(100);
      }
    };

    // the OTLP app: a gauge and a counter, exported every second by the real SDK
    let depth = 0;
    const reader = new sdk.PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({ url: `${base}/v1/metrics`, timeoutMillis: 1000 }),
      exportIntervalMillis: 1000,
      exportTimeoutMillis: 1000,
    });
    const provider = new sdk.MeterProvider({
      resource: resourceFromAttributes({ "service.name": "checkout" }),
      readers: [reader],
    });
    const meter = provider.getMeter("shop");
    meter.createObservableGauge("queue.depth").addCallback((r) => r.observe(++depth));
    const sold = meter.createCounter("items.sold");
    const selling = setInterval(() => sold.add(3), 100);
    try {
      // 1. streaming: names and labels as the registry has them, external labels added
      await pushAll(10);
      await until("the pushed samples in VictoriaMetrics", async () => {
        const [s] = await rawSamples(vm.base, `orders_per_second{service="shop"}`, 900);
        return (s?.ts.length ?? 0) === 10;
      });
      const [orders] = await rawSamples(vm.base, `orders_per_second`, 900);
      assert.deepEqual(orders!.metric, {
        __name__: "orders_per_second",
        host: "web-1",
        service: "shop",
        env: "test",
      });
      assert.deepEqual(orders!.values, pushed.map((p) => p.value));
      await until("the OTLP series in VictoriaMetrics", async () => {
        const [g] = await rawSamples(vm.base, `queue_depth{service="checkout"}`, 900);
        const [c] = await rawSamples(vm.base, `items_sold_per_second{service="checkout"}`, 900);
        return (g?.ts.length ?? 0) >= 2 && (c?.ts.length ?? 0) >= 1;
      });
      const [gauge] = await rawSamples(vm.base, `queue_depth{service="checkout"}`, 900);
      assert.equal(gauge!.metric.host, "serve-a");
      assert.equal(gauge!.metric.env, "test");
      const [rate] = await rawSamples(vm.base, `items_sold_per_second`, 900);
      // 3 every 100 ms: about 30 a second
      assert.ok(rate!.values.every((v) => v > 10 && v < 60), `rates ${rate!.values}`);

      // 2. the receiver goes down; serve is killed half-way through the outage and restarted
      await vm.stop();
      const outageAt = Date.now();
      await pushAll(10);
      // a segment opened during the outage, unsent, is in Parquet (flush_every 2s): it is kept
      // in the outbox for the sender, not deleted
      await until(
        "a segment of the outage in the ingest outbox",
        () => Promise.resolve(listIngestOutbox(root).some((s) => s.id >= outageAt)),
      );
      await sleep(1000);
      server.child.kill("SIGKILL");
      await server.child.status;
      await server.logs;
      server = serve(config, root, port);
      await until("serve to listen again", async () => (await fetch(`${base}/healthz`)).ok);
      await pushAll(10);
      // long enough for the restarted serve's ingest sender to report a lag of 3 s and more (the
      // check below), sampled once a second: 3 s left it at 2.x in one CI run
      await sleep(5000);
      await vm.start();

      // 3. the backlog drains
      await until("every pushed sample in VictoriaMetrics", async () => {
        const [s] = await rawSamples(vm.base, `orders_per_second`, 900);
        return (s?.ts.length ?? 0) >= pushed.length;
      }, 90_000);
      clearInterval(selling);
      await provider.shutdown().catch(() => {});
      await sleep(2000);
      server.child.kill("SIGTERM");
      assert.equal((await server.child.status).code, 0, await server.logs);

      // 4. every acknowledged sample is in VictoriaMetrics once, with its value
      const [all] = await rawSamples(vm.base, `orders_per_second`, 900);
      assert.deepEqual(all!.ts, pushed.map((p) => p.ts), "a pushed sample missing or twice");
      assert.deepEqual(all!.values, pushed.map((p) => p.value));
      for (const metric of ["queue_depth", "items_sold_per_second"]) {
        const stored = await lakeSamples(root, metric);
        assert.ok(stored.length >= 5, `only ${stored.length} samples of ${metric} stored`);
        const [got] = await rawSamples(vm.base, `${metric}{service="checkout"}`, 900);
        assert.equal(new Set(got!.ts).size, got!.ts.length, `duplicate points of ${metric}`);
        const sent = new Map(got!.ts.map((t, i) => [t, got!.values[i]!]));
        const lost = stored.filter((s) => !sent.has(s.ts));
        assert.deepEqual(lost, [], `${metric}: ${lost.length} of ${stored.length} not sent`);
        for (const s of stored) {
          // the lake keeps 6 significant digits; the wire carries the full double
          const v = sent.get(s.ts)!;
          assert.ok(Math.abs(v - s.value) <= Math.abs(v) * 1e-5, `${metric} ${v} vs ${s.value}`);
        }
      }
      // the outage shows in the ingest senders' own metrics
      const retries = await lakeSamples(root, "perfscope_remote_write_retries_per_second");
      const mine = `queue=ingest,remote=${new URL(vm.base).host}`;
      assert.ok(
        retries.some((r) => r.labels === mine && r.value > 0),
        "no retry of the ingest sender counted during the outage",
      );
      const lag = await lakeSamples(root, "perfscope_remote_write_lag_seconds");
      assert.ok(
        Math.max(...lag.filter((r) => r.labels === mine).map((r) => r.value)) >= 3,
        "the ingest sender's lag did not show the outage",
      );
    } finally {
      clearInterval(selling);
      await provider.shutdown().catch(() => {});
      try {
        server.child.kill("SIGKILL");
      } catch {
        // already stopped
      }
      await vm.stop();
    }
  },
});
