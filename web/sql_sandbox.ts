/**
 * A DuckDB instance that can only read the lake, for `POST /api/query`.
 *
 * The lake views are created first; then the instance may reach only the lake's Parquet folders
 * (`allowed_directories`), all other file access, extension loading and configuration changes
 * are switched off (`enable_external_access = false`, `lock_configuration = true`). On top of
 * that each request must be one read-only statement (checked by keyword and by DuckDB's own
 * statement type), returns at most `rowLimit` rows and is interrupted after `timeoutMs`.
 *
 * @module
 */
import { DuckDBInstance, StatementType } from "@duckdb/node-api";
import { BadRequestError, ForbiddenError, QueryTimeoutError, UnavailableError } from "./errors.ts";

/** Options for {@linkcode openSqlSandbox}. */
export interface SqlSandboxOptions {
  /** Lake root (the folder holding `metrics/`, `rollup_1m/`, `rollup_1h/`). */
  root: string;
  /** Most rows returned; more are cut off and `truncated` is set. Default 10 000. */
  rowLimit?: number;
  /** Time limit per query in ms, after which it is interrupted. Default 10 000. */
  timeoutMs?: number;
  /** Queries running at once before others get 503. Default 2. */
  maxConcurrent?: number;
  /** DuckDB memory limit for the sandbox. Default `512MB`. */
  memoryLimit?: string;
}

/** One column of a query result. */
export interface QueryColumn {
  /** Column name. */
  name: string;
  /** DuckDB type, e.g. `DOUBLE`, `TIMESTAMP`. */
  type: string;
}

/** A query result, JSON-ready (big integers and timestamps as strings). */
export interface QueryResult {
  /** Columns in order. */
  columns: QueryColumn[];
  /** Rows, each an array in column order. */
  rows: unknown[][];
  /** True when more rows existed than `rowLimit`. */
  truncated: boolean;
}

/** A read-only SQL endpoint over the lake. */
export interface SqlSandbox {
  /**
   * Runs one read-only statement.
   *
   * @param sql The statement.
   * @returns The result.
   * @throws {BadRequestError} Empty, several statements, or a DuckDB error (syntax, catalog).
   * @throws {ForbiddenError} Anything that is not a read-only query, or touches other files.
   * @throws {QueryTimeoutError} When the time limit interrupted it.
   * @throws {UnavailableError} When too many queries are already running.
   */
  query(sql: string): Promise<QueryResult>;
  /** Releases the DuckDB instance. */
  close(): void;
}

const ROLLUP = { min: "DOUBLE", avg: "DOUBLE", max: "DOUBLE", last: "DOUBLE", count: "BIGINT" };
const TIERS = [
  { view: "samples", dir: "metrics", cols: { value: "DOUBLE" } },
  { view: "rollup_1m", dir: "rollup_1m", cols: ROLLUP },
  { view: "rollup_1h", dir: "rollup_1h", cols: ROLLUP },
] as const;
const KEYS = { ts: "TIMESTAMP", host: "VARCHAR", metric: "VARCHAR", labels: "VARCHAR" };

const READ_ONLY =
  /^(select|with|from|values|table|show|describe|desc|summarize|explain|pivot|unpivot)\b/i;

function hasParquet(dir: string): boolean {
  let entries: Iterable<Deno.DirEntry>;
  try {
    entries = Deno.readDirSync(dir);
  } catch {
    return false;
  }
  for (const e of entries) {
    if (e.isFile && e.name.endsWith(".parquet")) return true;
    if (e.isDirectory && hasParquet(`${dir}/${e.name}`)) return true;
  }
  return false;
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

function stripLeadingComments(sql: string): string {
  let rest = sql.trimStart();
  for (;;) {
    if (rest.startsWith("--")) {
      const nl = rest.indexOf("\n");
      rest = nl < 0 ? "" : rest.slice(nl + 1).trimStart();
    } else if (rest.startsWith("/*")) {
      const end = rest.indexOf("*/");
      rest = end < 0 ? "" : rest.slice(end + 2).trimStart();
    } else return rest.replace(/^\(+\s*/, "");
  }
}

async function createInstance(root: string, present: boolean[], memoryLimit: string) {
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    const allowed: string[] = [];
    for (const [i, tier] of TIERS.entries()) {
      const dir = `${root}/${tier.dir}`;
      const columns = Object.entries({ ...KEYS, ...tier.cols });
      if (present[i]) {
        allowed.push(quote(`${dir}/`));
        await conn.run(
          `CREATE VIEW ${tier.view} AS SELECT ${columns.map(([c]) => `"${c}"`).join(", ")} ` +
            `FROM read_parquet(${quote(`${dir}/**/*.parquet`)}, hive_partitioning = true, ` +
            `union_by_name = true)`,
        );
      } else {
        const nulls = columns.map(([c, t]) => `NULL::${t} AS "${c}"`).join(", ");
        await conn.run(`CREATE VIEW ${tier.view} AS SELECT ${nulls} WHERE false`);
      }
    }
    await conn.run(`SET memory_limit = ${quote(memoryLimit)}`);
    await conn.run("SET autoinstall_known_extensions = false");
    await conn.run("SET autoload_known_extensions = false");
    await conn.run(`SET allowed_directories = [${allowed.join(", ")}]`);
    await conn.run("SET enable_external_access = false");
    await conn.run("SET lock_configuration = true");
  } finally {
    conn.closeSync();
  }
  return instance;
}

/**
 * Opens the read-only SQL sandbox over a lake. Tiers without any Parquet file yet get empty
 * views with the right columns; the instance is rebuilt once files appear.
 *
 * @param options Lake root and limits.
 * @returns The sandbox.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openSqlSandbox } from "./sql_sandbox.ts";
 * const sandbox = await openSqlSandbox({ root: await Deno.makeTempDir() });
 * const result = await sandbox.query("SELECT count(*) AS n FROM samples");
 * assert.deepEqual(result.rows, [["0"]]);
 * await assert.rejects(sandbox.query("SELECT * FROM read_text('/etc/passwd')"), /Permission/);
 * sandbox.close();
 * ```
 */
export async function openSqlSandbox(options: SqlSandboxOptions): Promise<SqlSandbox> {
  const root = Deno.realPathSync(options.root);
  const rowLimit = options.rowLimit ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxConcurrent = options.maxConcurrent ?? 2;
  const memoryLimit = options.memoryLimit ?? "512MB";
  const scan = () => TIERS.map((t) => hasParquet(`${root}/${t.dir}`));
  let present = scan();
  let instance = await createInstance(root, present, memoryLimit);
  let running = 0;

  async function current(): Promise<DuckDBInstance> {
    if (present.every(Boolean)) return instance;
    const now = scan();
    if (now.some((p, i) => p !== present[i])) {
      const next = await createInstance(root, now, memoryLimit);
      const old = instance;
      instance = next;
      present = now;
      if (running === 0) old.closeSync();
    }
    return instance;
  }

  async function query(sql: string): Promise<QueryResult> {
    const text = stripLeadingComments(sql);
    if (text.trim() === "") throw new BadRequestError("Invalid sql: empty statement");
    if (!READ_ONLY.test(text)) {
      throw new ForbiddenError(
        "Refused sql: only read-only queries (SELECT, WITH, FROM, VALUES, SHOW, DESCRIBE, " +
          "SUMMARIZE, EXPLAIN, PIVOT) are allowed",
      );
    }
    if (running >= maxConcurrent) {
      throw new UnavailableError(`Too many queries: ${running} running, try again shortly`);
    }
    running++;
    const conn = await (await current()).connect();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      conn.interrupt();
    }, timeoutMs);
    try {
      const statements = await conn.extractStatements(sql);
      if (statements.count !== 1) {
        throw new BadRequestError(
          `Invalid sql: expected exactly one statement, got ${statements.count}`,
        );
      }
      const prepared = await statements.prepare(0);
      if (
        prepared.statementType !== StatementType.SELECT &&
        prepared.statementType !== StatementType.EXPLAIN
      ) {
        throw new ForbiddenError("Refused sql: only read-only queries are allowed");
      }
      const reader = await prepared.streamAndReadUntil(rowLimit + 1);
      const names = reader.columnNames();
      const types = reader.columnTypes();
      const rows = reader.getRowsJson() as unknown[][];
      const truncated = rows.length > rowLimit;
      if (truncated) rows.length = rowLimit;
      return {
        columns: names.map((name, i) => ({ name, type: String(types[i]) })),
        rows,
        truncated,
      };
    } catch (error) {
      throw mapError(error, timedOut, timeoutMs);
    } finally {
      clearTimeout(timer);
      conn.closeSync();
      running--;
    }
  }

  return {
    query,
    close() {
      instance.closeSync();
    },
  };
}

function mapError(error: unknown, timedOut: boolean, timeoutMs: number): unknown {
  if (error instanceof BadRequestError || error instanceof ForbiddenError) return error;
  const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
  if (timedOut || /^INTERRUPT/i.test(message)) return new QueryTimeoutError(timeoutMs);
  if (
    /^(Permission|Invalid Input) Error/.test(message) &&
    /configuration|disabled|locked/.test(message)
  ) {
    return new ForbiddenError(`Refused sql: ${message}`, { cause: error });
  }
  return new BadRequestError(`Invalid sql: ${message}`, { cause: error });
}
