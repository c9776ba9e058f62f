import assert from "node:assert/strict";
import { Scheduler } from "../../workflows/mod.ts";
import { browserTest, openPage, serveWithChromium } from "../_browser.ts";
import { testApp } from "./_app.ts";

browserTest(
  "in Chromium, the Alerts page's Schedule lists each job's last run, outcome and next run, and follows a run that ends while it is open",
  "the Schedule browser test",
  async () => {
    let t = Date.UTC(2026, 0, 5, 12, 30);
    let finishTrain!: (detail: string) => void;
    const scheduler = new Scheduler({
      root: await Deno.makeTempDir(),
      now: () => t,
      log: () => {},
      jobs: [
        { name: "compact", cron: "0 * * * *", run: () => Promise.resolve("3 partitions merged") },
        {
          name: "report",
          cron: "0 13 * * *",
          // a failure's message comes from the job: the page must show it as text
          run: () => Promise.reject(new Error("No samples <img src=x onerror=window.pwned=1>")),
        },
        {
          name: "train",
          cron: "0 13 * * *",
          run: () => new Promise<string>((resolve) => finishTrain = resolve),
        },
        { name: "backtest", cron: "0 3 * * *", run: () => Promise.resolve("never") },
      ],
    });
    t = Date.UTC(2026, 0, 5, 13, 0, 1);
    // not awaited: train is still going until the test lets it finish
    const ticking = scheduler.tick();
    // the page has no alert rules: the schedule shows all the same
    await using app = await testApp({ workflows: { scheduler } });
    await using served = await serveWithChromium(app.app.fetch);
    try {
      const { page, errors } = await openPage(served.browser);
      await page.goto(`${served.origin}/alerts`);
      assert.match(await page.textContent("main") ?? "", /No alert rules configured/);
      await page.waitForSelector("#schedule-table tbody tr");
      const cells = async (job: string) =>
        await page.locator(`#schedule-table tr[data-job="${job}"] td`).allTextContents();
      // the Took column holds the real duration (a few ms): checked apart from the rest
      const finished = async (job: string) => {
        const all = await cells(job);
        assert.match(all[4]!, /^\d+ ms$/);
        return [...all.slice(0, 4), ...all.slice(5)];
      };
      assert.deepEqual(await finished("compact"), [
        "compact",
        "0 * * * *",
        "2026-01-05 13:00:01 UTC",
        "ok",
        "2026-01-05 14:00 UTC",
        "3 partitions merged",
      ]);
      assert.deepEqual(await finished("report"), [
        "report",
        "0 13 * * *",
        "2026-01-05 13:00:01 UTC",
        "failed",
        "2026-01-06 13:00 UTC",
        "No samples <img src=x onerror=window.pwned=1>",
      ]);
      assert.deepEqual(await cells("train"), [
        "train",
        "0 13 * * *",
        "2026-01-05 13:00:01 UTC",
        "running",
        "",
        "2026-01-06 13:00 UTC",
        "",
      ]);
      assert.deepEqual(await cells("backtest"), [
        "backtest",
        "0 3 * * *",
        "–",
        "never ran",
        "",
        "2026-01-06 03:00 UTC",
        "",
      ]);
      assert.match(
        await page.textContent("#schedule-meta") ?? "",
        /^4 jobs, 1 running, 1 failed at their last run/,
      );
      assert.equal(await page.locator("main img").count(), 0);
      assert.equal(await page.evaluate("window.pwned"), undefined);

      // train ends while the page is open: the next refresh shows its outcome
      finishTrain("models refit: 12 series");
      await ticking;
      await page.waitForSelector('#schedule-table tr[data-job="train"][data-outcome="ok"]');
      assert.equal((await cells("train"))[6], "models refit: 12 series");
      assert.match(
        await page.textContent("#schedule-meta") ?? "",
        /^4 jobs, 0 running, 1 failed at their last run/,
      );
      assert.deepEqual(errors, []);
    } finally {
      await scheduler.stop();
    }
  },
);

browserTest(
  "in Chromium, the Alerts page's Schedule status counts one job in the singular",
  "the Schedule browser test",
  async () => {
    // a config with one scheduled job said "1 jobs"
    const scheduler = new Scheduler({
      root: await Deno.makeTempDir(),
      now: () => Date.UTC(2026, 0, 5, 12, 30),
      log: () => {},
      jobs: [{ name: "compact", cron: "0 * * * *", run: () => Promise.resolve("done") }],
    });
    await using app = await testApp({ workflows: { scheduler } });
    await using served = await serveWithChromium(app.app.fetch);
    try {
      const { page, errors } = await openPage(served.browser);
      await page.goto(`${served.origin}/alerts`);
      await page.waitForSelector("#schedule-table tbody tr");
      assert.match(
        await page.textContent("#schedule-meta") ?? "",
        /^1 job, 0 running, 0 failed at their last run · /,
      );
      assert.deepEqual(errors, []);
    } finally {
      await scheduler.stop();
    }
  },
);
