/**
 * A hundred hosts in a real VictoriaMetrics, read by the web app (`serve --source`): the
 * Capacity page and its API rank every host's resources and group the hosts by their external
 * labels, Explore's APIs read the fleet's series, and the report from the same analysis stays
 * one file under 3 MB.
 */
import assert from "node:assert/strict";
import {
  type CapacityAnalysis,
  type HostGroup,
  hostGroupsBy,
  NO_GROUP,
} from "../../analytics/mod.ts";
import { prometheusSource } from "../../sources/mod.ts";
import { renderReport, reportData } from "../../reports/mod.ts";
import { missing } from "../_skip.ts";
import { startServe } from "../_serve.ts";
import { type TestApp, testApp } from "../web/_app.ts";
import { main as serveMain } from "../../cli/serve.ts";
import { type Engine, startVictoriaMetrics } from "../export/_engines.ts";
import { fleetFill, fleetHost, fleetLabels, importSyntheticFleet } from "./_fleet.ts";

const ignore = missing("victoria-metrics", "the fleet web tests");
const HOSTS = 100;
const STEP = 1_800_000;
// the fleet ends now: serve's source discovers series within its 30-day look-back of the clock
const END = Math.floor(Date.now() / STEP) * STEP;
const opts = { sanitizeResources: false, sanitizeOps: false, ignore };

let shared: Promise<Engine> | undefined;
/** One VictoriaMetrics holding the synthetic fleet (3 days at 30 min), for all tests here. */
function fleet(): Promise<Engine> {
  return shared ??= (async () => {
    const vm = await startVictoriaMetrics();
    await importSyntheticFleet(vm, { hosts: HOSTS, days: 3, stepMs: STEP, end: END });
    return vm;
  })();
}

/** The app over an empty lake with the fleet as its analysis source (its clock stands still,
 * so its capacity analysis is computed once and shared by the tests). */
let app: Promise<{ t: TestApp; name: string }> | undefined;
function fleetApp() {
  return app ??= (async () => {
    const vm = await fleet();
    const name = `prometheus ${vm.base}`;
    const t = await testApp({
      source: { name, open: () => prometheusSource(vm.base) },
      // fewer bootstrap rounds than the page's 200: the ranking is the same, the test quicker
      capacity: { bootstrap: 50 },
    });
    return { t, name };
  })();
}

/** The fleet app's Capacity page and analysis. */
async function capacityOfFleet() {
  const { t, name } = await fleetApp();
  const res = await t.app.request("/api/capacity");
  assert.equal(res.status, 200);
  const analysis = await res.json() as CapacityAnalysis;
  const page = await (await t.app.request("/capacity")).text();
  return { analysis, page, name, app: t.app };
}

Deno.test({
  ...opts,
  name:
    "the Capacity page ranks the resources of 100 hosts read from VictoriaMetrics and names the source",
  async fn() {
    const { analysis, page, name } = await capacityOfFleet();
    assert.equal(analysis.status, "ready");
    assert.equal(analysis.source, name);
    assert.equal(analysis.hosts.length, HOSTS);
    // three resources per host (/var, memory, CPU run queue), every host in the ranking
    assert.equal(analysis.resources.length, 3 * HOSTS);
    assert.equal(new Set(analysis.resources.map((r) => r.host)).size, HOSTS);
    // every tenth host's /var fills up, host 0 the fastest: they lead the ranking in order
    const filling = Array.from({ length: HOSTS }, (_, i) => i).filter((i) => fleetFill(i) > 0.9);
    assert.deepEqual(
      analysis.resources.slice(0, filling.length).map((r) => `${r.host} ${r.resource}`),
      filling.map((i) => `${fleetHost(i)} filesystem`),
    );
    assert.ok(analysis.resources.slice(0, filling.length).every((r) => r.severity === "critical"));
    assert.match(page, new RegExp(`Reading series from <strong>${name}</strong>`));
    for (let i = 0; i < HOSTS; i++) {
      assert.match(page, new RegExp(`<td class="wrap">${fleetHost(i)}</td>`));
    }
    // the page's table lists the ranking in the analysis' order
    const order = [
      ...page.matchAll(/<td class="num">(\d+)<\/td>\s*<td class="wrap">(fleet-\d+)<\/td>/g),
    ]
      .map((m) => m[2]);
    assert.deepEqual(order.slice(0, 3), analysis.resources.slice(0, 3).map((r) => r.host));
  },
});

Deno.test({
  ...opts,
  name:
    "hosts are grouped by their external labels: counts and rankings per env, dc and role on the page and in /api/capacity",
  async fn() {
    const { analysis, page, app: t } = await capacityOfFleet();
    assert.deepEqual(analysis.hostGroups?.[fleetHost(7)], fleetLabels(7));
    // the page groups by env by default, and offers dc and role
    assert.match(page, /<option value="env" selected>env<\/option>/);
    assert.match(page, /<option value="role">role<\/option>/);
    assert.match(page, /<tr data-group="staging">/);
    const res = await t.request("/api/capacity?group=dc");
    assert.equal(res.status, 200);
    const body = await res.json() as CapacityAnalysis & { groupBy: string; groups: HostGroup[] };
    assert.equal(body.groupBy, "dc");
    const dcOf = (i: number) => fleetLabels(i).dc;
    const hosts = (dc: string) =>
      Array.from({ length: HOSTS }, (_, i) => i).filter((i) => dcOf(i) === dc).map(fleetHost);
    // ams holds host 0, the fleet's most pressing resource: its group comes first
    assert.deepEqual(body.groups.map((g) => g.value), ["ams", "fra", "lon"]);
    for (const g of body.groups) {
      assert.deepEqual(g.hosts, hosts(g.value));
      assert.equal(g.resources, 3 * g.hosts.length);
      const mine = body.resources.filter((r) => dcOf(Number(r.host.slice(6))) === g.value);
      assert.equal(g.severity.critical, mine.filter((r) => r.severity === "critical").length);
      assert.equal(g.ranking[0], mine[0]!.id);
    }
    // each group's first resource: the fastest-filling /var among its hosts (0, 10, 20)
    assert.deepEqual(
      body.groups.map((g) => g.ranking[0]!.split("-filesystem")[0]),
      [0, 10, 20].map(fleetHost),
    );
    assert.ok(body.groups.every((g) => g.severity.critical >= 3));
    const roles = await (await t.request("/capacity?group=role")).text();
    for (const role of ["web", "db", "cache", "batch", "queue"]) {
      assert.match(
        roles,
        new RegExp(
          `<tr data-group="${role}">\\s*<td class="wrap">${role}</td>\\s*<td class="num">20</td>`,
        ),
      );
    }
    const bad = await t.request("/api/capacity?group=zone");
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).error, /^Invalid group: zone \(one of env, dc, role\)$/);
    assert.equal((await t.request("/capacity?group=zone")).status, 400);
  },
});

Deno.test({
  ...opts,
  name: "the fleet report from the same analysis groups the hosts and is one file under 3 MB",
  async fn() {
    const { analysis } = await capacityOfFleet();
    const html = await renderReport(reportData(analysis, "Fleet capacity"));
    const bytes = new TextEncoder().encode(html).length;
    console.log(
      `fleet report, ${HOSTS} hosts, ${analysis.resources.length} resources: ${bytes} bytes`,
    );
    assert.ok(bytes < 3 * 1024 * 1024, `${bytes} bytes`);
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href="http/);
    assert.match(html, /<section id="groups"><h2>Hosts by group<\/h2>/);
    for (const label of ["env", "dc", "role"]) {
      assert.match(html, new RegExp(`<h3 id="group-${label}">By ${label}</h3>`));
    }
    const envs = hostGroupsBy(analysis, "env");
    assert.deepEqual(envs.map((g) => [g.value, g.hosts.length]), [["staging", 25], ["prod", 75]]);
    assert.match(html, /<tr data-group="env=staging"><td>staging<\/td><td class="num">25<\/td>/);
    // a lake has no group labels: no section, every host in one group
    const { hostGroups: _, ...plain } = analysis;
    assert.doesNotMatch(await renderReport(reportData(plain)), /id="groups"/);
    assert.deepEqual(hostGroupsBy(plain, "env").map((g) => g.value), [NO_GROUP]);
  },
});

Deno.test({
  ...opts,
  name: "Explore's /api/metrics and /api/series read the fleet's series from the source",
  async fn() {
    const vm = await fleet();
    await using t = await testApp({
      source: { name: "fleet", open: () => prometheusSource(vm.base) },
    });
    const metrics = await (await t.app.request("/api/metrics")).json() as {
      hosts: string[];
      metrics: { name: string; series: { host: string; labels: string }[] }[];
    };
    assert.equal(metrics.hosts.length, HOSTS);
    const fs = metrics.metrics.find((m) => m.name === "filesystem_used_bytes")!;
    assert.equal(fs.series.length, HOSTS);
    assert.ok(fs.series.every((s) => s.labels === "mountpoint=/var"));
    const range = `from=${END - 6 * 3_600_000}&to=${END}`;
    const one = await (await t.app.request(
      `/api/series?metric=filesystem_used_bytes&labels=mountpoint%3D%2Fvar&host=${
        fleetHost(0)
      }&${range}`,
    )).json() as { tier: string; ts: number[]; values: number[] };
    assert.equal(one.tier, "raw");
    assert.equal(one.ts.length, 12);
    assert.equal(one.ts.at(-1), END - STEP);
    // host 0's /var nears 93 % of 100 GiB at the end
    assert.ok(Math.abs(one.values.at(-1)! / (100 * 2 ** 30) - 0.93) < 0.01);
    // six whole hours, at most six points: one an hour
    const hour = Math.floor((END - 6 * 3_600_000) / 3_600_000) * 3_600_000;
    const many = await (await t.app.request(
      `/api/series?metric=memory_bytes&labels_like=state%3Dus%25&from=${hour}&to=${
        hour + 6 * 3_600_000
      }&max_points=6`,
    )).json() as { step: number; series: { host: string; labels: string; ts: number[] }[] };
    assert.equal(many.series.length, HOSTS);
    assert.ok(many.series.every((s) => s.labels === "state=used"));
    assert.deepEqual(
      [...new Set(many.series.map((s) => s.ts.join()))],
      [Array.from({ length: 6 }, (_, i) => hour + i * 3_600_000).join()],
    );
    assert.equal(many.step, 3_600_000);
    // six metrics of 100 hosts are 800 series: refused before any is read
    const all = await t.app.request(
      `/api/series?metrics=filesystem_used_bytes,filesystem_free_bytes,memory_bytes,load_average,cpu_ratio,perfscope_rss_bytes&${range}`,
    );
    assert.equal(all.status, 400);
    assert.match(
      (await all.json()).error,
      /^Too many series: 800 match, at most 500 from prometheus http:\/\/127\.0\.0\.1:\d+ \(narrow/,
    );
    const noHost = await t.app.request(`/api/series?metric=memory_bytes&labels=state%3Dused`);
    assert.equal(noHost.status, 400);
    assert.match((await noHost.json()).error, /host: required for one series from fleet/);
    const page = await (await t.app.request("/explore")).text();
    assert.match(page, /Reading series from <strong>fleet<\/strong>/);
  },
});

Deno.test({
  ...opts,
  name:
    "serve --source URL serves the fleet's series on Explore and says so, and a bad --source stops it with a usage error",
  async fn() {
    const vm = await fleet();
    const data = await Deno.makeTempDir({ prefix: "perfscope-fleet-serve-" });
    const served = await startServe(["--no-collect", "--data", data, "--source", vm.base], {
      compact: false,
    });
    try {
      const explore = await (await fetch(new URL("/explore", served.url))).text();
      assert.match(
        explore,
        new RegExp(`Reading series from <strong>prometheus ${vm.base}</strong>`),
      );
      const metrics = await (await fetch(new URL("/api/metrics", served.url))).json();
      assert.equal(metrics.hosts.length, HOSTS);
      // the live page still follows the local collector, with no banner
      const live = await (await fetch(new URL("/live", served.url))).text();
      assert.doesNotMatch(live, /source-banner/);
    } finally {
      served.stop();
      assert.equal(await served.done, 0);
    }
    // a name from sources: in the config, with its headers
    const config = `${data}.yaml`;
    await Deno.writeTextFile(
      config,
      `sources:\n  - name: fleet\n    url: ${vm.base}/api/v1\n    headers: { X-Scope-OrgID: ops }\n`,
    );
    const byName = await startServe(
      ["--no-collect", "--data", data, "--config", config, "--source", "fleet"],
      { compact: false },
    );
    try {
      const series = await (await fetch(
        new URL(
          `/api/series?metric=load_average&labels=window%3D1m&host=${fleetHost(5)}&from=${
            END - 3_600_000
          }&to=${END}`,
          byName.url,
        ),
      )).json();
      assert.deepEqual(series.ts, [END - 2 * STEP, END - STEP]);
      const explore = await (await fetch(new URL("/explore", byName.url))).text();
      assert.match(
        explore,
        new RegExp(`Reading series from <strong>prometheus ${vm.base}</strong>`),
      );
    } finally {
      byName.stop();
      assert.equal(await byName.done, 0);
      await Deno.remove(data, { recursive: true });
      await Deno.remove(config);
    }
    await assert.rejects(() => serveMain(["--no-collect", "--source", "ftp://x"]), {
      name: "UsageError",
      message: /^Invalid --source: ftp:\/\/x/,
    });
  },
});

Deno.test({
  ...opts,
  name: "an unreachable fleet source is a 502 naming it on the page and the APIs",
  async fn() {
    await using t = await testApp({
      source: { name: "down", open: () => prometheusSource("http://127.0.0.1:9") },
    });
    for (const path of ["/capacity", "/api/capacity", "/api/metrics"]) {
      const res = await t.app.request(path);
      assert.equal(res.status, 502, path);
      assert.match((await res.json()).error, /^Cannot reach http:\/\/127\.0\.0\.1:9\/api\/v1\//);
    }
  },
});

Deno.test({
  ...opts,
  name: "zz: the fleet's VictoriaMetrics stops",
  async fn() {
    if (app) await (await app).t[Symbol.asyncDispose]();
    if (shared) await (await shared).stop();
  },
});
