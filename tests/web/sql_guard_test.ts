import assert from "node:assert/strict";
import { leadingKeyword, pivotRefusal, skipSpace } from "../../web/_sql_guard.ts";

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
