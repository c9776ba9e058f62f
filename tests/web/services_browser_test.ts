import assert from "node:assert/strict";
import { join } from "node:path";
import { browserTest, openPage } from "../_browser.ts";
import { knownService, writeServiceSeries } from "../analytics/_service_lake.ts";
import { serveWithChromiumIn } from "./_serve_with_chromium_in.ts";

const CONFIG = `services:
  - name: api
    apdex: 250ms
dashboards:
  - name: api
    title: API
    panels:
      - title: Errors per second
        metric: http_requests_per_second
        labels: {code: "500"}
        unit: req/s
        thresholds: [4, 10]
      - title: Cache hits
        metric: cache_hits_per_second
        kind: number
        thresholds: [50]
      - title: Cache misses
        metric: cache_misses_per_second
        kind: area
      - title: In flight
        metric: http_server_active_requests
        kind: bar
        thresholds: [30]
`;

browserTest(
  "dashboard panels from the config render as line, number, area and bar with their threshold rules, and the Services page shows the service and the probe's availability",
  "the dashboards browser test",
  async () => {
    const data = await Deno.makeTempDir({ prefix: "perfscope-dash-browser-" });
    const now = Date.now();
    const times = Array.from({ length: 41 }, (_, i) => now - 600_000 + i * 15_000);
    writeServiceSeries(data, times, knownService());
    // a second service counted without a latency histogram (a StatsD counter): no Apdex
    writeServiceSeries(data, times, [
      {
        metric: "http_requests_per_second",
        labels: { service: "web", code: "200" },
        value: () => 10,
      },
    ]);
    // a probe run every 15 s for the last 40 minutes: enough for the hour, not for the day
    const runs = Array.from({ length: 161 }, (_, i) => now - 2_400_000 + i * 15_000);
    writeServiceSeries(data, runs, [
      { metric: "probe_success", labels: { target: "shop" }, value: () => 1 },
    ]);
    const config = join(data, "perfscope.yaml");
    await Deno.writeTextFile(config, CONFIG);
    await using served = await serveWithChromiumIn(data, ["--config", config]);
    const { server, browser } = served;
    const { page, errors } = await openPage(browser);
    await page.goto(new URL("/dashboards/api", server.url).href);
    const svg = page.locator("#panel-0 svg[data-thresholds='2']");
    await svg.waitFor({ timeout: 20_000 });
    // one dashed rule per threshold, and the line of the one matching series
    const rules = await page.locator("#panel-0 svg [aria-label='rule'] line").count();
    assert.equal(rules, 2);
    assert.ok(await page.locator("#panel-0 svg [aria-label='line'] path").count() >= 1);
    await page.locator("#panel-1 .big-number.over-1").waitFor({ timeout: 10_000 });
    // no unit: in the config: the metric's own, a rate by its name (…_per_second)
    assert.equal(await page.locator("#panel-1 .big-number").textContent(), "90/s");
    // an area panel fills its series (and draws no line); a bar panel draws bars over the
    // series' 10 minutes, with its threshold rule
    await page.locator("#panel-2 svg [aria-label='area'] path").first().waitFor({
      timeout: 10_000,
    });
    assert.equal(await page.locator("#panel-2 svg [aria-label='line']").count(), 0);
    await page.locator("#panel-3 svg [aria-label='rect'] rect").first().waitFor({
      timeout: 10_000,
    });
    assert.ok(await page.locator("#panel-3 svg [aria-label='rect'] rect").count() >= 10);
    // the newest bar ends at the x axis' end (now, TIME_MARGIN_RIGHT = 32 px from the right):
    // its step drew it into the right margin
    const overshoot = await page.evaluate(`(() => {
        const svg = document.querySelector("#panel-3 svg");
        const end = Number(svg.getAttribute("width")) - 32;
        return Math.max(...Array.from(svg.querySelectorAll("[aria-label='rect'] rect"),
          (r) => Number(r.getAttribute("x")) + Number(r.getAttribute("width")))) - end;
      })()`) as number;
    assert.ok(overshoot <= 0.5, `the last bar ends ${overshoot} px past the axis`);
    assert.equal(await page.locator("#panel-3 svg [aria-label='rule'] line").count(), 1);
    await page.goto(new URL("/services", server.url).href);
    const card = page.locator("section.service[data-service='api']");
    await card.waitFor({ timeout: 20_000 });
    const text = await card.textContent() ?? "";
    assert.match(text, /Error rate\s*5(\.00)? %/);
    assert.match(text, /Apdex \(T 250 ms\)\s*0\.88/);
    assert.doesNotMatch(text, /needs latency histogram buckets/);
    // without buckets the dash says why
    const web = page.locator("section.service[data-service='web']");
    await web.waitFor({ timeout: 20_000 });
    assert.match(
      await web.textContent() ?? "",
      /Apdex \(T 500 ms\)\s*–\s*needs latency histogram buckets/,
    );
    assert.equal(await page.locator("#services-empty").isHidden(), true);
    const probe = page.locator("#probes tr[data-probe='shop']");
    await probe.waitFor({ timeout: 20_000 });
    const cells = await probe.locator("td").allTextContents();
    assert.equal(cells[0], "shop");
    assert.match(cells[2]!, /^up at /);
    assert.match(cells[3]!, /^100(\.0+)? %$/);
    assert.equal(cells[4], "not enough data yet");
    assert.deepEqual(errors, []);
  },
);
