/**
 * The audit log as DuckDB views on the lake's connection: `audit` (every record) and
 * `audit_entries` (an action's started and completed records joined; `outcome = 'unknown'` for an
 * action whose process died mid-way). The JSON lines are read where they are, so the views are
 * never behind the log; `deno task audit --sql` queries them.
 *
 * @module
 */
import type { Lake } from "../lake/mod.ts";

const COLUMNS = {
  id: "VARCHAR",
  ts: "BIGINT",
  phase: "VARCHAR",
  workflow: "VARCHAR",
  step: "VARCHAR",
  who: "VARCHAR",
  what: "VARCHAR",
  why: "VARCHAR",
  evidence: "JSON",
  old: "VARCHAR",
  new: "VARCHAR",
  mode: "VARCHAR",
  result: "VARCHAR",
  detail: "VARCHAR",
  durationMs: "DOUBLE",
  host: "VARCHAR",
  pid: "BIGINT",
};

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * Creates (or replaces) the temporary views `audit` and `audit_entries` on a lake's connection.
 *
 * @param lake The open lake.
 * @param root Lake root (the log is in `<root>/audit/*.jsonl`).
 * @returns Once the views exist (empty when there is no log yet).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openLake } from "../lake/mod.ts";
 * import { AuditLog } from "./audit_log.ts";
 * import { auditView } from "./audit_view.ts";
 * const root = await Deno.makeTempDir();
 * new AuditLog(root).start({ workflow: "w", who: "t", what: "x", why: "y", mode: "real" });
 * const lake = await openLake({ root });
 * await auditView(lake, root);
 * const [row] = await lake.query("SELECT outcome FROM audit_entries");
 * assert.equal(row!.outcome, "unknown");
 * lake.close();
 * ```
 */
export async function auditView(lake: Lake, root: string): Promise<void> {
  let any = false;
  try {
    for (const e of Deno.readDirSync(`${root}/audit`)) if (e.name.endsWith(".jsonl")) any = true;
  } catch {
    // no log yet
  }
  const cols = Object.entries(COLUMNS);
  const source = any
    ? `read_json(${quote(`${root}/audit/*.jsonl`)}, format = 'newline_delimited', ` +
      `ignore_errors = true, columns = {${cols.map(([k, t]) => `${k}: '${t}'`).join(", ")}})`
    : `(SELECT ${cols.map(([k, t]) => `NULL::${t} AS ${k}`).join(", ")} WHERE false)`;
  await lake.query(
    `CREATE OR REPLACE TEMP VIEW audit AS SELECT * REPLACE (epoch_ms(ts) AS ts) FROM ${source} WHERE id IS NOT NULL`,
  );
  await lake.query(`CREATE OR REPLACE TEMP VIEW audit_entries AS
    SELECT s.id, s.ts AS started, c.ts AS completed, s.workflow, s.step, s.who, s.what, s.why,
      s.mode, s.old, coalesce(c.new, s.new) AS new,
      coalesce(c.result, CASE WHEN s.phase = 'started' THEN 'unknown' ELSE s.result END) AS outcome,
      coalesce(c.detail, s.detail) AS detail, c.durationMs AS duration_ms, s.host, s.evidence
    FROM audit s LEFT JOIN audit c ON c.id = s.id AND c.phase = 'completed'
    WHERE s.phase <> 'completed'`);
}
