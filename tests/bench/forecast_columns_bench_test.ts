/**
 * The per-column ETTh2 test-split bench scores every method on the protocol's origins: on a
 * series that repeats one day exactly, seasonal naive is exact and naive is not.
 */
import assert from "node:assert/strict";
import { runColumns } from "../../bench/forecast_columns_bench.ts";

Deno.test("runColumns() scores the 17 test origins of a column: seasonal naive is exact on a pure daily cycle", () => {
  const rows = ["date,OT"];
  for (let i = 0; i < 14_400; i++) {
    const day = Math.sin((2 * Math.PI * (i % 24)) / 24) + (i % 24 === 5 ? 1 : 0);
    rows.push(`${new Date(Date.UTC(2016, 6, 1) + i * 3_600_000).toISOString()},${10 + day}`);
  }
  const path = Deno.makeTempFileSync({ suffix: ".csv" });
  try {
    Deno.writeTextFileSync(path, rows.join("\n") + "\n");
    const result = runColumns({ path, columns: ["OT"] })!;
    const [snaive24, snaive168] = result["seasonal naive"]!.OT!;
    assert.ok(snaive24 < 1e-20 && snaive168 < 1e-20, `${snaive24} ${snaive168}`);
    assert.ok(result.naive!.OT![0] > 0.1);
    // the combination recognises the cycle: far below naive, close to exact
    assert.ok(result["perfscope forecast()"]!.OT![0] < 0.01 * result.naive!.OT![0]);
    assert.ok(result["before session 24"]!.OT![1] < 0.01 * result.naive!.OT![1]);
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("runColumns() says the data is missing instead of failing", () => {
  assert.equal(runColumns({ path: "/nonexistent/ETTh2.csv" }), undefined);
});
