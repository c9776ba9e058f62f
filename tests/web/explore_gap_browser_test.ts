import assert from "node:assert/strict";
import { writeSamples } from "../../lake/mod.ts";
import { browserTest, openPage } from "../_browser.ts";
import { serveWithChromiumIn } from "./_serve_with_chromium_in.ts";

browserTest(
  "Explore breaks the line where the data has a gap instead of drawing across it",
  "the browser test",
  async () => {
    // a new user's lake: 5 minutes of collect, 13 minutes stopped, then serve's collector for
    // 5 minutes. Explore drew one line from the first run's last sample to the second's first.
    const data = await Deno.makeTempDir({ prefix: "perfscope-explore-gap-" });
    const end = Math.floor(Date.now() / 1000) * 1000 - 60_000;
    const rows = [];
    for (const [from, to] of [[end - 23 * 60_000, end - 18 * 60_000], [end - 5 * 60_000, end]]) {
      for (let t = from!; t < to!; t += 1000) {
        rows.push({ ts: t, host: "vm", metric: "load_average", labels: "window=1m", value: 3 });
      }
    }
    writeSamples(rows, { root: data, id: end, sync: false });
    await using served = await serveWithChromiumIn(data);
    const { server, browser } = served;
    const { page, errors } = await openPage(browser);
    await page.goto(
      new URL("/explore?metric=load_average&series=vm%7Cwindow%3D1m", server.url).href,
    );
    await page.waitForSelector("#chart svg", { timeout: 30_000 });
    assert.match(await page.textContent("#series-meta") ?? "", / 600 points /);
    const d = await page.getAttribute('#chart svg [aria-label="line"] path', "d") ?? "";
    // one subpath per run of samples
    assert.equal(d.match(/M/g)?.length, 2, d.slice(0, 200));
    assert.deepEqual(errors, []);
  },
);
