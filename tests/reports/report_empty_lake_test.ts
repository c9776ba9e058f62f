import assert from "node:assert/strict";
import { openLake, simulateHost } from "../../lake/mod.ts";
import { writeReport } from "../../reports/mod.ts";

/** The report's text without markup, styles or scripts, spaces folded. */
function text(html: string): string {
  return html.replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/g, "").replace(/<[^>]+>/g, " ")
    .replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&").replace(/\s+/g, " ");
}

Deno.test("a new user's first report, of an empty lake, says there is not enough data yet, what is missing and what to run", async () => {
  // the first run: serve made the data directory, nothing is flushed to Parquet yet
  const root = await Deno.makeTempDir({ prefix: "perfscope-report-empty-" });
  try {
    const lake = await openLake({ root });
    const out = `${root}/report.html`;
    try {
      await writeReport(lake, { root, out }); // as `deno task report` runs: "now" is the newest sample
    } finally {
      lake.close();
    }
    const page = text(await Deno.readTextFile(out));
    // it read "series read at a unknown step" in its methods
    assert.doesNotMatch(page, /\ba unknown\b|unknown step/);
    assert.match(page, /Not enough data yet: No samples in the lake yet/);
    assert.match(page, /1 day of history/); // what an ETA needs
    assert.match(page, /deno task serve/);
    assert.match(page, /deno task report/);
    // no heading over nothing, no table of headings alone, no "Range – to –"
    assert.match(page, /Resources No resource with a known limit in the data, so nothing to chart/);
    const html = await Deno.readTextFile(out);
    assert.doesNotMatch(html, /<table class="methods">/);
    assert.doesNotMatch(page, /Range – to –/);
    assert.match(page, /No data, so no range; capacity horizon 30 days/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a report of five minutes of data draws no trend and its captions name none", async () => {
  // five minutes of `deno task collect`: no decomposition, so no trend line, yet each chart's
  // caption began "Observed series and trend"
  const root = await Deno.makeTempDir({ prefix: "perfscope-report-minutes-" });
  try {
    simulateHost({
      root,
      host: "vm",
      start: Date.UTC(2026, 11, 7, 13, 51),
      durationMs: 5 * 60_000,
      cpus: 2,
      topN: 1,
    });
    const lake = await openLake({ root });
    const out = `${root}/report.html`;
    try {
      await writeReport(lake, { root, out });
    } finally {
      lake.close();
    }
    const page = text(await Deno.readTextFile(out));
    assert.match(page, /Observed series; no forecast \(5 min of history; ETAs need 1 day\)/);
    assert.doesNotMatch(page, /Observed series and trend/);
    // the evidence row repeated the reason the time to exhaustion row gives
    assert.match(page, /evidence 5 min of history, \d+ points \(raw tier\) /);
    assert.doesNotMatch(page, /\(raw tier\): /);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
