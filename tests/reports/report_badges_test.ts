import assert from "node:assert/strict";
import { browserTest } from "../_browser.ts";
import { openReport } from "./_browser.ts";
import { testReportFile } from "./_test_report_file.ts";

browserTest(
  "the report's status badges keep their word on one line in the summary table",
  "the browser tests of the report",
  async () => {
    // a simulated month's report, 1280 px wide: the status column's "WARNING" badges broke into
    // "WARNIN" over "G"
    const path = await testReportFile({
      edit: (data) => {
        data.resources[0]!.severity = "warning";
      },
    });
    const { browser, page, errors } = await openReport(path, { width: 1280, height: 900 });
    try {
      const badges = await page.evaluate(`Array.from(document.querySelectorAll("table .badge"),
        (b) => ({ text: b.textContent, height: b.getBoundingClientRect().height,
          font: parseFloat(getComputedStyle(b).fontSize) }))`) as {
        text: string;
        height: number;
        font: number;
      }[];
      assert.ok(badges.some((b) => b.text === "warning"), JSON.stringify(badges));
      for (const b of badges) {
        assert.ok(b.height < 2 * b.font, `badge on two lines: ${JSON.stringify(b)}`);
      }
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  },
);
