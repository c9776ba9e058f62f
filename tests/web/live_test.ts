import assert from "node:assert/strict";
import type { Sample } from "../../collectors/mod.ts";
import { writeSamples } from "../../lake/mod.ts";
import { LiveHub } from "../../web/mod.ts";
import { T0, testApp } from "./_app.ts";

const decoder = new TextDecoder();

function batch(ts: number, value = 1): Sample[] {
  return [
    { ts, host: "h", metric: "load_average", labels: { window: "1m" }, value },
    {
      ts,
      host: "h",
      metric: "process_rss_bytes",
      labels: { pid: "1", name: "init", rank_by: "memory" },
      value: 1e6,
    },
  ];
}

/** Reads SSE frames from a response until `n` frames arrived. */
async function frames(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  n: number,
): Promise<string[]> {
  let text = "";
  while (text.split("\n\n").length - 1 < n) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  return text.split("\n\n").filter(Boolean);
}

/** The rows of the backfill a new client of `/api/live` + `query` gets first. */
async function backfillRows(
  app: { request(url: string, init?: RequestInit): Response | Promise<Response> },
  query: string,
): Promise<[number, string, string, string, number][]> {
  const controller = new AbortController();
  const res = await app.request("/api/live" + query, { signal: controller.signal });
  const reader = res.body!.getReader();
  const [frame] = await frames(reader, 1);
  controller.abort();
  await reader.cancel();
  assert.match(frame!, /^event: backfill\ndata: /);
  return JSON.parse(frame!.slice(frame!.indexOf("data: ") + 6));
}

Deno.test("GET /api/live sends a backfill, then each published batch, and stops on abort", async () => {
  await using t = await testApp();
  t.hub.publish(batch(T0));
  const controller = new AbortController();
  const res = await t.app.request("/api/live", { signal: controller.signal });
  assert.equal(res.headers.get("content-type"), "text/event-stream");
  const reader = res.body!.getReader();
  const [backfill] = await frames(reader, 1);
  assert.equal(backfill, `event: backfill\ndata: [[${T0},"h","load_average","window=1m",1]]`);
  assert.equal(t.hub.clients, 1);
  t.hub.publish(batch(T0 + 1000, NaN));
  const [live] = await frames(reader, 1);
  assert.match(live!, /^event: samples\ndata: \[\[\d+,"h","load_average","window=1m",null\],/);
  controller.abort();
  await reader.cancel();
  for (let i = 0; i < 50 && t.hub.clients > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(t.hub.clients, 0);
});

Deno.test("after a restart GET /api/live backfills the window before it from the lake, for one host", async () => {
  // serve ran until T0 + 2 min, was down 2 min, and restarted: its hub remembers only what came
  // after, though the lake holds the minutes before (the host h's, and another host's)
  const restart = T0 + 240_000;
  await using t = await testApp({ now: () => restart + 2000 });
  const before = [];
  for (let ts = T0; ts < T0 + 120_000; ts += 1000) {
    for (const host of ["h", "other"]) {
      // h's CPU is the newest: the host a page without ?host= shows
      if (host === "h" || ts < T0 + 60_000) {
        before.push({ ts, host, metric: "cpu_ratio", labels: "cpu=total,mode=idle", value: 0.9 });
      }
      before.push({ ts, host, metric: "load_average", labels: "window=1m", value: 2 });
    }
  }
  writeSamples(before, { root: t.root, id: T0, sync: false });
  const backfill = (query = "") => backfillRows(t.app, query);
  const load = (rows: [number, string, string, string, number][], host: string) =>
    rows.filter((r) => r[1] === host && r[2] === "load_average").map((r) => r[0]);
  // nothing published since the restart yet: the lake's newest CPU host
  let rows = await backfill();
  assert.deepEqual(
    load(rows, "h"),
    before.filter((r) => r.host === "h" && r.metric === "load_average").map((r) => r.ts),
  );
  assert.deepEqual(load(rows, "other"), []);
  // then the samples since the restart follow the lake's, which end where serve stopped
  t.hub.publish([
    {
      ts: restart,
      host: "h",
      metric: "cpu_ratio",
      labels: { cpu: "total", mode: "idle" },
      value: 0.8,
    },
    { ts: restart, host: "h", metric: "load_average", labels: { window: "1m" }, value: 3 },
  ]);
  rows = await backfill();
  const times = load(rows, "h");
  assert.equal(times.length, 121);
  assert.equal(times.at(-2), T0 + 119_000);
  assert.equal(times.at(-1), restart);
  // a page's ?host= is the host read from the lake
  rows = await backfill("?host=other");
  assert.equal(load(rows, "other").length, 120);
  assert.equal((await t.app.request("/api/live?host=a%20b")).status, 400);
});

Deno.test("GET /api/live?window= backfills a window longer than the hub's from the lake", async () => {
  // the hub remembers its 5 minutes (serve ran all along); the Live page's 10-minute window asks
  // for the 5 before them, which only the lake holds
  const now = T0 + 20 * 60_000;
  await using t = await testApp({ now: () => now });
  const older = [];
  for (let ts = now - 9 * 60_000; ts < now - 6 * 60_000; ts += 1000) {
    older.push({ ts, host: "h", metric: "load_average", labels: "window=1m", value: 2 });
  }
  writeSamples(older, { root: t.root, id: now, sync: false });
  const recent = [];
  for (let ts = now - 4 * 60_000; ts <= now; ts += 10_000) {
    recent.push(ts);
    t.hub.publish([
      { ts, host: "h", metric: "cpu_ratio", labels: { cpu: "total", mode: "idle" }, value: 0.9 },
      { ts, host: "h", metric: "load_average", labels: { window: "1m" }, value: 3 },
    ]);
  }
  const load = async (query: string) =>
    (await backfillRows(t.app, query)).filter((r) => r[2] === "load_average").map((r) => r[0]);
  // the hub's 5 minutes by default, the lake's minutes before them for 10, a minute for 1
  assert.deepEqual(await load(""), recent);
  assert.deepEqual(await load("?window=10m"), [...older.map((r) => r.ts), ...recent]);
  assert.deepEqual(await load("?window=1m&host=h"), recent.filter((ts) => ts >= now - 60_000));
  for (const bad of ["soon", "2h", "0"]) {
    const res = await t.app.request(`/api/live?window=${bad}`);
    assert.equal(res.status, 400);
    assert.match((await res.json()).error, new RegExp(`^Invalid window: "${bad}" \\(use e\\.g\\.`));
  }
});

Deno.test("a stalled SSE client is dropped without blocking the others", async () => {
  await using t = await testApp({ hub: { queueSize: 4 } });
  const stalled = await t.app.request("/api/live");
  const stalledReader = stalled.body!.getReader();
  await stalledReader.read(); // backfill, then never read again
  const healthy = await t.app.request("/api/live");
  const reader = healthy.body!.getReader();
  await frames(reader, 1);
  let received = 0;
  for (let i = 0; i < 40; i++) {
    t.hub.publish(batch(T0 + i * 1000, i));
    received += (await frames(reader, 1)).length;
  }
  assert.equal(received, 40);
  assert.ok(t.hub.dropped >= 1);
  assert.equal(t.hub.clients, 1);
  const rest = await stalledReader.read();
  // the stalled stream ends once what was buffered is read
  let ended = rest.done;
  while (!ended) ended = (await stalledReader.read()).done;
  assert.equal(ended, true);
  await reader.cancel();
});

Deno.test("LiveHub keeps the latest value per series and trims the backfill window", () => {
  const hub = new LiveHub({ backfillMs: 2000, backfillMetrics: ["load_average"] });
  assert.ok(Number.isNaN(hub.lastTs));
  hub.publish([]);
  for (let i = 0; i < 5; i++) hub.publish(batch(T0 + i * 1000, i));
  const latest = hub.latest();
  assert.deepEqual(latest.map((s) => [s.metric, s.value]), [["load_average", 4], [
    "process_rss_bytes",
    1e6,
  ]]);
  const backfill = decoder.decode(hub.backfill());
  assert.equal(JSON.parse(backfill.split("data: ")[1]!).length, 3);
  assert.equal(hub.lastTs, T0 + 4000);
});

Deno.test("LiveHub ends pending and queued subscriptions on close", async () => {
  const hub = new LiveHub();
  let closed = 0;
  const sub = hub.subscribe(() => closed++);
  const pending = sub.next();
  hub.close();
  assert.equal(await pending, undefined);
  assert.equal(await sub.next(), undefined);
  assert.equal(closed, 1);
  assert.equal(sub.dropped, false);
  hub.publish(batch(T0));
  sub.close();
  assert.equal(closed, 1);
});

Deno.test("HEAD /api/live answers the headers and leaves no subscription behind", async () => {
  await using t = await testApp({ maxLiveClients: 2 });
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, t.app.fetch);
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`http://127.0.0.1:${server.addr.port}/api/live`, { method: "HEAD" });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/event-stream");
    await res.body?.cancel();
  }
  assert.equal(t.hub.clients, 0);
  const controller = new AbortController();
  const live = await fetch(`http://127.0.0.1:${server.addr.port}/api/live`, {
    signal: controller.signal,
  });
  assert.equal(live.status, 200);
  controller.abort();
  await live.body?.cancel().catch(() => {});
});
