/**
 * Private: the checks that decide whether a statement may run in the SQL sandbox.
 *
 * The authority is DuckDB's own parser: `json_serialize_sql` turns a SELECT (and only a
 * SELECT: DESCRIBE, SHOW, SUMMARIZE, static PIVOT and VALUES are SELECTs too) into its syntax
 * tree, and {@linkcode astRefusal} walks that tree with allowlists: tables are the lake's views
 * or the statement's own CTEs, table functions are a few generators, and scalar functions that
 * reveal settings, paths or run SQL from a string are refused. A dynamic PIVOT cannot be
 * serialized (DuckDB turns it into a CREATE TYPE plus a SELECT), so it gets the stricter
 * {@linkcode pivotRefusal}, which looks at the raw text.
 *
 * @module
 */

import {
  isSqlNode as isNode,
  sqlLower as lower,
  type SqlNode as Node,
  sqlNodes as nodes,
} from "../lake/mod.ts";

/** The views a query may read. */
export const VIEWS: readonly string[] = ["samples", "rollup_1m", "rollup_1h"];

// table functions that only generate values; everything else (read_*, glob, query,
// duckdb_*, pragma_*, arrow_scan, checkpoint, enable_logging, …) is refused
const TABLE_FUNCTIONS = new Set([
  "range",
  "generate_series",
  "unnest",
  "json_each",
  "json_tree",
  "repeat",
  "repeat_row",
  "pg_timezone_names",
  "icu_calendar_names",
]);

// scalar functions that reveal settings or paths, write logs or run SQL held in a string
const DENIED_FUNCTION =
  /^(duckdb_|pragma_|current_setting$|current_query$|write_log$|json_serialize_plan$|json_execute_serialized_sql$|query$|query_table$|getenv$|which_secret$|read_)/;

// SHOW forms without a query to walk
const SHOW_NAMES = new Set(['"tables"', '"databases"', "__show_tables_expanded"]);

/**
 * Tells why the output of DuckDB's `json_serialize_sql` cannot be read as JSON, or nothing when
 * it can. DuckDB writes a DOUBLE constant too large for a double (`1e400`) as a bare `Infinity`,
 * which is not JSON; that is named after the literal (found through the constant's
 * `query_location`, a byte offset into the statement) so the user sees their own mistake rather
 * than a JSON parser's message.
 *
 * @param serialized The JSON text `json_serialize_sql` returned.
 * @param sql The statement it was made from.
 * @returns Why the tree cannot be read, or undefined.
 */
export function treeProblem(serialized: string, sql: string): string | undefined {
  try {
    JSON.parse(serialized);
    return undefined;
  } catch {
    // strings are matched whole, so an `Infinity` inside one is skipped
    for (const m of serialized.matchAll(/"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)/g)) {
      if (m[1] === undefined) continue;
      const before = [...serialized.slice(0, m.index).matchAll(/"query_location":(\d+)/g)].at(-1);
      const bytes = new TextEncoder().encode(sql).subarray(Number(before?.[1] ?? NaN));
      const literal = before
        ? /^[-+]?(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][-+]?\d+)?/.exec(
          new TextDecoder().decode(bytes),
        )
        : null;
      return `numeric literal out of range${literal ? `: ${literal[0]}` : ""}`;
    }
    return "DuckDB's syntax tree of the statement could not be read";
  }
}

/**
 * Walks the output of DuckDB's `json_serialize_sql` for one statement.
 *
 * @param serialized The JSON text `json_serialize_sql` returned.
 * @param views The tables the statement may read besides its own CTEs; default {@linkcode VIEWS}.
 * @returns Why the statement is refused, or undefined when it may run.
 */
export function astRefusal(
  serialized: string,
  views: readonly string[] = VIEWS,
): string | undefined {
  let tree: Node;
  try {
    tree = JSON.parse(serialized) as Node;
  } catch {
    // a tree that cannot be read is refused, never let through
    return "the statement's syntax tree could not be read";
  }
  if (tree.error !== false) return "only read-only queries are allowed";
  if (!Array.isArray(tree.statements) || tree.statements.length !== 1) {
    return "expected exactly one statement";
  }
  const tables = new Set(views);
  for (const n of nodes(tree)) {
    const map = isNode(n.cte_map) ? n.cte_map.map : undefined;
    if (Array.isArray(map)) { for (const e of map) if (isNode(e)) tables.add(lower(e.key)); }
  }
  for (const n of nodes(tree)) {
    if (n.type === "BASE_TABLE") {
      const name = lower(n.table_name);
      if (!["", "memory"].includes(lower(n.catalog_name))) return `unknown catalog ${name}`;
      if (!["", "main"].includes(lower(n.schema_name)) || !tables.has(name)) {
        return `only the views ${views.join(", ")} can be read, not ${n.table_name}`;
      }
    } else if (n.type === "TABLE_FUNCTION") {
      const name = isNode(n.function) ? lower(n.function.function_name) : "";
      if (!TABLE_FUNCTIONS.has(name)) return `table function ${name}() is not allowed`;
    } else if (n.type === "SHOW_REF" && n.query === null && !SHOW_NAMES.has(lower(n.table_name))) {
      return `SHOW ${n.table_name} is not allowed`;
    } else if ("function_name" in n && DENIED_FUNCTION.test(lower(n.function_name))) {
      return `function ${lower(n.function_name)}() is not allowed`;
    }
  }
  return undefined;
}

/**
 * Skips whitespace and comments (`--` to the end of the line, nested block comments).
 *
 * @param sql The text.
 * @param at Where to start.
 * @returns The index of the first character that is neither.
 */
export function skipSpace(sql: string, at = 0): number {
  let i = at;
  while (i < sql.length) {
    if (/\s/.test(sql[i]!)) i++;
    else if (sql.startsWith("--", i)) {
      const nl = sql.indexOf("\n", i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (sql.startsWith("/*", i)) {
      let depth = 0;
      while (i < sql.length) {
        if (sql.startsWith("/*", i)) depth++, i += 2;
        else if (sql.startsWith("*/", i)) {
          i += 2;
          if (--depth === 0) break;
        } else i++;
      }
    } else break;
  }
  return i;
}

/**
 * The first keyword of a statement after comments, whitespace and opening parentheses.
 *
 * @param sql The statement.
 * @returns The keyword in lower case (empty when there is none) and the index after it.
 */
export function leadingKeyword(sql: string): { word: string; end: number } {
  let i = skipSpace(sql);
  while (sql[i] === "(") i = skipSpace(sql, i + 1);
  const word = /^[A-Za-z_]+/.exec(sql.slice(i))?.[0] ?? "";
  return { word: word.toLowerCase(), end: i + word.length };
}

const PIVOT_DENIED = new RegExp(
  String.raw`\b(duckdb_\w*|pragma_\w*|read_\w*|parquet_\w*|arrow_scan\w*|current_setting` +
    String.raw`|current_query|write_log|json_serialize_plan|json_execute_serialized_sql|query` +
    String.raw`|query_table|getenv|which_secret|glob|sniff_csv|checkpoint|force_checkpoint` +
    String.raw`|enable_logging|disable_logging|information_schema|pg_\w*|sqlite_\w*|copy` +
    String.raw`|attach|detach|install|load|create|insert|update|delete|drop|set|reset|pragma|call` +
    String.raw`|export|import)\b`,
  "i",
);

/**
 * The check for a PIVOT whose columns come from the data, which DuckDB cannot serialize: the
 * raw text, strings and comments included, must not name anything the tree walk would refuse,
 * and must not use escapes or quoting tricks (`\`, `$`, `&`) that could hide a name.
 *
 * @param sql The statement (its first keyword is PIVOT).
 * @returns Why it is refused, or undefined.
 */
export function pivotRefusal(sql: string): string | undefined {
  if (/[\\$&]/.test(sql)) return "a PIVOT without an IN list cannot contain \\, $ or &";
  const hit = PIVOT_DENIED.exec(sql);
  if (hit) return `a PIVOT without an IN list cannot contain ${hit[0]}`;
  return undefined;
}
