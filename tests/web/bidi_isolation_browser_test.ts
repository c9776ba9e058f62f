/// <reference lib="dom" />
/**
 * A name from the data holding right-to-left text (a label value or a mount point, a silence's
 * matcher) is isolated wherever a page or the report shows it among other text: its direction
 * acts on the name alone, never on the words after it (`} @ web-1 · tier raw`, the next label,
 * "runs out first"). A right-to-left override no longer reaches the page as it is (it shows
 * escaped, control_escape_browser_test.ts): the name starts with a right-to-left mark, which
 * real names use and which is shown as it is.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeSamples } from "../../lake/mod.ts";
import { browserTest, openPage } from "../_browser.ts";
import { pushEverySecond } from "./_push_every_second.ts";
import { serveWithChromiumIn } from "./_serve_with_chromium_in.ts";

/** A name after a right-to-left mark, then a zero-width space. */
const NAME = "\u200fgnp.exe\u200b";

const CONFIG = `rules:
  - alert: Busy
    metric: http_requests_per_second
    above: 0
dashboards:
  - name: bidi
    panels:
      - title: by service
        sql: SELECT labels AS name, value FROM samples WHERE metric = 'http_requests_per_second'
        kind: table
`;

/** Where the name's direction on the page reaches beyond it: the text it can reorder, per case. */
function leaks(name: string): string[] {
  const mark = name[0]!;
  const rest = name.slice(1);
  const out: string[] = [];
  const isBoundary = (e: Element) => {
    if (e instanceof SVGTextElement || e.localName === "option") return true;
    const s = getComputedStyle(e);
    return /isolate|plaintext/.test(s.unicodeBidi) || !s.display.startsWith("inline");
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const parent = n.parentElement;
    if (!parent || parent.closest("script, style")) continue;
    const text = n.nodeValue ?? "";
    for (let i = text.indexOf(mark); i >= 0; i = text.indexOf(mark, i + 1)) {
      // the mark acts up to the end of its isolate or paragraph, or to a PDI/PDF character
      let box: Element = parent;
      while (box.parentElement && !isBoundary(box)) box = box.parentElement;
      const range = document.createRange();
      range.selectNodeContents(box);
      range.setStart(n, i + 1);
      const after = range.toString();
      const end = after.search(/[\u2069\u202c]/);
      const reach = end < 0 ? after : after.slice(0, end);
      out.push(reach === rest ? "" : `<${box.localName}> ${JSON.stringify(reach.slice(0, 80))}`);
    }
  }
  return out;
}

browserTest(
  "in Chromium, right-to-left text in a name reorders only that name on every page and in the report",
  "the bidi isolation browser test",
  async () => {
    const data = await Deno.makeTempDir({ prefix: "perfscope-bidi-" });
    const config = join(data, "perfscope.yaml");
    await Deno.writeTextFile(config, CONFIG);
    // the named series are in the lake (written as the lake's writer does, over the last two
    // minutes), and a pushed series fires the alert
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
        { ts, metric: "filesystem_used_bytes", labels: fs, value: 4e9 },
        { ts, metric: "filesystem_free_bytes", labels: fs, value: 6e9 },
      ].map((r) => ({ ...r, host: "web-1" }))
    );
    writeSamples(old, { root: data, id: now - 120_000 });
    await using s = await serveWithChromiumIn(data, ["--config", config]);
    using _pushing = await pushEverySecond(s.server.url, [
      { metric: "http_requests_per_second", labels: { code: "200", service: "web" }, value: 5 },
    ]);
    // the Alerts page shows the name in a silence's matcher
    const silence = await fetch(new URL("/api/silences", s.server.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ matchers: [`team=${JSON.stringify(NAME)}`], duration: "1h" }),
    });
    assert.equal(silence.status, 201, await silence.text());
    const report = await fetch(new URL("/api/reports", s.server.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(report.status, 201, await report.clone().text());
    const reportUrl = (await report.json()).url as string;
    const { page, errors } = await openPage(s.browser);
    const pages: [string, string][] = [
      ["/explore?metric=http_requests_per_second", "#chart svg"],
      ["/services", "section.service"],
      ["/alerts", '#alerts-table tr[data-state="firing"]'],
      ["/dashboards/bidi", "#panel-0 table td"],
      ["/capacity", "main h2 bdi"],
      [reportUrl, "main"],
    ];
    for (const [path, ready] of pages) {
      await page.goto(new URL(path, s.server.url).href);
      await page.waitForSelector(ready, { timeout: 30_000 });
      await page.waitForTimeout(1500); // the polls fill the rest
      const found = await page.evaluate(leaks, NAME);
      assert.ok(found.length > 0, `${path} shows the name`);
      assert.deepEqual(found.filter((f) => f !== ""), [], path);
    }
    assert.deepEqual(errors, []);
  },
);
