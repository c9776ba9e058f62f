/**
 * `deno task audit [--data DIR] [--since 7d] [--json] [--sql QUERY]`: prints the workflows' audit
 * log, newest first, one line per decision or action; an action whose process died mid-way shows
 * as "started, outcome unknown".
 *
 * @module
 */
import { escapeControls } from "../format/mod.ts";
import { openLake } from "../lake/mod.ts";
import { type AuditEntry, AuditLog, auditView } from "../workflows/mod.ts";
import { readOnlyRefusal } from "../web/mod.ts";
import { existingLake, parseFlags, parseSpan, runMain, UsageError } from "./_args.ts";
import { commandConfig, CONFIG_FLAG, CONFIG_HELP } from "./_config.ts";

/** What `--sql` may read: the audit views and the lake's. */
const AUDIT_VIEWS = ["audit", "audit_entries", "samples", "rollup_1m", "rollup_1h"];

const USAGE = `Usage: deno task audit [--data DIR] [--since 7d] [--json] [--sql QUERY]

Prints the audit log of workflows and scheduled jobs (DATA/audit/*.jsonl): who did what, why,
old → new value, dry-run or real, result and duration. An action started but never completed
(the process was killed) shows as "started, outcome unknown".

Options:
  --data DIR        lake root (default data)
  --since DUR       only records this recent (default 7d)
  --json            one JSON object per line instead of text
  --sql QUERY       one read-only SELECT over the views audit (records) and audit_entries
                    (actions), checked as /api/query checks it (writes, COPY, files refused)
${CONFIG_HELP}
  -h, --help        show this help`;

/**
 * Formats one entry as a line of text.
 *
 * @param e The entry.
 * @returns The line.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatEntry } from "./audit.ts";
 * const line = formatEntry({ id: "1", ts: 0, startedAt: 0, phase: "started", workflow: "w", who: "workflow:w",
 *   what: "sysctl vm.swappiness 60 → 10", why: "alert A firing", mode: "real", host: "h", pid: 1, outcome: "unknown" });
 * assert.match(line, /started, outcome unknown/);
 * ```
 */
export function formatEntry(e: AuditEntry): string {
  const outcome = e.outcome === "unknown" ? "started, outcome unknown" : e.outcome;
  const took = e.durationMs === undefined ? "" : ` in ${e.durationMs} ms`;
  const detail = e.detail ? ` — ${e.detail}` : "";
  // one entry, one line, and nothing for the terminal to act on: `detail` holds a command step's
  // output (colour codes, a title) and `what`/`why` an alert's labels
  return escapeControls(
    `${new Date(e.startedAt).toISOString()}  ${
      e.mode.padEnd(7)
    }  ${outcome}${took}  ${e.who}  ${e.what}  (${e.why})${detail}`,
  );
}

/**
 * Runs the command.
 *
 * @param args Command-line arguments.
 * @param write Where output goes. Default stdout.
 * @returns Exit code 0.
 * @throws {UsageError} On bad flags.
 */
export async function main(
  args: string[],
  write: (line: string) => void = (line) => console.log(line),
): Promise<number> {
  const { values } = parseFlags(args, {
    data: { type: "string" },
    since: { type: "string" },
    json: { type: "boolean" },
    sql: { type: "string" },
    ...CONFIG_FLAG,
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    write(USAGE);
    return 0;
  }
  const config = await commandConfig(values.config);
  const root = existingLake(values.data ?? config.data ?? "data");
  if (values.sql !== undefined) {
    const lake = await openLake({ root });
    try {
      // the operator's DuckDB may write files (COPY … TO could forge DATA/audit): only a SELECT
      // checked as /api/query checks it runs here
      const refusal = await readOnlyRefusal(
        async (text) => {
          const tree = String(
            (await lake.query<{ s: unknown }>("SELECT json_serialize_sql($1::VARCHAR) AS s", [
              text,
            ]))[0]?.s,
          );
          // a typo (`SELEC`) read "Refused --sql: only read-only queries are allowed"
          const parsed = syntaxError(tree);
          if (parsed !== undefined) throw new UsageError(`Invalid --sql: ${parsed}`);
          return tree;
        },
        values.sql,
        AUDIT_VIEWS,
      );
      if (refusal !== undefined) {
        throw new UsageError(
          `Refused --sql: ${refusal} (one SELECT of ${AUDIT_VIEWS.join(", ")})`,
        );
      }
      await auditView(lake, root);
      for (const row of await lake.query(values.sql)) {
        write(JSON.stringify(row, (_k, v) => (typeof v === "bigint" ? Number(v) : v)));
      }
    } finally {
      lake.close();
    }
    return 0;
  }
  const since = Date.now() - parseSpan(values.since ?? "7d", "since");
  const entries = await new AuditLog(root).read({ since });
  if (entries.length === 0 && !values.json) {
    write(`No audit records since ${new Date(since).toISOString()} in ${root}/audit/`);
  }
  for (const e of entries) write(values.json ? JSON.stringify(e) : formatEntry(e));
  return 0;
}

/** DuckDB's parser error of a syntax tree (`json_serialize_sql`), if that is what it holds. */
function syntaxError(tree: string): string | undefined {
  try {
    const t = JSON.parse(tree) as {
      error?: unknown;
      error_type?: unknown;
      error_message?: unknown;
    };
    return t.error === true && t.error_type === "parser" ? String(t.error_message) : undefined;
  } catch {
    return undefined; // the check that follows refuses what cannot be read
  }
}

if (import.meta.main) runMain("audit", (args) => main(args));
