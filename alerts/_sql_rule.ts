/**
 * SQL rules: a SELECT run every `every` through the injected query function (the `/api/query`
 * sandbox in serve), never overlapping itself; each row is an instance, its `value` column (else
 * its last numeric column) the value and its other columns the labels.
 *
 * @module
 */
import { canonicalHost } from "../lake/mod.ts";
import type { Live, RuleEntry } from "./_engine_parts.ts";

/** Most rows (instances) one SQL rule takes; more are ignored. */
export const MAX_SQL_ROWS = 1000;

/**
 * Starts the rule's query when it is due and none is in flight.
 *
 * @param entry The rule.
 * @param now Evaluation time.
 * @param query The query function, if any.
 * @param pending Promises in flight (for `settle`).
 */
export function sqlTick(
  entry: RuleEntry,
  now: number,
  query: ((sql: string) => Promise<Record<string, unknown>[]>) | undefined,
  pending: Set<Promise<void>>,
): void {
  if (entry.running || now < entry.nextAt) return;
  entry.nextAt = now + entry.rule.everyMs;
  if (!query) {
    entry.error = "SQL rules need the query sandbox (they run in serve)";
    entry.fresh = true;
    return;
  }
  entry.running = true;
  const run: Promise<void> = query(entry.rule.sql).then((rows) => {
    entry.result = rows.slice(0, MAX_SQL_ROWS).map(rowOf);
    entry.error = undefined;
  }, (error) => {
    entry.error = `query failed: ${error instanceof Error ? error.message : String(error)}`;
  }).finally(() => {
    entry.running = false;
    entry.fresh = true;
    pending.delete(run);
  });
  pending.add(run);
}

function number(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && v.trim() !== "") return Number(v);
  return NaN;
}

function rowOf(row: Record<string, unknown>): { labels: Record<string, string>; value: number } {
  const keys = Object.keys(row);
  // the sandbox gives BIGINT and DECIMAL as strings (exact digits): those count as numbers
  const valueKey = "value" in row ? "value" : keys.findLast((k) => Number.isFinite(number(row[k])));
  const labels: Record<string, string> = {};
  for (const k of keys) {
    const v = row[k];
    if (k !== valueKey && v !== null && v !== undefined) labels[k] = String(v);
  }
  // host names are one host in any case (lake canonicalHost): a query's `upper(host)` or a
  // literal 'Web1' labels its alert as the lake does, which is what an Alertmanager silence sees
  if (labels.host !== undefined) labels.host = canonicalHost(labels.host);
  return { labels, value: valueKey === undefined ? NaN : number(row[valueKey]) };
}

/**
 * Applies a finished run to the rule's instances: rows become (or refresh) instances, the
 * others are marked absent from the result (they step as if their condition stopped holding, and
 * the engine forgets them once inactive: see {@linkcode sqlForgettable}); a failure marks the
 * rule's base instance.
 *
 * @param entry The rule.
 * @param instance Gets or creates the instance of a label set.
 */
export function sqlApply(
  entry: RuleEntry,
  instance: (labels: Record<string, string>) => Live,
): void {
  if (!entry.fresh) return;
  entry.fresh = false;
  const base = instance({});
  if (entry.error !== undefined) {
    base.error = entry.error;
    return;
  }
  base.error = undefined;
  // a row gone from the result takes its error with it: the instance steps to inactive (and is
  // then forgotten by the engine's cleanup) instead of staying in error for good
  for (const inst of entry.insts.values()) (inst.side!.inResult = false, inst.error = undefined);
  for (const row of entry.result ?? []) {
    const inst = instance(row.labels);
    inst.side!.inResult = true;
    inst.side!.rowValue = row.value;
    if (Number.isNaN(row.value)) inst.error = "the row has no numeric value column";
    else inst.error = undefined;
  }
}

/**
 * Whether the cleanup may forget this instance of a SQL rule: its label set left the result and
 * it is inactive (a firing one resolved first, after any `keep_firing_for`, and stayed listed as
 * resolved for the retention), so nothing would be lost; it comes back as a new instance if its
 * row does. The base instance (no labels: where the query's errors go) is kept.
 *
 * @param inst An instance of a SQL rule.
 * @param baseFp The fingerprint of the rule's base instance.
 * @returns True to forget it.
 */
export function sqlForgettable(inst: Live, baseFp: string): boolean {
  return inst.state === "inactive" && !inst.side!.inResult && inst.fp !== baseFp;
}
