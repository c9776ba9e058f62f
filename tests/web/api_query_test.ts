import assert from "node:assert/strict";
import { jsonLines, T0, testApp } from "./_app.ts";

type App = Awaited<ReturnType<typeof testApp>>["app"];

function post(app: App, body: string, type = "application/json") {
  return app.request("/api/query", { method: "POST", headers: { "content-type": type }, body });
}

function sql(app: App, text: string) {
  return post(app, JSON.stringify({ sql: text }));
}

async function seeded() {
  const t = await testApp({ now: () => T0 + 60_000, sandbox: { rowLimit: 5, timeoutMs: 300 } });
  const rows = Array.from(
    { length: 10 },
    (_, i) => ({ ts: T0 + i * 1000, host: "h", metric: "m", value: i }),
  );
  await t.app.request("/api/ingest", {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body: jsonLines(rows),
  });
  t.ingest.flush();
  return t;
}

Deno.test("POST /api/query reads the lake's views", async () => {
  await using t = await seeded();
  const res = await sql(
    t.app,
    "SELECT metric, count(*) AS n, max(value) AS top FROM samples GROUP BY 1",
  );
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.deepEqual(body.columns, [
    { name: "metric", type: "VARCHAR" },
    { name: "n", type: "BIGINT" },
    { name: "top", type: "DOUBLE" },
  ]);
  assert.deepEqual(body.rows, [["m", "10", 9]]);
  assert.equal(body.truncated, false);
  const cte = await sql(t.app, "-- comment\nWITH x AS (SELECT 1 AS one) SELECT * FROM x");
  assert.deepEqual((await cte.json()).rows, [[1]]);
  const rollup = await sql(t.app, "SELECT count(*) FROM rollup_1m");
  assert.equal(rollup.status, 200);
});

Deno.test("POST /api/query cuts results at the row limit", async () => {
  await using t = await seeded();
  const body = await (await sql(t.app, "SELECT value FROM samples ORDER BY ts")).json();
  assert.equal(body.rows.length, 5);
  assert.equal(body.truncated, true);
});

Deno.test("POST /api/query interrupts a query over the time limit with 408", async () => {
  await using t = await seeded();
  const res = await sql(t.app, "SELECT count(*) FROM range(1000000000000) a, range(1000) b");
  assert.equal(res.status, 408);
  assert.match((await res.json()).error, /Query timeout: interrupted after 300 ms/);
  const after = await sql(t.app, "SELECT 42");
  assert.deepEqual((await after.json()).rows, [[42]]);
});

const refused: [string, string, number, RegExp][] = [
  ["writing a file with COPY", "COPY (SELECT 1) TO '/tmp/perfscope-evil.csv'", 403, /read-only/],
  ["writing into the lake with COPY", "COPY samples TO 'ROOT/metrics/x.parquet'", 403, /read-only/],
  ["reading /etc/passwd", "SELECT * FROM read_csv('/etc/passwd')", 403, /Permission Error/],
  [
    "reading /etc/passwd as text",
    "SELECT content FROM read_text('/etc/passwd')",
    403,
    /Permission Error/,
  ],
  [
    "escaping the lake with ..",
    "SELECT * FROM read_text('ROOT/metrics/../../../../etc/passwd')",
    403,
    /Permission/,
  ],
  ["listing other folders", "SELECT * FROM glob('/etc/*')", 403, /Permission Error/],
  ["installing an extension", "INSTALL httpfs", 403, /read-only/],
  ["loading an extension", "LOAD httpfs", 403, /read-only/],
  ["changing configuration", "SET enable_external_access = true", 403, /read-only/],
  ["resetting configuration", "RESET lock_configuration", 403, /read-only/],
  ["a config pragma", "PRAGMA enable_external_access", 403, /read-only/],
  ["attaching a database", "ATTACH '/tmp/perfscope-evil.db' AS evil", 403, /read-only/],
  ["creating a table", "CREATE TABLE t AS SELECT 1", 403, /read-only/],
  ["dropping a view", "DROP VIEW samples", 403, /read-only/],
  ["exporting the database", "EXPORT DATABASE '/tmp/perfscope-evil'", 403, /read-only/],
  [
    "a write hidden in a CTE",
    "WITH x AS (SELECT 1) INSERT INTO samples SELECT * FROM x",
    400,
    /Invalid sql/,
  ],
  [
    "a nested COPY via query()",
    "SELECT * FROM query('COPY (SELECT 1) TO ''/tmp/x.csv''')",
    400,
    /Invalid sql/,
  ],
  ["two statements", "SELECT 1; SELECT 2", 400, /exactly one statement, got 2/],
  [
    "a statement smuggled after a SELECT",
    "SELECT 1; COPY (SELECT 1) TO '/tmp/x.csv'",
    400,
    /exactly one/,
  ],
  ["a syntax error", "SELECT FROM WHERE", 400, /Invalid sql: .*Parser Error/],
  ["an unknown table", "SELECT * FROM nope", 400, /Invalid sql: Catalog Error/],
  ["an empty statement", "  -- nothing\n", 400, /empty statement/],
];

for (const [what, text, status, message] of refused) {
  Deno.test(`POST /api/query refuses ${what}`, async () => {
    await using t = await seeded();
    const res = await sql(t.app, text.replaceAll("ROOT", Deno.realPathSync(t.root)));
    assert.equal(res.status, status);
    assert.match((await res.json()).error, message);
  });
}

Deno.test("POST /api/query leaves no file behind and the settings locked", async () => {
  await using t = await seeded();
  await sql(t.app, "COPY (SELECT 1) TO '/tmp/perfscope-evil.csv'");
  await assert.rejects(Deno.stat("/tmp/perfscope-evil.csv"), Deno.errors.NotFound);
  const res = await sql(
    t.app,
    "SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access', 'lock_configuration') ORDER BY 1",
  );
  assert.deepEqual((await res.json()).rows, [["enable_external_access", "false"], [
    "lock_configuration",
    "true",
  ]]);
});

Deno.test("POST /api/query rejects malformed requests with 4xx", async () => {
  await using t = await seeded();
  assert.equal((await post(t.app, "SELECT 1", "text/plain")).status, 415);
  const bad = await post(t.app, "{not json");
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error, /Malformed JSON/);
  const missing = await post(t.app, "{}");
  assert.equal(missing.status, 400);
  assert.match((await missing.json()).error, /Invalid json: sql/);
  const extra = await post(t.app, JSON.stringify({ sql: "SELECT 1", mode: "rw" }));
  assert.equal(extra.status, 400);
  const big = await post(t.app, JSON.stringify({ sql: "SELECT '" + "x".repeat(200_000) + "'" }));
  assert.equal(big.status, 413);
});

Deno.test("POST /api/query answers CSV for format=csv or Accept: text/csv", async () => {
  await using t = await seeded();
  const body = JSON.stringify({
    sql: "SELECT value, 'a,\"b' AS text, NULL AS nothing FROM samples ORDER BY value LIMIT 2",
  });
  const headers = { "content-type": "application/json" };
  const byParam = await t.app.request("/api/query?format=csv", { method: "POST", headers, body });
  assert.equal(byParam.status, 200);
  assert.match(byParam.headers.get("content-type") ?? "", /^text\/csv/);
  assert.equal(await byParam.text(), 'value,text,nothing\r\n0,"a,""b",\r\n1,"a,""b",\r\n');
  const byAccept = await t.app.request("/api/query", {
    method: "POST",
    headers: { ...headers, accept: "text/csv" },
    body,
  });
  assert.match(await byAccept.text(), /^value,text,nothing\r\n/);
  const truncated = await t.app.request("/api/query?format=csv", {
    method: "POST",
    headers,
    body: JSON.stringify({ sql: "SELECT value FROM samples" }),
  });
  assert.equal(truncated.headers.get("x-truncated"), "true");
  assert.equal((await truncated.text()).split("\r\n").length, 7);
});

Deno.test("POST /api/query rejects an unknown format with 400", async () => {
  await using t = await seeded();
  const res = await t.app.request("/api/query?format=xml", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sql: "SELECT 1" }),
  });
  assert.equal(res.status, 400);
  assert.match((await res.json()).error, /Invalid query: format/);
});
