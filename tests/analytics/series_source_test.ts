import assert from "node:assert/strict";
import { openLake, writeSamples } from "../../lake/mod.ts";
import { csvSource, lakeSource, memorySource, toSource } from "../../analytics/mod.ts";

const T = Date.UTC(2024, 0, 1);

Deno.test("csvSource() sorts the rows by time and reads ranges, extents and window stats", async () => {
  const text = "when,used\n" +
    "2024-01-01T00:02:00Z,30\n2024-01-01T00:00:00Z,10\n2024-01-01T00:01:00Z,20\n";
  const src = csvSource(text, { timeColumn: "when", host: "db1", metric: "m", name: "x.csv" });
  assert.equal(src.name, "x.csv");
  const all = await src.series({
    host: "db1",
    metric: "m",
    labels: "",
    from: T,
    to: T + 3 * 60_000,
  });
  assert.deepEqual([...all.values], [10, 20, 30]);
  assert.equal(all.tier, "memory");
  const none = await src.series({ host: "db2", metric: "m", labels: "", from: T, to: T + 1 });
  assert.equal(none.ts.length, 0);
  assert.deepEqual(await src.extent(), [{ host: "db1", first: T, last: T + 120_000 }]);
  const { rows, query } = await src.windowStats(["m"], T + 1, T + 10 * 60_000);
  assert.equal(query, undefined);
  assert.deepEqual(rows, [{
    host: "db1",
    metric: "m",
    labels: "",
    avg: 25,
    median: 25,
    max: 30,
    n: 2,
    lastValue: 30,
    first: T + 60_000,
    last: T + 120_000,
  }]);
  assert.throws(() => csvSource("timestamp,value\n"), /Invalid CSV/);
});

Deno.test("memorySource() skips NaN in window stats and empty series in the extent", async () => {
  const src = memorySource([
    {
      host: "a",
      metric: "m",
      labels: "",
      ts: Float64Array.of(T, T + 1),
      values: Float64Array.of(NaN, 4),
    },
    { host: "b", metric: "m", labels: "", ts: new Float64Array(0), values: new Float64Array(0) },
  ]);
  assert.deepEqual(await src.extent(), [{ host: "a", first: T, last: T + 1 }]);
  const { rows } = await src.windowStats(["m", "other"], T, T + 2);
  assert.deepEqual(rows.map((r) => [r.host, r.n, r.avg, r.first]), [["a", 1, 4, T + 1]]);
});

Deno.test("lakeSource() and the lake agree; toSource() wraps a lake and passes a source through", async () => {
  const root = Deno.makeTempDirSync();
  writeSamples(
    [0, 1, 2].map((i) => ({
      ts: T + i * 1000,
      host: "h",
      metric: "m",
      labels: { k: "v" },
      value: i,
    })),
    { root, id: T },
  );
  const lake = await openLake({ root });
  try {
    const src = lakeSource(lake);
    assert.match(src.name, /^lake /);
    assert.deepEqual(await src.metrics(), [{ host: "h", metric: "m", labels: "k=v" }]);
    const { rows, query } = await src.windowStats(["m"], T, T + 3000);
    assert.deepEqual(rows.map((r) => [r.n, r.lastValue, r.first, r.last]), [[3, 2, T, T + 2000]]);
    assert.match(query!, /FROM samples/);
    const last = await src.series({
      host: "h",
      metric: "m",
      labels: "k=v",
      from: T,
      to: T + 3000,
      agg: "last",
      step: 3000,
    });
    assert.deepEqual([...last.values], [2]);
    assert.equal(toSource(src), src);
    assert.deepEqual(await toSource(lake).extent(), [{ host: "h", first: T, last: T + 2000 }]);
  } finally {
    lake.close();
  }
});
