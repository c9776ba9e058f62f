/**
 * The read-only SQL endpoint behind `POST /api/query`: DuckDB over the lake, in child processes.
 *
 * Each statement runs in a child process (`_sql_child.ts`, at most `maxConcurrent` of them,
 * started on demand and reused). Only a SELECT passes, checked on DuckDB's own syntax tree
 * before anything binds it (EXPLAIN only of such a SELECT, never EXPLAIN ANALYZE), reading only
 * the views and a few generator table functions. It runs in an in-memory DuckDB instance that
 * has views over explicit lists of the lake's visible files (the rule `openLake` uses; listed
 * here, on the server thread, with the rows not yet in Parquet that `samples` shows too: see
 * {@linkcode SqlSandboxOptions.buffered}), may open
 * only those files, has external access off, its configuration locked and a private folder for
 * spills; the instance is rebuilt when the lake's files change, and nothing is ever written to
 * it (a dynamic PIVOT, which creates enum types, gets a throwaway instance).
 *
 * The child serializes rows within `rowLimit` and `maxBytes`, so the server thread only
 * forwards bytes. The server kills the child over `timeoutMs` (408) or over `maxMemoryBytes`
 * of resident memory (422); the next query starts a new one.
 *
 * @module
 */
import {
  type BufferedFilter,
  bufferedSnapshot,
  type BufferedSource,
  EVERY_ROW,
} from "../lake/mod.ts";
import type { ChildRequest } from "./_sql_child.ts";
import { SqlProcess, type TakeRows } from "./_sql_process.ts";
import { BadRequestError, ForbiddenError, HttpError, UnavailableError } from "./errors.ts";

/** Options for {@linkcode openSqlSandbox}. */
export interface SqlSandboxOptions {
  /** Lake root (the folder holding `metrics/`, `rollup_1m/`, `rollup_1h/`). */
  root: string;
  /** Most rows returned; more are cut off and `truncated` is set. Default 10 000. */
  rowLimit?: number;
  /** Most bytes of a response body; rows past it are cut off (`truncated`). Default 8 MiB. */
  maxBytes?: number;
  /** Time limit per query in ms, after which its process is killed (408). Default 10 000. */
  timeoutMs?: number;
  /** Queries running at once before others get 503. Default 2. */
  maxConcurrent?: number;
  /** DuckDB's own memory limit (it spills or fails past it). Default `512MB`. */
  memoryLimit?: string;
  /** Resident memory of a query process past which it is killed (422). Default 1 GiB. */
  maxMemoryBytes?: number;
  /** DuckDB threads per query. Default: DuckDB's (the number of cores). */
  threads?: number;
  /**
   * Rows accepted but not yet in Parquet (serve: the collector's spool and the ingest writer,
   * `joinBuffered`, the source its lake includes). `samples` then shows them with the files,
   * each row once across a flush: the server lists the files and copies these rows in one step
   * (`bufferedSnapshot`) and the statement reads that listing and that copy. Default none.
   */
  buffered?: BufferedSource;
  /**
   * How buffered rows go to the query process: `bytes`, their number columns as bytes after the
   * statement's JSON line, or `json`, inside it (the earlier way, kept to compare:
   * `bench/query_buffered_bench.ts`). Default `bytes`.
   */
  wire?: "bytes" | "json";
  /**
   * Copy only the buffered rows a statement can need: the query process reads that from the
   * checked statement's syntax tree (`bufferedFilterOf`: every row when unsure) and says so
   * before the copy is taken. False sends every buffered row with each statement that names
   * `samples` (the earlier way, kept to compare: `bench/query_buffered_bench.ts`). Default true.
   */
  prune?: boolean;
}

/** Whether a file of the listing is gone (a compaction replaced it after the listing): a
 * statement that failed then is tried again on a new listing. Its message does not say so
 * reliably: with external access off, DuckDB reports a missing file as one it may not open. */
function vanished(files: Record<string, string[]>): boolean {
  for (const list of Object.values(files)) {
    for (const path of list) {
      try {
        Deno.statSync(path);
      } catch {
        return true;
      }
    }
  }
  return false;
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
  /** True when rows were cut off at `rowLimit` or `maxBytes`. */
  truncated: boolean;
}

/** A query result already serialized by the query process. */
export interface QueryBody {
  /**
   * UTF-8 bytes: for `json` the object `{"columns", "rows", "truncated"}` (a
   * {@linkcode QueryResult}); for `csv` a header row then one line per row (RFC 4180).
   */
  body: Uint8Array<ArrayBuffer>;
  /** True when rows were cut off at `rowLimit` or `maxBytes`. */
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
   * @throws {ForbiddenError} Anything that is not a read-only query of the views.
   * @throws {QueryTimeoutError} Over the time limit.
   * @throws {QueryMemoryError} Over the memory cap.
   * @throws {UnavailableError} When too many queries are already running.
   */
  query(sql: string): Promise<QueryResult>;
  /**
   * Like `query`, but returns the serialized body (what `POST /api/query` sends).
   *
   * @param sql The statement.
   * @param format `json` or `csv`.
   * @returns The body and whether it was cut off.
   */
  queryBody(sql: string, format: "json" | "csv"): Promise<QueryBody>;
  /** Kills the query processes and waits for them. */
  close(): Promise<void>;
}

/**
 * Opens the read-only SQL sandbox over a lake. No process starts until the first query.
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
 * await assert.rejects(sandbox.query("SELECT * FROM read_text('/etc/passwd')"), /Refused/);
 * await sandbox.close();
 * ```
 */
export function openSqlSandbox(options: SqlSandboxOptions): Promise<SqlSandbox> {
  const config = {
    root: Deno.realPathSync(options.root),
    rowLimit: options.rowLimit ?? 10_000,
    maxBytes: options.maxBytes ?? 8 * 2 ** 20,
    memoryLimit: options.memoryLimit ?? "512MB",
    ...(options.threads ? { threads: options.threads } : {}),
  };
  const limits = {
    timeoutMs: options.timeoutMs ?? 10_000,
    maxMemoryBytes: options.maxMemoryBytes ?? 2 ** 30,
  };
  const maxConcurrent = options.maxConcurrent ?? 2;
  const idle: SqlProcess[] = [];
  const all = new Set<SqlProcess>();
  let running = 0;
  let closed = false;

  /** One listing and the rows of `filter` buffered then (see `bufferedSnapshot`). */
  function take(source: BufferedSource | undefined, filter: BufferedFilter) {
    const { files, rows } = bufferedSnapshot(config.root, source, filter);
    const listed = {
      samples: files.samples,
      rollup_1m: files.rollup_1m,
      rollup_1h: files.rollup_1h,
    };
    return { files: listed, ...(rows.ts.length > 0 && { buffered: rows }) };
  }

  /** The request, and how to take its listing and rows when the query process asks. */
  function request(sql: string, format: "json" | "csv"): {
    sent: ChildRequest;
    take?: TakeRows;
  } {
    // only `samples` shows buffered rows, and a statement reads it only by naming it: one that
    // does not (`rollup_1h` alone, `SELECT 42`) is not sent a copy of every buffered row
    const source = /samples/i.test(sql) ? options.buffered : undefined;
    if (source === undefined || options.prune === false) {
      return { sent: { sql, format, ...take(source, EVERY_ROW) } };
    }
    const sent: ChildRequest = { sql, format, ask: true };
    return {
      sent,
      take: (need) => {
        const rows = take(source, need);
        sent.files = rows.files; // what a retry checks for files a compaction removed
        return rows;
      },
    };
  }

  async function queryBody(sql: string, format: "json" | "csv"): Promise<QueryBody> {
    if (closed) throw new UnavailableError("Query failed: the sandbox is closed");
    if (running >= maxConcurrent) {
      throw new UnavailableError(`Too many queries: ${running} running, try again shortly`);
    }
    running++;
    const child = idle.pop() ?? new SqlProcess(config);
    all.add(child);
    try {
      for (let attempt = 1;; attempt++) {
        const { sent, take } = request(sql, format);
        const reply = await child.request(sent, limits, options.wire === "json", take);
        if (reply.ok) return { body: reply.body, truncated: reply.truncated };
        // a file of the listing removed by a compaction meanwhile: list again (as Lake does)
        if (attempt < 8 && vanished(sent.files ?? {})) continue;
        throw reply.status === 403
          ? new ForbiddenError(reply.message)
          : reply.status === 422
          ? new HttpError(422, reply.message)
          : new BadRequestError(reply.message);
      }
    } finally {
      running--;
      if (child.alive && !closed) idle.push(child);
      else child.close().finally(() => all.delete(child)).catch(() => {});
    }
  }

  return Promise.resolve({
    queryBody,
    async query(sql) {
      const { body } = await queryBody(sql, "json");
      return JSON.parse(new TextDecoder().decode(body)) as QueryResult;
    },
    async close() {
      closed = true;
      idle.length = 0;
      await Promise.all([...all].map((c) => c.close()));
      all.clear();
    },
  });
}
