import assert from "node:assert/strict";
import { analyzeCapacity } from "../../analytics/mod.ts";
import { openLake, simulateHost } from "../../lake/mod.ts";

Deno.test("an analysis of minutes of data states the history's verdict, even when its first row is already past its threshold", async () => {
  const root = Deno.makeTempDirSync();
  try {
    simulateHost({
      root,
      start: Date.UTC(2024, 0, 1),
      durationMs: 7 * 60_000,
      stepMs: 10_000,
      cpus: 2,
      topN: 1,
    });
    const lake = await openLake({ root });
    try {
      // a mark of 1 % puts memory (and the other resources) past it now
      const a = await analyzeCapacity(lake, {
        bootstrap: 10,
        thresholds: { memory: 0.01, cpu: 0.01, filesystem: 0.01 },
      });
      assert.equal(a.status, "insufficient");
      const first = a.resources[0]!;
      assert.equal(first.reason, "at or past the threshold now; 7 min of history; ETAs need 1 day");
      // the row keeps its own words; the analysis speaks of the history only
      assert.equal(a.reason, "7 min of history; ETAs need 1 day");
    } finally {
      lake.close();
    }
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
