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
