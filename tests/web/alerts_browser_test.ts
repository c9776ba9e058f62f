import assert from "node:assert/strict";
import {
  type AlertInstance,
  type AlertTransition,
  Notifier,
  SilenceStore,
} from "../../alerts/mod.ts";
import { formatTime } from "../../format/mod.ts";
import type { AlertsView } from "../../web/mod.ts";
import {
  browserTest,
  type OpenedPage,
  openPage,
  type ServedApp,
  serveWithChromium,
} from "../_browser.ts";
import { type TestApp, testApp } from "./_app.ts";

// an alert firing since 5 minutes ago (pending 5 minutes before that), its value 5
function firingInstance(
  rule: string,
  fingerprint: string,
  labels: Record<string, string>,
  now: number,
): AlertInstance {
  return {
    rule,
    fingerprint,
    labels,
    annotations: {},
    state: "firing",
    value: 5,
    activeAt: now - 600_000,
    firedAt: now - 300_000,
    resolvedAt: NaN,
  };
}

// the app with this one alert, its history and its rules
function appWithAlert(
  instance: AlertInstance,
  history: AlertTransition[],
  rules: ReturnType<NonNullable<AlertsView["rules"]>>,
): Promise<TestApp> {
  return testApp({
    now: Date.now,
    alerts: {
      instances: () => [instance],
      history: () => Promise.resolve(history),
      rules: () => rules,
    },
  });
}

// each series of `metric` on `host`: 40 points, every 30 s over the last 20 minutes, rising
function ingestRising(t: TestApp, host: string, metric: string, series: string[], now: number) {
  const ts = Array.from({ length: 40 }, (_, i) => now - 1_200_000 + i * 30_000);
  for (const labels of series) {
    t.ingest.writeBatch({
      ts,
      host: ts.map(() => host),
      metric: ts.map(() => metric),
      labels: ts.map(() => labels),
      value: ts.map((_, i) => 1 + i / 8),
    });
  }
  t.ingest.flush();
}

// a recording page (see openPage) on the served app's Alerts page
async function openAlerts(served: ServedApp): Promise<OpenedPage> {
  const opened = await openPage(served.browser);
  await opened.page.goto(`${served.origin}/alerts`);
  return opened;
}

// the first history sparkline's title: `<metric> <span> UTC: <first> … <last>`
async function firstSparkTitle(page: OpenedPage["page"]): Promise<string> {
  return await page.locator("#history-table td.spark").first().getAttribute("title") ?? "";
}

browserTest(
  "in Chromium, the Alerts page shows a firing alert live, the notification its receiver holds, its history, and silences it from the form",
  "the Alerts page browser test",
  async () => {
    const now = Date.now();
    const firing: AlertInstance = {
      rule: "HighLoad",
      fingerprint: "0123456789abcdef",
      labels: {
        alertname: "HighLoad",
        severity: "critical",
        host: "db1",
        // label values come from pushed samples: the page must show them as text
        path: "<img src=x onerror=window.pwned=1>",
        window: "1m",
      },
      annotations: { summary: "load 5.5 on db1" },
      state: "inactive",
      value: NaN,
      activeAt: NaN,
      firedAt: NaN,
      resolvedAt: NaN,
    };
    let current = firing;
    const silences = await SilenceStore.open(undefined);
    // a real notifier whose receiver holds a new firing alert for 5 minutes (Netdata's delay)
    const notifier = new Notifier({
      receivers: [{
        name: "ops",
        webhook: "http://127.0.0.1:1/",
        delay: { up: 300_000, down: 0, multiplier: 1, max: 3_600_000 },
      }],
      route: { receiver: "ops", group_wait: 0, group_interval: 0 },
      tickMs: 0,
      log: () => {},
    });
    await using t = await testApp({
      now: Date.now,
      silences,
      notifier,
      alerts: {
        instances: () => [current],
        history: () =>
          Promise.resolve([
            {
              at: now - 600_000,
              from: "inactive",
              to: "pending",
              instance: { ...firing, state: "pending" },
            },
            {
              at: now - 300_000,
              from: "pending",
              to: "firing",
              instance: { ...firing, state: "firing" },
            },
          ]),
        rules: () => [{ alert: "HighLoad", metric: "load_average" }],
      },
    });
    await using served = await serveWithChromium(t.app.fetch);
    try {
      const { page, errors } = await openAlerts(served);
      await page.waitForSelector("#alerts-meta:has-text('All quiet')");
      assert.equal(
        await page.textContent("#alerts-meta"),
        "All quiet: no alert of the 1 rule is pending or firing.",
      );
      // the engine's state changes; the page picks it up on its next one-second refresh
      current = {
        ...firing,
        state: "firing",
        value: 5.5,
        activeAt: now - 600_000,
        firedAt: now - 300_000,
      };
      notifier.handle([{
        at: now,
        from: "pending",
        to: "firing",
        instance: { ...current, labels: { ...firing.labels } },
      }]);
      const dueAt = notifier.held()[0]!.dueAt;
      const row = page.locator('#alerts-table tr[data-state="firing"]');
      await row.waitFor();
      const text = await row.textContent() ?? "";
      assert.match(text, /firing/);
      assert.match(text, /HighLoad/);
      assert.match(text, /host="db1"/);
      const link = await row.locator("a").getAttribute("href") ?? "";
      const q = new URL(link, "http://x").searchParams;
      assert.equal(q.get("metric"), "load_average");
      // the lake's canonical labels: `=` in a value escaped
      assert.equal(q.get("series"), "db1|path=<img src\\=x onerror\\=window.pwned\\=1>,window=1m");
      assert.match(text, /path="<img src=x onerror=window.pwned=1>"/);
      // the held notification: receiver, alert, the state it will send, and when (as text)
      const held = page.locator('#held-list li[data-receiver="ops"]');
      await held.waitFor();
      assert.equal(await page.locator("#held").isVisible(), true);
      const heldText = await held.textContent() ?? "";
      assert.match(
        heldText,
        /^ops ← HighLoad \{.*path="<img src=x onerror=window.pwned=1>".*\} firing/,
      );
      assert.ok(heldText.endsWith(`sends at ${formatTime(dueAt, { seconds: true })}`), heldText);
      assert.equal(await page.locator("main img").count(), 0);
      assert.equal(await page.evaluate("window.pwned"), undefined);
      assert.match(
        await page.textContent("#alerts-meta") ?? "",
        /^1 firing, 0 pending, of 1 instance · /,
      );
      // the history timeline: one Plot chart with the pending and firing bars
      await page.waitForSelector("#timeline svg");
      assert.equal(await page.locator("#history-table tbody tr").count(), 2);

      await page.fill("#silence-matchers", 'alertname="HighLoad", host=~"db.*"');
      await page.fill("#silence-comment", "reboot");
      const posted = page.waitForResponse((r) =>
        r.url().endsWith("/api/silences") && r.request().method() === "POST"
      );
      await page.click("#silence-form button[type=submit]");
      assert.equal((await posted).status(), 201);
      await page.waitForSelector("#silences-table tbody tr");
      assert.match(
        await page.textContent("#silences-table tbody") ?? "",
        /alertname="HighLoad", host=~"db\.\*"/,
      );
      await page.waitForSelector('#alerts-table tr[data-state="firing"]:has-text("silenced")');
      assert.equal(silences.silencedBy(firing.labels).length, 1);
      assert.deepEqual(errors, []);
    } finally {
      await notifier.close();
    }
  },
);

browserTest(
  "in Chromium, each history entry on the Alerts page draws a sparkline of the alert's series over its span",
  "the Alerts page browser test",
  async () => {
    const now = Date.now();
    const labels = { alertname: "HighLoad", severity: "critical", host: "db1", window: "1m" };
    const instance = firingInstance("HighLoad", "00000000000000aa", labels, now);
    await using t = await appWithAlert(instance, [
      { at: now - 600_000, from: "inactive", to: "pending", instance },
      { at: now - 300_000, from: "pending", to: "firing", instance },
    ], [{ alert: "HighLoad", metric: "load_average" }]);
    // the series behind the alert: load rising over the last 20 minutes, every 30 s
    ingestRising(t, "db1", "load_average", ["window=1m"], now);
    await using served = await serveWithChromium(t.app.fetch);
    const { page, errors, requests } = await openAlerts(served);
    const sparks = page.locator("#history-table td.spark svg");
    await sparks.nth(1).waitFor();
    assert.equal(await sparks.count(), 2);
    // a line with the series' points, and the mark at the change
    assert.ok(await page.locator("#history-table td.spark svg path").count() >= 2);
    const asked = requests.filter((u) => u.includes("/api/series"));
    const q = new URL(asked[0]!).searchParams;
    assert.equal(q.get("metric"), "load_average");
    assert.equal(q.get("host"), "db1");
    assert.equal(q.get("labels"), "window=1m");
    assert.match(await firstSparkTitle(page), /^load_average .* UTC: [\d.]+ … [\d.]+$/);
    assert.deepEqual(errors, []);
  },
);

browserTest(
  "in Chromium, an alert whose label value holds a comma or an equals sign links to and draws its own series",
  "the Alerts page browser test",
  async () => {
    const now = Date.now();
    // label values as pushed samples may have them; the lake's canonical labels escape `,` `=` `\`
    const labels = { alertname: "SlowPath", severity: "warning", host: "web1", path: "/q?a=1,b" };
    const instance = firingInstance("SlowPath", "00000000000000bb", labels, now);
    await using t = await appWithAlert(
      instance,
      [{ at: now - 300_000, from: "pending", to: "firing", instance }],
      [{ alert: "SlowPath", metric: "latency_seconds" }],
    );
    const canonical = "path=/q?a\\=1\\,b";
    ingestRising(t, "web1", "latency_seconds", [canonical, "path=/other"], now);
    await using served = await serveWithChromium(t.app.fetch);
    const { page, errors } = await openAlerts(served);
    const row = page.locator('#alerts-table tr[data-state="firing"]');
    await row.waitFor();
    const link = new URL(await row.locator("a").getAttribute("href") ?? "", "http://x");
    // Explore selects the series whose `host|labels` is this, else it shows the metric's first
    assert.equal(link.searchParams.get("series"), `web1|${canonical}`);
    await page.locator("#history-table td.spark svg").first().waitFor({ timeout: 10_000 });
    assert.match(await firstSparkTitle(page), /^latency_seconds .* UTC: [\d.]+ … [\d.]+$/);
    assert.deepEqual(errors, []);
  },
);

browserTest(
  "in Chromium, an alert whose rule adds extra_labels draws its series' sparkline and links to its own series, not one with the rule's labels",
  "the Alerts page browser test",
  async () => {
    const now = Date.now();
    // team="db" comes from the rule's extra_labels: no series in the lake has it
    const labels = {
      alertname: "HighLoad",
      severity: "warning",
      host: "db1",
      window: "5m",
      team: "db",
    };
    const instance = firingInstance("HighLoad", "00000000000000cc", labels, now);
    await using t = await appWithAlert(
      instance,
      [{ at: now - 300_000, from: "pending", to: "firing", instance }],
      [{ alert: "HighLoad", metric: "load_average", extraLabels: ["team"] }],
    );
    // window=1m sorts first: Explore shows it when the link names no series it has
    ingestRising(t, "db1", "load_average", ["window=1m", "window=5m"], now);
    await using served = await serveWithChromium(t.app.fetch);
    const { page, errors } = await openAlerts(served);
    // the sparkline: drawn from the series' points, not "–" for a series that does not exist
    await page.locator("#history-table td.spark svg").first().waitFor({ timeout: 10_000 });
    assert.match(await firstSparkTitle(page), /^load_average .* UTC: [\d.]+ … [\d.]+$/);
    // the page still shows the alert's labels, the rule's team among them
    const row = page.locator('#alerts-table tr[data-state="firing"]');
    await row.waitFor();
    assert.match(await row.textContent() ?? "", /team="db"/);
    const href = await row.locator("a").getAttribute("href") ?? "";
    assert.equal(new URL(href, "http://x").searchParams.get("series"), "db1|window=5m");
    // the link opens Explore on the alert's own series
    await row.locator("a").click();
    await page.waitForURL(/\/explore\?/);
    await page.waitForSelector("#series option", { state: "attached" });
    assert.equal(await page.inputValue("#series"), "db1|window=5m");
    assert.deepEqual(errors, []);
  },
);

browserTest(
  "in Chromium, the Alerts page's 7-day timeline keeps its last time tick (MM-DD HH:MM) inside the chart",
  "the Alerts page browser test",
  async () => {
    // the page's clock at noon: the 7-day axis has a tick at its right end, "01-05 12:00",
    // which Plot's default right margin (20 px) cut
    const now = Date.UTC(2026, 0, 5, 12);
    const labels = { alertname: "HighLoad", severity: "critical", host: "db1", window: "1m" };
    const instance = firingInstance("HighLoad", "00000000000000ab", labels, now);
    await using t = await appWithAlert(instance, [
      { at: now - 600_000, from: "inactive", to: "pending", instance },
      { at: now - 300_000, from: "pending", to: "firing", instance },
    ], [{ alert: "HighLoad", metric: "load_average" }]);
    await using served = await serveWithChromium(t.app.fetch);
    const { page, errors } = await openPage(served.browser, {
      viewport: { width: 1280, height: 900 },
    });
    await page.clock.setFixedTime(now);
    await page.goto(`${served.origin}/alerts`);
    await page.click('#history [data-range="7d"]');
    await page.waitForFunction(`Array.from(
      document.querySelectorAll('#timeline svg [aria-label="x-axis tick label"] > text'),
    ).some((t) => t.textContent === "01-05 12:00")`);
    const ticks = await page.evaluate(`Array.from(
      document.querySelectorAll('#timeline svg [aria-label="x-axis tick label"] > text'),
      (t) => {
        const svg = t.closest("svg").getBoundingClientRect(), b = t.getBoundingClientRect();
        return { text: t.textContent, left: b.left - svg.left, right: svg.right - b.right };
      })`) as { text: string; left: number; right: number }[];
    for (const tick of ticks) {
      assert.ok(
        tick.left >= 0 && tick.right >= 0,
        `tick cut by its chart: ${JSON.stringify(tick)}`,
      );
    }
    assert.deepEqual(errors, []);
  },
);

browserTest(
  "in Chromium, the Alerts page's backtest names its own field when the span does not read as a duration",
  "the Alerts page browser test",
  async () => {
    const asked: number[] = [];
    await using t = await testApp({
      now: Date.now,
      alerts: {
        instances: () => [],
        history: () => Promise.resolve([]),
        rules: () => [{ alert: "HighLoad", metric: "load_average" }],
      },
      backtest: (_rule, since) => {
        asked.push(since);
        return Promise.resolve([]);
      },
    });
    await using served = await serveWithChromium(t.app.fetch);
    const { page, errors } = await openAlerts(served);
    await page.fill("#backtest-rule", JSON.stringify({ alert: "X", metric: "m", above: 1 }));
    // a user typed "soon": the server's answer named what it was sent, `Invalid from: "now-soon"`
    for (const span of ["soon", "", "60"]) {
      await page.fill("#backtest-from", span);
      await page.click("#backtest-form button[type=submit]");
      assert.equal(
        await page.textContent("#backtest-status"),
        `Invalid "Over the last": ${span || "empty"} (use e.g. 7d, 24h, 30m)`,
      );
    }
    assert.deepEqual(asked, [], "nothing sent");
    // a duration is sent as before
    await page.fill("#backtest-from", "1h30m");
    await page.click("#backtest-form button[type=submit]");
    await page.waitForSelector("#backtest-status:has-text('0 firing intervals')");
    assert.equal(asked.length, 1);
    assert.deepEqual(errors, []);
  },
);
