/**
 * How much history the Capacity page, `/api/capacity`, the report and the `capacity` command
 * state: one span computation (`historySpan`) for a host's data and a resource's evidence, so
 * the two never differ for the same samples, and one wording (`historyText`) in which a single
 * sample is "1 sample so far", never "0 s of data".
 */
import assert from "node:assert/strict";
import { openLake, simulateHost } from "../../lake/mod.ts";
import { buildReport, renderReport } from "../../reports/mod.ts";
import { main as capacityMain } from "../../cli/capacity.ts";
import { growingLoad, writeServiceSeries } from "../analytics/_service_lake.ts";
import { T0, testApp } from "./_app.ts";

const DAY = 86_400_000, STEP = 300_000;

interface Span {
  host: string;
  spanMs: number;
  first: number;
  last: number;
  reason: string | null;
}
interface Resource {
  resource: string;
  reason: string | null;
  evidence: { first: number; last: number; spanMs: number; points: number };
}

Deno.test("a host with a single sample is '1 sample so far' on the page, the API, the report and the CLI", async () => {
  const root = await Deno.makeTempDir({ prefix: "perfscope-one-sample-" });
  try {
    // one snapshot of a host: every series has one point, at T0
    simulateHost({ root, start: T0, durationMs: 1000, stepMs: 1000, cpus: 2, topN: 1 });
    await using t = await testApp({ root, now: () => T0 + 60_000, capacity: { bootstrap: 20 } });
    const api = await (await t.app.request("/api/capacity")).json();
    assert.equal(api.status, "insufficient");
    const [host] = api.hosts as Span[];
    assert.equal(host!.spanMs, 0);
    assert.equal(host!.reason, "1 sample so far; ETAs need 1 day");
    assert.equal(api.reason, "1 sample so far; ETAs need 1 day");
    assert.ok(api.resources.length > 0);
    for (const r of api.resources as Resource[]) {
      assert.equal(r.reason, "1 sample so far; ETAs need 1 day", r.resource);
      assert.deepEqual([r.evidence.spanMs, r.evidence.points], [0, 1], r.resource);
    }

    const page = await (await t.app.request("/capacity")).text();
    assert.match(
      page,
      /<li><bdi>sim<\/bdi>: 1 sample so far, at 2024-01-01 00:00:00 UTC\s*<strong>/,
    );
    assert.match(page, /<td>1 sample so far \(raw\)<\/td>/);
    assert.doesNotMatch(page, /\b0 s of|1 points/);

    const lake = await openLake({ root });
    try {
      const data = await buildReport(lake, { now: T0, clock: () => T0, bootstrap: 20 });
      const html = await renderReport(data);
      assert.match(html, /<li>sim: 1 sample so far, at 2024-01-01 00:00 UTC <strong/);
      assert.match(html, /1 sample so far \(raw tier\)/);
      assert.doesNotMatch(html, /\b0 s of|– of data/);
    } finally {
      lake.close();
    }

    let out = "";
    const code = await capacityMain(["--data", root], (s: string) => out += s);
    assert.equal(code, 0);
    const cli = JSON.parse(out);
    assert.equal(cli.hosts[0].reason, "1 sample so far; ETAs need 1 day");
    assert.equal(cli.hosts[0].history_days, 0);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("/api/capacity states one span for a history: the host's and each resource's agree", async () => {
  // seconds: 14 snapshots a second apart are 13 s wherever they are stated
  const root = await Deno.makeTempDir({ prefix: "perfscope-13s-" });
  try {
    simulateHost({ root, start: T0, durationMs: 14_000, stepMs: 1000, cpus: 2, topN: 1 });
    await using t = await testApp({ root, now: () => T0 + 60_000, capacity: { bootstrap: 20 } });
    const api = await (await t.app.request("/api/capacity")).json();
    const [host] = api.hosts as Span[];
    assert.equal(host!.spanMs, 13_000);
    for (const r of api.resources as Resource[]) {
      assert.equal(r.evidence.spanMs, host!.spanMs, r.resource);
      assert.equal(r.reason, host!.reason, r.resource);
    }
    assert.equal(api.reason, "13 s of history; ETAs need 1 day");
    const page = await (await t.app.request("/capacity")).text();
    assert.match(
      page,
      /<li><bdi>sim<\/bdi>: 13 s of data, 2024-01-01 00:00:00 UTC to 2024-01-01 00:00:13 UTC/,
    );
    assert.match(page, /<td>13 s of history, 14 points \(raw\)<\/td>/);
    assert.doesNotMatch(page, /\b(?!13 )\d+ s of (data|history)/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("/api/capacity states the host's span for resources read from 1-minute rollups too", async () => {
  // 7 hours (longer than raw samples are read for) of snapshots a minute apart, 13 s past the
  // minute: the rollups' bucket starts are 13 s before each sample
  const root = await Deno.makeTempDir({ prefix: "perfscope-7h-" });
  try {
    const start = T0 + 13_000, durationMs = 7 * 3_600_000;
    simulateHost({ root, start, durationMs, stepMs: 60_000, cpus: 2, topN: 1 });
    const end = start + durationMs - 60_000;
    await using t = await testApp({ root, now: () => end, capacity: { bootstrap: 20 } });
    const api = await (await t.app.request("/api/capacity")).json();
    const [host] = api.hosts as Span[];
    assert.deepEqual([host!.first, host!.last], [start, end]);
    for (const r of api.resources as (Resource & { evidence: { tier: string } })[]) {
      assert.equal(r.evidence.tier, "1m", r.resource);
      assert.deepEqual([r.evidence.first, r.evidence.last], [start, end], r.resource);
      assert.equal(r.evidence.spanMs, host!.spanMs, r.resource);
      assert.equal(r.reason, host!.reason, r.resource);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a service's capacity row states its samples' own span, the host's, not its 5-minute buckets'", async () => {
  const law = { sigma: 0.02, kappa: 0.0002, lambda: 10 };
  const { users, throughput: x } = growingLoad(T0, 11, law);
  // 3 days at a 5-minute step (read from 1-minute rollups), the first sample 200 s late: it
  // falls in the 5-minute bucket of T0 and the minute of T0 + 180 s, so bucket starts would say
  // the history is longer than the samples are
  const times = Array.from({ length: 3 * DAY / STEP + 1 }, (_, i) => T0 + i * STEP);
  times[0] = T0 + 200_000;
  const end = times.at(-1)!;
  const root = await Deno.makeTempDir({ prefix: "perfscope-svc-span-" });
  try {
    writeServiceSeries(root, times, [
      { metric: "http_requests_per_second", labels: { service: "api" }, value: x },
      { metric: "http_server_active_requests", labels: { service: "api" }, value: users },
    ]);
    await using t = await testApp({ root, now: () => end, capacity: { bootstrap: 20 } });
    const api = await (await t.app.request("/api/capacity")).json();
    const [host] = api.hosts as Span[];
    assert.equal(host!.host, "app-1");
    assert.deepEqual([host!.first, host!.last], [T0 + 200_000, end]);
    const svc = (api.resources as Resource[]).find((r) => r.resource === "service");
    assert.ok(svc, (api.resources as Resource[]).map((r) => r.resource).join());
    assert.deepEqual([svc.evidence.first, svc.evidence.last], [host!.first, host!.last]);
    assert.equal(svc.evidence.spanMs, host!.spanMs);
    assert.equal(svc.evidence.spanMs, end - T0 - 200_000);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
