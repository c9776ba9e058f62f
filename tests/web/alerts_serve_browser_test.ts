import assert from "node:assert/strict";
import { formatTime } from "../../format/mod.ts";
import { launchChromium, openPage } from "../_browser.ts";
import { postSamples } from "../_post_samples.ts";
import { startServe } from "../_serve.ts";
import { missing } from "../_skip.ts";

Deno.test({
  name:
    "in Chromium, serve's Alerts page shows the alert its engine fires on an ingested sample, then its resolution, its schedule, and a rule backtest's firing intervals as a chart",
  ignore: missing("chromium", "the Alerts page browser test through serve"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    const file = `${dir}/perfscope.yaml`;
    await Deno.writeTextFile(
      file,
      `data: ${dir}/lake\nrules:\n  - alert: SlowApi\n    metric: app_latency_ms\n` +
        `    labels: {service: api}\n    above: 250\n    clear: 200\n    severity: critical\n` +
        // Parquet within a second, for the backtest (which reads the lake); a job to list
        `ingest:\n  flush_every: 1s\nschedule:\n  train: "0 4 * * *"\n`,
    );
    const served = await startServe(["--config", file, "--no-collect"], { compact: false }, {
      muteErrors: true,
    });
    const push = async (value: number) => {
      const sample = { host: "web1", metric: "app_latency_ms", labels: { service: "api" }, value };
      assert.equal(await postSamples(served.url, [sample]), 200);
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

      // the Schedule section lists serve's scheduler's job
      const train = page.locator('#schedule-table tr[data-job="train"]');
      await train.waitFor();
      assert.match(await train.textContent() ?? "", /^train0 4 \* \* \*–never ran/);

      // the backtest: a queue's depth over the last 20 minutes, above 100 twice
      const at = Date.now();
      const minute = 60_000;
      const rows = Array.from({ length: 115 }, (_, i) => {
        const ts = at - 20 * minute + i * 10_000;
        const ago = at - ts;
        const high = (ago <= 18 * minute && ago > 14 * minute) ||
          (ago <= 8 * minute && ago > 6 * minute);
        return {
          ts,
          host: "web1",
          metric: "queue_depth",
          labels: { queue: "jobs" },
          value: high ? 500 : 10,
        };
      });
      assert.equal(await postSamples(served.url, rows), 200);
      const rule = { alert: "DeepQueue", metric: "queue_depth", above: 100, clear: 50 };
      // wait until the API finds both spells: the samples are in Parquet (flush_every 1s)
      let ready: { intervals: unknown[] } = { intervals: [] };
      for (let i = 0; i < 100 && ready.intervals.length < 2; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 200));
        const res = await fetch(new URL("/api/alerts/backtest", served.url), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ rule, from: "now-1h" }),
        });
        assert.equal(res.status, 200);
        ready = await res.json();
      }
      assert.equal(ready.intervals.length, 2);
      await page.fill("#backtest-rule", JSON.stringify(rule));
      await page.fill("#backtest-from", "1h");
      const answered = page.waitForResponse((r) => r.url().endsWith("/api/alerts/backtest"));
      await page.click("#backtest-form button[type=submit]");
      const answer = await (await answered).json() as {
        since: number;
        until: number;
        intervals: {
          alert: string;
          labels: Record<string, string>;
          start: number;
          end: number | null;
        }[];
      };
      // the page's replay finds the two spells, to within its 1-second evaluation step
      assert.equal(answer.intervals.length, 2);
      const spells: [number, number][] = [[18, 14], [8, 6]];
      answer.intervals.forEach((interval, k) => {
        assert.ok(Math.abs(interval.start - (at - spells[k]![0] * minute)) <= 1000);
        assert.ok(Math.abs(interval.end! - (at - spells[k]![1] * minute)) <= 1000);
      });
      await page.waitForSelector("#backtest-status:has-text('2 firing intervals')");
      const bars = page.locator("#backtest-chart svg rect:has(title)");
      assert.equal(await bars.count(), 2);
      const drawn: { title: string; x: number; width: number }[] = [];
      for (let i = 0; i < 2; i++) {
        const bar = bars.nth(i);
        drawn.push({
          title: await bar.locator("title").textContent() ?? "",
          x: Number(await bar.getAttribute("x")),
          width: Number(await bar.getAttribute("width")),
        });
      }
      drawn.sort((a, b) => a.x - b.x);
      answer.intervals.forEach((interval, i) => {
        const end = interval.end ?? answer.until;
        assert.equal(interval.labels.queue, "jobs");
        assert.equal(interval.labels.host, "web1");
        // as the page prints labels: in the answer's order, without alertname, each value
        // between first-strong and pop isolates (a right-to-left override stays inside it)
        const labels = Object.entries(interval.labels).filter(([k]) => k !== "alertname")
          .map(([k, v]) => `${k}="\u2068${v}\u2069"`).join(", ");
        assert.equal(
          drawn[i]!.title,
          `firing DeepQueue ${labels}\n${formatTime(interval.start, { seconds: true })} → ${
            formatTime(end, { seconds: true })
          }`,
        );
      });
      // on one time axis, the bars are as long as the intervals (4 and 2 minutes) and as far
      // apart as their starts (10 minutes)
      const [a, b] = answer.intervals;
      const ratio = (a!.end! - a!.start) / (b!.end! - b!.start);
      assert.ok(Math.abs(drawn[0]!.width / drawn[1]!.width - ratio) < 0.05 * ratio);
      const gap = (b!.start - a!.start) / (a!.end! - a!.start);
      assert.ok(Math.abs((drawn[1]!.x - drawn[0]!.x) / drawn[0]!.width - gap) < 0.05 * gap);
      // over the last 10 minutes only the second spell: one interval, in the singular
      await page.fill("#backtest-from", "10m");
      await page.click("#backtest-form button[type=submit]");
      await page.waitForSelector("#backtest-status:has-text('1 firing interval,')");
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      served.stop();
      assert.equal(await served.done, 0);
    }
    await Deno.remove(dir, { recursive: true });
  },
});
