/**
 * A `serve` that scrapes its own `/metrics` (a config pointing `scrape:` at perfscope, or two
 * serves scraping each other) must store each pushed series once more, not again under a longer
 * name at every scrape: `/metrics` used to expose what the scraper had stored, whose `host` and
 * `target` labels the next scrape moved aside as `exported_host`, then `exported_exported_host`,
 * and so on, up to the 32-label limit (15 copies of every series, labels of 1.9 KB).
 */
import assert from "node:assert/strict";
import { queryRows, serveChildIn, untilHealthy } from "../_serve_process.ts";
import { freePort } from "../_ports.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test({
  name: "serve scraping its own /metrics stores no series again under a longer name each scrape",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "perfscope-scrape-self-" });
    const port = freePort();
    const base = `http://127.0.0.1:${port}`;
    await Deno.writeTextFile(
      `${dir}/perfscope.yaml`,
      `ingest:\n  flush_every: 1s\n` +
        `scrape:\n  - { url: "${base}/metrics", name: self, interval: 1s, timeout: 1s }\n`,
    );
    const child = serveChildIn(dir, { port });
    const query = (sql: string) => queryRows(base, sql);
    try {
      await untilHealthy(base);
      const pushed = await fetch(`${base}/api/ingest`, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body: JSON.stringify({
          ts: Date.now(),
          host: "web-1",
          // a metric the live view keeps (the collector's), so /metrics shows it
          metric: "load_average",
          labels: { window: "1m" },
          value: 3,
        }) + "\n",
      });
      assert.equal(pushed.status, 200, await pushed.clone().text());
      await pushed.body?.cancel();
      // wait for 8 scrapes of the page (each stores one `up` sample)
      for (let i = 0; i < 120; i++) {
        const [[n]] = await query(
          "SELECT count(*) FROM samples WHERE metric = 'up' AND labels = 'target=self'",
        ) as [[string]];
        if (Number(n) >= 8) break;
        await sleep(500);
      }
      const rows = await query("SELECT DISTINCT metric, labels FROM samples ORDER BY ALL");
      const nested = rows.filter((r) => String(r[1]).includes("exported_exported_"));
      assert.deepEqual(nested, [], "a series was stored again under a longer name");
      const load = rows.filter((r) => r[0] === "load_average").map((r) => r[1]);
      // the pushed series, and its one copy from the scrape
      assert.deepEqual(load, ["exported_host=web-1,target=self,window=1m", "window=1m"]);
    } finally {
      child.kill("SIGTERM");
      await child.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
