/**
 * Means of samples near the largest double, pushed through the real ingest writer, flushed to
 * Parquet, compacted into rollups by DuckDB and read back by the series API: DuckDB's `avg` sums
 * first, so two samples of 1.7e308 in one minute gave a rollup `avg` of Infinity.
 */
import assert from "node:assert/strict";
import { compactLake, IngestWriter, openLake } from "../../lake/mod.ts";

const T = Date.UTC(2024, 6, 1, 12);
const MIN = 60_000;
const MAX = Number.MAX_VALUE;

/** Each series' values, one sample a second from `T + minute · 1 min`. */
const SERIES: [labels: string, minute: number, values: number[]][] = [
  ["k=up", 0, [1.7e308, 1.7e308]],
  ["k=down", 1, [-1.7e308, -1.7e308, -1.7e308]],
  ["k=max", 2, [MAX, MAX, MAX]],
  ["k=mixed", 3, [1.7e308, 1.7e308, 1e-300, -2]],
  ["k=cancel", 4, [1.7e308, 1.7e308, -1.7e308, -1.7e308]],
  // ordinary values keep DuckDB's plain avg, bit for bit: scaled by 2^-64 these would turn
  // subnormal and their mean would read 1.99995e-300
  ["k=tiny", 5, [1e-300, 3e-300]],
  ["k=plain", 6, [0.5, 0.25, -3, 1024]],
];

Deno.test("rollup and series means of finite samples near the largest double are finite and right, and ordinary means are DuckDB's avg", async () => {
  const root = await Deno.makeTempDir({ prefix: "perfscope-mean-" });
  try {
    const writer = new IngestWriter({ root, sync: false, now: () => T + 10 * MIN });
    const lines = SERIES.flatMap(([labels, minute, values]) =>
      values.map((value, i) =>
        JSON.stringify({
          ts: T + minute * MIN + i * 1000,
          host: "h",
          metric: "huge_value",
          labels,
          value,
        })
      )
    );
    writer.write(new TextEncoder().encode(lines.join("\n")));
    await writer.flush();
    writer.close();
    await compactLake({ root, now: () => T + 10 * MIN });

    const lake = await openLake({ root });
    try {
      // the raw samples are intact
      const raw = await lake.query<{ labels: string; v: number[] }>(
        "SELECT labels, list(value ORDER BY ts) AS v FROM samples GROUP BY labels",
      );
      for (const [labels, , values] of SERIES) {
        assert.deepEqual(raw.find((r) => r.labels === labels)?.v, values, labels);
      }
      const expected = (values: number[]) => {
        if (values[0] === 1e-300) return 2e-300;
        // the mean of 2^-64-scaled terms, scaled back, held within the values
        const s = values.reduce((a, v) => a + v * 2 ** -64, 0);
        const m = s / values.length * 2 ** 64;
        return Math.min(Math.max(m, Math.min(...values)), Math.max(...values));
      };
      for (const view of ["rollup_1m", "rollup_1h"]) {
        const rows = await lake.query<{ labels: string; avg: number }>(
          `SELECT labels, avg FROM ${view}`,
        );
        assert.equal(rows.length, SERIES.length, view);
        for (const [labels, , values] of SERIES) {
          const avg = rows.find((r) => r.labels === labels)?.avg;
          assert.equal(avg, expected(values), `${view} ${labels}`);
        }
      }
      // the series API: per-minute means over the raw samples and over the 1-minute rollup, and
      // a 10-minute bucket that joins rollup minutes by their counts
      for (const tier of ["raw", "1m"] as const) {
        for (const [labels, minute, values] of SERIES) {
          const s = await lake.series({
            metric: "huge_value",
            labels,
            from: T,
            to: T + 10 * MIN,
            step: MIN,
            tier,
          });
          assert.deepEqual([...s.ts], [T + minute * MIN], `${tier} ${labels}`);
          assert.equal(s.values[0], expected(values), `${tier} ${labels}`);
        }
      }
      const up = await lake.series({
        metric: "huge_value",
        labels: "k=up",
        from: T,
        to: T + 10 * MIN,
        step: 10 * MIN,
        tier: "1m",
      });
      assert.deepEqual([...up.values], [1.7e308]);
    } finally {
      lake.close();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
