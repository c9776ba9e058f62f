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

type Node = Record<string, unknown>;

// table functions that only generate values (none reads a table)
const GENERATORS = new Set(["range", "generate_series", "unnest", "repeat", "json_each"]);
// ms either side of a time bound: the rows' ts are rounded to whole ms in SQL
const SLACK = 2;

function isNode(v: unknown): v is Node {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function* nodes(v: unknown): Generator<Node> {
  if (Array.isArray(v)) {
    for (const x of v) yield* nodes(x);
  } else if (isNode(v)) {
    yield v;
    for (const x of Object.values(v)) yield* nodes(x);
  }
}

function lower(v: unknown): string {
  return typeof v === "string" ? v.toLowerCase() : "";
}

/** A filter as a box: each field undefined is "any". */
interface Box {
  from: number;
  to: number;
  metrics?: Set<string> | undefined;
  hosts?: Set<string> | undefined;
  labels?: Set<string> | undefined;
}

const ANY: Box = { from: EVERY_ROW.from, to: EVERY_ROW.to };

function intersect(a: Box, b: Box): Box {
  const both = (x?: Set<string>, y?: Set<string>) =>
    x === undefined ? y : y === undefined ? x : new Set([...x].filter((s) => y.has(s)));
  return {
    from: Math.max(a.from, b.from),
    to: Math.min(a.to, b.to),
    metrics: both(a.metrics, b.metrics),
    hosts: both(a.hosts, b.hosts),
    labels: both(a.labels, b.labels),
  };
}

function union(a: Box, b: Box): Box {
  const either = (x?: Set<string>, y?: Set<string>) =>
    x === undefined || y === undefined ? undefined : new Set([...x, ...y]);
  return {
    from: Math.min(a.from, b.from),
    to: Math.max(a.to, b.to),
    metrics: either(a.metrics, b.metrics),
    hosts: either(a.hosts, b.hosts),
    labels: either(a.labels, b.labels),
  };
}

/** The string of a VARCHAR literal, else undefined. */
function text(n: unknown): string | undefined {
  if (!isNode(n) || n.class !== "CONSTANT" || !isNode(n.value)) return undefined;
  const v = n.value;
  if (v.is_null !== false || !isNode(v.type) || v.type.id !== "VARCHAR") return undefined;
  return typeof v.value === "string" ? v.value : undefined;
}

/** The column of `samples` a COLUMN_REF names (unqualified or by `qualifier`), else "". */
function column(n: unknown, qualifier: string): string {
  if (!isNode(n) || n.class !== "COLUMN_REF" || !Array.isArray(n.column_names)) return "";
  const names = n.column_names.map(lower);
  if (names.length === 1) return names[0]!;
  return names.length === 2 && names[0] === qualifier ? names[1]! : "";
}

/** What reading a WHERE needs: the strings to cast, then the box once they are. */
class Where {
  casts: string[] = [];
  constructor(readonly qualifier: string) {}

  /** A time literal's position in `casts`, or ms for `epoch_ms(integer)`; undefined when
   * neither. */
  #time(n: unknown): { ms: number } | { cast: number } | undefined {
    if (!isNode(n)) return undefined;
    if (n.class === "FUNCTION" && lower(n.function_name) === "epoch_ms" && n.schema === "") {
      const args = Array.isArray(n.children) ? n.children : [];
      const c = args[0];
      if (args.length !== 1 || !isNode(c) || c.class !== "CONSTANT" || !isNode(c.value)) return;
      const v = c.value, id = isNode(v.type) ? v.type.id : "";
      if (v.is_null !== false || !["INTEGER", "BIGINT"].includes(String(id))) return undefined;
      const ms = Number(v.value);
      return Number.isSafeInteger(ms) ? { ms } : undefined;
    }
    let s = text(n);
    if (s === undefined && n.class === "CAST" && n.try_cast === false) {
      const t = n.cast_type;
      if (isNode(t) && t.id === "TIMESTAMP" && t.type_info === null) s = text(n.child);
    }
    if (s === undefined) return undefined;
    this.casts.push(s);
    return { cast: this.casts.length - 1 };
  }

  /**
   * The box a condition keeps, as a function of the casts' ms (called once they are known).
   */
  read(n: unknown): (ms: (number | undefined)[]) => Box {
    const any = () => ANY;
    if (!isNode(n)) return any;
    if (n.class === "CONJUNCTION" && Array.isArray(n.children)) {
      const parts = n.children.map((c) => this.read(c));
      if (n.type === "CONJUNCTION_AND") {
        return (ms) => parts.reduce((b, p) => intersect(b, p(ms)), ANY);
      }
      if (n.type === "CONJUNCTION_OR" && parts.length > 0) {
        return (ms) => parts.map((p) => p(ms)).reduce(union);
      }
      return any;
    }
    if (n.type === "COMPARE_IN" && Array.isArray(n.children)) {
      const [col, ...list] = n.children;
      const values = list.map(text);
      const name = column(col, this.qualifier);
      if (list.length === 0 || values.some((v) => v === undefined)) return any;
      return () => this.#strings(name, values as string[]);
    }
    if (n.type === "COMPARE_BETWEEN") {
      if (column(n.input, this.qualifier) !== "ts") return any;
      const lo = this.#time(n.lower), hi = this.#time(n.upper);
      return (ms) => intersect(bound(lo, ms, ">="), bound(hi, ms, "<="));
    }
    if (n.class !== "COMPARISON") return any;
    const op = OPS[String(n.type)];
    if (op === undefined) return any;
    const left = column(n.left, this.qualifier), right = column(n.right, this.qualifier);
    // `literal op column` reads as `column flipped(op) literal`
    const [name, other, o] = left !== "" ? [left, n.right, op] : [right, n.left, FLIP[op]!];
    if (name === "ts") {
      const t = this.#time(other);
      return (ms) => bound(t, ms, o);
    }
    const s = text(other);
    if (o !== "=" || s === undefined) return any;
    return () => this.#strings(name, [s]);
  }

  #strings(name: string, values: string[]): Box {
    const set = new Set(values);
    if (name === "metric") return { ...ANY, metrics: set };
    if (name === "host") return { ...ANY, hosts: set };
    if (name === "labels") return { ...ANY, labels: set };
    return ANY;
  }
}

const OPS: Record<string, string> = {
  COMPARE_EQUAL: "=",
  COMPARE_LESSTHAN: "<",
  COMPARE_LESSTHANOREQUALTO: "<=",
  COMPARE_GREATERTHAN: ">",
  COMPARE_GREATERTHANOREQUALTO: ">=",
};
const FLIP: Record<string, string> = { "=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<=" };

/** The box of `ts op t`, widened by {@linkcode SLACK} ms. */
function bound(
  t: { ms: number } | { cast: number } | undefined,
  casts: (number | undefined)[],
  op: string,
): Box {
  const ms = t === undefined ? undefined : "ms" in t ? t.ms : casts[t.cast];
  if (ms === undefined || !Number.isSafeInteger(ms)) return ANY;
  const from = op === ">" || op === ">=" || op === "=" ? ms - SLACK : ANY.from;
  const to = op === "<" || op === "<=" || op === "=" ? ms + SLACK : ANY.to;
  return { from: Math.max(from, ANY.from), to: Math.min(to, ANY.to) };
}

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
