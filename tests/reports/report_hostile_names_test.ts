import assert from "node:assert/strict";
import { formatLabels } from "../../collectors/mod.ts";
import { openLake, writePartition } from "../../lake/mod.ts";
import { writeReport } from "../../reports/mod.ts";
import { missing } from "../_skip.ts";
import { openReport } from "./_browser.ts";

const START = Date.UTC(2025, 0, 6);
const DAY = 86_400_000;
/** Markup that would run if a name reached the page as HTML, and a long word after it. */
const EVIL = `</script><img src=x onerror="globalThis.__pwned=1">'"&<b>x</b>` + "X".repeat(900);

/** Two days of a file system filling up whose mount point, and a process whose name and command
 * line, are {@linkcode EVIL}. */
function hostileLake(): string {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-report-hostile-" });
  const fs = formatLabels({ device: "/dev/x", fstype: "ext4", mountpoint: "/" + EVIL });
  const proc = formatLabels({ pid: "4242", name: EVIL.slice(0, 15), command: EVIL });
  for (let day = 0; day < 2; day++) {
    const ts: number[] = [], metric: string[] = [], labels: string[] = [], value: number[] = [];
    const add = (t: number, m: string, l: string, v: number) => {
      ts.push(t), metric.push(m), labels.push(l), value.push(v);
    };
    for (let i = 0; i < 144; i++) {
      const t = START + day * DAY + i * 600_000, k = day * 144 + i;
      add(t, "filesystem_size_bytes", fs, 100e9);
      add(t, "filesystem_used_bytes", fs, 50e9 + k * 0.15e9);
      add(t, "filesystem_free_bytes", fs, 50e9 - k * 0.15e9);
      add(t, "process_rss_bytes", proc, 1e9 + k * 1e7);
      add(t, "process_cpu_ratio", proc, 0.9);
    }
    writePartition(
      { ts: Float64Array.from(ts), metric, labels, value: Float64Array.from(value) },
      { root, id: START + day * DAY, host: "sim-1", date: `2025-01-0${6 + day}`, sync: false },
    );
  }
  return root;
}

Deno.test({
  name: "a report of hostile, long names shows them as text and stays as wide as the window",
  ignore: missing("chromium", "the browser tests of the report"),
  async fn() {
    // a new user's walkthrough: nothing ran, but one 960-character mount point made the page
    // 19,732 px wide (headings, the ranking table and the series line did not wrap)
    const root = hostileLake();
    const lake = await openLake({ root });
    const path = `${root}/report.html`;
    try {
      await writeReport(lake, { root, out: path, title: EVIL, now: START + 2 * DAY });
    } finally {
      lake.close();
    }
    assert.doesNotMatch(await Deno.readTextFile(path), /<img|<b>/i);
    const opened = await openReport(path);
    try {
      const page = await opened.page.evaluate(() => {
        const g = globalThis as unknown as {
          __pwned?: number;
          document: {
            body: { innerText: string };
            documentElement: { scrollWidth: number; clientWidth: number };
            querySelectorAll(s: string): { length: number };
          };
        };
        const d = g.document;
        return {
          pwned: g.__pwned ?? 0,
          injected: d.querySelectorAll("img, b").length,
          shown: (d.body.innerText.match(/onerror=/g) ?? []).length,
          scrollWidth: d.documentElement.scrollWidth,
          clientWidth: d.documentElement.clientWidth,
        };
      });
      assert.equal(page.pwned, 0);
      assert.equal(page.injected, 0);
      assert.ok(page.shown >= 2, `the names are shown as text (${page.shown} times)`);
      assert.ok(
        page.scrollWidth <= page.clientWidth,
        `page ${page.scrollWidth} px wide in a ${page.clientWidth} px window`,
      );
      assert.deepEqual(opened.errors, []);
    } finally {
      await opened.browser.close();
    }
  },
});
