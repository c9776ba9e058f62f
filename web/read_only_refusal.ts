/**
 * The read-only check of `/api/query` for SQL that runs outside the sandbox (`audit --sql`):
 * one statement that DuckDB's own parser serializes as a SELECT (so no COPY, no writes, no DDL,
 * no SET or ATTACH), reading only the given views, its CTEs and value generators, with no file
 * readers or functions that reveal settings or paths (the sandbox's `astRefusal`).
 *
 * @module
 */
import { astRefusal, treeProblem } from "./_sql_guard.ts";

/**
 * Tells why a statement may not run, or nothing when it is a checked SELECT of `views`.
 *
 * @param serialize Runs DuckDB's `json_serialize_sql` on the text (it only parses: nothing is
 * bound or read) and returns its JSON.
 * @param sql The statement as given.
 * @param views The tables it may read.
 * @returns Why it is refused, or undefined.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readOnlyRefusal } from "./read_only_refusal.ts";
 * const parser = async () => JSON.stringify({ error: true, error_message: "Only SELECT" });
 * assert.match(await readOnlyRefusal(parser, "COPY t TO 'x'", ["t"]) ?? "", /only read-only/);
 * ```
 */
export async function readOnlyRefusal(
  serialize: (sql: string) => Promise<string>,
  sql: string,
  views: readonly string[],
): Promise<string | undefined> {
  if (sql.trim() === "") return "empty statement";
  const serialized = await serialize(sql);
  return treeProblem(serialized, sql) ?? astRefusal(serialized, views);
}
