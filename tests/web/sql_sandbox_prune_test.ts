/**
 * The SQL sandbox copies only the buffered rows a statement can need (`prune`, the default), and
 * every statement answers byte for byte what it answers when every buffered row is copied:
 * joins, subqueries, CTEs (one shadowing `samples`), OR, functions on columns, LIKE, case
 * differences, time bounds on and around a row, renamed columns and refused statements
 * (`tests/lake/_prune_statements.ts`).
 */
import assert from "node:assert/strict";
import { openSqlSandbox } from "../../web/mod.ts";
import { counting, pruneFixture, STATEMENTS } from "../lake/_prune_statements.ts";

Deno.test("pruned copies answer every statement as full copies do", async () => {
  await using fixture = await pruneFixture();
  const { root, writer } = fixture;
  const { counted, taken } = counting(writer);
  // one thread each: with more, DuckDB sums doubles in an order that differs between runs of
  // the same statement (last digits), pruned or not
  const one = { root, maxConcurrent: 1, threads: 1 };
  const pruned = await openSqlSandbox({ ...one, buffered: counted });
  const full = await openSqlSandbox({ ...one, buffered: writer, prune: false });
  try {
    for (const [sql, most] of STATEMENTS) {
      const before = taken.length;
      const a = await pruned.queryBody(sql, "json").then(
        (r) => new TextDecoder().decode(r.body),
        (e: Error) => `${e.name}: ${e.message}`,
      );
      const b = await full.queryBody(sql, "json").then(
        (r) => new TextDecoder().decode(r.body),
        (e: Error) => `${e.name}: ${e.message}`,
      );
      // EXPLAIN's row estimates count what the query process's buffer tables ever held (a
      // DELETE leaves them), so they differ between two processes with different histories
      // whether or not the copies are pruned; the plans must still agree
      const plan = (t: string) =>
        sql.startsWith("EXPLAIN") ? t.replace(/ *~[\d,]+ rows */g, "~") : t;
      assert.equal(plan(a), plan(b), sql);
      if (most !== undefined) {
        const copied = taken.slice(before).reduce((x, y) => Math.max(x, y), 0);
        assert.ok(copied <= most, `${sql}: ${copied} rows copied, at most ${most} expected`);
      }
    }
    // a statement the checks refuse is answered before any copy is taken
    for (
      const sql of [
        "SELECT * FROM read_parquet('/etc/passwd') UNION ALL SELECT * FROM samples",
        "SELECT * FROM _buffered.rows, samples",
        "SELECT count(*) FROM samples WHERE metric = 'mem'; DROP VIEW samples",
        "SELECT count(*) FROM samples WHERE value > 1e400",
      ]
    ) {
      const before = taken.length;
      await assert.rejects(pruned.query(sql), /Refused|Invalid/);
      assert.equal(taken.length, before, sql);
    }
  } finally {
    await pruned.close();
    await full.close();
  }
});
