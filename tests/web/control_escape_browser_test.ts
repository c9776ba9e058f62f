/**
 * A label value stored before ingest refused bidi controls and line separators (a right-to-left
 * override makes `<RLO>gnp.exe` read `exe.png`, even in its own isolate) shows on every page and
 * in the report with those characters escaped, `\u202egnp.exe\u2028`, as the CLI prints them;
 * the JSON of /api keeps the value as it is stored.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeSamples } from "../../lake/mod.ts";
import { browserTest, openPage } from "../_browser.ts";
import { shownText } from "../_shown_text.ts";
import { pushEverySecond } from "./_push_every_second.ts";
import { serveWithChromiumIn } from "./_serve_with_chromium_in.ts";

/** A name that reads `exe.png` once the override has reversed it, then a line separator. */
const NAME = "\u202egnp.exe\u2028";
/** NAME as the pages show it. */
const SHOWN = "\\u202egnp.exe\\u2028";

const CONFIG = `rules:
  - alert: Busy
    metric: http_requests_per_second
    above: 0
dashboards:
  - name: escaped
    panels:
      - title: by series
        sql: SELECT labels AS name, value FROM samples WHERE metric = 'http_requests_per_second'
        kind: table
      - title: requests
        metric: http_requests_per_second
`;

browserTest(
  "in Chromium, a bidi control and a line separator in a stored label value show escaped (\\u202e) on every page and in the report, and /api keeps the value",
  "the control escape browser test",
  async () => {
    const data = await Deno.makeTempDir({ prefix: "perfscope-escape-" });
    const config = join(data, "perfscope.yaml");
    await Deno.writeTextFile(config, CONFIG);
    // ingest refuses these characters now: the series are in the lake from before, written as
    // the lake's writer did over the last two minutes
    const now = Date.now();
    const fs = { device: "/dev/x", fstype: "ext4", mountpoint: NAME };
    const old = Array.from({ length: 120 }, (_, i) => now - 120_000 + i * 1000).flatMap((ts) =>
      [
        {
          ts,
          metric: "http_requests_per_second",
          labels: { code: "200", service: NAME },
          value: 5,
        },
        { ts, metric: "probe_success", labels: { target: NAME }, value: 1 },
        { ts, metric: "filesystem_used_bytes", labels: fs, value: 4e9 },
        { ts, metric: "filesystem_free_bytes", labels: fs, value: 6e9 },
        { ts, metric: "cpu_ratio", labels: { cpu: NAME, mode: "idle" }, value: 0.5 },
      ].map((r) => ({ ...r, host: "web-1" }))
    );
    writeSamples(old, { root: data, id: now - 120_000 });
    await using s = await serveWithChromiumIn(data, ["--config", config]);
    using _pushing = await pushEverySecond(s.server.url, [
      { metric: "http_requests_per_second", labels: { code: "200", service: "web" }, value: 5 },
    ]);
    const api = async (path: string, init?: RequestInit) => {
      const res = await fetch(new URL(path, s.server.url), init);
      const text = await res.text();
      assert.ok(res.ok, `${path}: ${res.status} ${text}`);
      return text;
    };
    // the JSON is the data: the value as stored, the characters as they are
    for (const path of ["/api/metrics", "/api/services", "/api/capacity"]) {
      const text = await api(path);
      assert.ok(JSON.stringify(JSON.parse(text)).includes(NAME), `${path} holds the value`);
      assert.ok(!text.includes(SHOWN.replaceAll("\\", "\\\\")), `${path} does not escape it`);
    }
    const series = JSON.parse(
      await api(
        "/api/series?" + new URLSearchParams({
          metric: "http_requests_per_second",
          labels: `code=200,service=${NAME}`,
          host: "web-1",
        }),
      ),
    );
    assert.equal(series.labels, `code=200,service=${NAME}`);
    await api("/api/silences", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ matchers: [`team=${JSON.stringify(NAME)}`], duration: "1h" }),
    });
    const report = JSON.parse(
      await api("/api/reports", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      }),
    );
    const { page, errors } = await openPage(s.browser);
    const pages: [string, string][] = [
      ["/explore?metric=http_requests_per_second", "#chart svg"],
      ["/live?host=web-1", "#chart-cpu svg"],
      ["/services", "#probes td"],
      ["/alerts", "#silences-table td"],
      ["/dashboards/escaped", "#panel-1 svg"],
      ["/capacity", "main h2 bdi"],
      [report.url, "html[data-ready]"],
    ];
    const wrong: string[] = []; // every page's, so that one run names them all
    for (const [path, ready] of pages) {
      await page.goto(new URL(path, s.server.url).href);
      await page.waitForSelector(ready, { timeout: 30_000 });
      await page.waitForTimeout(1500); // the polls fill the rest
      const shown = await page.evaluate(shownText, "\u202e\u2028");
      if (!shown.text.includes(SHOWN)) wrong.push(`${path} does not show ${SHOWN}`);
      for (const raw of shown.raw) wrong.push(`${path} shows the characters in ${raw}`);
    }
    assert.deepEqual(wrong, []);
    assert.deepEqual(errors, []);
  },
);
