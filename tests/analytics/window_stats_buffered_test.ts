/**
 * `lakeSource().windowStats` over a lake that includes buffered rows (as serve's does): the rows
 * waiting for Parquet count, each once, before, during and after their flush.
 */
import assert from "node:assert/strict";
import { bufferedLake } from "../lake/_buffered_lake.ts";
import { compactLake } from "../../lake/mod.ts";
import { lakeSource } from "../../analytics/series/series_source.ts";

const T0 = Date.UTC(2024, 0, 1);

function batch(values: number[], start: number, metric = "m") {
  return {
    ts: values.map((_, i) => start + i * 1000),
    host: values.map(() => "h"),
    metric: values.map(() => metric),
    labels: values.map(() => "k=v"),
    value: values,
  };
}

type Stats = Awaited<ReturnType<ReturnType<typeof lakeSource>["windowStats"]>>["rows"];
const shape = (rows: Stats) =>
  rows.map((r) => [r.metric, r.n, r.avg, r.median, r.max, r.lastValue, r.first, r.last]);

Deno.test("window stats count buffered rows, and the same once they are flushed", async () => {
  await using t = await bufferedLake(T0 + 60_000);
  t.writer.writeBatch(batch([1, 2, 3], T0));
  t.writer.flush(); // three rows in Parquet
  t.writer.writeBatch(batch([4, NaN, 6], T0 + 3000)); // two buffered with a value
  t.writer.writeBatch(batch([9], T0, "other")); // a metric not asked for
  t.writer.writeBatch(batch([7], T0 + 120_000)); // after the window
  const source = lakeSource(t.lake);
  const window = [T0, T0 + 60_000] as const;
  const before = (await source.windowStats(["m"], ...window)).rows;
  assert.deepEqual(shape(before), [["m", 5, 3.2, 3, 6, 6, T0, T0 + 5000]]);
  t.writer.flush();
  assert.equal(t.writer.buffered, 0);
  assert.deepEqual(shape((await source.windowStats(["m"], ...window)).rows), shape(before));
  // without the buffered source the lake reads its files only, as before
  t.lake.includeBuffered(undefined);
  t.writer.writeBatch(batch([100], T0 + 10_000));
  assert.deepEqual(shape((await source.windowStats(["m"], ...window)).rows), shape(before));
});

Deno.test("window stats racing flushes on the flush thread and compactions count each row once", async () => {
  await using t = await bufferedLake(T0 + 60_000, { flushInWorker: true, flushRows: 1 });
  const source = lakeSource(t.lake);
  const N = 30;
  for (let i = 0; i < N; i++) {
    t.writer.writeBatch(batch([i], T0 + i * 1000));
    // the write hands a flush to the flush thread on the next turn; these reads race it
    const compaction = i % 10 === 5
      ? compactLake({ root: t.root, now: () => T0 + 60_000, warn() {} })
      : undefined;
    const [a, b] = await Promise.all([
      source.windowStats(["m"], T0, T0 + 3_600_000),
      source.windowStats(["m"], T0, T0 + 3_600_000),
    ]);
    await compaction;
    for (const [what, rows] of [["first", a.rows], ["second", b.rows]] as const) {
      // every row written so far, each once: n = i + 1 and the mean of 0…i
      assert.deepEqual(
        rows.map((r) => [r.n, r.avg, r.max]),
        [[i + 1, i / 2, i]],
        `${what} read, round ${i}`,
      );
    }
  }
});

Deno.test("window stats average samples near the largest double to a finite mean", async () => {
  // DuckDB's avg sums first: two samples of 1.7e308 averaged to Infinity, which then read as
  // an unbounded window mean in capacity and recommendations
  await using t = await bufferedLake(T0 + 60_000);
  t.writer.writeBatch(batch([1.7e308, 1.7e308, 1.5e308], T0));
  t.writer.flush();
  t.writer.writeBatch(batch([0.5, 0.25], T0, "plain"));
  t.writer.flush();
  const { rows } = await lakeSource(t.lake).windowStats(["m", "plain"], T0, T0 + 60_000);
  const m = rows.find((r) => r.metric === "m")!;
  assert.ok(Number.isFinite(m.avg), `avg ${m.avg}`);
  assert.ok(Math.abs(m.avg - 1.6333333333333333e308) / 1.63e308 < 1e-12, `avg ${m.avg}`);
  assert.equal(m.n, 3);
  // ordinary values keep DuckDB's avg
  assert.equal(rows.find((r) => r.metric === "plain")!.avg, 0.375);
});
