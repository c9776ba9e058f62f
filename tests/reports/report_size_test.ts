/**
 * The size budget of a report: 7 days × at least 50 series, read through the lake's compacted
 * rollups and the report's downsampling exactly as `deno task report` does, stays under 3 MB.
 * The hosts are simulated at a 30-minute step to keep the test quick; the report reads at a
 * 30-minute step either way, so the file is as large as for per-second data.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../cli/report.ts";
import { writeReportLake } from "../_report_lake.ts";

const DAY = 86_400_000;
const START = Date.UTC(2025, 0, 1);
const NOW = START + 7 * DAY;

Deno.test("a 7-day report of 50+ series read from the rollups stays under 3 MB", async () => {
  const root = await Deno.makeTempDir({ prefix: "perfscope-report-size-" });
  try {
    await writeReportLake({ root, start: START, days: 7, stepMs: 30 * 60_000 });
    const out = join(root, "report.html");
    const code = await main(["--data", root, "--now", new Date(NOW).toISOString(), "--out", out]);
    assert.equal(code, 0);
    const html = await Deno.readTextFile(out);
    const data = JSON.parse(
      html.slice(html.indexOf('id="report-data">') + 17, html.indexOf("</script>")),
    );
    assert.ok(data.resources.length >= 50, `only ${data.resources.length} series`);
    assert.ok(data.notes.some((n: string) => n.includes("lake tier 1m")), "read from the rollups");
    const bytes = (await Deno.stat(out)).size;
    assert.ok(bytes < 3_000_000, `${data.resources.length} series: ${bytes} bytes`);
    assert.ok(!html.includes("[object Object]"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
