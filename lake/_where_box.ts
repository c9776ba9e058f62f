/**
 * Private: the box of buffered rows a WHERE keeps (time range, metrics, hosts, labels), read from
 * DuckDB's syntax tree for `bufferedFilterOf` (`buffered_filter_of.ts`, which says
 * which conditions count).
 *
 * @module
 */

import { EVERY_ROW } from "./buffered_snapshot.ts";
import {
  isSqlNode as isNode,
  sqlLower as lower,
  type SqlNode,
  sqlNodes as nodes,
} from "./sql_tree.ts";

export type { SqlNode as Node };

// ms either side of a time bound: the rows' ts are rounded to whole ms in SQL
const SLACK = 2;

export { isNode, lower, nodes };

/** A filter as a box: each field undefined is "any". */
export interface Box {
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

/** The smallest box holding both. */
export function union(a: Box, b: Box): Box {
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
export class Where {
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
