import assert from "node:assert/strict";
import { join } from "node:path";
import { writeSamples } from "../../lake/mod.ts";
import { launchChromium, openPage } from "../_browser.ts";
import { startServe } from "../_serve.ts";
import { missing } from "../_skip.ts";

Deno.test({
  name: "a dashboard's line panel breaks where the data has a gap",
  ignore: missing("chromium", "the browser test"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    // a collector ran 8 minutes, stopped for 10, and ran 8 more: the panels drew across the 10
    const data = await Deno.makeTempDir({ prefix: "perfscope-dashboard-gap-" });
    const config = join(data, "perfscope.yaml");
    await Deno.writeTextFile(
      config,
      `dashboards:
  - name: host
    panels:
      - title: Load
        metric: load_average
        range: 30m
`,
    );
    const end = Math.floor(Date.now() / 1000) * 1000 - 30_000;
    const rows = [];
    for (const [from, to] of [[end - 26 * 60_000, end - 18 * 60_000], [end - 8 * 60_000, end]]) {
      for (let t = from!; t < to!; t += 1000) {
        rows.push({ ts: t, host: "vm", metric: "load_average", labels: "window=1m", value: 3 });
      }
    }
    writeSamples(rows, { root: data, id: end, sync: false });
    const server = await startServe(["--data", data, "--no-collect", "--config", config]);
    const browser = await launchChromium();
    try {
      const { page, errors } = await openPage(browser);
      await page.goto(new URL("/dashboards/host", server.url).href);
      for (const [panel, mark] of [["#panel-0", "line"]]) {
        const path = `${panel} [aria-label="${mark}"] path`;
        await page.waitForSelector(path, { state: "attached", timeout: 30_000 });
        const d = await page.getAttribute(path, "d") ?? "";
        // one subpath per run of samples
        assert.equal(d.match(/M/g)?.length, 2, `${panel}: ${d.slice(0, 200)}`);
      }
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      server.stop();
      await server.done;
      await Deno.remove(data, { recursive: true });
    }
  },
});
