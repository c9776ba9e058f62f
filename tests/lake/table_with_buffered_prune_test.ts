/**
 * The `query` command's statement (`tableWithBuffered`) takes only the buffered rows it can
 * need, and answers as it does with every buffered row: the statements of
 * `tests/lake/_prune_statements.ts` (those the sandbox refuses fail or answer alike here too).
 */
import assert from "node:assert/strict";
import {
  type BufferedFilter,
  bufferedSnapshot,
  EVERY_ROW,
  openLake,
  tableWithBuffered,
} from "../../lake/mod.ts";
import { counting, pruneFixture, STATEMENTS } from "./_prune_statements.ts";

Deno.test("query's pruned snapshots answer every statement as full ones do", async () => {
  await using fixture = await pruneFixture();
  const { root, writer } = fixture;
  const { counted, taken } = counting(writer);
  const lake = await openLake({ root });
  const answer = (
    sql: string,
    take: (filter: BufferedFilter) => ReturnType<typeof bufferedSnapshot>,
  ) =>
    tableWithBuffered(lake, sql, take).then(
      (r) => JSON.stringify(r, (_k, v) => typeof v === "bigint" ? String(v) : v),
      (e: Error) => `${e.name}: ${e.message.replace(/temp\./g, "")}`,
    );
  try {
    for (const [sql, most] of STATEMENTS) {
      // the sandbox refuses these; unsandboxed, they would drop a view or read a file
      if (/DROP VIEW|read_parquet|_buffered\.|query\(/.test(sql)) continue;
      const before = taken.length;
      const a = await answer(sql, (f) => bufferedSnapshot(root, counted, f));
      const b = await answer(sql, () => bufferedSnapshot(root, writer, EVERY_ROW));
      assert.equal(a, b, sql);
      if (most !== undefined) {
        const copied = taken.slice(before).reduce((x, y) => Math.max(x, y), 0);
        assert.ok(copied <= most, `${sql}: ${copied} rows copied, at most ${most} expected`);
      }
    }
  } finally {
    lake.close();
  }
});
