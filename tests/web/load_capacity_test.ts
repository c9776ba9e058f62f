/**
 * The capacity analysis behind the Capacity page is refreshed in the background: once one
 * exists, an expired one is answered at once (with its time) while the next is computed, and
 * only one computation runs at a time.
 */
import assert from "node:assert/strict";
import type { CapacityAnalysis } from "../../analytics/mod.ts";
import { capacityPage } from "../../web/pages/capacity_page.ts";
import { testApp } from "./_app.ts";
import { fleetMemorySource } from "../sources/_fleet.ts";

const DAY = 86_400_000;
const END = Date.UTC(2024, 0, 10);

/** An app over a 3-host fleet in memory whose clock the test moves, counting the analyses
 * started. */
async function fleetApp(background?: boolean) {
  const clock = { t: END };
  let opened = 0;
  let hold = Promise.withResolvers<void>();
  hold.resolve();
  const t = await testApp({
    now: () => clock.t,
    source: {
      name: "memory fleet",
      open() {
        const source = fleetMemorySource({ hosts: 3, days: 3, stepMs: 1_800_000, end: END });
        // each analysis starts by reading the hosts' extents, once; a test can hold it there
        return {
          ...source,
          extent: async () => (opened++, await hold.promise, await source.extent()),
        };
      },
    },
    capacity: {
      bootstrap: 50,
      ttlMs: 60_000,
      sinceMs: 14 * DAY,
      ...(background !== undefined && { background }),
    },
  });
  const get = async () => await (await t.app.request("/api/capacity")).json() as CapacityAnalysis;
  /** Holds the next analyses at their first read until the returned function is called. */
  const pause = () => {
    hold = Promise.withResolvers<void>();
    return hold.resolve;
  };
  return { t, clock, get, opened: () => opened, pause };
}

Deno.test("an expired capacity analysis is answered at once while the next one is computed", async () => {
  const f = await fleetApp();
  await using _ = f.t;
  const first = await f.get();
  assert.equal(first.generatedAt, END);
  assert.equal(f.opened(), 1);
  // a minute later: the last result comes back, and one refresh starts (held until released)
  f.clock.t = END + 61_000;
  const release = f.pause();
  const stale = await f.get();
  assert.equal(stale.generatedAt, END);
  assert.equal(f.opened(), 2);
  // the page says how old what it shows is
  const page = await (await f.t.app.request("/capacity")).text();
  assert.match(page, /Computed 2024-01-10 00:00:00 UTC \(61 s ago\)/);
  // the hosts' spans and the analysis' end as every page prints times, not ISO 8601 with ms
  assert.match(page, /Analysis up to 2024-01-09 23:30:00 UTC, horizon/);
  assert.match(
    page,
    /of data, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC to \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/,
  );
  // more requests while it runs start no other computation
  f.clock.t = END + 200_000;
  assert.equal((await f.get()).generatedAt, END);
  assert.equal(f.opened(), 2);
  release();
  // back within the refresh's minute: polling starts nothing new
  f.clock.t = END + 100_000;
  let fresh = stale;
  for (let i = 0; i < 600 && fresh.generatedAt === END; i++) {
    await new Promise((r) => setTimeout(r, 50));
    fresh = await f.get();
  }
  assert.ok(fresh.generatedAt > END);
  assert.deepEqual(
    fresh.resources.map((r) => [r.id, r.eta]),
    first.resources.map((r) => [r.id, r.eta]),
  );
  assert.equal(f.opened(), 2);
});

Deno.test("with background refresh off, an expired capacity analysis is recomputed while the request waits", async () => {
  const f = await fleetApp(false);
  await using _ = f.t;
  assert.equal((await f.get()).generatedAt, END);
  f.clock.t = END + 61_000;
  assert.equal((await f.get()).generatedAt, END + 61_000);
  assert.equal(f.opened(), 2);
});

Deno.test("the Capacity page says plainly that a result older than the refresh is being refreshed", async () => {
  const view: CapacityAnalysis = {
    status: "ready",
    reason: null,
    generatedAt: END,
    now: END,
    from: END - DAY,
    to: END,
    sinceMs: 14 * DAY,
    horizonMs: 30 * DAY,
    stepMs: 60_000,
    source: "test",
    evidence: { minSpanMs: DAY, minHorizonShare: 0.25, minForecastShare: 1, minWindowMs: DAY },
    filesystemLimit: "df",
    hosts: [],
    resources: [],
    recommendations: [],
    notes: [],
  };
  // after 42 idle minutes the first view answers the old result while the next one is computed
  const old = String(await capacityPage(view, { now: END + 42 * 60_000 }));
  assert.match(
    old,
    /Computed 2024-01-10 00:00:00 UTC \(42 min ago\), older than the one-minute\s+refresh; refreshing in the background/,
  );
  assert.doesNotMatch(old, /class="muted"\s+id="capacity-computed"/);
  const fresh = String(await capacityPage(view, { now: END + 30_000 }));
  assert.match(fresh, /Computed 2024-01-10 00:00:00 UTC \(30 s ago\); recomputed/);
  assert.doesNotMatch(fresh, /refreshing/);
});

Deno.test("an empty analysis (nothing in the lake yet) is reused for 5 s, not the full minute", async () => {
  const clock = { t: END };
  let ready = false, opened = 0;
  await using t = await testApp({
    now: () => clock.t,
    source: {
      name: "a lake that gets its first flush",
      open() {
        const source = fleetMemorySource({ hosts: 1, days: 3, stepMs: 1_800_000, end: END });
        return { ...source, extent: async () => (opened++, ready ? await source.extent() : []) };
      },
    },
    capacity: { bootstrap: 50, ttlMs: 60_000, sinceMs: 14 * DAY, background: false },
  });
  const get = async () => await (await t.app.request("/api/capacity")).json() as CapacityAnalysis;
  const first = await get();
  assert.equal(first.status, "empty");
  assert.match(first.reason!, /No samples in the lake yet/);
  ready = true;
  clock.t = END + 4_000;
  assert.equal((await get()).status, "empty");
  assert.equal(opened, 1);
  clock.t = END + 6_000;
  const later = await get();
  assert.equal(opened, 2);
  assert.notEqual(later.status, "empty");
  // a result with resources keeps the full minute
  clock.t = END + 30_000;
  await get();
  assert.equal(opened, 2);
});
