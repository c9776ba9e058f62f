import assert from "node:assert/strict";
import { browserTest } from "../_browser.ts";
import { openReport } from "./_browser.ts";
import { testReportFile } from "./_test_report_file.ts";

const COLORS = ["#3a8a3a", "#d1a21b", "#c0392b", "#888"];

browserTest(
  "the report's ranking chart draws a bar per resource in its severity's colour, and its widest label stays inside",
  "the browser tests of the report",
  async () => {
    const path = await testReportFile({
      edit: (data) => {
        // a run queue at 335 % of the cores, as a new user's busy machine had: its label "335 %"
        // at the end of the longest bar was cut by the chart's 30 px right margin
        data.resources[0]!.utilization = 3.35;
      },
    });
    const { browser, page, errors } = await openReport(path);
    try {
      const ranked = await page.evaluate(
        `document.querySelectorAll("#chart-ranking svg [aria-label='y-axis tick label'] text").length`,
      ) as number;
      assert.ok(ranked >= 2, `ranked: ${ranked}`);
      // the bars were filled by status ("crossing", "insufficient"…), which no colour matched:
      // none was drawn
      const fills = await page.evaluate(`Array.from(
        document.querySelectorAll("#chart-ranking svg [aria-label='bar'] rect"),
        (r) => r.getAttribute("fill"))`) as string[];
      assert.equal(fills.length, ranked);
      for (const fill of fills) assert.ok(COLORS.includes(fill), `bar fill ${fill}`);
      const texts = await page.evaluate(`Array.from(
        document.querySelectorAll("#chart-ranking svg text"),
        (t) => {
          const svg = t.closest("svg").getBoundingClientRect(), b = t.getBoundingClientRect();
          return { text: t.textContent, left: b.left - svg.left, right: svg.right - b.right };
        })`) as { text: string; left: number; right: number }[];
      assert.ok(texts.some((t) => t.text === "335 %"), JSON.stringify(texts));
      // shares read with a space before the sign, as in the report's tables (not "335%", "50%")
      assert.deepEqual(texts.filter((t) => /\d%/.test(t.text)), []);
      for (const t of texts) {
        assert.ok(t.left >= 0 && t.right >= 0, `label cut by its chart: ${JSON.stringify(t)}`);
      }
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  },
);
