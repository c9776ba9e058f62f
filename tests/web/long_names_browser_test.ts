import assert from "node:assert/strict";
import type { AlertInstance } from "../../alerts/mod.ts";
import { formatLabels } from "../../collectors/mod.ts";
import { HOST_MAX_BYTES, writePartition } from "../../lake/mod.ts";
import { AuditLog } from "../../workflows/mod.ts";
import { browserTest, openPage, serveWithChromium } from "../_browser.ts";
import { testApp } from "./_app.ts";

const DAY = 86_400_000;
/** Markup that would run if a name reached the page as HTML, then one long unbroken word: with
 * the leading `/` a 960-character mount point. */
const EVIL = `</script><img src=x onerror="globalThis.__pwned=1">'"&<b>x</b>`;
const MOUNT = "/" + EVIL + "M".repeat(959 - EVIL.length);
/** The longest host name the lake takes (250 bytes; a directory name holds 255), one word. */
const HOST = "h" + "x".repeat(HOST_MAX_BYTES - 1);
const VIEWPORT = { width: 1280, height: 900 };

/** Two days to `end` of a file system filling up on {@linkcode HOST}, its mount point
 * {@linkcode MOUNT}, and a process whose command line is {@linkcode MOUNT}. */
function hostileLake(root: string, end: number): void {
  const fs = formatLabels({ device: "/dev/x", fstype: "ext4", mountpoint: MOUNT });
  const proc = formatLabels({ pid: "4242", name: "evil", command: MOUNT });
  const start = end - 2 * DAY;
  // one partition per UTC date, as the lake files them (a read prunes partitions by date)
  const days = new Map<
    string,
    { ts: number[]; metric: string[]; labels: string[]; value: number[] }
  >();
  for (let k = 0; k < 288; k++) {
    const t = start + k * 600_000, date = new Date(t).toISOString().slice(0, 10);
    let d = days.get(date);
    if (!d) days.set(date, d = { ts: [], metric: [], labels: [], value: [] });
    const add = (m: string, l: string, v: number) => {
      d.ts.push(t), d.metric.push(m), d.labels.push(l), d.value.push(v);
    };
    add("filesystem_size_bytes", fs, 100e9);
    add("filesystem_used_bytes", fs, 50e9 + k * 0.15e9);
    add("filesystem_free_bytes", fs, 50e9 - k * 0.15e9);
    add("process_rss_bytes", proc, 1e9 + k * 1e7);
  }
  for (const [date, d] of days) {
    writePartition(
      { ...d, ts: Float64Array.from(d.ts), value: Float64Array.from(d.value) },
      { root, id: d.ts[0]!, host: HOST, date, sync: false },
    );
  }
}

/** What a page holds: its width, whether markup from a name ran or was parsed, and its text
 * (with every `title` attribute, where a cut name is whole). */
interface PageState {
  pwned: number;
  injected: number;
  scrollWidth: number;
  clientWidth: number;
  text: string;
}

browserTest(
  "in Chromium, a 960-character mount point and a 250-character host name stay within the window on every page, shown whole as text",
  "the long names browser test",
  async () => {
    const now = Date.now();
    const root = await Deno.makeTempDir({ prefix: "perfscope-long-names-" });
    hostileLake(root, now - 60_000);
    new AuditLog(root, { now: () => now - 120_000, host: HOST }).append({
      phase: "decision",
      workflow: "free-" + MOUNT,
      who: "workflow:free",
      what: `clean ${MOUNT}`,
      why: `alert DiskFull firing on ${HOST}`,
      mode: "dry-run",
      result: "advice",
    });
    const labels = { alertname: "DiskFull", host: HOST, mountpoint: MOUNT };
    const instance: AlertInstance = {
      rule: "DiskFull",
      fingerprint: "00000000000000ab",
      labels,
      annotations: { summary: `disk ${MOUNT} on ${HOST} is full` },
      state: "firing",
      value: 0.97,
      activeAt: now - 600_000,
      firedAt: now - 300_000,
      resolvedAt: NaN,
    };
    const title = `Disks of ${HOST} ${MOUNT}`;
    await using t = await testApp({
      root,
      now: Date.now,
      alerts: {
        instances: () => [instance],
        history: () =>
          Promise.resolve([{ at: now - 300_000, from: "pending", to: "firing", instance }]),
        rules: () => [{ alert: "DiskFull", metric: "filesystem_used_bytes" }],
      },
      dashboards: [{
        name: "disks",
        title,
        panels: [
          { title, metric: "filesystem_used_bytes", kind: "line", range: DAY },
          { title: `Table ${MOUNT}`, metric: "filesystem_used_bytes", kind: "table", range: DAY },
        ],
      }],
    });
    await using served = await serveWithChromium(t.app.fetch);
    // the live page shows the processes of the snapshots published after it connects
    const publish = () =>
      t.hub.publish([
        {
          ts: Date.now(),
          host: HOST,
          metric: "process_rss_bytes",
          labels: { pid: "4242", name: "evil", command: MOUNT },
          value: 1e9,
        },
        {
          ts: Date.now(),
          host: HOST,
          metric: "process_cpu_ratio",
          labels: { pid: "4242", name: "evil", command: MOUNT, rank_by: "cpu" },
          value: 0.5,
        },
        { ts: Date.now(), host: HOST, metric: "cpu_ratio", labels: { cpu: "all" }, value: 0.5 },
        {
          ts: Date.now(),
          host: HOST,
          metric: "filesystem_used_ratio",
          labels: { mountpoint: MOUNT },
          value: 0.9,
        },
      ]);
    const timer = setInterval(publish, 500);
    const { page, errors } = await openPage(served.browser, {
      viewport: VIEWPORT,
      // leaving a page cuts its polls and its live stream short
      failedRequest: (url) => !url.includes("/api/"),
    });
    // each page, what it waits for, and the names it shows whole (as text or in a title)
    const canonical = formatLabels({ device: "/dev/x", fstype: "ext4", mountpoint: MOUNT });
    const pages: [string, string, string[]][] = [
      ["/live", "#processes tbody tr td.command", [MOUNT, HOST]],
      // Explore names a series by the lake's labels, where `=` in a value reads `\=`
      ["/explore?metric=filesystem_used_bytes", "#chart svg", [canonical, HOST]],
      ["/capacity", "#capacity-0 svg", [MOUNT, HOST]],
      ["/dashboards", "main li", [title]],
      ["/dashboards/disks", "#panel-0 svg", [title, MOUNT]],
      ["/alerts", '#alerts-table tr[data-state="firing"]', [MOUNT, HOST]],
      ["/reports", "main", []],
      ["/services", "main", []],
    ];
    const wide: string[] = [];
    for (const [path, ready, names] of pages) {
      await page.goto(`${served.origin}${path}`);
      await page.waitForSelector(ready, { timeout: 60_000 });
      await page.waitForTimeout(500); // the page's first fetches draw the rest
      const got: PageState = await page.evaluate(() => {
        const g = globalThis as unknown as {
          __pwned?: number;
          document: {
            body: { innerText: string };
            documentElement: { scrollWidth: number; clientWidth: number };
            querySelectorAll(s: string): ArrayLike<{ getAttribute(a: string): string | null }>;
          };
        };
        const d = g.document;
        const titles = Array.from(
          d.querySelectorAll("main [title]"),
          (e) => e.getAttribute("title"),
        );
        return {
          pwned: g.__pwned ?? 0,
          injected: d.querySelectorAll("main img, main b").length,
          scrollWidth: d.documentElement.scrollWidth,
          clientWidth: d.documentElement.clientWidth,
          text: d.body.innerText + "\n" + titles.join("\n"),
        };
      });
      assert.equal(got.pwned, 0, path);
      assert.equal(got.injected, 0, `${path}: markup from a name was parsed`);
      if (got.scrollWidth > got.clientWidth * 1.05) {
        wide.push(`${path} ${got.scrollWidth} px in a ${got.clientWidth} px window`);
      }
      for (const name of names) {
        assert.ok(got.text.includes(name), `${path} shows ${name.slice(0, 40)}… whole`);
      }
    }
    clearInterval(timer);
    assert.deepEqual(wide, []);
    assert.deepEqual(errors, []);
  },
);
