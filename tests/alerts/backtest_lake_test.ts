import assert from "node:assert/strict";
import { backtestLake } from "../../alerts/mod.ts";
import { openLake, writeSamples } from "../../lake/mod.ts";

Deno.test("backtestLake() replays the rules' metrics from the lake, one host and series each", async () => {
  const root = Deno.makeTempDirSync();
  const start = Date.UTC(2026, 0, 1);
  const rows = [];
  for (const host of ["a", "b"]) {
    for (let i = 0; i < 60; i++) {
      const hot = host === "a" ? i >= 10 && i < 20 : i >= 40;
      rows.push({
        ts: start + i * 1000,
        host,
        metric: "t",
        labels: "zone=1",
        value: hot ? 90 : 10,
      });
    }
  }
  rows.push({ ts: start, host: "a", metric: "other", labels: "", value: 1000 });
  writeSamples(rows, { root, id: start, sync: false });
  const lake = await openLake({ root });
  try {
    const { intervals, stepMs } = await backtestLake(lake, [
      { alert: "Hot", metric: "t", above: 50, for: 2000 },
      { alert: "Q", kind: "sql", sql: "SELECT 1" },
    ], { from: start, to: start + 60_000 });
    assert.equal(stepMs, 1000);
    assert.deepEqual(
      intervals.map((f) => [f.labels.host, (f.start - start) / 1000, (f.end - start) / 1000]),
      [["a", 12, 20], ["b", 42, NaN]],
    );
  } finally {
    lake.close();
  }
});
