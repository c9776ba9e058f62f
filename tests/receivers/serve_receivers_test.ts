/**
 * `serve` with scrape targets, StatsD and probes in its config: each receiver's samples reach
 * the lake through the ingest writer, `/api/metrics` shows their units, and everything stops
 * with serve.
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { openLake } from "../../lake/mod.ts";
import { startServe, startServeIn } from "../_serve.ts";
import { freeUdpPort } from "../_ports.ts";

Deno.test({
  name: "serve runs the configured scrape targets, StatsD listener and probes into the lake",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const page = "# HELP shop_orders_total Orders\n# TYPE shop_orders_total counter\n" +
      "shop_orders_total 5\n# TYPE shop_temp_seconds gauge\nshop_temp_seconds 0.25\n";
    let scrapes = 0;
    const app = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
      scrapes++;
      return new Response(page);
    });
    const udp = await freeUdpPort();
    const root = await Deno.makeTempDir();
    const config = `
scrape:
  - url: http://127.0.0.1:${app.addr.port}/metrics
    name: shop
    interval: 3s
    labels: { env: test }
    host: shop-host
statsd:
  listen: 127.0.0.1:${udp}
  flush: 200ms
probes:
  - name: shop-port
    tcp: 127.0.0.1:${app.addr.port}
    interval: 200ms
`;
    await Deno.writeTextFile(`${root}/perfscope.yaml`, config);
    const error = console.error;
    const errors: string[] = [];
    console.error = (line: string) => void errors.push(line);
    const served = await startServeIn(root);
    let listing: { metrics: { name: string; unit: string; kind: string }[] };
    try {
      const sock = dgram.createSocket("udp4");
      for (let i = 0; i < 5; i++) {
        await new Promise<void>((r) => sock.send("logins:1|c", udp, "127.0.0.1", () => r()));
        await new Promise((r) => setTimeout(r, 150));
      }
      sock.close();
      // at least two scrapes stored (a counter's rate needs two): a scrape's samples are handed
      // on before the next one begins, so once the third has been asked for; every 3 s, so its
      // timeout (the interval) leaves a loaded machine time to answer (200 ms and 500 ms timed
      // out under loads of 11-17 and 13, and the test refuses any "down" line)
      for (let i = 0; i < 1200 && scrapes < 3; i++) await new Promise((r) => setTimeout(r, 50));
      // /api/metrics lists what the lake holds: stopping serve flushes the writer, and a second
      // serve in this process lists it (units from the registry; that a new process knows them
      // too, from the saved registry, is app_metrics_restart_test.ts's case)
      served.stop();
      await served.done;
      const again = await startServe(["--no-collect", "--data", `${root}/data`]);
      try {
        const res = await fetch(new URL("api/metrics", again.url));
        listing = await res.json();
      } finally {
        again.stop();
        await again.done;
      }
    } finally {
      console.error = error;
      await app.shutdown();
    }
    const lake = await openLake({ root: `${root}/data` });
    try {
      const rows = await lake.query("SELECT host, metric, labels, value FROM samples");
      const has = (metric: string, labels: string) =>
        rows.some((r) => r.metric === metric && r.labels === labels);
      assert.ok(has("up", "env=test,target=shop"));
      assert.ok(has("shop_temp_seconds", "env=test,target=shop"));
      assert.ok(rows.some((r) => r.metric === "shop_orders_per_second" && Number(r.value) === 0));
      assert.ok(rows.filter((r) => r.metric === "up").every((r) => r.host === "shop-host"));
      assert.ok(rows.some((r) => r.metric === "logins_per_second" && Number(r.value) > 0));
      assert.ok(has("probe_success", "target=shop-port"));
    } finally {
      lake.close();
      await Deno.remove(root, { recursive: true });
    }
    const info = (name: string) => listing!.metrics.find((m) => m.name === name);
    assert.deepEqual([info("shop_temp_seconds")?.unit, info("shop_temp_seconds")?.kind], [
      "s",
      "gauge",
    ]);
    assert.deepEqual([info("logins_per_second")?.unit, info("logins_per_second")?.kind], [
      "1/s",
      "rate",
    ]);
    assert.equal(info("probe_duration_seconds")?.unit, "s");
    assert.deepEqual(errors.filter((l) => /down|refused|failed/.test(l)), []);
  },
});

Deno.test({
  name: "serve restarts the scrape targets when the config file changes",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // requests per path: a target's first scrape is stored once its second is asked for
    const asked = new Map<string, number>();
    const app = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
      const path = new URL(req.url).pathname.slice(1);
      asked.set(path, (asked.get(path) ?? 0) + 1);
      return new Response("g 1\n");
    });
    const scraped = async (name: string) => {
      for (let i = 0; i < 1200 && (asked.get(name) ?? 0) < 2; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const root = await Deno.makeTempDir();
    const file = `${root}/perfscope.yaml`;
    const target = (name: string) =>
      `scrape:\n  - url: http://127.0.0.1:${app.addr.port}/${name}\n    name: ${name}\n    interval: 100ms\n`;
    await Deno.writeTextFile(file, target("before"));
    const error = console.error;
    const errors: string[] = [];
    console.error = (line: string) => void errors.push(line);
    const served = await startServe(["--no-collect", "--data", `${root}/data`, "--config", file]);
    try {
      await scraped("before");
      await Deno.writeTextFile(`${file}.tmp`, target("after"));
      await Deno.rename(`${file}.tmp`, file);
      for (let i = 0; i < 400 && !errors.some((l) => /receivers restarted/.test(l)); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      await scraped("after");
    } finally {
      served.stop();
      await served.done;
      console.error = error;
      await app.shutdown();
    }
    assert.ok(
      errors.some((l) => /receivers restarted with the new settings/.test(l)),
      errors.join("\n"),
    );
    const lake = await openLake({ root: `${root}/data` });
    try {
      const rows = await lake.query(
        "SELECT DISTINCT labels FROM samples WHERE metric = 'up' ORDER BY labels",
      );
      assert.deepEqual(rows.map((r) => r.labels), ["target=after", "target=before"]);
    } finally {
      lake.close();
      await Deno.remove(root, { recursive: true });
    }
  },
});
