import assert from "node:assert/strict";
import {
  forecastFrame,
  recommendationsFrame,
  seriesFrame,
  toDataFrame,
} from "../../analytics/frames.ts";
import type { Recommendation } from "../../analytics/recommend/recommend_types.ts";

Deno.test("toDataFrame() turns rows into columns with times as dates and nested values as JSON", async () => {
  const df = await toDataFrame([
    { host: "a", eta: Date.UTC(2024, 0, 1), n: 1n, trend: { a: 1 }, arr: Float64Array.of(1, 2) },
    { host: "b", eta: null, extra: true },
  ]);
  assert.deepEqual(df.columns, ["host", "eta", "n", "trend", "arr", "extra"]);
  assert.deepEqual(df.shape, [2, 6]);
  const rows = df.values as unknown[][];
  assert.ok(rows[0]![1] instanceof Date);
  assert.equal(rows[0]![2], 1);
  assert.equal(rows[0]![3], '{"a":1}');
  assert.equal(rows[0]![4], "[1,2]");
});

Deno.test("toDataFrame() rejects columns of different lengths and honours timeColumns", async () => {
  await assert.rejects(toDataFrame({ a: [1, 2], b: [1] }), /b has 1 values, expected 2/);
  const df = await toDataFrame({ at: [0, NaN], ts: [5, 6] }, { timeColumns: ["at"] });
  const rows = df.values as unknown[][];
  assert.ok(rows[0]![0] instanceof Date);
  assert.equal(rows[0]![1], 5);
});

Deno.test("seriesFrame(), forecastFrame() and recommendationsFrame() shape their inputs", async () => {
  const s = await seriesFrame({ ts: Float64Array.of(0, 1000), values: Float64Array.of(1, NaN) }, {
    name: "load",
  });
  assert.deepEqual(s.columns, ["ts", "load"]);
  const f = await forecastFrame(
    { mean: [1, 2], lo80: [0, 1], hi80: [2, 3], lo95: [-1, 0], hi95: [3, 4] },
    { start: Date.UTC(2024, 0, 1), stepMs: 60_000 },
  );
  assert.deepEqual(f.columns, ["ts", "mean", "lo80", "hi80", "lo95", "hi95"]);
  assert.equal(((f.values as unknown[][])[1]![0] as Date).getTime(), Date.UTC(2024, 0, 1, 0, 1));
  const rec: Recommendation = {
    id: "x:h",
    rule: "x",
    severity: "warning",
    host: "h",
    title: "T",
    detail: "D.",
    evidence: { values: { etaDays: 2 }, series: [] },
    facts: [],
    effect: "E",
  };
  const r = await recommendationsFrame([rec]);
  assert.deepEqual(r.columns, ["id", "rule", "severity", "host", "title", "effect", "etaDays"]);
});
