/**
 * Text a user of perfscope can put in the lake and the config (a pushed service label, a process's
 * command line, an alert's annotations, a dashboard's title and the rows of its SQL panel, a
 * report's title) carrying markup, template syntax, a `javascript:` URL and bidi or zero-width
 * characters: every page of a real `serve` shows it as text, and nothing of it runs.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { browserTest, openPage } from "../_browser.ts";
import { serveWithChromiumIn } from "./_serve_with_chromium_in.ts";

/** Markup that sets `__pwned` wherever it is parsed as HTML, in an attribute or in a script, then
 * template syntax, a `javascript:` URL, a right-to-left override and a zero-width space. */
const EVIL = `"><img src=x onerror="globalThis.__pwned=1"><svg onload="globalThis.__pwned=2">` +
  `</script><script>globalThis.__pwned=3</script>'-alert(1)-'{{ $value }}\${7*7}` +
  `javascript:globalThis.__pwned=4 \u202egnp.exe\u200b`;

/** EVIL as a label value can be: ingest refuses a bidi control (bidi_label_values_test) and so
 * does the config's loader in its label values (label_values_test), where the config's other
 * text and a description keep theirs. */
const PUSHED = EVIL.replace("\u202e", "");

/** A unit (at most 64 characters) that runs if Explore's axis or tooltip parses it. */
const UNIT = `<img src=x onerror="globalThis.__pwned=6">`;

const CONFIG = `rules:
  - alert: HostileText
    metric: http_requests_per_second
    above: 0
    extra_labels: {team: ${JSON.stringify(PUSHED)}}
    annotations:
      summary: ${JSON.stringify(`${EVIL} on {{ $labels.service }}`)}
      runbook_url: "javascript:globalThis.__pwned=5"
dashboards:
  - name: hostile
    title: ${JSON.stringify(EVIL)}
    panels:
      - title: ${JSON.stringify(EVIL)}
        sql: SELECT labels AS name, value FROM samples WHERE metric = 'http_requests_per_second'
        kind: table
      - title: ${JSON.stringify(EVIL)}
        metric: http_requests_per_second
`;

/** What a page holds that hostile text could have made. */
interface Found {
  pwned: number;
  /** Elements with an event-handler attribute, `<img>` in main, or a `javascript:` link. */
  injected: string[];
  text: string;
}

browserTest(
  "in Chromium, markup, templates and javascript: URLs in pushed labels and the config show as text on every page and in the report, and never run",
  "the hostile text browser test",
  async () => {
    const data = await Deno.makeTempDir({ prefix: "perfscope-hostile-text-" });
    const config = join(data, "perfscope.yaml");
    await Deno.writeTextFile(config, CONFIG);
    await using served = await serveWithChromiumIn(data, ["--config", config]);
    const { server, browser } = served;
    const push = async () => {
      const now = Date.now();
      const rows = [
        { metric: "http_requests_per_second", labels: { service: PUSHED, code: "200" }, value: 5 },
        { metric: "http_server_active_requests", labels: { service: PUSHED }, value: 3 },
        { metric: "probe_success", labels: { target: PUSHED }, value: 1 },
        {
          metric: "process_cpu_ratio",
          labels: { pid: "7", name: "evil", command: PUSHED, rank_by: "cpu" },
          value: 0.5,
        },
        {
          metric: "process_rss_bytes",
          labels: { pid: "7", name: "evil", command: PUSHED },
          value: 1e9,
        },
      ].map((r) => JSON.stringify({ ts: now, host: "web-1", ...r })).join("\n");
      const res = await fetch(new URL("/api/ingest", server.url), {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body: rows,
      });
      assert.equal(res.status, 200, await res.text());
      // an OTLP gauge whose unit and description are markup (the unit labels Explore's axis)
      const attr = (key: string, v: string) => ({ key, value: { stringValue: v } });
      const otlp = await fetch(new URL("/v1/metrics", server.url), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          resourceMetrics: [{
            resource: { attributes: [attr("service.name", PUSHED), attr("host.name", "web-1")] },
            scopeMetrics: [{
              metrics: [{
                name: "hostile.gauge",
                unit: UNIT,
                description: EVIL,
                gauge: {
                  dataPoints: [{
                    timeUnixNano: `${now}000000`,
                    asDouble: 1,
                    attributes: [attr("k", PUSHED)],
                  }],
                },
              }],
            }],
          }],
        }),
      });
      assert.equal(otlp.status, 200, await otlp.text());
    };
    for (let i = 0; i < 3; i++) await push();
    const report = await fetch(new URL("/api/reports", server.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(report.status, 201, await report.clone().text());
    const reportUrl = (await report.json()).url as string;
    // a silence whose matcher, comment and author are markup (the Alerts page lists it)
    const silence = await fetch(new URL("/api/silences", server.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        matchers: [`team=${JSON.stringify(EVIL)}`],
        duration: "1h",
        comment: EVIL,
        createdBy: EVIL,
      }),
    });
    assert.equal(silence.status, 201, await silence.text());
    const { page, errors } = await openPage(browser);
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      d.dismiss().catch(() => {});
    });
    const timer = setInterval(() => push().catch(() => {}), 1000);
    const pages: [string, string][] = [
      // the live page draws the collector's snapshots (none here) and long_names_browser_test
      // covers its process table: here, that the page with pushed samples runs nothing
      ["/live", "main"],
      ["/explore?metric=http_requests_per_second", "#chart svg"],
      ["/explore?metric=hostile_gauge", "#chart svg"],
      ["/services", "section.service"],
      ["/alerts", '#alerts-table tr[data-state="firing"]'],
      ["/alerts", "#silences-table td"],
      ["/dashboards", "main li"],
      ["/dashboards/hostile", "#panel-0 table td"],
      ["/capacity", "main"],
      ["/reports", "main td a"],
      [reportUrl, "main, body"],
    ];
    try {
      for (const [path, ready] of pages) {
        await page.goto(new URL(path, server.url).href);
        await page.waitForSelector(ready, { timeout: 30_000 });
        await page.waitForTimeout(1500); // polls and the live stream draw the rest
        const found: Found = await page.evaluate(() => {
          const g = globalThis as unknown as {
            __pwned?: number;
            document: {
              body: { innerText: string };
              querySelectorAll(s: string): ArrayLike<{ outerHTML: string }>;
            };
          };
          const d = g.document;
          const bad = d.querySelectorAll(
            "[onerror], [onload], main img, [href^='javascript:' i], [src^='javascript:' i]",
          );
          return {
            pwned: g.__pwned ?? 0,
            injected: Array.from(bad, (e) => e.outerHTML.slice(0, 80)),
            text: d.body.innerText,
          };
        });
        assert.equal(found.pwned, 0, path);
        assert.deepEqual(found.injected, [], path);
        // shown as the text it is (the pages and the report show the service or the title)
        if (!/^\/(live|explore\?metric=http|capacity|reports)/.test(path)) {
          assert.ok(
            found.text.includes("<img src=x onerror="),
            `${path} shows the text: ${found.text.slice(0, 300)}`,
          );
        }
      }
    } finally {
      clearInterval(timer);
    }
    assert.deepEqual(dialogs, []);
    assert.deepEqual(errors, []);
  },
);
