/**
 * Walking the JSON of DuckDB's `json_serialize_sql`: shared by the statement guard of
 * `/api/query` (`web/_sql_guard.ts`) and the buffered-row filter (`buffered_filter_of.ts`).
 *
 * @module
 */

/** A node of the syntax tree. */
export type SqlNode = Record<string, unknown>;

/**
 * Whether `v` is a node (an object, not an array).
 *
 * @param v Any part of the parsed tree.
 * @returns Whether it is a node.
 */
export function isSqlNode(v: unknown): v is SqlNode {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Every node under `v`, `v` first.
 *
 * @param v Any part of the parsed tree.
 * @returns The nodes, depth first.
 */
export function* sqlNodes(v: unknown): Generator<SqlNode> {
  if (Array.isArray(v)) {
    for (const x of v) yield* sqlNodes(x);
  } else if (isSqlNode(v)) {
    yield v;
    for (const x of Object.values(v)) yield* sqlNodes(x);
  }
}

/**
 * A name of the tree in lower case (DuckDB's names are case-insensitive).
 *
 * @param v A field of a node.
 * @returns `v` in lower case when a string, else empty.
 */
export function sqlLower(v: unknown): string {
  return typeof v === "string" ? v.toLowerCase() : "";
}
