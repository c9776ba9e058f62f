import assert from "node:assert/strict";
import { openLake, simulateHost, writeSamples } from "../../lake/mod.ts";
import {
  analyzeCapacity,
  capacityReport,
  claimSpan,
  findResources,
  judgeForecastHorizon,
  judgeHistory,
  lakeSource,
  memorySource,
  recommend,
} from "../../analytics/mod.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const START = Date.UTC(2025, 0, 1);

Deno.test("judgeForecastHorizon() allows a forecast as far ahead as the history reaches back, not further", () => {
  assert.deepEqual(judgeForecastHorizon(9 * MIN, DAY), {
    sufficient: false,
    supportedMs: 9 * MIN,
    reason: "9 min of history; forecasts up to 9 min ahead; 1 day needs at least 1 day of history",
  });
  assert.deepEqual(judgeForecastHorizon(9 * MIN, 9 * MIN), {
    sufficient: true,
    supportedMs: 9 * MIN,
    reason: null,
  });
  assert.equal(judgeForecastHorizon(56 * DAY, 7 * DAY).sufficient, true);
  assert.equal(
    judgeForecastHorizon(NaN, HOUR).reason,
    "No history; 1 h needs at least 1 h of history",
  );
  // one sample spans no time: said as such, with no "forecasts up to 0 s ahead"
  assert.equal(
    judgeForecastHorizon(0, HOUR).reason,
    "1 sample so far; 1 h needs at least 1 h of history",
  );
  // spans that round to the same words are said in seconds
  assert.equal(
    judgeForecastHorizon(359_000, 360_000).reason,
    "359 s of history; forecasts up to 359 s ahead; 360 s needs at least 360 s of history",
  );
  // timestamps jitter by milliseconds: half a step of the series is tolerated, no more
  assert.equal(judgeForecastHorizon(359 * MIN - 1, 359 * MIN, {}, MIN).sufficient, true);
  assert.equal(judgeForecastHorizon(359 * MIN - 1, 359 * MIN).sufficient, false);
  assert.equal(judgeForecastHorizon(359 * MIN - 1, 360 * MIN, {}, MIN).sufficient, false);
  // Configurable: a history twice the horizon.
  const strict = judgeForecastHorizon(3 * DAY, 2 * DAY, { minForecastShare: 2 });
  assert.equal(
    strict.reason,
    "3 days of history; forecasts up to 1.5 days ahead; 2 days needs at least 4 days of history",
  );
});

Deno.test("judgeHistory() refuses ETAs below a day of history and cuts the horizon to 4× the history", () => {
  assert.deepEqual(judgeHistory(0, 7 * MIN, 30 * DAY), {
    sufficient: false,
    spanMs: 7 * MIN,
    horizonMs: 0,
    reason: "7 min of history; ETAs need 1 day",
    note: null,
  });
  assert.equal(judgeHistory(0, 2 * HOUR, DAY).reason, "2 h of history; ETAs need 1 day");
  assert.equal(judgeHistory(NaN, NaN, DAY).reason, "No history; ETAs need 1 day");
  // a single sample is not "0 s of history"
  assert.equal(judgeHistory(START, START, DAY).reason, "1 sample so far; ETAs need 1 day");
  assert.equal(judgeHistory(START, START, DAY).spanMs, 0);
  assert.equal(judgeHistory(0, DAY, 4 * DAY).sufficient, true);
  assert.equal(judgeHistory(0, DAY, 4 * DAY).note, null);
  const three = judgeHistory(0, 3 * DAY, 30 * DAY);
  assert.equal(three.horizonMs, 12 * DAY);
  assert.equal(three.note, "ETAs look 12 days ahead (4× the 3 days of history), not 30 days");
  assert.equal(judgeHistory(0, 21 * DAY, 30 * DAY).horizonMs, 30 * DAY);
  // Configurable: a stricter minimum and share.
  const strict = judgeHistory(0, 3 * DAY, 30 * DAY, { minSpanMs: 7 * DAY });
  assert.equal(strict.reason, "3 days of history; ETAs need 7 days");
  assert.throws(() => judgeHistory(0, 1, 0), /Invalid horizonMs: 0/);
});

Deno.test("claimSpan() never claims longer than the data nor on less than 10 minutes of it", () => {
  assert.equal(claimSpan(15 * MIN, 5 * MIN), null);
  assert.equal(claimSpan(15 * MIN, 10 * MIN), 10 * MIN);
  assert.equal(claimSpan(15 * MIN, 15 * MIN), 15 * MIN);
  assert.equal(claimSpan(5 * MIN, 5 * MIN), 5 * MIN, "a window shorter than the minimum is whole");
  assert.equal(claimSpan(15 * MIN, NaN), null);
});

Deno.test("7 minutes of a machine give no growth rate, ETA, or CPU claim (the bug report's lake)", async () => {
  const root = Deno.makeTempDirSync();
  simulateHost({
    root,
    start: START,
    durationMs: 7 * MIN,
    stepMs: 5_000,
    cpus: 2,
    topN: 1,
    diskFill: { mountpoint: "/", from: 0.1, to: 0.2 },
    cpuSaturation: { from: START, durationMs: 7 * MIN },
  });
  const lake = await openLake({ root });
  try {
    const rows = await capacityReport(lake, { bootstrap: 10 });
    assert.ok(rows.length > 5);
    for (const r of rows) {
      assert.equal(r.status, "insufficient", `${r.resource} ${r.labels}`);
      assert.equal(r.eta, null);
      assert.ok(Number.isNaN(r.growthPerDay), "no growth rate from 7 minutes");
      assert.equal(r.model, "none");
      assert.equal(r.tier, "raw", "the tier comes from the data, not the 14-day look-back");
      assert.ok(r.points > 50);
    }
    const recs = await recommend(lake, { capacity: rows });
    assert.deepEqual(recs.map((r) => r.rule), [], "no 'CPU saturated for 15 min' on 7 minutes");
  } finally {
    lake.close();
  }
});

Deno.test("a CPU pinned for the last 12 minutes is claimed for 12 minutes, not the 15 of the window", async () => {
  const root = Deno.makeTempDirSync();
  simulateHost({
    root,
    start: START,
    durationMs: 12 * MIN,
    stepMs: 10_000,
    cpus: 2,
    topN: 1,
    cpuSaturation: { from: START, durationMs: 12 * MIN },
  });
  const lake = await openLake({ root });
  try {
    const recs = await recommend(lake, { capacity: [] });
    const cpu = recs.find((r) => r.rule === "cpu-saturated");
    assert.ok(cpu, recs.map((r) => r.title).join("\n"));
    assert.match(cpu.title, / for 12 min/);
    assert.match(cpu.detail, /\(last 12 min\)\.$/);
    assert.ok(cpu.evidence.query?.includes("FROM samples"), "the query is the evidence");
  } finally {
    lake.close();
  }
});

Deno.test("a file system's limit is what df shows (used + available) unless size is asked for", async () => {
  const root = Deno.makeTempDirSync();
  const labels = { device: "sda1", fstype: "ext4", mountpoint: "/" };
  const samples = [];
  for (let i = 0; i < 3; i++) {
    const ts = START + i * MIN;
    samples.push(
      { ts, host: "h", metric: "filesystem_size_bytes", labels, value: 100e9 },
      { ts, host: "h", metric: "filesystem_used_bytes", labels, value: 60e9 },
      // 5 % reserved for root: available = size − used − reserved
      { ts, host: "h", metric: "filesystem_free_bytes", labels, value: 35e9 },
    );
  }
  writeSamples(samples, { root, id: START });
  const lake = await openLake({ root });
  try {
    const now = START + 2 * MIN;
    const [df] = await findResources(lake, { now });
    assert.equal(df?.limit, 95e9);
    assert.match(df!.limitSource, /as df shows/);
    const [size] = await findResources(lake, { now, filesystemLimit: "size" });
    assert.equal(size?.limit, 100e9);
    const a = await analyzeCapacity(lake, { bootstrap: 0 });
    assert.equal(a.filesystemLimit, "df");
    assert.ok(a.notes.some((n) => /as df shows a user/.test(n)));
    assert.equal(a.resources[0]?.utilization, Number((60 / 95).toPrecision(5)));
  } finally {
    lake.close();
  }
});

Deno.test("analyzeCapacity() reads any series source: series held in memory (e.g. from a CSV)", async () => {
  const n = 24 * 10;
  const ts = Float64Array.from({ length: n }, (_, i) => START + i * HOUR);
  const used = ts.map((t) => 50e9 + (t - START) / DAY * 2e9); // +2 GB a day
  const series = [
    { host: "csv", metric: "filesystem_used_bytes", labels: "mountpoint=/data", ts, values: used },
    {
      host: "csv",
      metric: "filesystem_free_bytes",
      labels: "mountpoint=/data",
      ts,
      values: used.map((u) => 100e9 - u),
    },
  ];
  const a = await analyzeCapacity(memorySource(series, "data.csv"), { bootstrap: 20 });
  assert.equal(a.source, "data.csv");
  assert.equal(a.status, "ready");
  const [r] = a.resources;
  assert.equal(r?.status, "crossing");
  assert.equal(r?.evidence.tier, "memory");
  assert.equal(r?.evidence.spanMs, (n - 1) * HOUR);
  // 95 GB mark from 50 + 2·(239/24) ≈ 69.9 GB at 2 GB/day: about 12.5 days, inside 4 × 10 days.
  const days = (r!.eta! - a.now) / DAY;
  assert.ok(Math.abs(days - (95e9 - used[n - 1]!) / 2e9) < 0.1, `${days}`);
  assert.equal(a.hosts[0]?.sufficient, true);
});

Deno.test("lakeSource() gives the real data extent per host", async () => {
  const root = Deno.makeTempDirSync();
  simulateHost({
    root,
    host: "a",
    start: START,
    durationMs: 5 * MIN,
    stepMs: MIN,
    cpus: 1,
    topN: 1,
  });
  simulateHost({
    root,
    host: "b",
    start: START + HOUR,
    durationMs: 2 * HOUR,
    stepMs: 10 * MIN,
    cpus: 1,
    topN: 1,
  });
  const lake = await openLake({ root });
  try {
    const extent = await lakeSource(lake).extent();
    assert.deepEqual(extent, [
      { host: "a", first: START, last: START + 4 * MIN },
      { host: "b", first: START + HOUR, last: START + 3 * HOUR - 10 * MIN },
    ]);
  } finally {
    lake.close();
  }
});
