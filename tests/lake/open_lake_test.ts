import assert from "node:assert/strict";
import { compactLake, openLake, pickTier, simulateHost, writeSamples } from "../../lake/mod.ts";

const day = Date.UTC(2024, 5, 3);
const H = 3_600_000;

Deno.test("openLake() on an empty or missing lake has empty typed views", async () => {
  const lake = await openLake({ root: `${Deno.makeTempDirSync()}/missing` });
  for (const view of ["samples", "rollup_1m", "rollup_1h"]) {
    assert.deepEqual(await lake.query(`SELECT count(*) AS n FROM ${view}`), [{ n: 0 }]);
  }
  const columns = await lake.query<{ column_name: string; column_type: string }>(
    "DESCRIBE rollup_1m",
  );
  assert.deepEqual(columns.map((c) => `${c.column_name} ${c.column_type}`), [
    "ts TIMESTAMP",
    "host VARCHAR",
    "metric VARCHAR",
    "labels VARCHAR",
    "min DOUBLE",
    "avg DOUBLE",
    "max DOUBLE",
    "last DOUBLE",
    "count BIGINT",
    "date VARCHAR",
  ]);
  assert.deepEqual(await lake.metrics(), []);
  const s = await lake.series({ metric: "cpu_ratio", from: day, to: day + 1000 });
  assert.deepEqual([s.tier, s.ts.length, s.values.length], ["raw", 0, 0]);
  lake.close();
});

Deno.test("Lake.query() returns plain values: numbers for BIGINT, ms for timestamps, text for dates, null for NULL", async () => {
  const lake = await openLake({ root: Deno.makeTempDirSync() });
  const rows = await lake.query(
    "SELECT 12::BIGINT AS big, TIMESTAMP '2024-06-03 00:00:01' AS t, DATE '2024-06-03' AS d, NULL AS n, " +
      "1.5::DECIMAL(4,2) AS dec, 'x' AS s, [1, 2] AS list, epoch_ms(1000)::TIMESTAMP_MS AS tm, " +
      "TIMESTAMP_S '2024-06-03 00:00:02' AS ts_s, TIMESTAMP_NS '2024-06-03 00:00:03' AS ts_ns",
  );
  assert.deepEqual(rows, [{
    big: 12,
    t: day + 1000,
    d: "2024-06-03",
    n: null,
    dec: 1.5,
    s: "x",
    list: [1, 2],
    tm: 1000,
    ts_s: day + 2000,
    ts_ns: day + 3000,
  }]);
  const table = await lake.table(
    "SELECT TIMESTAMP '2024-06-03 00:00:01' AS t, 2::HUGEINT AS h, $x AS x",
    { x: "y" },
  );
  assert.deepEqual(table, {
    columns: ["t", "h", "x"],
    rows: [["2024-06-03T00:00:01.000Z", 2, "y"]],
  });
  assert.deepEqual(await lake.query("SELECT ? + 1 AS v", [41]), [{ v: 42 }]);
  lake.close();
});

Deno.test("Lake.query() turns bad SQL into a LakeError with the DuckDB message", async () => {
  const lake = await openLake({ root: Deno.makeTempDirSync() });
  await assert.rejects(() => lake.query("SELEC 1"), {
    name: "LakeError",
    message: /^Query failed: Parser Error/,
  });
  await assert.rejects(() => lake.query("SELECT nope FROM samples"), {
    name: "LakeError",
    message: /nope/,
  });
  lake.close();
});

Deno.test("Lake views pick up files written after opening", async () => {
  const root = Deno.makeTempDirSync();
  const lake = await openLake({ root });
  assert.deepEqual(await lake.query("SELECT count(*) AS n FROM samples"), [{ n: 0 }]);
  writeSamples([{ ts: day, host: "h", metric: "m", labels: {}, value: 1 }], { root, id: 1 });
  assert.deepEqual(await lake.query("SELECT count(*) AS n FROM samples"), [{ n: 1 }]);
  lake.close();
});

Deno.test("Lake.series() reads raw, 1m and 1h tiers that agree, including data newer than the last compaction", async () => {
  const root = Deno.makeTempDirSync();
  simulateHost({ root, host: "a", start: day, durationMs: 3 * H, stepMs: 10_000, chunkMs: H });
  await compactLake({ root, now: () => day });
  // one more hour after the compaction: only in raw part files
  simulateHost({ root, host: "a", start: day + 3 * H, durationMs: H, stepMs: 10_000, seed: 2 });
  const lake = await openLake({ root });
  const query = {
    metric: "cpu_ratio",
    labels: { cpu: "total", mode: "user" },
    host: "a",
    from: day,
    to: day + 4 * H,
  };
  const raw = await lake.series({ ...query, tier: "raw" });
  assert.equal(raw.ts.length, 4 * 360);
  const m1 = await lake.series({ ...query, tier: "1m" });
  const h1 = await lake.series({ ...query, tier: "1h", step: 1000 });
  assert.equal(m1.tier, "1m");
  assert.equal(m1.ts.length, 4 * 60);
  assert.deepEqual([...h1.ts], [day, day + H, day + 2 * H, day + 3 * H]);
  const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
  for (const [i, hour] of h1.ts.entries()) {
    const inHour = raw.values.filter((_, k) => raw.ts[k]! >= hour && raw.ts[k]! < hour + H);
    assert.ok(Math.abs(h1.values[i]! - mean(inHour)) < 1e-9);
  }
  const max = await lake.series({ ...query, tier: "1h", agg: "max" });
  const last = await lake.series({ ...query, tier: "1m", agg: "last", step: H });
  const min = await lake.series({ ...query, agg: "min", step: 2 * H });
  assert.equal(min.tier, "raw");
  assert.equal(max.values[3], Math.max(...raw.values.slice(3 * 360)));
  assert.equal(last.values[3], raw.values[raw.values.length - 1]);
  assert.equal(min.values[0], Math.min(...raw.values.slice(0, 720)));
  // without host, instants of every host are averaged (here one host)
  const any = await lake.series({ ...query, host: undefined as unknown as string, tier: "raw" });
  assert.deepEqual(any.values, raw.values);
  await assert.rejects(() => lake.series({ ...query, step: 0 }), RangeError);
  lake.close();
});

Deno.test("Lake.metrics() lists each host's series once from rollups and fresh files", async () => {
  const root = Deno.makeTempDirSync();
  simulateHost({ root, host: "a", start: day, durationMs: 60_000, stepMs: 30_000 });
  await compactLake({ root, now: () => day });
  simulateHost({ root, host: "a", start: day + H, durationMs: 60_000, stepMs: 30_000 });
  simulateHost({ root, host: "b", start: day, durationMs: 60_000, stepMs: 30_000, cpus: 1 });
  const lake = await openLake({ root });
  const list = await lake.metrics();
  assert.equal(list.filter((m) => m.host === "a").length, 308);
  assert.equal(list.filter((m) => m.host === "b").length, 308 - 15 * 8);
  assert.deepEqual(list[0], { host: "a", metric: "context_switches_per_second", labels: "" });
  lake.close();
});

Deno.test("pickTier() uses raw up to 6 h, 1m up to 8 days, then 1h, and rejects empty ranges", () => {
  assert.equal(pickTier(0, 6 * H), "raw");
  assert.equal(pickTier(0, 6 * H + 1), "1m");
  assert.equal(pickTier(0, 8 * 24 * H), "1m");
  assert.equal(pickTier(0, 8 * 24 * H + 1), "1h");
  assert.throws(() => pickTier(5, 5), RangeError);
  assert.throws(() => pickTier(NaN, 5), RangeError);
});

Deno.test("Lake.seriesMany() reads every series of a metric in one query and agrees with series() while fresh files overlap the rollups", async () => {
  const root = Deno.makeTempDirSync();
  simulateHost({ root, host: "a", start: day, durationMs: 3 * H, stepMs: 10_000, chunkMs: H });
  simulateHost({ root, host: "b", start: day, durationMs: 3 * H, stepMs: 10_000, cpus: 1 });
  await compactLake({ root, now: () => day });
  // written after the compaction: a sample inside the last rolled-up minute, then another hour
  writeSamples([{
    ts: day + 3 * H - 5_000,
    host: "a",
    metric: "load_average",
    labels: { window: "1m" },
    value: 1e3,
  }], { root, id: day + 3 * H - 1, sync: false });
  simulateHost({ root, host: "a", start: day + 3 * H, durationMs: H, stepMs: 10_000, seed: 2 });
  const lake = await openLake({ root });
  const range = { from: day, to: day + 4 * H };
  const all = await lake.seriesMany({ metric: "load_average", ...range, tier: "1m" });
  assert.equal(all.step, 60_000);
  assert.deepEqual(all.series.map((s) => `${s.host} ${s.labels}`), [
    "a window=15m",
    "a window=1m",
    "a window=5m",
    "b window=15m",
    "b window=1m",
    "b window=5m",
  ]);
  for (const s of all.series) {
    const one = await lake.series({
      metric: s.metric,
      labels: s.labels,
      host: s.host,
      ...range,
      tier: "1m",
    });
    assert.deepEqual(s.ts, one.ts);
    for (let i = 0; i < one.values.length; i++) {
      assert.ok(Math.abs(s.values[i]! - one.values[i]!) < 1e-9);
    }
  }
  const a1 = all.series[1]!;
  assert.equal(a1.ts.length, 4 * 60);
  const raw = await lake.series({
    metric: "load_average",
    labels: "window=1m",
    host: "a",
    from: day + 3 * H - 60_000,
    to: day + 3 * H,
    tier: "raw",
  });
  const mean = raw.values.reduce((x, v) => x + v, 0) / raw.values.length;
  assert.ok(Math.abs(a1.values[3 * 60 - 1]! - mean) < 1e-9); // the overlapping minute merged
  // budgets and tiers: 4 h in 50 points → 5-minute buckets from the 1-minute rollup
  const coarse = await lake.seriesMany({
    metric: "load_average",
    host: "a",
    ...range,
    maxPoints: 50,
  });
  assert.deepEqual([coarse.tier, coarse.step, coarse.series.length, coarse.series[0]!.ts.length], [
    "1m",
    300_000,
    3,
    48,
  ]);
  const hourly = await lake.seriesMany({
    metrics: ["load_average", "cpu_ratio"],
    labelsLike: "cpu=total,mode=u%",
    host: "b",
    ...range,
    step: H,
    agg: "max",
  });
  assert.deepEqual(hourly.series.map((s) => [s.metric, s.labels, s.ts.length]), [[
    "cpu_ratio",
    "cpu=total,mode=user",
    3, // b has 3 hours
  ]]);
  assert.equal(hourly.tier, "1h");
  const exact = await lake.seriesMany({
    metric: "cpu_ratio",
    labels: { cpu: "total", mode: "user" },
    ...range,
    maxPoints: Infinity,
    tier: "raw",
  });
  assert.deepEqual([exact.step, exact.series.length, exact.series[0]!.ts.length], [
    undefined,
    2,
    4 * 360,
  ]);
  const rawBuckets = await lake.seriesMany({
    metric: "cpu_ratio",
    labels: "cpu=total,mode=user",
    host: "a",
    from: day,
    to: day + H,
    agg: "last",
  });
  assert.deepEqual([rawBuckets.tier, rawBuckets.step, rawBuckets.series[0]!.ts.length], [
    "raw",
    5_000,
    360,
  ]);
  assert.deepEqual((await lake.seriesMany({ metrics: [], ...range })).series, []);
  await assert.rejects(() => lake.seriesMany({ ...range, maxPoints: 0 }), /Invalid maxPoints: 0/);
  await assert.rejects(() => lake.seriesMany({ ...range, step: -1 }), /Invalid step: -1/);
  lake.close();
});

Deno.test("pickStep() picks a nice step under the points budget and the coarsest tier it allows", async () => {
  const { pickStep } = await import("../../lake/mod.ts");
  assert.deepEqual(pickStep(0, 24 * H), { tier: "1m", step: 60_000 });
  assert.deepEqual(pickStep(0, 24 * H, { maxPoints: 1000 }), { tier: "1m", step: 120_000 });
  assert.deepEqual(pickStep(0, 400 * 24 * H), { tier: "1h", step: 43_200_000 });
  assert.deepEqual(pickStep(0, 4000 * 24 * H, { maxPoints: 10 }), {
    tier: "1h",
    step: 400 * 86_400_000,
  });
  assert.deepEqual(pickStep(0, H, { step: 90_000 }), { tier: "raw", step: 90_000 });
  assert.deepEqual(pickStep(0, 24 * H, { step: 90_000 }), { tier: "1m", step: 120_000 });
  assert.deepEqual(pickStep(0, H, { step: 1.4, tier: "raw" }), { tier: "raw", step: 1 });
  assert.throws(() => pickStep(0, H, { maxPoints: NaN }), RangeError);
});
