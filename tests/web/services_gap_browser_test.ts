import assert from "node:assert/strict";
import { writeSamples } from "../../lake/mod.ts";
import { launchChromium, openPage } from "../_browser.ts";
import { startServe } from "../_serve.ts";
import { missing } from "../_skip.ts";

Deno.test({
  name: "the Services page breaks a chart's line where the service sent nothing for minutes",
  ignore: missing("chromium", "the browser test"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    // an app pushed for 8 minutes, stopped for 10, then pushed again for 8: the request and error
    // charts drew one line across the 10 minutes nothing was measured
    const data = await Deno.makeTempDir({ prefix: "perfscope-services-gap-" });
    const end = Math.floor(Date.now() / 1000) * 1000 - 30_000;
    const rows = [];
    for (const [from, to] of [[end - 26 * 60_000, end - 18 * 60_000], [end - 8 * 60_000, end]]) {
      for (let t = from!; t < to!; t += 1000) {
        for (const code of ["200", "500"]) {
          rows.push({
            ts: t,
            host: "app-1",
            metric: "http_requests_per_second",
            labels: `code=${code},service=shop`,
            value: code === "200" ? 20 : 0.1,
          });
        }
      }
    }
    writeSamples(rows, { root: data, id: end, sync: false });
    const server = await startServe(["--data", data, "--no-collect"]);
    const browser = await launchChromium();
    try {
      const { page, errors } = await openPage(browser);
      await page.goto(new URL("/services", server.url).href);
      for (const signal of ["rps", "errors"]) {
        const path = `[data-signal="${signal}"] [aria-label="line"] path`;
        await page.waitForSelector(path, { state: "attached", timeout: 30_000 });
        const d = await page.getAttribute(path, "d") ?? "";
        // one subpath per run of samples
        assert.equal(d.match(/M/g)?.length, 2, `${signal}: ${d.slice(0, 200)}`);
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
