import assert from "node:assert/strict";
import {
  astRefusal,
  leadingKeyword,
  pivotRefusal,
  skipSpace,
  treeProblem,
} from "../../web/_sql_guard.ts";

Deno.test("leadingKeyword() skips comments, nested block comments, whitespace and parentheses", () => {
  assert.deepEqual(leadingKeyword("  -- x\n /* a /* b */ c */ ( (select 1))"), {
    word: "select",
    end: 35,
  });
  assert.equal(leadingKeyword("EXPLAIN/**/ANALYZE SELECT 1").word, "explain");
  assert.equal(leadingKeyword("-- only a comment").word, "");
  assert.equal(leadingKeyword("/* unterminated").word, "");
});

Deno.test("skipSpace() stops at the first character that is code", () => {
  assert.equal(skipSpace("\t\n--c\nx"), 6);
  assert.equal(skipSpace("/* */x"), 5);
});

Deno.test("pivotRefusal() refuses names and quoting tricks anywhere in a dynamic PIVOT", () => {
  assert.equal(pivotRefusal("PIVOT samples ON metric USING avg(value) GROUP BY host"), undefined);
  assert.match(pivotRefusal("PIVOT duckdb_settings() ON name USING count(*)")!, /duckdb_settings/);
  assert.match(pivotRefusal("PIVOT samples ON metric USING avg(value); COPY x")!, /COPY/);
  assert.match(pivotRefusal("PIVOT (FROM pg_settings) ON name USING count(*)")!, /pg_settings/);
  assert.match(pivotRefusal('PIVOT U&"d\\0075ckdb_views" ON x USING count(*)')!, /\\/);
  assert.match(pivotRefusal("PIVOT samples ON $$x$$ USING count(*)")!, /\$/);
});

Deno.test("treeProblem() names the literal DuckDB wrote as a bare Infinity; astRefusal() refuses it", () => {
  const sql = "SELECT 'ü', 1e400";
  const tree = '{"error":false,"statements":[{"node":{"select_list":[{"class":"CONSTANT",' +
    `"query_location":${new TextEncoder().encode("SELECT 'ü', ").length},` +
    '"value":{"type":{"id":"DOUBLE"},"is_null":false,"value":Infinity}}]}}]}';
  assert.equal(treeProblem(tree, sql), "numeric literal out of range: 1e400");
  assert.match(astRefusal(tree) ?? "", /could not be read/);
  // 'Infinity' inside a JSON string is not a bare token
  assert.equal(treeProblem('{"value":"Infinity"}', "SELECT 'Infinity'"), undefined);
  assert.match(treeProblem("{", "x") ?? "", /could not be read/);
  assert.match(astRefusal("{") ?? "", /could not be read/);
});
