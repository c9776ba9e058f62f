import assert from "node:assert/strict";
import { simulateHost } from "../../lake/mod.ts";
import { launchChromium, openPage } from "../_browser.ts";
import { startServe } from "../_serve.ts";
import { missing } from "../_skip.ts";

// Screenshots go to docs/ only when asked (UPDATE_SCREENSHOTS=1), so test runs leave git clean.
const SHOTS = Deno.env.get("UPDATE_SCREENSHOTS") === "1"
  ? new URL("../../docs/screenshots/", import.meta.url)
  : new URL(`file://${Deno.makeTempDirSync({ prefix: "perfscope-shots-" })}/`);

Deno.test({
  name:
    "the pages work in headless Chromium: live updates, explore chart with tooltip, no console errors",
  ignore: missing("chromium", "the browser test"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const data = await Deno.makeTempDir({ prefix: "perfscope-browser-" });
    const server = await startServe(["--data", data]);
    const base = server.url;
    // A simulated lake for the Capacity page: a file system filling up and a saturated CPU.
    const simData = await Deno.makeTempDir({ prefix: "perfscope-browser-sim-" });
    const simEnd = Date.now() - 60_000;
    simulateHost({
      root: simData,
      host: "db1",
      start: simEnd - 7 * 86_400_000,
      durationMs: 7 * 86_400_000,
      stepMs: 600_000,
      cpus: 4,
      topN: 3,
      diskFill: { from: 0.55, to: 0.82 },
      cpuSaturation: { from: simEnd - 3_600_000, durationMs: 3_600_000 },
    });
    const sim = await startServe(["--data", simData, "--no-collect"]);
    // An hour of history for the Explore page (the collector flushes Parquet once a minute).
    const now = Date.now();
    const lines = [];
    for (let t = now - 3_600_000; t < now; t += 10_000) {
      const value = 1 + Math.sin(t / 600_000) * 0.5 + (t % 70_000) / 140_000;
      lines.push(
        JSON.stringify({
          ts: t,
          host: "demo",
          metric: "load_average",
          labels: { window: "1m" },
          value,
        }),
      );
    }
    const ingest = await fetch(new URL("/api/ingest", base), {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: lines.join("\n"),
    });
    assert.equal(ingest.status, 200);
    await ingest.body?.cancel();
    // pushed samples reach Parquet with the ingest writer's next batch flush (every 10 s)
    const series = new URL(
      `/api/series?metric=load_average&labels=window%3D1m&host=demo&from=${now - 3_600_000}`,
      base,
    );
    for (let i = 0; i < 60; i++) {
      const got = await (await fetch(series)).json();
      if (got.ts.length > 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }

    const browser = await launchChromium();
    try {
      const { page, errors } = await openPage(browser, {
        viewport: { width: 1280, height: 900 },
        failedRequest: (url) => new URL(url).pathname !== "/api/live",
      });

      await page.goto(new URL("/live", base).href);
      await page.waitForSelector("#last-sample[data-ts]", { timeout: 10_000 });
      const first = Number(await page.getAttribute("#last-sample", "data-ts"));
      // Runs in the page: a newer sample than the first one seen must show up within 2 s.
      await page.waitForFunction(
        (ts: number) =>
          // deno-lint-ignore no-explicit-any
          Number((globalThis as any).document.getElementById("last-sample")?.dataset.ts) > ts,
        first,
        { timeout: 2000 },
      );
      await page.waitForSelector("#chart-cpu svg");
      await page.waitForSelector("#processes tbody tr td.command");
      assert.notEqual((await page.textContent("#processes tbody td.command"))?.trim(), "");
      // The load legend reads 1m, 5m, 15m (not sorted as text: 15m, 1m, 5m).
      await page.waitForSelector("#chart-load figure > div");
      assert.match(await page.textContent("#chart-load figure > div") ?? "", /1m.*5m.*15m/s);
      // Live charts have tooltips: exact value in the unit and a UTC time.
      // Hover the lines' right end: the page opens seconds after serve starts (pushed samples
      // are readable at once), so the drawn lines may cover only part of the axis yet.
      const mem =
        (await page.locator('#chart-memory svg [aria-label="line"]').last().boundingBox())!;
      await page.mouse.move(mem.x + mem.width - 2, mem.y + mem.height / 2);
      await page.waitForSelector('#chart-memory [aria-label="tip"] text', { timeout: 5000 });
      const memTip = await page.textContent('#chart-memory [aria-label="tip"]') ?? "";
      assert.match(memTip, /\d\d:\d\d:\d\d UTC/);
      assert.match(memTip, /[KMGT]iB/);
      assert.doesNotMatch(memTip, /e\+\d/);
      await page.mouse.move(0, 0);
      await page.click("#pause");
      assert.equal(await page.textContent("#pause"), "Resume");
      await page.click("#pause");
      await page.waitForTimeout(1500); // let the 5-minute window fill a little for the picture
      await page.screenshot({ path: new URL("live.png", SHOTS).pathname, fullPage: true });

      // The pushed series by name: the collector's own (cpu_ratio @ vm first) are listed from
      // its spool at once too, so the page's default pick is no longer the only series there.
      await page.goto(new URL("/explore?metric=load_average&series=demo%7Cwindow%3D1m", base).href);
      await page.waitForSelector("#chart svg", { timeout: 10_000 });
      assert.match(
        await page.textContent("#series-meta") ?? "",
        /load_average\{window=1m\} @ demo · tier raw/,
      );
      const box = (await page.locator("#chart svg").first().boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
      await page.waitForSelector('#chart svg [aria-label="tip"] text', { timeout: 5000 });
      const tip = await page.textContent('#chart svg [aria-label="tip"]');
      assert.match(tip ?? "", /processes\s*[\d.]+/); // the y channel is labelled with the unit
      assert.match(tip ?? "", /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
      assert.match(
        await page.textContent('#chart svg [aria-label="x-axis label"]') ?? "",
        /Time \(UTC\)/,
      );
      const ticks = await page.locator('#chart svg [aria-label="y-axis tick label"] text')
        .allTextContents();
      assert.ok(ticks.length >= 2 && ticks.every((t) => t.length <= 12), ticks.join(" | "));
      await page.screenshot({ path: new URL("explore.png", SHOTS).pathname, fullPage: true });
      const csv = await page.getAttribute("#download-csv", "href");
      assert.match(csv ?? "", /format=csv/);

      await page.goto(new URL("/capacity", sim.url).href, { timeout: 120_000 });
      await page.waitForSelector("#capacity-0 svg", { timeout: 10_000 });
      assert.match(await page.textContent("tbody tr") ?? "", /filesystem/);
      assert.match(await page.textContent("main") ?? "", /\[(critical|warning)\]/);
      await page.screenshot({ path: new URL("capacity.png", SHOTS).pathname, fullPage: true });
      await page.goto(new URL("/alerts", base).href);
      await page.screenshot({ path: new URL("alerts.png", SHOTS).pathname, fullPage: true });
      await page.close();
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      // last started, first stopped: each restores the console.log it found
      sim.stop();
      await sim.done;
      server.stop();
      await server.done;
      await Deno.remove(data, { recursive: true });
      await Deno.remove(simData, { recursive: true });
    }
  },
});
