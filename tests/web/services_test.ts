import assert from "node:assert/strict";
import { jsonLines, postRows, T0, testApp } from "./_app.ts";
import { LiveHub } from "../../web/mod.ts";
import { BUCKETS, knownService, writeServiceSeries } from "../analytics/_service_lake.ts";

const H = "http_server_request_duration_seconds";

/** 20 samples, 15 s apart, of the known service `api` (100 req/s, 5 % errors). */
function serviceLines(n = 20): string {
  const rows: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const ts = T0 + i * 3000 - 57_000;
    const at = (metric: string, labels: Record<string, string>, value: number) =>
      rows.push({ ts, host: "app-1", metric, labels: { service: "api", ...labels }, value });
    at("http_requests_per_second", { code: "200" }, 95);
    at("http_requests_per_second", { code: "500" }, 5);
    for (const [le, v] of BUCKETS) at(`${H}_bucket_per_second`, { bucket: le }, v);
    at(`${H}_count_per_second`, {}, 100);
    at(`${H}_sum_per_second`, {}, 20);
  }
  return jsonLines(rows);
}

async function ingest(
  app: { request: (p: string, i: RequestInit) => Response | Promise<Response> },
) {
  const r = await app.request("/api/ingest", {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body: serviceLines(),
  });
  assert.equal(r.status, 200, await r.clone().text());
}

Deno.test("GET /api/services is empty and the Services page says how to get services", async () => {
  await using t = await testApp();
  const r = await t.app.request("/api/services");
  assert.equal(r.status, 200);
  assert.deepEqual((await r.json()).services, []);
  const page = await (await t.app.request("/services")).text();
  assert.match(page, /No service metrics yet/);
  assert.match(page, /<a href="\/services" aria-current="page">Services<\/a>/);
  assert.match(page, /src="\/assets\/services.js"/);
  const js = await t.app.request("/assets/services.js");
  assert.equal(js.status, 200);
  assert.match(await js.text(), /\/api\/services/);
});

Deno.test("a pushed service shows live and window figures at once, the same once flushed", async () => {
  let clock = T0 + 60_000;
  await using t = await testApp({ services: [{ name: "api", apdex: 0.25 }], now: () => clock });
  await ingest(t.app);
  // not yet in Parquet: the live figures come from the pushed batch, the window figures from
  // the ingest writer's buffer (window statistics read buffered rows)
  const before = (await (await t.app.request("/api/services")).json()).services;
  assert.equal(before.length, 1);
  assert.equal(before[0].name, "api");
  assert.equal(before[0].live.rps, 100);
  assert.equal(before[0].live.errorRate, 0.05);
  assert.equal(before[0].live.apdex.score, 0.88);
  assert.equal(before[0].status, "ok");
  assert.deepEqual(
    [before[0].rps, before[0].tpm, before[0].errorRate, before[0].latency.p99],
    [100, 6000, 0.05, 2],
  );
  assert.ok(t.ingest.buffered > 0, "the window figures were read before the flush");
  t.ingest.flush();
  clock += 11_000; // past the 10 s the window figures are reused
  const u = t;
  const [api] = (await (await u.app.request("/api/services")).json()).services;
  assert.equal(api.status, "ok");
  assert.equal(api.rps, 100);
  assert.equal(api.tpm, 6000);
  assert.equal(api.errorRate, 0.05);
  assert.equal(api.apdex.score, 0.88);
  assert.equal(api.latency.p99, 2);
  assert.equal(api.availability[0].value, null);
  assert.equal(api.burn.length, 4);
  const h = await u.app.request("/api/services/history?service=api&range=15m");
  assert.equal(h.status, 200);
  const body = await h.json();
  assert.ok(body.points.length >= 2);
  assert.ok(body.points.every((p: { rps: number }) => p.rps === 100));
  assert.equal((await u.app.request("/api/services/history?service=nope")).status, 404);
  assert.equal((await u.app.request("/api/services/history?service=api&range=soon")).status, 400);
  assert.equal((await u.app.request("/api/services/history")).status, 400);
});

const DASHBOARDS = [{
  name: "api",
  title: "API",
  panels: [
    {
      title: "Requests",
      metric: "http_requests_per_second",
      labels: { code: "500" },
      kind: "line" as const,
      unit: "1/s",
      thresholds: [4, 10],
    },
    {
      title: "Per code",
      sql: "SELECT labels AS name, round(avg(value), 3) AS value FROM samples " +
        "WHERE metric = 'http_requests_per_second' GROUP BY ALL ORDER BY 1",
      kind: "table" as const,
    },
    { title: "Broken", sql: "SELECT nope FROM samples", kind: "number" as const },
  ],
}];

Deno.test("dashboards from the config: index, page, panel data through the SQL sandbox", async () => {
  await using t = await testApp({ dashboards: DASHBOARDS });
  await ingest(t.app);
  t.ingest.flush();
  const index = await (await t.app.request("/dashboards")).text();
  assert.match(index, /<a href="\/dashboards\/api">API<\/a>/);
  const page = await (await t.app.request("/dashboards/api")).text();
  assert.match(page, /id="panel-2"/);
  assert.match(page, /"name":"api"/);
  assert.equal((await t.app.request("/dashboards/none")).status, 404);
  const d = await (await t.app.request("/api/dashboards/api")).json();
  const [line, table, broken] = d.panels;
  assert.equal(line.series.length, 1);
  assert.equal(line.series[0].name, "app-1 code=500,service=api");
  assert.equal(line.last, 5);
  assert.deepEqual(line.thresholds, [4, 10]);
  assert.deepEqual(table.table.columns, ["name", "value"]);
  assert.deepEqual(table.table.rows, [["code=200,service=api", 95], ["code=500,service=api", 5]]);
  assert.equal(broken.last, null);
  assert.match(broken.error, /^Query failed: /);
  assert.deepEqual(await (await t.app.request("/api/dashboards")).json(), [{
    name: "api",
    title: "API",
  }]);
});

Deno.test("without dashboards the index says how to add one", async () => {
  await using t = await testApp();
  const page = await (await t.app.request("/dashboards")).text();
  assert.match(page, /No dashboards configured/);
  assert.equal((await t.app.request("/api/dashboards/x")).status, 404);
});

Deno.test("LiveHub.onBatch() hands observers every pushed batch until they stop", () => {
  const hub = new LiveHub({ now: () => T0 });
  const seen: number[] = [];
  const stop = hub.onBatch((b) => seen.push(b.ts.length));
  const b = {
    ts: [T0, T0],
    host: ["h", "h"],
    metric: ["a_total", "b"],
    labels: ["", ""],
    value: [1, 2],
  };
  hub.publishBatch(b);
  stop();
  hub.publishBatch(b);
  assert.deepEqual(seen, [2]);
  hub.close();
});

Deno.test("GET /api/services re-reads windows of 6 h and more at most every 5 minutes", async () => {
  const root = await Deno.makeTempDir({ prefix: "perfscope-svc-long-" });
  const times = Array.from({ length: 241 }, (_, i) => T0 - 4 * 3_600_000 + i * 60_000);
  writeServiceSeries(root, times, knownService(() => 1));
  let clock = T0 + 60_000;
  await check(root, (ms) => clock += ms, () => clock);
  await Deno.remove(root, { recursive: true });
});

async function check(root: string, advance: (ms: number) => void, now: () => number) {
  await using t = await testApp({ root, now });
  const get = async () => (await (await t.app.request("/api/services")).json()).services[0];
  const before = await get();
  assert.ok(Math.abs(before.burn[1].longBurn - 10) < 1e-9); // 1 % errors over 6 h: 10×
  // a burst of errors arrives
  const burst = Array.from({ length: 5 }, (_, i) => ({
    ts: T0 + (i + 1) * 10_000,
    host: "app-1",
    metric: "http_requests_per_second",
    labels: { service: "api", code: "500" },
    value: 90,
  }));
  const r = await postRows(t, burst);
  assert.equal(r.status, 200);
  t.ingest.flush();
  advance(11_000);
  const soon = await get();
  assert.ok(soon.availability[0].value < before.availability[0].value); // the hour: re-read
  assert.equal(soon.burn[1].longBurn, before.burn[1].longBurn); // 6 h: reused
  advance(300_000);
  const later = await get();
  assert.ok(later.burn[1].longBurn > before.burn[1].longBurn);
}
