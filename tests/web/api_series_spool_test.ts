/**
 * A fresh data directory's first minute: a real collector loop spools series Parquet has never
 * seen, and `/api/series` (every request shape) and `/api/metrics` answer them over loopback
 * before the flush, and the same once after it.
 */
import assert from "node:assert/strict";
import { startCollection } from "../../lake/mod.ts";
import { T0, testApp } from "./_app.ts";

const SNAPSHOTS = 30;

Deno.test("new series in the collector's spool are answered before their flush, and once after it", async () => {
  await using t = await testApp({ now: () => T0 + 120_000 });
  // one snapshot a call, two disks of a host named in capitals (the lake stores it lower case),
  // then nothing: the test asks once all of them are spooled, not after some time
  let calls = 0;
  let spooled!: () => void;
  const allSpooled = new Promise<void>((resolve) => spooled = resolve);
  const sampler = {
    sample() {
      const k = calls++;
      if (k === SNAPSHOTS) spooled();
      if (k >= SNAPSHOTS) return [];
      const ts = T0 + k * 1000;
      return ["sda", "sdb"].map((device, d) => ({
        ts,
        host: "Web1",
        metric: "disk_read_bytes",
        labels: { device },
        value: d === 0 ? k : 100 + k + 0.1234567,
      }));
    },
  };
  const collection = await startCollection({
    root: t.root,
    sampler,
    intervalMs: 1,
    flushEveryMs: Number.MAX_SAFE_INTEGER, // flushed by the test only
  });
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    t.app.fetch,
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  const range = `from=${T0}&to=${T0 + 120_000}`;
  const urls = [
    `/api/series?metric=disk_read_bytes&labels=device%3Dsda&host=web1&${range}`,
    `/api/series?metric=disk_read_bytes&labels=device%3Dsdb&${range}`,
    `/api/series?metric=disk_read_bytes&${range}`,
    `/api/series?metric=disk_read_bytes&labels_like=device%3Dsdb&${range}`,
    `/api/series?metrics=disk_read_bytes,cpu_ratio&${range}&max_points=3`,
    `/api/series?metric=disk_read_bytes&${range}&step=1h`,
    `/api/series?metric=disk_read_bytes&labels=device%3Dsda&${range}&format=csv`,
    "/api/metrics",
  ];
  const ask = async () => {
    const out: unknown[] = [];
    for (const url of urls) {
      const res = await fetch(base + url);
      assert.equal(res.status, 200, url);
      out.push(url.includes("csv") ? await res.text() : await res.json());
    }
    return out;
  };
  try {
    await allSpooled;
    assert.equal([...Deno.readDirSync(t.root)].some((e) => e.name === "metrics"), false);
    const before = await ask();
    const [one, sdb, many, like, multi, hourly, csv, metrics] = before as {
      ts: number[];
      values: number[];
      series: { host: string; labels: string; ts: number[]; values: number[] }[];
      hosts: string[];
      metrics: { name: string; series: { host: string; labels: string }[] }[];
    }[];
    assert.deepEqual(one!.ts, Array.from({ length: SNAPSHOTS }, (_, k) => T0 + k * 1000));
    assert.deepEqual(one!.values, Array.from({ length: SNAPSHOTS }, (_, k) => k));
    assert.equal(sdb!.values.at(-1), 129.123); // rounded as Parquet stores it (6 digits)
    assert.deepEqual(many!.series.map((s) => [s.host, s.labels, s.ts.length]), [
      ["web1", "device=sda", SNAPSHOTS],
      ["web1", "device=sdb", SNAPSHOTS],
    ]);
    assert.deepEqual(like!.series.map((s) => s.labels), ["device=sdb"]);
    assert.deepEqual(multi!.series.map((s) => s.labels), ["device=sda", "device=sdb"]);
    assert.ok(multi!.series.every((s) => s.ts.length <= 3));
    // one hourly bucket: the mean of 0…29, each sample once
    assert.deepEqual(hourly!.series[0]!.values, [14.5]);
    assert.equal((csv as unknown as string).trim().split("\n").length, SNAPSHOTS + 1);
    assert.deepEqual(metrics!.hosts, ["web1"]);
    const disk = metrics!.metrics.find((m) => m.name === "disk_read_bytes")!;
    assert.deepEqual(disk.series, [
      { host: "web1", labels: "device=sda" },
      { host: "web1", labels: "device=sdb" },
    ]);
    // the flush: Parquet written, the segment retired, a new (empty) one opened
    collection.flush();
    assert.equal([...Deno.readDirSync(t.root)].some((e) => e.name === "metrics"), true);
    assert.deepEqual(await ask(), before);
  } finally {
    await collection.stop();
  }
});
