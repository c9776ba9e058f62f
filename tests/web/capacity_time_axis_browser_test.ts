/**
 * The Capacity page's chart time axes name each day once, as the report's do (the same
 * `dayTimeTick` formatter): hours on a 24-hour clock, the day on a second line under each day's
 * first tick, days alone when every tick is at midnight. Its old formatter wrote `MM-DD HH:MM`
 * on every tick of a range over two days (the same date four times a day).
 */
import assert from "node:assert/strict";
import { simulateHost } from "../../lake/mod.ts";
import { browserTest, type OpenedPage, openPage, serveWithChromium } from "../_browser.ts";
import { testApp } from "./_app.ts";

const DAY = 86_400_000;
const MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec";
const START = Date.UTC(2024, 0, 1);

/**
 * Serves one simulated host's history (from START, 2 CPUs) to Chromium, opens the Capacity page
 * at the history's end, and hands the page to `check` once its first chart is drawn.
 */
async function onCapacityPage(
  history: { durationMs: number; stepMs: number; diskFill?: { from: number; to: number } },
  check: (page: OpenedPage["page"]) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "perfscope-capacity-axis-" });
  try {
    simulateHost({ root, start: START, cpus: 2, topN: 1, ...history });
    const end = START + history.durationMs;
    await using t = await testApp({ root, now: () => end, capacity: { bootstrap: 20, top: 2 } });
    await using served = await serveWithChromium(t.app.fetch);
    const { page, errors } = await openPage(served.browser, {
      viewport: { width: 1280, height: 900 },
    });
    await page.goto(`${served.origin}/capacity`);
    await page.waitForSelector("#capacity-0 svg", { timeout: 20_000 });
    await check(page);
    assert.deepEqual(errors, []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

browserTest(
  "the Capacity page's time axes name each day once, with hours on a 24-hour clock between",
  "the Capacity page time axis browser test",
  // two days of history (a disk filling up), so the charts span days with a forecast ahead
  () =>
    onCapacityPage(
      { durationMs: 2 * DAY, stepMs: 600_000, diskFill: { from: 0.5, to: 0.8 } },
      async (page) => {
        // each chart's x-axis tick labels, the lines of a two-line label joined by a newline
        const axes = await page.evaluate(`Array.from(
          document.querySelectorAll('.chart svg [aria-label="x-axis tick label"]'),
          (g) => Array.from(g.querySelectorAll(":scope > text"), (t) =>
            t.querySelector("tspan")
              ? Array.from(t.querySelectorAll("tspan"), (s) => s.textContent).join("\\n")
              : t.textContent))`) as string[][];
        assert.ok(axes.length >= 1, `time axes found: ${axes.length}`);
        for (const ticks of axes) {
          const days = ticks.flatMap((t) => t.match(new RegExp(`(${MONTHS}) \\d+`, "g")) ?? []);
          assert.ok(days.length >= 2, `the axis spans days: ${ticks.join(" | ")}`);
          assert.equal(new Set(days).size, days.length, `a day named twice: ${ticks.join(" | ")}`);
          for (const tick of ticks) {
            assert.match(
              tick,
              new RegExp(`^((\\d\\d:\\d\\d)|(${MONTHS}) \\d+|\\d\\d:\\d\\d\\n(${MONTHS}) \\d+)$`),
              tick,
            );
          }
        }
      },
    ),
);

browserTest(
  "on minutes of data the Capacity page's last time tick (HH:MM:SS) lies inside its chart",
  "the Capacity page time axis browser test",
  // a new install's first minutes: ticks every 30 s carry seconds; Plot's default right margin
  // (20 px) cut the last one ("07:11:0")
  () =>
    onCapacityPage({ durationMs: 4 * 60_000, stepMs: 1_000 }, async (page) => {
      // each x tick label's box against its chart's, and the label's text
      const ticks = await page.evaluate(`Array.from(
        document.querySelectorAll('.chart svg [aria-label="x-axis tick label"] > text'),
        (t) => {
          const svg = t.closest("svg").getBoundingClientRect(), b = t.getBoundingClientRect();
          return { text: t.textContent, left: b.left - svg.left, right: svg.right - b.right };
        })`) as { text: string; left: number; right: number }[];
      assert.ok(ticks.some((t) => /^\d\d:\d\d:\d\d/.test(t.text)), JSON.stringify(ticks));
      for (const t of ticks) {
        assert.ok(t.left >= 0 && t.right >= 0, `tick cut by its chart: ${JSON.stringify(t)}`);
      }
    }),
);
