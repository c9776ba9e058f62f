import assert from "node:assert/strict";
import {
  compactLake,
  openLake,
  pickStep,
  pickTier,
  pickTierFor,
  simulateHost,
} from "../../lake/mod.ts";

const MIN = 60_000;
const DAY = 86_400_000;
const START = Date.UTC(2025, 0, 1);

Deno.test("pickTierFor() picks the tier from the data's span inside the range", () => {
  const now = START + 30 * DAY;
  const since = (first: number, last = now) => ({ first, last });
  assert.equal(pickTierFor(now - 14 * DAY, now, since(now - 7 * MIN)), "raw");
  assert.equal(pickTierFor(now - 14 * DAY, now, since(now - 3 * DAY)), "1m");
  assert.equal(pickTierFor(now - 14 * DAY, now, since(now - 20 * DAY)), "1h");
  assert.equal(
    pickTierFor(now - 14 * DAY, now, undefined),
    "1h",
    "unknown data: the range decides",
  );
  assert.equal(pickTierFor(now - 14 * DAY, now, since(NaN, NaN)), "1h");
  assert.equal(
    pickTierFor(now - DAY, now, since(now + DAY, now + DAY)),
    "raw",
    "data after the range: nothing to read",
  );
  // data that ended earlier: the span it covers decides, not the time since it ended
  const ended = now - 7 * 3_600_000;
  assert.equal(pickTierFor(now - 14 * DAY, now, since(ended - 5 * MIN, ended)), "raw");
  assert.equal(pickTierFor(now - 14 * DAY, now, since(ended - 5 * DAY, ended)), "1m");
  // data that began before the range: cut at the range's start, a day and an hour remain
  assert.equal(pickTierFor(now - 14 * DAY, now, since(now - 20 * DAY, now - 13 * DAY)), "1m");
  assert.throws(() => pickTierFor(now, now, since(now)), /Invalid range/);
});

Deno.test("Lake.series() on a fresh lake reads raw samples for a 14-day look-back, not one hourly row", async () => {
  const root = Deno.makeTempDirSync();
  simulateHost({
    root,
    host: "new",
    start: START,
    durationMs: 7 * MIN,
    stepMs: 10_000,
    cpus: 1,
    topN: 1,
  });
  const lake = await openLake({ root });
  try {
    const now = START + 7 * MIN;
    const query = {
      metric: "memory_bytes",
      labels: "state=used",
      host: "new",
      from: now - 14 * DAY,
      to: now,
    };
    const s = await lake.series(query);
    assert.equal(s.tier, "raw");
    assert.equal(s.ts.length, 42);
    // read seven hours after the collector stopped: still the raw samples
    const later = START + 7 * 3_600_000;
    const l = await lake.series({ ...query, from: later - 14 * DAY, to: later });
    assert.deepEqual([l.tier, l.ts], ["raw", s.ts]);
    // A forced tier is honoured.
    const h = await lake.series({ ...query, tier: "1h" });
    assert.deepEqual([h.tier, h.ts.length], ["1h", 1]);
  } finally {
    lake.close();
  }
});

Deno.test("Lake.extent() gives each host's first and last sample, before and after compaction", async () => {
  const root = Deno.makeTempDirSync();
  simulateHost({
    root,
    host: "a",
    start: START,
    durationMs: 2 * DAY,
    stepMs: 30 * MIN,
    cpus: 1,
    topN: 1,
  });
  simulateHost({
    root,
    host: "b",
    start: START + DAY,
    durationMs: 10 * MIN,
    stepMs: MIN,
    cpus: 1,
    topN: 1,
  });
  const want = [
    { host: "a", first: START, last: START + 2 * DAY - 30 * MIN },
    { host: "b", first: START + DAY, last: START + DAY + 9 * MIN },
  ];
  const lake = await openLake({ root });
  try {
    assert.deepEqual(await lake.extent(), want);
    await compactLake({ root, now: () => START + 3 * DAY });
    assert.deepEqual(await lake.extent(), want, "the views refresh and the extent with them");
  } finally {
    lake.close();
  }
  const empty = await openLake({ root: Deno.makeTempDirSync() });
  assert.deepEqual(await empty.extent(), []);
  empty.close();
});

Deno.test("pickTier() and pickStep() hand over where lake.tiers says", () => {
  const limits = { rawMaxMs: 3_600_000, minuteMaxMs: 86_400_000 };
  assert.equal(pickTier(0, 2 * 3_600_000), "raw");
  assert.equal(pickTier(0, 2 * 3_600_000, limits), "1m");
  assert.equal(pickTier(0, 2 * 86_400_000, limits), "1h");
  assert.equal(pickStep(0, 2 * 3_600_000, { maxPoints: Infinity, limits }).tier, "1m");
});

Deno.test("openLake({ tiers }) reads a range from the tier its limits pick, and refuses nonsense", async () => {
  const root = await Deno.makeTempDir();
  const now = Date.UTC(2024, 0, 10);
  simulateHost({ root, start: now - 3 * 86_400_000, durationMs: 3 * 86_400_000, stepMs: 60_000 });
  await compactLake({ root, now: () => now });
  const lake = await openLake({ root, tiers: { rawMaxMs: 60_000, minuteMaxMs: 3_600_000 } });
  try {
    const s = await lake.series({
      metric: "load_average",
      labels: { window: "1m" },
      from: now - 2 * 3_600_000,
      to: now,
    });
    assert.equal(s.tier, "1h");
    assert.throws(() => lake.useTiers({ rawMaxMs: 10, minuteMaxMs: 5 }), /Invalid tiers/);
  } finally {
    lake.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("Lake.extent() of a lake begun mid-hour starts at its first sample after compaction", async () => {
  // a new user's lake: collection began at 03:41:18, and serve's hourly compaction wrote the
  // rollups, whose 03:00 bucket was taken for the first sample ("60 min of history" at 04:00)
  const root = Deno.makeTempDirSync();
  const start = Date.UTC(2026, 11, 7, 3, 41, 18);
  simulateHost({ root, host: "vm", start, durationMs: 19 * MIN, stepMs: 1000, cpus: 1, topN: 1 });
  const lake = await openLake({ root });
  try {
    const before = await lake.extent();
    assert.equal(before[0]?.first, start);
    await compactLake({ root, now: () => start + 20 * MIN });
    assert.deepEqual(await lake.extent(), before);
  } finally {
    lake.close();
  }
});
