/**
 * `bufferedFilterOf` reads DuckDB's own syntax tree of a statement: a lone `samples` with a
 * WHERE it understands narrows the copy, and anything else keeps every row.
 */
import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { type BufferedFilter, bufferedFilterOf, castMsOn, EVERY_ROW } from "../../lake/mod.ts";
import { filterOfWire, wireFilter } from "../../web/_sql_wire.ts";

const T = Date.UTC(2024, 0, 2, 12);
const NONE = { from: 0, to: 0 };

Deno.test("bufferedFilterOf narrows what it can read and keeps every row otherwise", async () => {
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  const filterOf = async (sql: string) => {
    const reader = await conn.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR)", [sql]);
    return await bufferedFilterOf(String(reader.getRowsJson()[0]![0]), castMsOn(conn));
  };
  const cases: [string, BufferedFilter][] = [
    ["SELECT * FROM samples WHERE metric = 'm'", { ...EVERY_ROW, metrics: new Set(["m"]) }],
    [
      "SELECT * FROM samples s WHERE s.metric IN ('a', 'b') AND host = 'h'",
      { ...EVERY_ROW, metrics: new Set(["a", "b"]), host: "h" },
    ],
    [`SELECT * FROM samples WHERE ts >= epoch_ms(${T})`, { from: T - 2, to: EVERY_ROW.to }],
    [
      "SELECT * FROM samples WHERE ts BETWEEN '2024-01-02 12:00' AND TIMESTAMP '2024-01-02 13:00'",
      { from: T - 2, to: T + 3_600_002 },
    ],
    [
      "SELECT 1 FROM samples WHERE metric = 'a' UNION ALL SELECT 1 FROM samples WHERE metric = 'b'",
      { ...EVERY_ROW, metrics: new Set(["a", "b"]) },
    ],
    ["SELECT * FROM samples WHERE labels = 'x' OR labels = 'y'", EVERY_ROW],
    ["SELECT * FROM samples WHERE labels = 'x' AND labels = 'y'", NONE],
    ["SELECT * FROM samples WHERE metric = 'm' OR value > 1", EVERY_ROW],
    ["SELECT * FROM samples WHERE lower(metric) = 'm'", EVERY_ROW],
    ["SELECT * FROM samples WHERE ts > 'not a time'", EVERY_ROW],
    ["SELECT * FROM samples WHERE ts > now() - INTERVAL 1 HOUR", EVERY_ROW],
    ["SELECT * FROM samples a JOIN samples b USING (ts) WHERE a.metric = 'm'", EVERY_ROW],
    ["SELECT * FROM samples s(a, b, metric) WHERE metric = 'm'", EVERY_ROW],
    ["SELECT * FROM samples USING SAMPLE 10 WHERE metric = 'm'", EVERY_ROW],
    ["SELECT * FROM samples TABLESAMPLE 10% WHERE metric = 'm'", EVERY_ROW],
    ["SELECT * FROM samples WHERE metric = 'm'; SELECT 1", EVERY_ROW],
    ["SELECT * FROM query_table('samples') WHERE metric = 'm'", EVERY_ROW],
    ["SELECT * FROM samples, range(3) WHERE metric = 'm'", EVERY_ROW],
    ["DESCRIBE samples", EVERY_ROW],
    ["EXPLAIN SELECT * FROM samples WHERE metric = 'm'", EVERY_ROW],
    ["CREATE TABLE x AS SELECT * FROM samples WHERE metric = 'm'", EVERY_ROW],
    ["SELECT 42", NONE],
    ["SELECT * FROM rollup_1m WHERE metric = 'm'", NONE],
    ["SELECT 'samples'", NONE],
  ];
  try {
    for (const [sql, want] of cases) assert.deepEqual(await filterOf(sql), want, sql);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
});

Deno.test("a filter from the query process stays within every row", () => {
  const f: BufferedFilter = { from: 5, to: 9, metrics: new Set(["a"]), host: "h" };
  assert.deepEqual(filterOfWire(JSON.parse(JSON.stringify(wireFilter(f)))), f);
  assert.deepEqual(filterOfWire({ from: -1e300, to: 1e300 }), EVERY_ROW);
  for (const bad of [null, 7, { from: "0", to: 1 }, { from: 0, to: NaN }, { ...f, metrics: [1] }]) {
    assert.deepEqual(filterOfWire(bad), EVERY_ROW, JSON.stringify(bad));
  }
  assert.deepEqual(filterOfWire({ from: 0, to: 1, host: 3 }), EVERY_ROW);
});
