import assert from "node:assert/strict";
import type { DuckDBDoubleVector } from "@duckdb/node-api";
import { copyDoubles, sortByTime } from "../../lake/_columns.ts";

/** A stand-in for a DuckDB double vector: its public `getItem` and, optionally, the run-time
 * `items` buffer and `validity` mask that `copyDoubles` reads directly. */
function vector(values: (number | null)[], raw: boolean): DuckDBDoubleVector {
  const fake = {
    getItem: (i: number) => values[i] ?? null,
    ...(raw
      ? {
        items: Float64Array.from(values, (v) => v ?? 0),
        validity: { data: {}, itemValid: (i: number) => values[i] !== null },
      }
      : {}),
  };
  return fake as unknown as DuckDBDoubleVector;
}

Deno.test("copyDoubles() turns SQL NULL into NaN, from the raw buffer or item by item", () => {
  for (const raw of [true, false]) {
    const out = new Float64Array(4).fill(-1);
    copyDoubles(vector([1, null, 3, 4], raw), 1, 3, out, 1);
    assert.deepEqual([...out], [-1, NaN, 3, 4], raw ? "raw buffer" : "getItem");
  }
});

Deno.test("sortByTime() orders points by time and keeps an already sorted entry as is", () => {
  const entry = { host: "h", ts: Float64Array.of(3, 1, 2), values: Float64Array.of(30, 10, 20) };
  const sorted = sortByTime(entry);
  assert.equal(sorted.host, "h");
  assert.deepEqual([...sorted.ts], [1, 2, 3]);
  assert.deepEqual([...sorted.values], [10, 20, 30]);
  assert.equal(sortByTime(sorted), sorted);
});
