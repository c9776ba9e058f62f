/**
 * The capacity analysis reads its resources' histories and its charts' series in batches
 * (`Lake.seriesBatch`): the Capacity page, `/api/capacity` and `/api/recommendations` answer
 * byte for byte what the analysis gives reading each series on its own, on a compacted lake with
 * raw files newer than its rollups, a host whose short history reads another tier, and pushed
 * samples not yet flushed.
 */
import assert from "node:assert/strict";
import { analyzeCapacity, lakeSource, type SeriesSource } from "../../analytics/mod.ts";
import { compactLake, type Lake, simulateHost } from "../../lake/mod.ts";
import { capacityPage } from "../../web/pages/capacity_page.ts";
import { testApp } from "./_app.ts";

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const END = START + 10 * DAY;
const NOW = END + 30 * 60_000;

/** db1: 10 days at 5 min, compacted, then half an hour of one-minute files at 10 s; web1: its
 * last 2 days only (a 14-day look-back reads it from the 1-minute tier, db1 from the hourly). */
function writeLake(root: string): Promise<unknown> {
  const base = { root, cpus: 2, topN: 1 };
  simulateHost({
    ...base,
    host: "db1",
    start: START,
    durationMs: END - START,
    stepMs: 300_000,
    diskFill: { mountpoint: "/var", from: 0.5, to: 0.8 },
  });
  simulateHost({
    ...base,
    host: "web1",
    start: END - 2 * DAY,
    durationMs: 2 * DAY,
    stepMs: 300_000,
  });
  return compactLake({ root, now: () => END }).then(() => {
    for (const host of ["db1", "web1"]) {
      simulateHost({
        ...base,
        host,
        start: END,
        durationMs: 30 * 60_000,
        stepMs: 10_000,
        chunkMs: 60_000,
        seed: 7,
      });
    }
  });
}

/** Runs `test` over a new lake's app, then closes the app and removes the lake. */
async function withLake(test: (t: Awaited<ReturnType<typeof testApp>>) => Promise<void>) {
  const root = await Deno.makeTempDir({ prefix: "perfscope-batch-" });
  try {
    await writeLake(root);
    await using t = await testApp({ root, now: () => NOW, capacity: { bootstrap: 20 } });
    await test(t);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

/** The lake's source as it was: one `series` read per series. */
function oneByOne(lake: Lake): SeriesSource {
  const { seriesBatch: _, ...rest } = lakeSource(lake);
  return rest;
}

Deno.test("Lake.seriesBatch gives each series what Lake.series gives, in the keys' order", () =>
  withLake(async (t) => {
    const keys = (await t.lake.metrics()).filter((k) =>
      /^(filesystem_used_bytes|memory_bytes|load_average)$/.test(k.metric)
    );
    assert.ok(keys.length > 10);
    // a host asked in capitals, a key asked twice, a series that does not exist
    const asked = [
      ...keys.slice().reverse(),
      { ...keys[0]!, host: keys[0]!.host.toUpperCase() },
      keys[1]!,
      { host: "db1", metric: "memory_bytes", labels: "state=nowhere" },
    ];
    const ranges = [
      { from: NOW - 14 * DAY, to: NOW + 1 },
      { from: NOW - 14 * DAY, to: NOW + 1, step: 7_200_000 },
      { from: NOW - 3 * DAY, to: NOW + 1, agg: "last" as const },
      { from: NOW - 3_600_000, to: NOW + 1 },
      { from: NOW - 3_600_000, to: NOW + 1, step: 60_000 },
    ];
    const tiers = new Set<string>();
    for (const range of ranges) {
      const all = await t.lake.seriesBatch(asked, range);
      assert.equal(all.length, asked.length);
      for (const [i, k] of asked.entries()) {
        const one = await t.lake.series({ ...k, ...range });
        tiers.add(one.tier);
        assert.deepEqual(all[i], one, `${JSON.stringify(range)} ${k.host} ${k.metric} ${k.labels}`);
      }
    }
    assert.deepEqual([...tiers].sort(), ["1h", "1m", "raw"]);
  }));

Deno.test("the Capacity page and its APIs answer byte for byte what one-by-one reads give", () =>
  withLake(async (t) => {
    const options = { bootstrap: 20 };
    // pushed samples held in the ingest buffer, read with the lake's files
    const pushed = [0, 1, 2].map((i) =>
      JSON.stringify({
        ts: NOW - 60_000 + i * 10_000,
        host: "db1",
        metric: "filesystem_used_bytes",
        labels: { device: "nvme1n1p1", fstype: "xfs", mountpoint: "/var" },
        value: 420e9 + i * 1e6,
      })
    ).join("\n");
    const res = await t.app.request("/api/ingest", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: pushed,
    });
    assert.equal(res.status, 200, await res.text());
    const api = await (await t.app.request("/api/capacity")).text();
    const recs = await (await t.app.request("/api/recommendations")).text();
    const page = await (await t.app.request("/capacity")).text();
    let batches = 0;
    const inner = lakeSource(t.lake);
    const counted: SeriesSource = {
      ...inner,
      seriesBatch: (k, o) => (batches++, inner.seriesBatch!(k, o)),
    };
    const batched = await analyzeCapacity(counted, { charts: 4, clock: () => NOW, ...options });
    const before = await analyzeCapacity(oneByOne(t.lake), {
      charts: 4,
      clock: () => NOW,
      ...options,
    });
    assert.ok(batches >= 2, `${batches} batch reads`);
    assert.ok(before.resources.length > 5 && before.resources.some((r) => r.series.ts.length > 0));
    assert.equal(JSON.stringify(batched), JSON.stringify(before));
    assert.equal(api, JSON.stringify(before));
    const { status, reason, now, hosts, recommendations } = before;
    assert.equal(recs, JSON.stringify({ status, reason, now, hosts, recommendations }));
    assert.equal(page, String(await capacityPage(before, { now: NOW })));
  }));
