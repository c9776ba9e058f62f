/**
 * The Capacity page's observed line breaks where collection stopped, as Explore's does (the
 * shared `/assets/line_gaps.js`), instead of drawing samples across the hours nothing was
 * collected.
 */
import assert from "node:assert/strict";
import { simulateHost } from "../../lake/mod.ts";
import { browserTest, openPage, serveWithChromium } from "../_browser.ts";
import { testApp } from "./_app.ts";

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);

browserTest(
  "the Capacity page breaks the observed line where collection stopped",
  "the Capacity page gap browser test",
  async () => {
    const root = await Deno.makeTempDir({ prefix: "perfscope-capacity-gap-" });
    try {
      // a day collected, half a day stopped, another day collected
      const common = { root, stepMs: 600_000, cpus: 2, topN: 1 };
      simulateHost({ ...common, start: START, durationMs: DAY });
      simulateHost({ ...common, start: START + 1.5 * DAY, durationMs: DAY });
      const end = START + 2.5 * DAY;
      await using t = await testApp({ root, now: () => end, capacity: { bootstrap: 20, top: 2 } });
      await using served = await serveWithChromium(t.app.fetch);
      const { page, errors } = await openPage(served.browser);
      await page.goto(`${served.origin}/capacity`);
      await page.waitForSelector("#capacity-0 svg", { timeout: 20_000 });
      // the first line mark of each chart is the observed series
      const paths = await page.evaluate(`Array.from(
        document.querySelectorAll('.chart'),
        (chart) => chart.querySelector('svg [aria-label="line"] path')?.getAttribute("d") ?? "")`) as string[];
      assert.ok(paths.length >= 1, `charts found: ${paths.length}`);
      for (const d of paths) assert.equal(d.match(/M/g)?.length, 2, d.slice(0, 200));
      assert.deepEqual(errors, []);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
);
