import assert from "node:assert/strict";
import { collectSummary } from "../../bench/_collect_summary.ts";

// collect groups its counts since this session (`wrote 554,400 rows`); a bare \d+ read the
// snapshots and rows before the first comma: a rows-per-snapshot of 554 / 1
Deno.test("collectSummary() reads grouped counts whole, and bare ones as before", () => {
  const cases: [string, { snapshots: number; rows: number } | undefined][] = [
    ["Collected 1,800 snapshots, wrote 554,400 rows in 31 files\n", {
      snapshots: 1800,
      rows: 554400,
    }],
    ["Collected 1 snapshot, wrote 308 rows in 1 file\n", { snapshots: 1, rows: 308 }],
    ["[collect] Collected 12 snapshots, wrote 1,234,567 rows in 2 files", {
      snapshots: 12,
      rows: 1234567,
    }],
    ["Collected 1800 snapshots, wrote 554400 rows in 31 files", { snapshots: 1800, rows: 554400 }],
    ["Collecting every 1s into data", undefined],
  ];
  for (const [out, want] of cases) assert.deepEqual(collectSummary(out), want, out);
});
