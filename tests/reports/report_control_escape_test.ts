/**
 * A report of a lake whose label values hold a right-to-left override and a line separator
 * (stored before ingest refused them) shows them escaped, `\u202egnp.exe\u2028`, in its tables,
 * headings and recommendations (rendered in Deno) and in its charts' labels and legends (drawn by
 * its script): `<RLO>gnp.exe` read `exe.png`, even in its own isolate. The data inlined for the
 * charts keeps the values as they are.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openLake, writeSamples } from "../../lake/mod.ts";
import { buildReport, renderReport } from "../../reports/mod.ts";
import { browserTest } from "../_browser.ts";
import { shownText } from "../_shown_text.ts";
import { openReport } from "./_browser.ts";

const MINUTE = 60_000;
const NAME = "\u202egnp.exe\u2028";
const SHOWN = "\\u202egnp.exe\\u2028";

browserTest(
  "a report shows a bidi control and a line separator in a stored label value escaped (\\u202e), in its HTML and its charts",
  "the browser tests of the report",
  async () => {
    const root = await Deno.makeTempDir({ prefix: "perfscope-report-escape-" });
    // six hours of a file system filling up under the mount point NAME, and two services' requests
    const end = Date.UTC(2026, 11, 7, 12);
    const fs = { device: "/dev/x", fstype: "ext4", mountpoint: NAME };
    const rows = [];
    for (let ts = end - 360 * MINUTE, k = 0; ts <= end; ts += MINUTE, k++) {
      const used = 50e9 + k * 0.1e9;
      rows.push(
        { ts, host: "vm", metric: "filesystem_used_bytes", labels: fs, value: used },
        { ts, host: "vm", metric: "filesystem_free_bytes", labels: fs, value: 100e9 - used },
        { ts, host: "vm", metric: "filesystem_size_bytes", labels: fs, value: 100e9 },
        ...[NAME, "web"].map((service) => ({
          ts,
          host: "vm",
          metric: "http_requests_per_second",
          labels: { code: "200", service },
          value: 5,
        })),
      );
    }
    writeSamples(rows, { root, id: end - 360 * MINUTE, sync: false });
    const lake = await openLake({ root });
    const path = join(root, "report.html");
    try {
      const data = await buildReport(lake, {
        now: end,
        clock: () => end,
        dashboards: [{
          name: "requests",
          panels: [{ title: "Requests", metric: "http_requests_per_second", range: 60 * MINUTE }],
        }],
      });
      await Deno.writeTextFile(path, await renderReport(data));
    } finally {
      lake.close();
    }
    const html = await Deno.readTextFile(path);
    // the inlined data (a script) and data attributes keep the value; the text around them
    // shows it escaped
    const scripts = /<script\b[^>]*>[\s\S]*?<\/script>/g;
    const data = html.match(/<script type="application\/json" id="report-data">([^<]*)</)?.[1];
    assert.ok(JSON.stringify(JSON.parse(data!)).includes(NAME));
    const outside = html.replace(scripts, "").replace(/<[^>]*>/g, "");
    assert.ok(outside.includes(SHOWN));
    assert.ok(!/[\u202e\u2028]/.test(outside), "the HTML shows the characters as they are");
    const { browser, page, errors } = await openReport(path);
    try {
      const shown = await page.evaluate(shownText, "\u202e\u2028");
      assert.deepEqual(shown.raw, []);
      // the charts' labels: the ranking's bar and the panel's legend
      const charted = await page.$$eval(
        'figure.chart[data-chart="ranking"] svg text, figure.chart[data-chart="panel"]',
        (els) => els.map((e) => e.textContent ?? ""),
      );
      assert.ok(charted.some((t) => t.includes(`filesystem ${SHOWN}`)), charted.join(" | "));
      assert.ok(charted.some((t) => t.includes(`service=${SHOWN}`)), charted.join(" | "));
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await Deno.remove(root, { recursive: true });
    }
  },
);
