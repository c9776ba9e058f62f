/**
 * Private: the process that runs `POST /api/query` statements (started by `sql_sandbox.ts`).
 *
 * Requests come on stdin, one JSON line each: `{"sql": "…", "format": "json" | "csv"}` (with
 * buffered rows, their number columns follow as bytes: `_sql_wire.ts`). Each
 * answer on stdout is one JSON header line, `{"ok": true, "bytes": N, "truncated": bool}` then
 * N bytes of body, or `{"ok": false, "status": 400 | 403 | 422, "message": "…"}`.
 *
 * A statement is first checked (`_sql_guard.ts`) on a DuckDB instance that only parses. It then
 * runs on a new connection of an in-memory instance whose views read explicit lists of the
 * lake's visible files (the request's `files`, listed by the server with the buffered rows it
 * sends, else `visibleFiles` here: the rule `openLake` uses); those files are the only paths
 * it may open (`allowed_paths`), external access is off, configuration is locked, spills go to a
 * private temporary folder. `samples` also reads two tables in the schema `_buffered` (a schema
 * the guard refuses to the statement), which hold the request's buffered rows for this statement
 * only: appended before it, deleted after it. Besides those appends, that instance only ever
 * runs checked SELECTs, and is rebuilt when the file list changes; a dynamic PIVOT (it creates
 * enum types) gets a throwaway instance. Rows are serialized here (`_sql_serialize.ts`), within
 * the limits, so the server only forwards bytes.
 *
 * @module
 */
import * as duckdb from "@duckdb/node-api";
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBPreparedStatement,
  StatementType,
} from "@duckdb/node-api";
import {
  appendBuffered,
  type BufferedFilter,
  bufferedFilterOf,
  bufferedSelectSql,
  bufferedTablesSql,
  castMsOn,
  EVERY_ROW,
  type Tier,
  visibleFiles,
} from "../lake/mod.ts";
import { astRefusal, leadingKeyword, pivotRefusal, treeProblem, VIEWS } from "./_sql_guard.ts";
import { serializeRows } from "./_sql_serialize.ts";
import { type ChildRequest, type Files, RequestReader, wireFilter } from "./_sql_wire.ts";

export type { ChildRequest, Files };

/** Settings of one child process (its first argument, as JSON). */
export interface ChildConfig {
  root: string;
  tmp: string;
  memoryLimit: string;
  rowLimit: number;
  maxBytes: number;
  threads?: number;
}

class Refusal extends Error {
  constructor(readonly status: 400 | 403, message: string) {
    super(message);
  }
}

const TIER_OF: Record<string, Tier> = {
  samples: "metrics",
  rollup_1m: "rollup_1m",
  rollup_1h: "rollup_1h",
};
const KEYS = "ts, host, metric, labels";
const COLUMNS: Record<string, [string, string][]> = {
  samples: [["value", "DOUBLE"]],
  rollup_1m: [["min", "DOUBLE"], ["avg", "DOUBLE"], ["max", "DOUBLE"], ["last", "DOUBLE"], [
    "count",
    "BIGINT",
  ]],
};
COLUMNS.rollup_1h = COLUMNS.rollup_1m!;
const KEY_TYPES: [string, string][] = [["ts", "TIMESTAMP"], ["host", "VARCHAR"], [
  "metric",
  "VARCHAR",
], ["labels", "VARCHAR"]];

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Where an instance keeps the buffered rows of the statement it runs (the guard refuses any
 * schema but `main` to the user's SQL, so only the `samples` view reads them). */
const BUFFERED = { schema: "_buffered", rows: "rows", series: "series" };

function lakeFiles(root: string): Files {
  return Object.fromEntries(VIEWS.map((v) => [v, visibleFiles(root, TIER_OF[v]!)]));
}

/** A DuckDB instance with the views over `files`, which may open those files and nothing else. */
async function openInstance(config: ChildConfig, files: Files): Promise<DuckDBInstance> {
  const instance = await DuckDBInstance.create(":memory:", {
    memory_limit: config.memoryLimit,
    temp_directory: config.tmp,
    max_temp_directory_size: "1GiB",
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
    ...(config.threads ? { threads: String(config.threads) } : {}),
  });
  const conn = await instance.connect();
  try {
    await conn.run(`CREATE SCHEMA ${BUFFERED.schema}; ${bufferedTablesSql(BUFFERED)}`);
    const allowed: string[] = [];
    for (const view of VIEWS) {
      const list = files[view] ?? [];
      const cols = COLUMNS[view]!;
      const names = `${KEYS}, ${cols.map(([c]) => c).join(", ")}`;
      const parts = view === "samples"
        ? [`SELECT ${names} FROM (${bufferedSelectSql(BUFFERED)})`]
        : [];
      if (list.length > 0) {
        allowed.push(...list.map(quote));
        parts.unshift(
          `SELECT ${names} FROM read_parquet([${list.map(quote).join(", ")}], ` +
            "hive_partitioning = true, hive_types_autocast = false, union_by_name = true)",
        );
      }
      if (parts.length === 0) {
        const nulls = [...KEY_TYPES, ...cols].map(([c, t]) => `NULL::${t} AS "${c}"`).join(", ");
        parts.push(`SELECT ${nulls} WHERE false`);
      }
      await conn.run(`CREATE VIEW ${view} AS ${parts.join(" UNION ALL ")}`);
    }
    await conn.run(`SET allowed_paths = [${allowed.join(", ")}]`);
    await conn.run("SET allowed_directories = []");
    await conn.run("SET enable_external_access = false");
    await conn.run("SET lock_configuration = true");
  } finally {
    conn.closeSync();
  }
  return instance;
}

let shared: { key: string; instance: DuckDBInstance } | undefined;

/**
 * The instance a plan runs on. Checked SELECTs (and EXPLAIN of one) share an instance until the
 * lake's file list changes: they cannot change it. A dynamic PIVOT creates enum types, so it
 * gets an instance of its own, closed after it.
 */
async function instanceFor(config: ChildConfig, plan: Plan, listed: Files | undefined) {
  const files = listed ?? lakeFiles(config.root);
  if (plan.kind === "pivot") return { instance: await openInstance(config, files), own: true };
  const key = JSON.stringify(files);
  if (shared?.key !== key) {
    shared?.instance.closeSync();
    shared = undefined;
    shared = { key, instance: await openInstance(config, files) };
  }
  return { instance: shared.instance, own: false };
}

const READ_ONLY = new Set([
  "select",
  "with",
  "from",
  "values",
  "table",
  "show",
  "describe",
  "desc",
  "summarize",
  "explain",
  "pivot",
  "unpivot",
]);
const REFUSED =
  "Refused sql: only read-only queries (SELECT, WITH, FROM, VALUES, SHOW, DESCRIBE, " +
  "SUMMARIZE, EXPLAIN, PIVOT) of the views are allowed";

type Conn = DuckDBConnection;

let checkerConn: Promise<Conn> | undefined;

/** The parse-only connection: an empty instance, no file access, configuration locked. */
function checker(config: ChildConfig): Promise<Conn> {
  checkerConn ??= (async () => {
    const instance = await DuckDBInstance.create(":memory:", {
      temp_directory: config.tmp,
      enable_external_access: "false",
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
      lock_configuration: "true",
    });
    return await instance.connect();
  })();
  return checkerConn;
}

/**
 * Refuses (403) unless `sql` is one SELECT whose syntax tree passes `astRefusal`.
 *
 * @returns The syntax tree (`json_serialize_sql`).
 */
async function checkSelect(conn: Conn, sql: string, refused = REFUSED): Promise<string> {
  const reader = await conn.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR)", [sql]);
  const serialized = String(reader.getRowsJson()[0]![0]);
  const problem = treeProblem(serialized, sql);
  if (problem) throw new Refusal(400, `Invalid sql: ${problem}`);
  if ((JSON.parse(serialized) as { error: boolean }).error) throw new Refusal(403, refused);
  const refusal = astRefusal(serialized);
  if (refusal) throw new Refusal(403, `Refused sql: ${refusal}`);
  return serialized;
}

/** What passed the checks: the text to prepare (with the syntax tree of a SELECT), or a
 * dynamic PIVOT. */
type Plan =
  | { kind: "select"; text: string; tree: string }
  | { kind: "explain"; text: string }
  | { kind: "pivot"; text: string };

/**
 * Checks a statement on a DuckDB instance that only parses (no views, no files), before any
 * instance binds or prepares it (binding runs table functions' bind code).
 */
async function check(checker: Conn, sql: string): Promise<Plan> {
  const lead = leadingKeyword(sql);
  if (lead.word === "") throw new Refusal(400, "Invalid sql: empty statement");
  // DuckDB's parser stops at a NUL, so whatever follows one would be neither checked nor run
  if (sql.includes("\0")) throw new Refusal(400, "Invalid sql: the statement contains a NUL");
  if (!READ_ONLY.has(lead.word)) {
    // a typo in the first word (SELEC) is a syntax error to name, not a write to refuse; any
    // other error (a PRAGMA is bound while parsed) is still refused
    const parse = await checker.extractStatements(sql).then(() => "", (e) => String(e?.message));
    const syntax = /Parser Error: [^\n]*/.exec(parse);
    if (syntax) throw new Refusal(400, `Invalid sql: ${syntax[0]}`);
    throw new Refusal(403, REFUSED);
  }
  const statements = await checker.extractStatements(sql);
  if (statements.count === 1) {
    if (lead.word !== "explain") {
      const tree = await checkSelect(checker, sql);
      return { kind: "select", text: sql, tree };
    }
    // what runs is EXPLAIN + a checked SELECT, never the text as sent
    const inner = sql.slice(lead.end);
    await checkSelect(
      checker,
      inner,
      "Refused sql: EXPLAIN is allowed only for a read-only query, without ANALYZE",
    );
    return { kind: "explain", text: `EXPLAIN ${inner}` };
  }
  if (statements.count > 1 && (lead.word === "pivot" || lead.word === "with")) {
    const refusal = pivotRefusal(sql);
    if (refusal) throw new Refusal(403, `Refused sql: ${refusal}`);
    const one = sql.replace(/[\s;]+$/, "");
    const single = await checker.extractStatements(`SELECT * FROM (\n${one}\n)`).then(
      () => true,
      () => false,
    );
    if (single) return { kind: "pivot", text: sql };
  }
  throw new Refusal(400, `Invalid sql: expected exactly one statement, got ${statements.count}`);
}

/** Prepares a checked plan on the instance with the views (the statement to stream). */
async function prepare(conn: Conn, plan: Plan): Promise<DuckDBPreparedStatement> {
  const statements = await conn.extractStatements(plan.text);
  const n = statements.count;
  if (plan.kind !== "pivot") {
    const prepared = await statements.prepare(0);
    const want = plan.kind === "select" ? StatementType.SELECT : StatementType.EXPLAIN;
    if (n !== 1 || prepared.statementType !== want) throw new Refusal(403, REFUSED);
    return prepared;
  }
  // a PIVOT without an IN list: CREATE TYPE statements (the distinct values), then one SELECT
  for (let i = 0; i < n; i++) {
    const prepared = await statements.prepare(i);
    const want = i === n - 1 ? StatementType.SELECT : StatementType.CREATE;
    if (prepared.statementType !== want) throw new Refusal(403, REFUSED);
    if (i === n - 1) return prepared;
    await prepared.run();
  }
  throw new Refusal(403, REFUSED);
}

function errorText(error: unknown, config: ChildConfig): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]!.replaceAll(config.root, "<lake>").replaceAll(config.tmp, "<tmp>");
}

/**
 * The buffered rows a checked plan can need: from a SELECT's syntax tree
 * (`bufferedFilterOf`), every row for EXPLAIN (its estimates count them) and a dynamic PIVOT.
 */
async function needOf(checker: Conn, plan: Plan): Promise<BufferedFilter> {
  if (plan.kind !== "select") return EVERY_ROW;
  return await bufferedFilterOf(plan.tree, castMsOn(checker));
}

/** Answers a request's `ask`: sends what the statement needs, returns the files and rows sent
 * back (`main` reads them from stdin). */
export type Exchange = (
  need: BufferedFilter,
) => Promise<Pick<ChildRequest, "files" | "buffered">>;

/**
 * Runs one request in a fresh DuckDB instance.
 *
 * @param request The statement and the output format.
 * @param config The child's settings.
 * @param exchange For a request that asks (`ask`): says what it needs, gets the files and rows.
 * @returns The header and the body bytes.
 */
export async function runChildRequest(
  request: ChildRequest,
  config: ChildConfig,
  exchange?: Exchange,
): Promise<{ header: Record<string, unknown>; body?: Uint8Array }> {
  let opened: { instance: DuckDBInstance; own: boolean } | undefined;
  let conn: DuckDBConnection | undefined;
  // the connection that filled the buffered tables, which empties them after the statement
  let filled: DuckDBConnection | undefined;
  try {
    const parser = await checker(config);
    const plan = await check(parser, request.sql);
    if (request.ask) {
      if (exchange === undefined) throw new Error("A request that asks needs an exchange");
      const sent = await exchange(await needOf(parser, plan));
      request = { ...request, ...sent };
    }
    opened = await instanceFor(config, plan, request.files);
    conn = await opened.instance.connect();
    if (request.buffered && request.buffered.ts.length > 0) {
      filled = conn;
      await appendBuffered(conn, duckdb, request.buffered, BUFFERED);
    }
    const prepared = await prepare(conn, plan);
    const { body, truncated } = await serializeRows(prepared, request.format, config);
    return { header: { ok: true, bytes: body.length, truncated }, body };
  } catch (error) {
    if (error instanceof Refusal) {
      return { header: { ok: false, status: error.status, message: error.message } };
    }
    const message = errorText(error, config);
    // a valid statement that needs more than DuckDB's memory_limit: a limit, not bad SQL
    if (/^Out of Memory Error/.test(message)) {
      return {
        header: {
          ok: false,
          status: 422,
          message: `Query memory limit: ${message} (aggregate, filter or LIMIT the query)`,
        },
      };
    }
    const denied = /^(Permission|Invalid Input) Error/.test(message) &&
      /configuration|disabled|locked|not allowed|access/i.test(message);
    return {
      header: {
        ok: false,
        status: denied ? 403 : 400,
        message: `${denied ? "Refused" : "Invalid"} sql: ${message}`,
      },
    };
  } finally {
    let stale = false;
    if (filled && !opened?.own) {
      const { schema, rows, series } = BUFFERED;
      // tables that cannot be emptied would show these rows again: the instance is replaced
      stale = await filled.run(`DELETE FROM ${schema}.${rows}; DELETE FROM ${schema}.${series}`)
        .then(() => false, () => true);
    }
    conn?.closeSync();
    if (opened?.own) opened.instance.closeSync();
    if (stale && shared?.instance === opened?.instance) {
      shared?.instance.closeSync();
      shared = undefined;
    }
  }
}

async function main(): Promise<void> {
  const config = JSON.parse(Deno.args[0]!) as ChildConfig;
  const out = Deno.stdout.writable.getWriter();
  const encoder = new TextEncoder();
  // load DuckDB before saying ready, so the first query's time limit does not pay for it
  await checker(config);
  await out.write(encoder.encode('{"ready":true}\n'));
  const requests = new RequestReader(Deno.stdin.readable);
  const exchange: Exchange = async (need) => {
    await out.write(encoder.encode(JSON.stringify({ need: wireFilter(need) }) + "\n"));
    const sent = await requests.next();
    if (sent === undefined) throw new Error("Request cut short");
    return sent;
  };
  for (let request; (request = await requests.next()) !== undefined;) {
    const { header, body } = await runChildRequest(request, config, exchange);
    await out.write(encoder.encode(JSON.stringify(header) + "\n"));
    if (body) await out.write(body);
  }
}

if (import.meta.main) await main();
