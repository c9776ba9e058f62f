/**
 * `Lake.includeBuffered`: series reads and listings over Parquet and the ingest writer's buffer
 * together, each row once, including at the moment a flush hands rows from one to the other.
 */
import assert from "node:assert/strict";
import { bufferedLake } from "./_buffered_lake.ts";
import { openLake } from "../../lake/mod.ts";
import { storedIn } from "../../lake/_pinned_sql.ts";
import type { ViewFiles } from "../../lake/_views.ts";

const T0 = Date.UTC(2024, 0, 1);
const DIR = "metrics/host=h/date=2024-01-01";

function batch(values: number[], start: number, host = "h") {
  return {
    ts: values.map((_, i) => start + i * 1000),
    host: values.map(() => host),
    metric: values.map(() => "m"),
    labels: values.map(() => ""),
    value: values,
  };
}

function parts(root: string): number {
  try {
    return [...Deno.readDirSync(`${root}/${DIR}`)].filter((e) => /^part-\d+\.parquet$/.test(e.name))
      .length;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return 0;
    throw error;
  }
}

Deno.test("a read taken after the flush thread renamed its file, before this thread heard of it, counts the rows once", async () => {
  await using t = await bufferedLake(T0 + 60_000, { flushInWorker: true, flushRows: 3 });
  t.writer.writeBatch(batch([0, 0, 0], T0));
  t.writer.flush(); // three zeros in Parquet
  assert.equal(parts(t.root), 1);
  // three tens: the buffer is full enough for a timed flush, which the next turn hands to the
  // flush thread
  t.writer.writeBatch(batch([10, 10, 10], T0 + 3000));
  await new Promise((resolve) => setTimeout(resolve, 0));
  // This thread waits, without a turn of the event loop, until the flush thread has renamed the
  // file: its answer cannot be taken in meanwhile, so its rows are both in the buffer and on
  // disk when the read lists the files and copies the buffer.
  while (parts(t.root) < 2) {
    // spin: the message that would end the in-flight state waits for this task to end
  }
  assert.equal(t.writer.buffered, 3, "the flush thread's answer is not taken in yet");
  const read = t.lake.seriesMany({ metric: "m", from: T0, to: T0 + 60_000, step: 3_600_000 });
  const raw = t.lake.seriesMany({ metric: "m", from: T0, to: T0 + 60_000 });
  // six rows in one bucket: 30 / 6; the tens read twice would make it 60 / 9
  const [bucket, points] = await Promise.all([read, raw]);
  assert.deepEqual([...bucket.series[0]!.values], [5]);
  assert.deepEqual([...points.series[0]!.values], [0, 0, 0, 10, 10, 10]);
});

Deno.test("buffered rows read as Parquet stores them: rounded values, no rows without one", async () => {
  await using t = await bufferedLake(T0 + 60_000);
  t.writer.writeBatch(batch([0.123456789, NaN, 2], T0));
  const options = { metric: "m", from: T0, to: T0 + 60_000 };
  const before = await t.lake.series(options);
  assert.deepEqual([[...before.ts], [...before.values]], [[T0, T0 + 2000], [0.123457, 2]]);
  t.writer.flush();
  const after = await t.lake.series(options);
  assert.deepEqual([[...after.ts], [...after.values]], [[...before.ts], [...before.values]]);
});

Deno.test("the series listing and the hosts' extents include buffered hosts", async () => {
  await using t = await bufferedLake(T0 + 60_000);
  t.writer.writeBatch(batch([1], T0, "h"));
  t.writer.flush();
  t.writer.writeBatch(batch([1, 2], T0 + 5000, "g"));
  t.writer.writeBatch(batch([NaN], T0, "only-nan"));
  assert.deepEqual(await t.lake.metrics(), [
    { host: "g", metric: "m", labels: "" },
    { host: "h", metric: "m", labels: "" },
  ]);
  assert.deepEqual(await t.lake.extent(), [
    { host: "g", first: T0 + 5000, last: T0 + 6000 },
    { host: "h", first: T0, last: T0 },
  ]);
  t.writer.flush();
  assert.deepEqual(await t.lake.extent(), [
    { host: "g", first: T0 + 5000, last: T0 + 6000 },
    { host: "h", first: T0, last: T0 },
  ]);
});

Deno.test("storedIn: a listing holds a file when it lists the part or a compaction at or above its id", () => {
  const dir = "/lake/metrics/host=web1/date=2024-01-01";
  const files: ViewFiles = {
    samples: [
      `${dir}/compact-100.parquet`,
      `${dir}/part-105.parquet`,
      "/lake/metrics/host=Web2/date=2024-01-01/part-7.parquet",
    ],
    rollup_1m: [],
    rollup_1h: [],
    _fresh_1m: [],
    _fresh_1h: [],
  };
  const stored = storedIn(files);
  assert.equal(stored("web1", "2024-01-01", 100), true);
  assert.equal(stored("web1", "2024-01-01", 99), true);
  assert.equal(stored("web1", "2024-01-01", 105), true);
  assert.equal(stored("web1", "2024-01-01", 103), false);
  assert.equal(stored("web1", "2024-01-02", 105), false);
  assert.equal(stored("web2", "2024-01-01", 7), true); // a mixed-case directory of an older lake
});

Deno.test("both handovers (table functions, the default, and tables) answer alike, more than a chunk too", async () => {
  await using t = await bufferedLake(T0 + 60_000);
  const tables = await openLake({ root: t.root, handover: "tables" });
  try {
    tables.includeBuffered(t.writer);
    t.writer.writeBatch(batch([1, 2, 3], T0, "h"));
    t.writer.flush();
    // 8 hosts × 300 rows: two chunks of the row scan, eight rows of the series one
    for (let k = 0; k < 8; k++) {
      t.writer.writeBatch(batch(Array.from({ length: 300 }, (_, i) => i * k), T0 + 3000, `g${k}`));
    }
    const range = { metric: "m", from: T0, to: T0 + 3_600_000 };
    for (const step of [undefined, 3_600_000]) {
      const [a, b] = await Promise.all([
        t.lake.seriesMany({ ...range, ...(step && { step }) }),
        tables.seriesMany({ ...range, ...(step && { step }) }),
      ]);
      const shape = (r: typeof a) =>
        r.series.map((s) => [s.host, s.ts.length, [...s.values].reduce((x, y) => x + y, 0)]);
      assert.deepEqual(shape(a), shape(b), `step ${step}`);
      assert.equal(a.series.length, 9);
    }
    const sql = "SELECT host, count(*) AS n, sum(value) AS s FROM samples GROUP BY ALL ORDER BY 1";
    const buffered = { from: T0, to: T0 + 3_600_000 };
    const rows = await t.lake.query(sql, undefined, { buffered });
    assert.deepEqual(rows, await tables.query(sql, undefined, { buffered }));
    assert.deepEqual(rows, [
      ...Array.from({ length: 8 }, (_, k) => ({ host: `g${k}`, n: 300, s: k * 299 * 150 })),
      { host: "h", n: 3, s: 6 },
    ]);
  } finally {
    tables.close();
  }
});
