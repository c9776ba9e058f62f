/**
 * Reads the counts of collect's closing line (`Collected 1,234 snapshots, wrote 380,072 rows in 12
 * files`), for the benches that run the collect CLI. The counts are grouped with commas since
 * collect and compact group them as the other commands do; a bare `\d+` read `1,234` as 1.
 *
 * @module
 */

/** The counts of collect's closing line. */
export interface CollectSummary {
  snapshots: number;
  rows: number;
}

/**
 * Finds collect's closing line in its output.
 *
 * @param out collect's stdout.
 * @returns Its snapshots and rows, or `undefined` when there is no such line.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { collectSummary } from "./_collect_summary.ts";
 * const out = "Collected 1,800 snapshots, wrote 554,400 rows in 31 files\n";
 * assert.deepEqual(collectSummary(out), { snapshots: 1800, rows: 554400 });
 * ```
 */
export function collectSummary(out: string): CollectSummary | undefined {
  const m = out.match(
    /Collected (\d{1,3}(?:,\d{3})*|\d+) snapshots?, wrote (\d{1,3}(?:,\d{3})*|\d+) rows?\b/,
  );
  if (m === null) return undefined;
  return { snapshots: count(m[1]!), rows: count(m[2]!) };
}

function count(text: string): number {
  return Number(text.replaceAll(",", ""));
}
