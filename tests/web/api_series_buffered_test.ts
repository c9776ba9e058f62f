/**
 * Pushed samples are read from the ingest writer's buffer until their flush, and from Parquet
 * after it, exactly once: a real server on loopback over a real lake, no mocks.
 */
import assert from "node:assert/strict";
import { compactLake } from "../../lake/mod.ts";
import { queueSample, T0, testApp, type TestAppOptions } from "./_app.ts";

interface Many {
  tier: string;
  truncated?: true;
  series: { host: string; metric: string; labels: string; ts: number[]; values: number[] }[];
}

/** A test app served on a loopback port; `url(path)` names one of its routes. */
async function served(options: TestAppOptions = {}) {
  const t = await testApp(options);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, t.app.fetch);
  const url = (path: string) => `http://127.0.0.1:${server.addr.port}${path}`;
  return {
    t,
    url,
    async get<T>(path: string): Promise<T> {
      const res = await fetch(url(path));
      assert.equal(res.status, 200, await res.clone().text());
      return await res.json() as T;
    },
    async push(rows: readonly unknown[]): Promise<void> {
      const res = await fetch(url("/api/ingest"), {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body: rows.map((r) => JSON.stringify(r)).join("\n") + "\n",
      });
      assert.equal(res.status, 200, await res.clone().text());
      await res.body?.cancel();
    },
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      await t[Symbol.asyncDispose]();
    },
  };
}

const RANGE = `from=${T0 - 1000}&to=${T0 + 60_000}`;

Deno.test("a pushed sample is in /api/series before the flush, and the same points once after it", async () => {
  await using s = await served();
  await s.push([queueSample(0), queueSample(1), queueSample(2, { value: null }), queueSample(3)]);
  assert.equal(s.t.ingest.buffered, 4);
  const one = `/api/series?metric=queue_depth&labels=queue%3Da&host=edge-1&${RANGE}`;
  const many = `/api/series?metric=queue_depth&${RANGE}`;
  const before = [await s.get<Record<string, unknown>>(one), await s.get<Many>(many)] as const;
  // the null is no point, as in Parquet
  assert.deepEqual(before[0].ts, [T0, T0 + 1000, T0 + 3000]);
  assert.deepEqual(before[0].values, [0.25, 1.25, 3.25]);
  assert.deepEqual(before[1].series.map((x) => [x.host, x.labels, x.ts, x.values]), [
    ["edge-1", "queue=a", [T0, T0 + 1000, T0 + 3000], [0.25, 1.25, 3.25]],
  ]);
  const listed = await s.get<{ hosts: string[]; metrics: { name: string; series: unknown[] }[] }>(
    "/api/metrics",
  );
  assert.deepEqual(listed.hosts, ["edge-1"]);
  assert.deepEqual(listed.metrics.find((m) => m.name === "queue_depth")?.series, [
    { host: "edge-1", labels: "queue=a" },
  ]);

  assert.equal(s.t.ingest.flush(), 3);
  assert.equal(s.t.ingest.buffered, 0);
  assert.deepEqual(await s.get(one), before[0]);
  assert.deepEqual(await s.get(many), before[1]);
  assert.deepEqual(await s.get("/api/metrics"), listed);
});

Deno.test("buffered samples of a host pushed as WEB1 are found as web1 and WEB1", async () => {
  await using s = await served();
  await s.push([queueSample(0, { host: "WEB1" })]);
  for (const host of ["web1", "WEB1", "Web1"]) {
    const got = await s.get<{ host: string; ts: number[] }>(
      `/api/series?metric=queue_depth&labels=queue%3Da&host=${host}&${RANGE}`,
    );
    assert.deepEqual([got.host, got.ts], ["web1", [T0]]);
    const many = await s.get<Many>(`/api/series?metric=queue_depth&host=${host}&${RANGE}`);
    assert.deepEqual(many.series.map((x) => [x.host, x.ts]), [["web1", [T0]]]);
  }
  const other = await s.get<Many>(`/api/series?metric=queue_depth&host=web2&${RANGE}`);
  assert.deepEqual(other.series, []);
});

Deno.test("metric, label, range and series-limit filters treat buffered rows as stored ones", async () => {
  await using s = await served();
  // half of it in Parquet, half buffered: the answers must not change when the rest is flushed
  await s.push([
    queueSample(0, { labels: { queue: "a" } }),
    queueSample(0, { labels: { queue: "b" }, host: "edge-2" }),
    queueSample(0, { metric: "other_metric" }),
  ]);
  s.t.ingest.flush();
  await s.push([
    queueSample(1, { labels: { queue: "a" } }),
    queueSample(1, { labels: { queue: "c" } }),
    queueSample(2, { labels: { queue: "b" }, host: "edge-2" }),
    queueSample(1, { metric: "other_metric" }),
    queueSample(90, { labels: { queue: "a" } }), // after `to`
  ]);
  const queries = [
    `/api/series?metric=queue_depth&${RANGE}`,
    `/api/series?metrics=queue_depth,other_metric&${RANGE}`,
    `/api/series?metric=queue_depth&labels_like=queue%3D_&host=edge-1&${RANGE}`,
    `/api/series?metric=queue_depth&max_series=2&${RANGE}`,
    `/api/series?metric=queue_depth&${RANGE}&step=10s`,
    // a 12-hour range: one-minute buckets, the buffered rows bucketed with the raw files
    `/api/series?metric=queue_depth&from=${T0 - 12 * 3_600_000}&to=${T0 + 120_000}`,
    `/api/series?metric=queue_depth&labels=queue%3Da&from=${T0 - 12 * 3_600_000}&to=${
      T0 + 120_000
    }`,
  ];
  const before = [];
  for (const q of queries) before.push(await s.get<Many & { ts?: number[] }>(q));
  const [all, two, like, limited, stepped, minute] = before as Many[];
  const points = (m: Many) => m.series.map((x) => `${x.host} ${x.metric} ${x.labels} ${x.ts}`);
  assert.deepEqual(points(all!), [
    `edge-1 queue_depth queue=a ${T0},${T0 + 1000}`,
    `edge-1 queue_depth queue=c ${T0 + 1000}`,
    `edge-2 queue_depth queue=b ${T0},${T0 + 2000}`,
  ]);
  assert.deepEqual(points(two!).filter((p) => p.includes("other_metric")), [
    `edge-1 other_metric queue=a ${T0},${T0 + 1000}`,
  ]);
  assert.deepEqual(points(like!), [
    `edge-1 queue_depth queue=a ${T0},${T0 + 1000}`,
    `edge-1 queue_depth queue=c ${T0 + 1000}`,
  ]);
  assert.deepEqual([points(limited!).length, limited!.truncated], [2, true]);
  assert.deepEqual(stepped!.series.map((x) => x.values), [[0.75], [1.25], [1.25]]);
  assert.equal(minute!.tier, "1m");
  assert.deepEqual(minute!.series.map((x) => [x.ts, x.values]), [
    [[T0, T0 + 60_000], [0.75, 90.25]],
    [[T0], [1.25]],
    [[T0], [1.25]],
  ]);
  s.t.ingest.flush();
  for (const [i, q] of queries.entries()) assert.deepEqual(await s.get(q), before[i], q);
});

Deno.test("queries racing flushes and compactions never see a point twice or miss one", async () => {
  // every accepted body starts a flush, written on the flush thread while queries run; a
  // compaction now and then merges the files under them (and keeps the files per query few)
  await using s = await served({ ingest: { flushInWorker: true, flushRows: 1 } });
  const range = `from=${T0 - 1000}&to=${T0 + 400_000}`; // every sample of the loop
  const many = `/api/series?metric=queue_depth&host=edge-1&${range}`;
  const one = `/api/series?metric=queue_depth&labels=queue%3Da&host=edge-1&${range}`;
  // Points of one instant are averaged, so a row read twice hides in the two forms above; in
  // one bucket of every sample it weighs twice and moves the mean off that of samples 0…k.
  const bucket = `${many}&step=1h`;
  const mean = (m: Many, lo: number, hi: number, what: string) => {
    const got = m.series[0]?.values ?? [];
    const fits = (k: number) => got.length === 1 && Math.abs(got[0]! - (k / 2 + 0.25)) < 1e-9;
    assert.ok((lo < 0 && got.length === 0) || fits(lo) || fits(hi), `${what}: mean ${got}`);
  };
  /** The points must be samples 0…k in order, each once, for some k in `[lo, hi]`. */
  const check = (ts: number[], values: number[], lo: number, hi: number, what: string) => {
    const k = ts.length - 1;
    const got = ts.map((t) => (t - T0) / 1000).join(" ");
    assert.ok(k >= lo && k <= hi, `${what}: points ${got}, expected 0…${lo} or 0…${hi}`);
    assert.deepEqual(ts, Array.from({ length: k + 1 }, (_, j) => T0 + j * 1000), what);
    assert.deepEqual(values, Array.from({ length: k + 1 }, (_, j) => j + 0.25), what);
  };
  const N = 200;
  for (let i = 0; i < N; i++) {
    // a body and two queries at once: the queries see sample i or not, never twice
    const compaction = i % 10 === 5
      ? compactLake({ root: s.t.root, now: () => T0 + 60_000, warn() {} })
      : undefined;
    const [, a, b, m] = await Promise.all([
      s.push([queueSample(i)]),
      s.get<Many>(many),
      s.get<{ ts: number[]; values: number[] }>(one),
      s.get<Many>(bucket),
    ]);
    check(a.series[0]?.ts ?? [], a.series[0]?.values ?? [], i - 1, i, `many, round ${i}`);
    check(b.ts, b.values, i - 1, i, `one, round ${i}`);
    mean(m, i - 1, i, `bucket, round ${i}`);
    await compaction;
    // now that the body is accepted, sample i is there, whatever the flush thread is doing
    const c = await s.get<Many>(many);
    check(c.series[0]!.ts, c.series[0]!.values, i, i, `after, round ${i}`);
    mean(await s.get<Many>(bucket), i, i, `bucket after, round ${i}`);
    if (i % 50 === 49) s.t.ingest.flush(); // a synchronous flush now and then too
  }
  s.t.ingest.flush();
  assert.equal(s.t.ingest.buffered, 0);
  const last = await s.get<Many>(many);
  check(last.series[0]!.ts, last.series[0]!.values, N - 1, N - 1, "flushed");
});
