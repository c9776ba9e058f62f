/// <reference lib="dom" />
import assert from "node:assert/strict";
import { writeSamples } from "../../lake/mod.ts";
import { browserTest, openPage } from "../_browser.ts";
import { serveWithChromiumIn } from "./_serve_with_chromium_in.ts";

browserTest(
  "Explore's default hour on a lake 5 minutes old starts at the first sample and says so (not a sliver at the right edge); its download links wrap together",
  "the browser test",
  async () => {
    // a new user's first look: serve collected for 5 minutes, Explore opens on its 1 h range
    const data = await Deno.makeTempDir({ prefix: "perfscope-explore-young-" });
    const end = Math.floor(Date.now() / 1000) * 1000;
    const first = end - 5 * 60_000;
    const rows = [];
    for (let t = first; t < end; t += 1000) {
      rows.push({ ts: t, host: "vm", metric: "load_average", labels: "window=1m", value: 3 });
    }
    writeSamples(rows, { root: data, id: end, sync: false });
    await using s = await serveWithChromiumIn(data);
    const { page, errors } = await openPage(s.browser);
    const url = new URL("/explore?metric=load_average&series=vm%7Cwindow%3D1m", s.server.url);
    await page.goto(url.href);
    await page.waitForSelector("#chart svg", { timeout: 30_000 });
    const domain = () =>
      page.evaluate(() => {
        const plot = document.querySelector("#chart > *") as unknown as {
          scale(name: string): { domain: Date[] };
        };
        return plot.scale("x").domain.map((d) => +d);
      });
    const [x0] = await domain();
    assert.equal(x0, first);
    assert.match(
      await page.textContent("#series-meta") ?? "",
      / · nothing before .* in this range/,
    );
    // the two download links wrap together (Parquet sat alone on a second line)
    const tops = await page.$$eval(
      "a.download",
      (as) => as.map((a) => a.getBoundingClientRect().top),
    );
    assert.equal(tops.length, 2);
    assert.equal(tops[0], tops[1]);
    // a brushed window keeps the span the user chose, data or not
    url.searchParams.set("from", String(first - 3_600_000));
    url.searchParams.set("to", String(end));
    await page.goto(url.href);
    await page.waitForSelector("#chart svg", { timeout: 30_000 });
    assert.equal((await domain())[0], first - 3_600_000);
    assert.doesNotMatch(await page.textContent("#series-meta") ?? "", /nothing before/);
    assert.deepEqual(errors, []);
  },
);

browserTest(
  "Explore on a lake with no series yet offers no download (its links pointed at the page) and no zoom hint, and says no metric has data",
  "the browser test",
  async () => {
    const data = await Deno.makeTempDir({ prefix: "perfscope-explore-empty-" });
    await using s = await serveWithChromiumIn(data);
    const { page, errors } = await openPage(s.browser);
    await page.goto(new URL("/explore", s.server.url).href);
    await page.waitForFunction(() =>
      /No series in the lake yet/.test(document.getElementById("series-meta")!.textContent!)
    );
    assert.equal(await page.isVisible("#download-csv"), false);
    assert.equal(await page.isVisible("#download-parquet"), false);
    assert.equal(await page.isVisible("#chart-hint"), false);
    // the metric select says why it offers nothing (it showed blank)
    assert.equal(
      await page.$eval("#metric", (s) => (s as HTMLSelectElement).selectedOptions[0]?.text),
      "no metric has data yet",
    );
    assert.deepEqual(errors, []);
  },
);

browserTest(
  "Explore opens cpu_ratio on the machine-wide series that is not idle time (cpu=0,mode=idle, first in label order, read as a busy CPU)",
  "the browser test",
  async () => {
    const data = await Deno.makeTempDir({ prefix: "perfscope-explore-default-" });
    const end = Math.floor(Date.now() / 1000) * 1000;
    const rows = [];
    for (
      const labels of [
        "cpu=0,mode=idle",
        "cpu=0,mode=user",
        "cpu=total,mode=idle",
        "cpu=total,mode=user",
      ]
    ) {
      for (let t = end - 120_000; t < end; t += 1000) {
        rows.push({ ts: t, host: "vm", metric: "cpu_ratio", labels, value: 0.5 });
      }
    }
    // a metric with no idle and no total series keeps the first in label order
    for (let t = end - 120_000; t < end; t += 1000) {
      for (const labels of ["window=15m", "window=1m"]) {
        rows.push({ ts: t, host: "vm", metric: "load_average", labels, value: 1 });
      }
    }
    writeSamples(rows, { root: data, id: end, sync: false });
    await using s = await serveWithChromiumIn(data);
    const { page, errors } = await openPage(s.browser);
    const shown = async (query: string) => {
      await page.goto(new URL(`/explore${query}`, s.server.url).href);
      await page.waitForSelector("#chart svg", { timeout: 30_000 });
      return await page.$eval("#series", (s) => (s as HTMLSelectElement).value);
    };
    assert.equal(await shown("?metric=cpu_ratio"), "vm|cpu=total,mode=user");
    assert.equal(await shown("?metric=load_average"), "vm|window=15m");
    // a series asked for is kept, idle or not
    assert.equal(
      await shown("?metric=cpu_ratio&series=vm%7Ccpu%3D0%2Cmode%3Didle"),
      "vm|cpu=0,mode=idle",
    );
    assert.deepEqual(errors, []);
  },
);
