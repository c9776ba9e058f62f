import assert from "node:assert/strict";
import { capacityAnalysis, capacityResource } from "../analytics/_capacity_fixtures.ts";
import { parseHTML } from "linkedom";
import { testApp } from "./_app.ts";

for (const page of ["live", "explore", "capacity", "alerts"]) {
  Deno.test(`GET /${page} renders the page with local scripts only`, async () => {
    await using t = await testApp();
    const res = await t.app.request(`/${page}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
    // deno-lint-ignore no-explicit-any
    const { document } = parseHTML(await res.text()) as any;
    assert.equal(
      document.querySelector('nav a[aria-current="page"]')?.getAttribute("href"),
      `/${page}`,
    );
    for (const s of document.querySelectorAll("script[src]")) {
      const src: string = s.getAttribute("src");
      assert.match(src, /^\/assets\//);
      const asset = await t.app.request(src);
      assert.equal(asset.status, 200, src);
      assert.match(asset.headers.get("content-type") ?? "", /^text\/javascript/);
      assert.ok((await asset.arrayBuffer()).byteLength > 100);
    }
  });
}

Deno.test("the capacity and alerts pages say honestly that there is nothing yet", async () => {
  await using t = await testApp();
  assert.match(
    await (await t.app.request("/alerts")).text(),
    /No alert rules configured/,
  );
  assert.match(await (await t.app.request("/capacity")).text(), /No capacity analysis to show/);
});

Deno.test("GET / redirects to the live page; unknown paths and assets are JSON 404s", async () => {
  await using t = await testApp();
  const home = await t.app.request("/");
  assert.equal(home.status, 302);
  assert.equal(home.headers.get("location"), "/live");
  const nope = await t.app.request("/nope");
  assert.equal(nope.status, 404);
  assert.deepEqual(await nope.json(), { error: "Not found: GET /nope" });
  const asset = await t.app.request("/assets/..%2F..%2Fdeno.json");
  assert.equal(asset.status, 404);
  assert.equal((await t.app.request("/assets/toString")).status, 404);
  assert.equal(
    (await t.app.request("/assets/style.css")).headers.get("content-type"),
    "text/css; charset=utf-8",
  );
});

Deno.test("GET /healthz reports the last sample and live clients", async () => {
  await using t = await testApp();
  assert.deepEqual(await (await t.app.request("/healthz")).json(), {
    status: "ok",
    lastSample: null,
    liveClients: 0,
  });
  t.hub.publish([{ ts: Date.UTC(2024, 0, 1), host: "h", metric: "m", labels: {}, value: 1 }]);
  assert.equal(
    (await (await t.app.request("/healthz")).json()).lastSample,
    "2024-01-01T00:00:00.000Z",
  );
});

Deno.test("GET /api/metrics lists the registry even for an empty lake", async () => {
  await using t = await testApp();
  const body = await (await t.app.request("/api/metrics")).json();
  assert.deepEqual(body.hosts, []);
  const cpu = body.metrics.find((m: { name: string }) => m.name === "cpu_ratio");
  assert.deepEqual(cpu.labels, ["cpu", "mode"]);
  assert.deepEqual(cpu.series, []);
});

Deno.test("capacityPage() keeps the ranking, shows ETA intervals and the recommendations", async () => {
  const { capacityPage } = await import("../../web/pages/capacity_page.ts");
  const now = Date.UTC(2024, 0, 1);
  const base = {};
  const rec = {
    id: "filesystem-full:h:/var",
    rule: "filesystem-full",
    severity: "warning" as const,
    host: "h",
    title: "Grow /var",
    detail: "Full in 3 days",
    evidence: { values: {}, series: [] },
    facts: ["Now 1 of 2"],
    effect: "Adding space postpones it",
  };
  const html = String(
    await capacityPage(capacityAnalysis({
      now,
      horizonMs: 86_400_000,
      resources: [
        capacityResource({
          ...base,
          resource: "memory",
          eta: now + 3_600_000,
          etaLow: now + 1_800_000,
          etaHigh: null,
          utilization: 0.9,
        }),
        capacityResource({
          ...base,
          resource: "filesystem",
          eta: now + 3 * 86_400_000,
          etaLow: now + 2 * 86_400_000,
          etaHigh: now + 4 * 86_400_000,
          utilization: 0.5,
          series: { ts: [], values: [] },
        }),
        capacityResource({
          resource: "cpu",
          eta: null,
          etaLow: now + 5 * 86_400_000,
          utilization: 0.2,
        }),
        capacityResource({ resource: "inodes", eta: null, utilization: 0.1 }),
      ],
      recommendations: [rec],
    })),
  );
  const order = ["memory", "filesystem", "cpu", "inodes"].map((r) => html.indexOf(`<td>${r}</td>`));
  assert.deepEqual([...order].sort((a, b) => a - b), order);
  assert.match(html, /1 h \(80 %: 30 min – past horizon\)/);
  assert.match(html, /3 days \(80 %: 2 days – 4 days\)/);
  assert.match(html, /not in horizon \(80 %: from 5 days\)/);
  assert.match(html, /<td class="num">not in horizon<\/td>/);
  assert.match(html, /50 %/);
  assert.match(html, /\[warning\] Grow \/var/);
  assert.match(html, /<li>Now 1 of 2<\/li>/);
  assert.match(html, /Adding space postpones it/);
  assert.match(html, /<script type="application\/json" id="page-data">/);
  assert.match(html, /src="\/assets\/capacity.js"/);
  // only resources with a history get a chart
  assert.match(html, /id="capacity-2"/);
  assert.doesNotMatch(html, /id="capacity-3"/);
  const none = String(
    await capacityPage(capacityAnalysis({ now, horizonMs: 1 })),
  );
  assert.match(none, /No recommendations/);
});

Deno.test("the Live and Explore modules import the shared formatter, which is served as JS", async () => {
  await using t = await testApp();
  for (const page of ["live", "explore"]) {
    const html = await (await t.app.request(`/${page}`)).text();
    assert.match(html, new RegExp(`<script type="module" src="/assets/${page}.js">`));
    const js = await (await t.app.request(`/assets/${page}.js`)).text();
    assert.match(js, /from "\/assets\/format\.js"/);
  }
  const format = await t.app.request("/assets/format.js");
  assert.equal(format.status, 200);
  assert.match(format.headers.get("content-type") ?? "", /^text\/javascript/);
  assert.match(await format.text(), /export function formatValue/);
});

Deno.test("the one list of control characters is served as JS, for the pages' names (bidi.js)", async () => {
  await using t = await testApp();
  const res = await t.app.request("/assets/escape_controls.js");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/javascript/);
  const source = new URL("../../format/escape_controls.js", import.meta.url);
  assert.equal(await res.text(), await Deno.readTextFile(source));
  const bidi = await (await t.app.request("/assets/bidi.js")).text();
  assert.match(bidi, /from "\/assets\/escape_controls\.js"/);
});
