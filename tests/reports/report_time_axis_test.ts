import assert from "node:assert/strict";
import { join } from "node:path";
import { openLake, simulateHost } from "../../lake/mod.ts";
import { buildReport, renderReport } from "../../reports/mod.ts";
import { browserTest } from "../_browser.ts";
import { openReport } from "./_browser.ts";
import { testReportFile } from "./_test_report_file.ts";

const DAY = 86_400_000;
const MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec";

browserTest(
  "the report's time axes name each day once, with hours on a 24-hour clock between",
  "the browser tests of the report",
  async () => {
    // two days back and three ahead (ticks every 12 hours), and one day back and a quarter ahead
    for (const [since, horizon] of [[2 * DAY, 3 * DAY], [DAY, DAY / 4]] as const) {
      const { browser, page, errors } = await openReport(
        await testReportFile({ sinceMs: since, horizonMs: horizon }),
      );
      try {
        // each x axis' tick labels, the lines of a two-line label joined by a newline
        const axes = await page.evaluate(`Array.from(
          document.querySelectorAll('figure.chart svg [aria-label="x-axis tick label"]'),
          (g) => Array.from(g.querySelectorAll(":scope > text"), (t) =>
            t.querySelector("tspan")
              ? Array.from(t.querySelectorAll("tspan"), (s) => s.textContent).join("\\n")
              : t.textContent))`) as string[][];
        const time = axes.filter((ticks) => ticks.some((t) => new RegExp(MONTHS).test(t)));
        assert.ok(time.length >= 2, `time axes found: ${time.length}`);
        for (const ticks of time) {
          const days = ticks.flatMap((t) => t.match(new RegExp(`(${MONTHS}) \\d+`, "g")) ?? []);
          assert.equal(new Set(days).size, days.length, `a day named twice: ${ticks.join(" | ")}`);
          for (const t of ticks) {
            assert.match(
              t,
              new RegExp(`^((\\d\\d:\\d\\d)|(${MONTHS}) \\d+|\\d\\d:\\d\\d\\n(${MONTHS}) \\d+)$`),
              t,
            );
          }
        }
        assert.deepEqual(errors, []);
      } finally {
        await browser.close();
      }
    }
  },
);

browserTest(
  "the report of a lake of minutes labels every tick of an axis differently",
  "the browser tests of the report",
  async () => {
    // a new user's first report: 5 minutes of 1 s samples, a disk growing by a few MiB. The
    // disk's y axis read "49.9 GiB" seven times (3 significant digits for a step of 0.01 GiB).
    // (Its time axes' "03:41, 03:41, 03:42" are format.js' dayTimeTick's, with seconds.)
    const root = await Deno.makeTempDir();
    const start = Date.UTC(2026, 11, 7, 3, 41, 18);
    simulateHost({
      root,
      host: "vm",
      start,
      durationMs: 5 * 60_000,
      stepMs: 1000,
      seed: 7,
      cpus: 2,
      topN: 1,
      diskFill: { mountpoint: "/", from: 0.492, to: 0.4925 },
    });
    const lake = await openLake({ root });
    const path = join(root, "report.html");
    try {
      const now = start + 5 * 60_000;
      const data = await buildReport(lake, { now, clock: () => now, sinceMs: 14 * DAY });
      await Deno.writeTextFile(path, await renderReport(data));
    } finally {
      lake.close();
    }
    const { browser, page, errors } = await openReport(path);
    try {
      const axes = await page.evaluate(`Array.from(
        document.querySelectorAll('figure.chart svg [aria-label="y-axis tick label"]'),
        (g) => Array.from(g.querySelectorAll(":scope > text"), (t) =>
          Array.from(t.querySelectorAll("tspan"), (s) => s.textContent).join("\\n") ||
            t.textContent))`) as string[][];
      assert.ok(axes.length >= 4, `axes found: ${axes.length}`);
      for (const ticks of axes) {
        assert.equal(new Set(ticks).size, ticks.length, `a label twice: ${ticks.join(" | ")}`);
      }
      assert.ok(axes.flat().some((t) => /^\d+\.\d\d GiB$/.test(t)), axes.flat().join(" | "));
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await Deno.remove(root, { recursive: true });
    }
  },
);
