/// <reference lib="dom" />
/**
 * A forecast chart's caption names what the chart draws and nothing else: it said "the limit,
 * the exhaustion mark and the estimated time to exhaustion … when near" under every chart, also
 * under one with no limit known and no exhaustion within the horizon, which drew none of them.
 */
import assert from "node:assert/strict";
import type { ReportData, ResourceSection } from "../../reports/mod.ts";
import { missing } from "../_skip.ts";
import { openReport } from "./_browser.ts";
import { testReportFile } from "./_test_report_file.ts";

/** The caption and `data-marks` of each forecast figure, by resource id. */
function forecastFigures(html: string): Map<string, { caption: string; marks: string }> {
  const found = new Map<string, { caption: string; marks: string }>();
  const re =
    /<figure class="chart" id="chart-([^"]+)-forecast"[^>]*?(?: data-marks="([^"]*)")?>.*?<figcaption>(.*?)<\/figcaption>/gs;
  for (const m of html.matchAll(re)) found.set(m[1]!, { caption: m[3]!, marks: m[2] ?? "" });
  return found;
}

/** The report with its third resource stripped of a limit, a mark, an ETA and anomalies, and its
 * fourth given a limit far above its data (not drawn: it would squash the series). */
async function editedReport(): Promise<{ path: string; bare: string; far: string }> {
  let bare = "", far = "";
  const path = await testReportFile({
    edit(data: ReportData) {
      // the first two draw their limits (a filling disk, a saturated CPU): kept as they are
      const [a, b] = data.resources.slice(2) as [ResourceSection, ResourceSection];
      [bare, far] = [a.id, b.id];
      Object.assign(a, {
        limit: null,
        threshold: null,
        utilization: null,
        eta: null,
        etaLow: null,
        etaHigh: null,
        anomalies: [],
      });
      const top = Math.max(
        ...b.series.values.map((v) => v ?? 0),
        ...(b.forecast?.hi95 ?? []).map((v) => v ?? 0),
      );
      Object.assign(b, {
        limit: top * 1000 + 1,
        threshold: top * 1000 + 1,
        eta: null,
        etaLow: null,
        etaHigh: null,
      });
    },
  });
  return { path, bare, far };
}

Deno.test("A forecast caption names no limit, exhaustion mark, time to exhaustion or anomaly the chart lacks", async () => {
  const { path, bare, far } = await editedReport();
  const figures = forecastFigures(await Deno.readTextFile(path));
  const none = figures.get(bare)!;
  assert.doesNotMatch(none.caption, /limit|exhaustion|anomal/, none.caption);
  assert.match(none.caption, /^Observed series( and trend)?; (forecast|no forecast)[^;]*\.$/);
  assert.equal(none.marks, "");
  const distant = figures.get(far)!;
  assert.doesNotMatch(distant.caption, /limit|exhaustion mark|time to exhaustion/, distant.caption);
  // the test lake's other resources still name what they draw
  const named = [...figures.values()].filter((f) => f.caption.includes("the limit"));
  assert.ok(named.length > 0);
  for (const f of named) assert.match(f.marks, /\blimit\b/);
  await Deno.remove(path.replace(/\/report\.html$/, ""), { recursive: true });
});

Deno.test({
  name: "Each forecast chart's legend holds what its caption names, and only that",
  ignore: missing("chromium", "the browser tests of the report"),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { path } = await editedReport();
    const figures = forecastFigures(await Deno.readTextFile(path));
    const { browser, page, errors } = await openReport(path);
    try {
      const legends: Record<string, string[]> = await page.evaluate(() =>
        Object.fromEntries(
          [...document.querySelectorAll("figure[data-chart='forecast']")].map((f) => [
            f.id.replace(/^chart-|-forecast$/g, ""),
            [...f.querySelectorAll("[class$='-swatch']")].map((s) => s.textContent?.trim() ?? ""),
          ]),
        )
      );
      assert.equal(Object.keys(legends).length, figures.size);
      const words: [string, RegExp][] = [
        ["limit", /\bthe limit\b/],
        ["exhaustion mark", /\bthe exhaustion mark\b/],
        ["time to exhaustion", /\btime to exhaustion\b/],
        ["anomaly", /\banomalies circled\b/],
        ["trend", /\band trend\b/],
        ["forecast", /\bforecast \(/],
      ];
      for (const [id, { caption }] of figures) {
        const legend = legends[id]!;
        for (const [entry, said] of words) {
          assert.equal(legend.includes(entry), said.test(caption), `${id}: ${entry}: ${caption}`);
        }
      }
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await Deno.remove(path.replace(/\/report\.html$/, ""), { recursive: true });
    }
  },
});
