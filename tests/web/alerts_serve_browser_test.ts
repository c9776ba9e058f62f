import assert from "node:assert/strict";
import { launchChromium, openPage } from "../_browser.ts";
import { startServe } from "../_serve.ts";
import { missing } from "../_skip.ts";

Deno.test({
  name:
    "in Chromium, serve's Alerts page shows the alert its engine fires on an ingested sample, then its resolution",
  ignore: missing("chromium", "the Alerts page browser test through serve"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    const file = `${dir}/perfscope.yaml`;
    await Deno.writeTextFile(
      file,
      `data: ${dir}/lake\nrules:\n  - alert: SlowApi\n    metric: app_latency_ms\n` +
        `    labels: {service: api}\n    above: 250\n    clear: 200\n    severity: critical\n`,
    );
    const error = console.error;
    console.error = () => {};
    const served = await startServe(["--config", file, "--no-collect"], { compact: false });
    const push = async (value: number) => {
      const response = await fetch(new URL("/api/ingest", served.url), {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body: JSON.stringify({
          ts: Date.now(),
          host: "web1",
          metric: "app_latency_ms",
          labels: { service: "api" },
          value,
        }),
      });
      assert.equal(response.status, 200);
      await response.body?.cancel();
    };
    const browser = await launchChromium();
    try {
      const { page, errors } = await openPage(browser);
      await page.goto(new URL("/alerts", served.url).href);
      await page.waitForSelector("#alerts-meta:has-text('All quiet')");
      await push(300);
      // the page refreshes every second from /api/alerts, which reads the engine's instances
      const row = page.locator('#alerts-table tr[data-state="firing"]');
      await row.waitFor();
      const text = await row.textContent() ?? "";
      assert.match(text, /SlowApi/);
      assert.match(text, /host="web1"/);
      assert.match(text, /service="api"/);
      assert.match(text, /severity="critical"300/); // labels, then the value
      assert.match(await page.textContent("#alerts-meta") ?? "", /^1 firing/);
      // below clear: the engine resolves it and the page stops listing it as firing
      await push(150);
      await page.locator('#alerts-table tr[data-state="firing"]').waitFor({ state: "detached" });
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      served.stop();
      assert.equal(await served.done, 0);
      console.error = error;
    }
    await Deno.remove(dir, { recursive: true });
  },
});
