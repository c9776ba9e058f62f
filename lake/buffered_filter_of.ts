/**
 * Which buffered rows a statement can need, read from DuckDB's syntax tree of it
 * (`json_serialize_sql`): the `samples` view is the only way to the rows not yet in Parquet, so
 * when every reference to `samples` is the lone table of a SELECT whose WHERE keeps only some
 * metrics, hosts, labels or a time range, the rows outside all of them cannot change the result
 * and need not be copied. Anything not understood gives {@linkcode EVERY_ROW}: an unknown node
 * around a reference, a join, a sample clause, renamed columns, a table function that is not a
 * generator, more than one statement, or a tree that is not a SELECT.
 *
 * A WHERE conjunct counts when it compares a column of that `samples` (unqualified, or by its
 * alias) with a literal: `=` and `IN` on `metric`, `host` and `labels`, and `=`, `<`, `<=`,
 * `>`, `>=`, `BETWEEN` on `ts` with `epoch_ms(integer)`, a string or `TIMESTAMP 'string'`
 * (strings are cast by DuckDB itself, through `castMs`). An OR of such conditions keeps the
 * smallest filter holding each branch; any other conjunct is left to the SQL (ignoring a
 * conjunct only keeps more rows).
 *
 * @module
 */

import type { DuckDBConnection } from "@duckdb/node-api";
import type { BufferedFilter } from "./buffered_rows.ts";
import { EVERY_ROW } from "./buffered_snapshot.ts";
import { type Box, isNode, lower, type Node, nodes, union, Where } from "./_where_box.ts";

/** Casts strings to TIMESTAMP as DuckDB does, each to ms since the epoch (undefined when the
 * cast fails: the statement fails too, so no bound is taken from it). */
export type CastMs = (texts: string[]) => Promise<(number | undefined)[]>;

/**
 * A {@linkcode CastMs} that runs on `connection` (any: it reads no table): DuckDB's own cast of
 * each string to TIMESTAMP, as a comparison with `ts` casts it, in ms.
 *
 * @param connection A connection of a DuckDB instance.
 * @returns The cast; a string that does not cast, or a call that fails, gives undefined.
 */
export function castMsOn(connection: DuckDBConnection): CastMs {
  return async (texts) => {
    try {
      const reader = await connection.runAndReadAll(
        "SELECT list_transform(from_json($1::VARCHAR, '[\"VARCHAR\"]'), " +
          "x -> TRY(epoch_ms(TRY_CAST(x AS TIMESTAMP))))",
        [JSON.stringify(texts)],
      );
      const list = reader.getRowsJson()[0]![0] as unknown[];
      return texts.map((_, i) => {
        const v = list[i];
        return v === null || v === undefined ? undefined : Number(v);
      });
    } catch {
      return texts.map(() => undefined);
    }
  };
}

// table functions that only generate values (none reads a table)
const GENERATORS = new Set(["range", "generate_series", "unnest", "repeat", "json_each"]);

/**
 * The buffered rows a statement can need, from DuckDB's syntax tree of it.
 *
 * @param serialized What `json_serialize_sql` returned for the statement.
 * @param castMs Casts strings to TIMESTAMP ms as DuckDB does (see {@linkcode CastMs}).
 * @returns A filter keeping every row the statement may read ({@linkcode EVERY_ROW} when
 * unsure); a filter whose range is empty when it reads none.
 */
export async function bufferedFilterOf(
  serialized: string,
  castMs: CastMs,
): Promise<BufferedFilter> {
  let tree: unknown;
  try {
    tree = JSON.parse(serialized);
  } catch {
    return EVERY_ROW;
  }
  if (!isNode(tree) || tree.error !== false || !Array.isArray(tree.statements)) return EVERY_ROW;
  if (tree.statements.length !== 1) return EVERY_ROW;
  // each reference to `samples` that sits alone in a SELECT's FROM, with the WHERE's box
  const covered = new Map<Node, Where>();
  const wheres: [Where, Node][] = [];
  for (const n of nodes(tree)) {
    if (n.type === "TABLE_FUNCTION") {
      const f = n.function;
      if (!isNode(f) || !GENERATORS.has(lower(f.function_name))) return EVERY_ROW;
    }
    if (n.type === "SHOW_REF" || n.type === "PIVOT") return EVERY_ROW;
    if (n.type !== "SELECT_NODE" || n.sample !== null) continue;
    const from = n.from_table;
    if (!isNode(from) || from.type !== "BASE_TABLE" || lower(from.table_name) !== "samples") {
      continue;
    }
    const plain = from.sample === null && from.at_clause === null &&
      Array.isArray(from.column_name_alias) && from.column_name_alias.length === 0;
    if (!plain) continue;
    const where = new Where(lower(from.alias) || "samples");
    covered.set(from, where);
    wheres.push([where, n]);
  }
  const boxes: ((ms: (number | undefined)[]) => Box)[] = [];
  const casts: string[] = [];
  let any = false;
  for (const n of nodes(tree)) {
    if (!("table_name" in n) || lower(n.table_name) !== "samples") continue;
    if (n.type !== "BASE_TABLE" || !covered.has(n)) return EVERY_ROW;
    any = true;
  }
  if (!any) return { from: 0, to: 0 };
  for (const [where, select] of wheres) {
    const read = where.read(select.where_clause);
    const at = casts.length;
    casts.push(...where.casts);
    boxes.push((ms) => read(ms.slice(at)));
  }
  const ms = casts.length > 0 ? await castMs(casts) : [];
  const box = boxes.map((b) => b(ms)).reduce(union);
  const filter: BufferedFilter = { from: box.from, to: box.to };
  if (box.metrics) filter.metrics = box.metrics;
  if (box.hosts?.size === 1) filter.host = [...box.hosts][0]!;
  if (box.hosts?.size === 0 || box.labels?.size === 0) return { from: 0, to: 0 };
  if (box.labels?.size === 1) filter.labels = [...box.labels][0]!;
  return filter;
}
