/**
 * The SQL sandbox against every write, DDL and side-effect statement DuckDB knows, through every
 * wrapper DuckDB accepts, proving that nothing on disk or in the catalog changes; and against
 * reads outside the lake.
 */
import assert from "node:assert/strict";
import { visibleFiles } from "../../lake/mod.ts";
import { fileHashes } from "../_file_hashes.ts";
import { seededApp, testApp } from "./_app.ts";

type App = Awaited<ReturnType<typeof testApp>>["app"];

function sql(app: App, text: string) {
  return app.request("/api/query", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sql: text }),
  });
}

const STATEMENTS = [
  "COPY (SELECT 1 AS x) TO 'EVIL/copy.csv'",
  "COPY (SELECT ts, metric, labels, 1e9::DOUBLE AS value FROM samples LIMIT 5) TO 'PART' (FORMAT parquet)",
  "COPY (SELECT 'garbage' AS x) TO 'PARTDIR/compact-999999999999999.parquet' (FORMAT csv)",
  "COPY (SELECT 1 AS x) TO 'CWD/.tmp/spill.csv'",
  "COPY samples TO 'CWD/samples.csv'",
  "CREATE OR REPLACE VIEW samples AS SELECT 1 AS hacked",
  "DROP VIEW samples",
  "CREATE TABLE t AS SELECT 1 AS x",
  "CREATE TEMP TABLE t AS SELECT 1 AS x",
  "INSERT INTO samples VALUES (NULL, NULL, NULL, NULL, 1)",
  "UPDATE samples SET value = 0",
  "DELETE FROM samples",
  "CREATE MACRO hacked() AS 1",
  "CREATE SEQUENCE seq",
  "CREATE TYPE mood AS ENUM ('a')",
  "CREATE PERSISTENT SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')",
  "ATTACH 'EVIL/evil.db' AS evil",
  "DETACH memory",
  "INSTALL httpfs",
  "LOAD parquet",
  "SET enable_external_access = true",
  "SET temp_directory = 'EVIL'",
  "RESET lock_configuration",
  "PRAGMA enable_profiling",
  "CALL enable_logging(storage = 'file', storage_path = 'EVIL')",
  "CALL checkpoint()",
  "CHECKPOINT",
  "EXPORT DATABASE 'EVIL/export'",
  "IMPORT DATABASE 'EVIL'",
  "VACUUM",
  "ANALYZE",
  "SET VARIABLE x = 1",
  "USE memory",
  "PREPARE p AS SELECT 1",
  "EXECUTE p",
];

const WRAPPERS: [string, (s: string) => string][] = [
  ["bare", (s) => s],
  ["EXPLAIN", (s) => `EXPLAIN ${s}`],
  ["EXPLAIN ANALYZE", (s) => `EXPLAIN ANALYZE ${s}`],
  ["explain analyse, lower case", (s) => `explain analyse ${s.toLowerCase()}`],
  ["EXPLAIN ANALYZE with comments", (s) => `/* c */ EXPLAIN /* c */ ANALYZE -- c\n${s}`],
  ["a leading comment", (s) => `-- comment\n/* another */ ${s}`],
  ["parentheses", (s) => `(${s})`],
  ["a semicolon", (s) => `${s};`],
  ["after a SELECT", (s) => `SELECT 1; ${s}`],
  ["a CTE body", (s) => `WITH x AS (${s}) SELECT * FROM x`],
  ["after a CTE", (s) => `WITH x AS (SELECT 1) ${s}`],
  ["a subquery", (s) => `SELECT * FROM (${s})`],
  ["query()", (s) => `SELECT * FROM query('${s.replaceAll("'", "''")}')`],
  ["query_table()", (s) => `SELECT * FROM query_table('${s.replaceAll("'", "''")}')`],
  ["PIVOT", (s) => `PIVOT (${s}) ON x USING count(*)`],
  ["odd whitespace", (s) => `\t\n ${s.replaceAll(" ", " \t\n")}\n\t`],
];

Deno.test("The SQL sandbox refuses every write through every wrapper and nothing changes", async () => {
  const cwd = Deno.cwd();
  const work = Deno.realPathSync(await Deno.makeTempDir({ prefix: "perfscope-cwd-" }));
  const evil = Deno.realPathSync(await Deno.makeTempDir({ prefix: "perfscope-evil-" }));
  await Deno.writeTextFile(`${work}/marker.txt`, "cwd\n");
  try {
    await using t = await seededApp();
    const root = Deno.realPathSync(t.root);
    const part = visibleFiles(root, "metrics")[0]!;
    const fill = (s: string) =>
      s.replaceAll("PARTDIR", part.slice(0, part.lastIndexOf("/"))).replaceAll("PART", part)
        .replaceAll("CWD", work).replaceAll("EVIL", evil).replaceAll("ROOT", root);
    const probe = "SELECT count(*) AS n, sum(value) AS s FROM samples";
    // The query process starts with the first query and inherits the cwd then: nothing may appear
    // in it (e.g. .tmp/). Only for that first query: the cwd is the whole process', and the test
    // modules running beside this one read files by relative paths.
    Deno.chdir(work);
    let answer;
    try {
      answer = await (await sql(t.app, probe)).json();
    } finally {
      Deno.chdir(cwd);
    }
    const tables = await (await sql(t.app, "SHOW TABLES")).json();
    const before = await fileHashes(root, work, evil);
    const accepted: string[] = [];
    for (const statement of STATEMENTS) {
      for (const [name, wrap] of WRAPPERS) {
        const text = wrap(fill(statement));
        const res = await sql(t.app, text);
        const body = await res.text();
        if (res.status !== 400 && res.status !== 403) {
          accepted.push(`${name}: ${text} -> ${res.status} ${body.slice(0, 100)}`);
        }
      }
    }
    assert.deepEqual(accepted, []);
    assert.deepEqual(await fileHashes(root, work, evil), before);
    assert.deepEqual((await (await sql(t.app, probe)).json()).rows, answer.rows);
    assert.deepEqual((await (await sql(t.app, "SHOW TABLES")).json()).rows, tables.rows);
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(work, { recursive: true });
    await Deno.remove(evil, { recursive: true });
  }
});

const READS = [
  "SELECT * FROM read_text('/etc/passwd')",
  "SELECT * FROM read_csv('/etc/passwd')",
  "SELECT * FROM read_csv_auto('CWD/deno.json')",
  "SELECT * FROM read_json('CWD/deno.json')",
  "SELECT * FROM read_blob('/etc/passwd')",
  "SELECT * FROM sniff_csv('/etc/passwd')",
  "SELECT * FROM glob('/**')",
  "SELECT * FROM glob('ROOT/**')",
  "SELECT * FROM read_parquet('PART')",
  "SELECT * FROM parquet_metadata('PART')",
  "SELECT * FROM '/etc/passwd'",
  "SELECT * FROM 'PART'",
  "SELECT * FROM 'CWD/deno.json'",
  "WITH t AS (SELECT * FROM read_text('/etc/passwd')) SELECT * FROM t",
  "SELECT (SELECT content FROM read_text('/etc/passwd'))",
  "SELECT * FROM samples, read_text('/etc/passwd')",
  "EXPLAIN SELECT * FROM read_text('/etc/passwd')",
  "PIVOT read_text('/etc/passwd') ON filename USING count(*)",
  "PIVOT (SELECT content AS metric FROM read_text('/etc/passwd')) ON metric USING count(*)",
  "SELECT * FROM query('SELECT * FROM read_text(''/etc/passwd'')')",
  "SELECT * FROM query_table('/etc/passwd')",
];

for (const read of READS) {
  Deno.test(`The SQL sandbox refuses the read outside the lake ${read}`, async () => {
    await using t = await seededApp();
    const root = Deno.realPathSync(t.root);
    const text = read.replaceAll("PART", visibleFiles(root, "metrics")[0]!)
      .replaceAll("ROOT", root).replaceAll("CWD", Deno.cwd());
    const res = await sql(t.app, text);
    assert.equal(res.status, 403, await res.clone().text());
    assert.doesNotMatch(await res.text(), /root:|"imports"/);
  });
}
