/**
 * `deno task query "SQL"`: run SQL over the lake's views (`samples`, `rollup_1m`, `rollup_1h`),
 * `samples` with the rows still in the spools on disk (the collector's, serve's ingest spool),
 * each row once across a flush.
 *
 * @module
 */

import { csvText, escapeControls } from "../format/mod.ts";
import {
  diskBufferedSnapshot,
  type Lake,
  openLake,
  SpoolBuffer,
  tableWithBuffered,
} from "../lake/mod.ts";
import { existingLake, parseFlags, runMain, UsageError } from "./_args.ts";
import { commandConfig, CONFIG_FLAG, CONFIG_HELP } from "./_config.ts";

const usage = `Usage: deno task query "SQL" [options]

Runs one SQL statement over the lake with DuckDB in memory. Views:
  samples    (ts, host, metric, labels, value, date)          raw samples
  rollup_1m  (ts, host, metric, labels, min, avg, max, last, count, date)
  rollup_1h  same columns, one-hour buckets (up to the last compaction)

samples also holds the rows not yet written to Parquet that are on disk, each once across a
flush, as /api/query shows them: the collector's spool (its last minute; serve's own collection
too) and serve's ingest spool (what it accepted from pushes, OTLP, StatsD, scrapes and probes,
until its flush). serve's in-memory ingest buffer cannot be read from another process; its
ingest spool holds the same rows (each is spooled before it is acknowledged). Not sandboxed:
the statement runs with your rights, without the row and time limits of /api/query.

Options:
  --data DIR        lake root (default data)
  --format FORMAT   table (default), csv or json
  --no-buffered     read the Parquet files only (no spool)
${CONFIG_HELP}
  -h, --help        show this help

Example:
  deno task query "SELECT metric, count(*) AS n FROM samples GROUP BY 1 ORDER BY 1"`;

const formats = ["table", "csv", "json"] as const;

/**
 * Runs the query and prints the result on stdout.
 *
 * @param args Command-line arguments.
 * @param write Where output goes. Default: stdout.
 * @returns Exit code 0.
 * @throws {UsageError} On bad flags or a missing SQL argument.
 * @throws {LakeError} If the SQL fails.
 */
export async function main(args: string[], write: (text: string) => void = print): Promise<number> {
  const parsed = parseFlags(args, {
    data: { type: "string" },
    format: { type: "string", default: "table" },
    "no-buffered": { type: "boolean" },
    ...CONFIG_FLAG,
    help: { type: "boolean", short: "h" },
  }, true);
  const { values, positionals } = parsed;
  if (values.help) {
    write(usage + "\n");
    return 0;
  }
  const format = values.format as (typeof formats)[number];
  if (!formats.includes(format)) {
    throw new UsageError(`Invalid --format: ${values.format} (use table, csv or json)`);
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      `Expected one SQL statement, got ${positionals.length} arguments (see --help)`,
    );
  }
  if (!positionals[0]!.trim()) {
    // it said "got 1 arguments", which is what it got
    throw new UsageError(
      `Expected one SQL statement, got an empty one (e.g. "SELECT count(*) FROM samples")`,
    );
  }
  const root = existingLake(values.data ?? (await commandConfig(values.config)).data ?? "data");
  const lake = await openLake({ root });
  try {
    const sql = positionals[0]!;
    await refuseSelects(lake, sql);
    // one follower across attempts: a retry reads only what the collector appended since
    const spool = new SpoolBuffer(root);
    const { columns, rows } = values["no-buffered"]
      ? await lake.table(sql)
      : await tableWithBuffered(
        lake,
        sql,
        (filter) => diskBufferedSnapshot(root, filter, { spool, ingest: true }),
      );
    write(
      format === "json"
        ? toJson(columns, rows)
        : format === "csv"
        ? toCsv(columns, rows)
        : toTable(columns, rows),
    );
    return 0;
  } finally {
    lake.close();
  }
}

/**
 * Refuses several SELECTs in one argument: `SELECT 1; SELECT 2` printed the first one's rows
 * alone, as if that were the answer. DuckDB's parser serializes SELECTs only, so a script that
 * also writes (`CREATE TABLE t AS …; SELECT * FROM t`) runs as before, as the user's own SQL.
 */
async function refuseSelects(lake: Lake, sql: string): Promise<void> {
  const [row] = await lake.query<{ s: unknown }>("SELECT json_serialize_sql($1::VARCHAR) AS s", [
    sql,
  ]);
  let statements = 0;
  try {
    const tree = JSON.parse(String(row?.s)) as { error?: unknown; statements?: unknown };
    if (tree.error === false && Array.isArray(tree.statements)) statements = tree.statements.length;
  } catch {
    return; // not a tree of SELECTs: DuckDB says what is wrong when it runs
  }
  if (statements > 1) {
    throw new UsageError(
      `Expected one SQL statement, got ${statements} SELECTs (run them one at a time)`,
    );
  }
}

function print(text: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(text));
}

/** JSON has no NaN or Infinity: they are written as the strings "NaN", "Infinity". */
function finite(_key: string, v: unknown): unknown {
  return typeof v === "number" && !Number.isFinite(v) ? String(v) : v;
}

/** A table cell: its control characters escaped, since labels hold what processes and clients
 * chose (a process's name set an xterm's title through `perfscope query`). */
function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") return JSON.stringify(v, finite);
  return escapeControls(String(v));
}

function toJson(columns: string[], rows: unknown[][]): string {
  const objects = rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])));
  return JSON.stringify(objects, finite, 0)
    .replace(/^\[/, "[\n").replace(/\},\{/g, "},\n{").replace(/\]$/, "\n]") + "\n";
}

function toCsv(columns: string[], rows: unknown[][]): string {
  return csvText(columns, rows);
}

function toTable(columns: string[], rows: unknown[][]): string {
  const text = rows.map((r) => r.map(cell));
  // a loop, not Math.max(...cells): spreading 300,000 rows' cells overflows the call stack
  const widths = columns.map((c) => c.length);
  for (const r of text) r.forEach((s, i) => (widths[i] = Math.max(widths[i]!, s.length)));
  const numeric = columns.map((_, i) =>
    rows.length > 0 && rows.every((r) => r[i] === null || typeof r[i] === "number")
  );
  const line = (r: string[]) =>
    r.map((s, i) => numeric[i] ? s.padStart(widths[i]!) : s.padEnd(widths[i]!)).join("  ")
      .trimEnd();
  const out = [line(columns), widths.map((w) => "-".repeat(w)).join("  "), ...text.map(line)];
  out.push(`(${rows.length} row${rows.length === 1 ? "" : "s"})`);
  return out.join("\n") + "\n";
}

if (import.meta.main) runMain("query", main);
