/// <reference lib="dom" />
/**
 * What a new user's first look at the pages found, on a lake minutes old: the Alerts page's
 * history showed no pressed range and a pending interval of seconds under a pixel wide on a day's
 * axis, the Alerts and Capacity pages' sections touched edge to edge, and a dashboard's axis read
 * `ratio` over ticks in % and put a column of numbers' heading at the left; a service without
 * latency metrics waited "for more samples to draw latency" for ever.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { browserTest, openPage } from "../_browser.ts";
import { pushEverySecond } from "./_push_every_second.ts";
import { serveWithChromiumIn } from "./_serve_with_chromium_in.ts";

const CONFIG = `rules:
  - alert: Busy
    metric: http_requests_per_second
    above: 0
    for: 1h
dashboards:
  - name: web
    panels:
      - title: Busy
        metric: http_requests_per_second
        unit: ratio
      - title: Series per metric
        sql: SELECT metric, count(*) AS n FROM samples GROUP BY metric ORDER BY metric
        kind: table
`;

/** The vertical gaps, in px, between each of main's visible children and the next. */
function gaps(): { between: string; gap: number }[] {
  const kids = [...document.querySelectorAll("main > *")].filter((e) =>
    (e as HTMLElement).offsetHeight > 0 && e.localName !== "h1" && e.localName !== "script"
  );
  const out = [];
  for (let i = 1; i < kids.length; i++) {
    const a = kids[i - 1]!, b = kids[i]!;
    out.push({
      between: `${a.localName}.${a.className} / ${b.localName}.${b.className}`,
      gap: b.getBoundingClientRect().top - a.getBoundingClientRect().bottom,
    });
  }
  return out;
}

browserTest(
  "in Chromium, the Alerts history presses its range and shows a short interval; sections keep apart; dashboard axes and tables read right",
  "the first-look browser test",
  async () => {
    const data = await Deno.makeTempDir({ prefix: "perfscope-first-look-" });
    const config = join(data, "perfscope.yaml");
    await Deno.writeTextFile(config, CONFIG);
    await using s = await serveWithChromiumIn(data, ["--config", config]);
    const fs = { device: "/dev/x", fstype: "ext4", mountpoint: "/" };
    using _pushing = await pushEverySecond(s.server.url, [
      { metric: "http_requests_per_second", labels: { service: "api" }, value: 5 },
      { metric: "filesystem_used_bytes", labels: fs, value: 4e9 },
      { metric: "filesystem_free_bytes", labels: fs, value: 6e9 },
    ]);
    const { page, errors } = await openPage(s.browser, { viewport: { width: 1280, height: 900 } });
    await page.goto(new URL("/alerts", s.server.url).href);
    await page.waitForSelector('#alerts-table tr[data-state="pending"]', { timeout: 30_000 });
    await page.waitForSelector('#timeline [aria-label="bar"] rect', { timeout: 30_000 });
    const pressed = () =>
      page.$$eval(
        '#history [data-range][aria-pressed="true"]',
        (bs) => bs.map((b) => b.textContent),
      );
    assert.deepEqual(await pressed(), ["24h"]);
    // seconds pending on a 24 h axis: a bar still to be seen
    const width = Number(await page.getAttribute('#timeline [aria-label="bar"] rect', "width"));
    assert.ok(width >= 2.9, `bar ${width} px wide`);
    await page.click('#history [data-range="1h"]');
    assert.deepEqual(await pressed(), ["1h"]);
    for (const [path, ready] of [["/alerts", "#alerts-table td"], ["/capacity", "#capacity-0"]]) {
      await page.goto(new URL(path!, s.server.url).href);
      await page.waitForSelector(ready!, { timeout: 30_000 });
      await page.waitForTimeout(1000);
      const found = await page.evaluate(gaps);
      assert.ok(found.length >= 2, path);
      assert.deepEqual(found.filter((g) => g.gap < 8), [], path);
    }
    // a service pushing request rates and no latency: its latency chart says so instead of
    // waiting for more samples for ever, while its request chart draws
    await page.goto(new URL("/services", s.server.url).href);
    await page.waitForSelector('[data-signal="rps"] svg', { timeout: 30_000 });
    assert.equal(
      (await page.textContent('[data-signal="latency"]'))?.trim(),
      "No latency in this service's samples.",
    );
    // and its window figures (once it has the 10 samples they need) say how much of the
    // 5 minutes the service was seen for
    const windowLine = /^5 min window: .* \(\d+ samples, [\d.]+ s of data\)$/;
    await page.waitForFunction(
      (re) => new RegExp(re).test(document.querySelector("section.service p.muted")!.textContent!),
      windowLine.source,
      { timeout: 30_000 },
    );
    // a dashboard's axis names a ratio's unit as its ticks read it, and a column of numbers is
    // right-aligned under a right-aligned heading
    await page.goto(new URL("/dashboards/web", s.server.url).href);
    await page.waitForSelector("#panel-0 svg", { timeout: 30_000 });
    await page.waitForSelector("#panel-1 table td", { timeout: 30_000 });
    const axis = await page.textContent('#panel-0 [aria-label="y-axis label"]');
    assert.equal(axis?.trim(), "↑ %");
    assert.deepEqual(
      await page.$$eval("#panel-1 th", (ths) => ths.map((th) => getComputedStyle(th).textAlign)),
      ["left", "right"],
    );
    assert.deepEqual(errors, []);
  },
);
