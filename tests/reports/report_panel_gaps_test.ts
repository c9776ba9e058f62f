/**
 * A report's dashboard panels break their lines and stacked areas where the data has a gap, as
 * the Dashboard page's do (one implementation, format/line_gaps.js, inlined into the report): a
 * collector stopped for an hour was drawn as a straight line, or a filled area, over the hour.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openLake, writeSamples } from "../../lake/mod.ts";
import { buildReport, renderReport } from "../../reports/mod.ts";
import { browserTest } from "../_browser.ts";
import { openReport } from "./_browser.ts";

const MINUTE = 60_000;

browserTest(
  "a report's line and area panels draw two pieces around an hour nothing was collected",
  "the browser tests of the report",
  async () => {
    const root = await Deno.makeTempDir({ prefix: "perfscope-report-panel-gap-" });
    // a sample a minute for an hour, none for an hour (the collector stopped), an hour more
    const end = Date.UTC(2026, 11, 7, 12);
    const rows = [];
    for (const [from, to] of [[end - 180 * MINUTE, end - 120 * MINUTE], [end - 60 * MINUTE, end]]) {
      for (let ts = from!; ts < to!; ts += MINUTE) {
        rows.push({ ts, host: "vm", metric: "load_average", labels: { window: "1m" }, value: 2 });
        for (const state of ["used", "cached"]) {
          const value = state === "used" ? 3e9 : 1e9;
          rows.push({ ts, host: "vm", metric: "memory_bytes", labels: { state }, value });
        }
      }
    }
    writeSamples(rows, { root, id: end, sync: false });
    const lake = await openLake({ root });
    const path = join(root, "report.html");
    try {
      const data = await buildReport(lake, {
        now: end,
        clock: () => end,
        dashboards: [{
          name: "host",
          panels: [
            { title: "Load", metric: "load_average", range: 4 * 60 * MINUTE },
            { title: "Memory", metric: "memory_bytes", kind: "area", range: 4 * 60 * MINUTE },
          ],
        }],
      });
      await Deno.writeTextFile(path, await renderReport(data));
    } finally {
      lake.close();
    }
    const { browser, page, errors } = await openReport(path);
    try {
      const paths = (mark: string, panel: number) =>
        page.$$eval(
          `figure.chart[data-panel="0:${panel}"] [aria-label="${mark}"] path`,
          (els) => els.map((e) => e.getAttribute("d") ?? ""),
        );
      const lines = await paths("line", 0);
      assert.equal(lines.length, 1);
      assert.equal(lines[0]!.match(/M/g)?.length, 2, lines[0]!.slice(0, 200));
      // one area per series, each in two pieces: the stack does not read the gap as 0
      const areas = await paths("area", 1);
      assert.equal(areas.length, 2);
      for (const d of areas) assert.equal(d.match(/M/g)?.length, 2, d.slice(0, 200));
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await Deno.remove(root, { recursive: true });
    }
  },
);
