import assert from "node:assert/strict";
import { memorySource, probeAvailability } from "../../analytics/mod.ts";

const HOUR = 3_600_000, DAY = 86_400_000;

/** Runs every 15 s for `ms`, ending at `end`; `ok(i)` says whether run i succeeded. */
function runs(host: string, target: string, end: number, ms: number, ok: (i: number) => boolean) {
  const n = ms / 15_000;
  return {
    host,
    metric: "probe_success",
    labels: `target=${target}`,
    ts: Float64Array.from({ length: n }, (_, i) => end - ms + (i + 1) * 15_000),
    values: Float64Array.from({ length: n }, (_, i) => (ok(i) ? 1 : 0)),
  };
}

Deno.test("probeAvailability() gives the share of successful runs over 1 h, 1 d and 30 d, each only when the runs cover it", async () => {
  const end = 40 * DAY;
  const src = memorySource([
    // 2 days of runs, the last hour with 6 failures out of 240, the day before it clean
    runs("h1", "shop", end, 2 * DAY, (i, n = 2 * DAY / 15_000) => !(i >= n - 240 && i % 40 === 0)),
    // 20 minutes of runs only, the newest failing
    runs("h1", "api", end, 20 * 60_000, (i) => i !== 79),
    // a probe series without a target is not a probe
    { ...runs("h1", "x", end, HOUR, () => true), labels: "" },
    { ...runs("h1", "x", end, HOUR, () => true), metric: "up" },
  ]);
  const list = await probeAvailability(src, { now: end });
  assert.deepEqual(list.map((p) => p.target), ["api", "shop"]);
  const [api, shop] = list as [typeof list[0], typeof list[0]];
  assert.deepEqual(shop.availability.map((a) => a.windowMs), [HOUR, DAY, 30 * DAY]);
  // (a window includes the run at its start: 241 runs in the hour)
  assert.equal(shop.availability[0]!.value, 1 - 6 / 241);
  assert.equal(shop.availability[1]!.value, 1 - 6 / 5761);
  assert.equal(shop.availability[2]!.value, null);
  assert.match(shop.availability[2]!.reason!, /^not enough data yet: 2 days of 30 days/);
  assert.deepEqual(shop.last, { ts: end, success: true });
  assert.equal(shop.labels, "target=shop");
  // 20 minutes: under half of the hour
  assert.equal(api.availability[0]!.value, null);
  assert.match(api.availability[0]!.reason!, /^not enough data yet: 20 min of 1 h/);
  assert.deepEqual(api.last, { ts: end, success: false });
  // with a shorter window the 20 minutes are enough
  const [short] = await probeAvailability(src, { now: end, windows: [30 * 60_000] });
  assert.equal(short!.availability[0]!.value, 79 / 80);
});

Deno.test("probeAvailability() needs enough runs, keeps hosts apart and refuses bad settings", async () => {
  const end = 10 * HOUR;
  const src = memorySource([
    runs("b", "db", end, HOUR, () => true),
    runs("a", "db", end, HOUR, (i) => i % 2 === 0),
    // one run every 15 min: 4 in the hour
    {
      ...runs("a", "rare", end, HOUR, () => true),
      ts: Float64Array.of(end - 2.7e6, end - 1.8e6, end - 9e5, end),
      values: Float64Array.of(1, 1, 1, 1),
    },
  ]);
  const list = await probeAvailability(src, { windows: [HOUR] });
  assert.deepEqual(list.map((p) => [p.target, p.host, p.availability[0]!.value]), [
    ["db", "a", 0.5],
    ["db", "b", 1],
    ["rare", "a", null],
  ]);
  assert.equal(list[2]!.availability[0]!.reason, "not enough data yet: 4 probes in 1 h (need 10)");
  assert.equal(
    (await probeAvailability(src, { windows: [HOUR], minSamples: 4 }))[2]!.availability[0]!.value,
    1,
  );
  assert.deepEqual(await probeAvailability(memorySource([])), []);
  await assert.rejects(() => probeAvailability(src, { windows: [0] }), /Invalid window: 0/);
  await assert.rejects(() => probeAvailability(src, { minCoverage: 2 }), /Invalid minCoverage: 2/);
  await assert.rejects(() => probeAvailability(src, { minSamples: 0 }), /Invalid minSamples: 0/);
});
