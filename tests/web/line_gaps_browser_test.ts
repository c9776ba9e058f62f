/**
 * Dashboard, Services and Live line charts (and a dashboard's stacked areas) break where the data
 * has a gap, as Explore's does: a collector or an app that ran 8 minutes, stopped for 10 and ran 8
 * more was drawn as one line across the 10 minutes nothing was measured. The Live page after a
 * restart draws the minutes before it from the lake.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
// deno-lint-ignore no-import-prefix -- as tests/_browser.ts: kept out of deno.json
import type { Page } from "npm:playwright-core@1.65.1";
import { writeSamples } from "../../lake/mod.ts";
import { browserTest, openPage } from "../_browser.ts";
import { pushEverySecond } from "./_push_every_second.ts";
import { serveWithChromiumIn } from "./_serve_with_chromium_in.ts";

/** Times of one sample a second over two 8-minute runs 10 minutes apart, ending 30 s ago. */
function twoRuns(): number[] {
  const end = Math.floor(Date.now() / 1000) * 1000 - 30_000;
  const times = [];
  for (const [from, to] of [[end - 26 * 60_000, end - 18 * 60_000], [end - 8 * 60_000, end]]) {
    for (let t = from!; t < to!; t += 1000) times.push(t);
  }
  return times;
}

/** Asserts that the line at `selector` has one subpath per run of samples: two. */
async function assertTwoRuns(page: Page, selector: string): Promise<void> {
  const path = `${selector} [aria-label="line"] path`;
  await page.waitForSelector(path, { state: "attached", timeout: 30_000 });
  const d = await page.getAttribute(path, "d") ?? "";
  assert.equal(d.match(/M/g)?.length, 2, `${selector}: ${d.slice(0, 200)}`);
}

browserTest(
  "a dashboard's line panel breaks where the data has a gap",
  "the browser test",
  async () => {
    const data = await Deno.makeTempDir({ prefix: "perfscope-dashboard-gap-" });
    const config = join(data, "perfscope.yaml");
    await Deno.writeTextFile(
      config,
      `dashboards:
  - name: host
    panels:
      - title: Load
        metric: load_average
        range: 30m
`,
    );
    const rows = twoRuns().map((ts) => ({
      ts,
      host: "vm",
      metric: "load_average",
      labels: "window=1m",
      value: 3,
    }));
    writeSamples(rows, { root: data, id: rows.at(-1)!.ts, sync: false });
    await using s = await serveWithChromiumIn(data, ["--config", config]);
    const { page, errors } = await openPage(s.browser);
    await page.goto(new URL("/dashboards/host", s.server.url).href);
    await assertTwoRuns(page, "#panel-0");
    assert.deepEqual(errors, []);
  },
);

browserTest(
  "a dashboard's area panel breaks every stacked series where the data has a gap",
  "the browser test",
  async () => {
    const data = await Deno.makeTempDir({ prefix: "perfscope-dashboard-area-gap-" });
    const config = join(data, "perfscope.yaml");
    await Deno.writeTextFile(
      config,
      `dashboards:
  - name: host
    panels:
      - title: Memory
        metric: memory_bytes
        kind: area
        range: 30m
`,
    );
    const rows = twoRuns().flatMap((ts) =>
      ["used", "cached"].map((state) => ({
        ts,
        host: "vm",
        metric: "memory_bytes",
        labels: `state=${state}`,
        value: state === "used" ? 3e9 : 1e9,
      }))
    );
    writeSamples(rows, { root: data, id: rows.at(-1)!.ts, sync: false });
    await using s = await serveWithChromiumIn(data, ["--config", config]);
    const { page, errors } = await openPage(s.browser);
    await page.goto(new URL("/dashboards/host", s.server.url).href);
    const path = '#panel-0 [aria-label="area"] path';
    await page.waitForSelector(path, { state: "attached", timeout: 30_000 });
    const areas = await page.$$eval(path, (els) => els.map((e) => e.getAttribute("d") ?? ""));
    // one area per series, each in two pieces: the stack does not read the gap as 0
    assert.equal(areas.length, 2);
    for (const d of areas) assert.equal(d.match(/M/g)?.length, 2, d.slice(0, 200));
    assert.deepEqual(errors, []);
  },
);

browserTest(
  "the Services page breaks a chart's line where the service sent nothing for minutes",
  "the browser test",
  async () => {
    const data = await Deno.makeTempDir({ prefix: "perfscope-services-gap-" });
    const rows = twoRuns().flatMap((ts) =>
      ["200", "500"].map((code) => ({
        ts,
        host: "app-1",
        metric: "http_requests_per_second",
        labels: `code=${code},service=shop`,
        value: code === "200" ? 20 : 0.1,
      }))
    );
    writeSamples(rows, { root: data, id: rows.at(-1)!.ts, sync: false });
    await using s = await serveWithChromiumIn(data);
    const { page, errors } = await openPage(s.browser);
    await page.goto(new URL("/services", s.server.url).href);
    for (const signal of ["rps", "errors"]) await assertTwoRuns(page, `[data-signal="${signal}"]`);
    assert.deepEqual(errors, []);
  },
);

/** The Live charts of a serve restarted `downMs` after two minutes of collecting into its lake;
 * the test's `look` runs on the open Live page while samples are pushed every second. */
async function liveAfterRestart(downMs: number, look: (page: Page) => Promise<void>) {
  const data = await Deno.makeTempDir({ prefix: "perfscope-live-restart-" });
  const end = Math.floor(Date.now() / 1000) * 1000 - downMs;
  const series = [
    { metric: "cpu_ratio", labels: { cpu: "0", mode: "idle" }, value: 0.5 },
    { metric: "load_average", labels: { window: "1m" }, value: 2 },
  ];
  const rows = [];
  for (let ts = end - 120_000; ts < end; ts += 1000) {
    for (const s of series) rows.push({ ts, host: "vm", ...s });
  }
  writeSamples(rows, { root: data, id: end, sync: false });
  await using s = await serveWithChromiumIn(data);
  using _pushing = await pushEverySecond(s.server.url, series, "vm");
  const { page, errors } = await openPage(s.browser);
  await page.goto(new URL("/live", s.server.url).href);
  await look(page);
  // one piece from the lake, one since the restart
  for (const chart of ["#chart-cpu", "#chart-load"]) await assertTwoRuns(page, chart);
  assert.deepEqual(errors, []);
}

browserTest(
  "the Live page fills its window from the lake after a restart, broken where serve was down",
  "the browser test",
  // serve collected for 2 minutes, was down for 2, and is back: the lake holds the minutes
  // before, the live hub only what is pushed from now on (both in the first frame, the backfill)
  () => liveAfterRestart(120_000, async () => {}),
);

browserTest(
  "the Live page's 10-minute window shows the lake's minutes before the server's 5",
  "the browser test",
  // serve collected from 9 to 7 minutes ago, was down, and is back: what the 10-minute window
  // shows before the restart lies beyond the 5 minutes the server keeps for a new page
  () =>
    liveAfterRestart(7 * 60_000, async (page) => {
      await page.waitForSelector('#chart-load [aria-label="line"] path', { state: "attached" });
      await page.selectOption("#window", "10");
    }),
);
