import assert from "node:assert/strict";
import { lakeSource } from "../../analytics/mod.ts";
import { openLake, simulateHost } from "../../lake/mod.ts";
import { balanceAdvice, blackoutIntervals, findMaintenanceWindow } from "../../workflows/mod.ts";

const H = 3_600_000, D = 24 * H;
const NOW = Date.UTC(2026, 0, 26);

async function lakeWith(
  hosts: { host: string; days: number; stepMs: number; seed?: number; hot?: boolean }[],
) {
  const root = await Deno.makeTempDir();
  for (const h of hosts) {
    simulateHost({
      root,
      host: h.host,
      seed: h.seed ?? 1,
      start: NOW - h.days * D,
      durationMs: h.days * D,
      stepMs: h.stepMs,
      cpus: 2,
      topN: 1,
      chunkMs: D,
      ...(h.hot &&
        { cpuSaturation: { from: NOW - h.days * D, durationMs: h.days * D, level: 0.95 } }),
    });
  }
  const lake = await openLake({ root });
  return { lake, source: lakeSource(lake) };
}

function utcHour(iso: string): number {
  return new Date(iso).getUTCHours();
}

Deno.test("findMaintenanceWindow() picks the simulated host's quiet night from three weeks of 15-minute data", async () => {
  const { lake, source } = await lakeWith([{ host: "web1", days: 21, stepMs: 900_000 }]);
  try {
    const w = await findMaintenanceWindow(source, { durationMs: 2 * H, withinMs: 7 * D, now: NOW });
    assert.equal(w.status, "ok");
    assert.equal(w.host, "web1");
    assert.equal(w.method, "forecast");
    // the simulator is quiet around 03:00 UTC and busy at 15:00
    const start = utcHour(w.best!.start);
    assert.ok(start >= 0 && start <= 4, w.best!.start);
    assert.equal(Date.parse(w.best!.end) - Date.parse(w.best!.start), 2 * H);
    assert.equal(w.confidenceLabel, "high", `${w.confidence}`);
    assert.match(w.confidenceNote, /last 2 weeks/);
    assert.ok(w.alternatives.every((a) => a.expectedLoad >= w.best!.expectedLoad));
  } finally {
    lake.close();
  }
});

Deno.test("findMaintenanceWindow() honours blackouts, and says so when they cover everything", async () => {
  const { lake, source } = await lakeWith([{ host: "web1", days: 21, stepMs: 900_000 }]);
  try {
    const nights = [{ name: "backups", cron: "0 0 * * *", duration: 7 * H }];
    const w = await findMaintenanceWindow(source, {
      durationMs: 2 * H,
      withinMs: 7 * D,
      now: NOW,
      blackouts: nights,
    });
    assert.equal(w.status, "ok");
    assert.ok(utcHour(w.best!.start) >= 7, w.best!.start);
    assert.equal(w.blackouts[0]!.name, "backups");
    const all = [{ start: "2026-01-01T00:00Z", end: "2026-03-01T00:00Z" }];
    const blocked = await findMaintenanceWindow(source, {
      durationMs: 2 * H,
      now: NOW,
      blackouts: all,
    });
    assert.equal(blocked.status, "blocked");
    assert.equal(blocked.best, null);
  } finally {
    lake.close();
  }
});

Deno.test("findMaintenanceWindow() falls back to an hour-of-week median profile on a 5-minute lake with days of history", async () => {
  const { lake, source } = await lakeWith([{ host: "db1", days: 5, stepMs: 300_000 }]);
  try {
    const w = await findMaintenanceWindow(source, {
      durationMs: 1 * H,
      withinMs: 2 * D,
      now: NOW,
      host: "db1",
    });
    assert.equal(w.status, "ok");
    assert.equal(w.method, "profile");
    assert.match(w.note, /^hour-of-week median profile: only 5 days of history/);
    assert.match(w.message, /history is short/);
    const start = utcHour(w.best!.start);
    assert.ok(start >= 1 && start <= 4, w.best!.start);
    assert.match(w.confidenceNote, /days/);
  } finally {
    lake.close();
  }
});

Deno.test("findMaintenanceWindow() says 'not enough data yet' with hours of data, an empty lake or an unknown host", async () => {
  const { lake, source } = await lakeWith([{ host: "new", days: 0.25, stepMs: 300_000 }]);
  try {
    const w = await findMaintenanceWindow(source, { durationMs: H, now: NOW });
    assert.equal(w.status, "insufficient");
    assert.match(w.message, /^Not enough data yet: 5\.9 h of cpu_busy on new/);
    const other = await findMaintenanceWindow(source, { durationMs: H, now: NOW, host: "ghost" });
    assert.match(other.message, /no data for host ghost/);
    // a misspelt metric is not a matter of time: it said "Not enough data yet: 0 s of cpu_bussy"
    const typo = await findMaintenanceWindow(source, {
      durationMs: H,
      now: NOW,
      metric: "cpu_bussy",
    });
    assert.equal(typo.status, "insufficient");
    assert.match(typo.message, /^No samples of cpu_bussy on new: check the metric name/);
    const held = await findMaintenanceWindow(source, {
      durationMs: H,
      now: NOW,
      metric: "load_average",
    });
    assert.match(held.message, /^Not enough data yet: 5\.9 h of load_average on new/);
  } finally {
    lake.close();
  }
  const empty = await openLake({ root: await Deno.makeTempDir() });
  assert.match(
    (await findMaintenanceWindow(lakeSource(empty), { durationMs: H })).message,
    /lake is empty/,
  );
  empty.close();
});

Deno.test("findMaintenanceWindow() on a new user's five minutes of 1 s data says minutes, not an hour", async () => {
  const { lake, source } = await lakeWith([{ host: "new", days: 5 / 1440, stepMs: 1000 }]);
  try {
    // a 2-hour window reads an hourly grid, where one sample fills a whole hour
    const w = await findMaintenanceWindow(source, { durationMs: 2 * H, now: NOW });
    assert.equal(w.status, "insufficient");
    assert.equal(w.best, null);
    assert.match(w.message, /^Not enough data yet: 5 min of cpu_busy on new \(at least 1 day/);
  } finally {
    lake.close();
  }
});

Deno.test("findMaintenanceWindow() refuses a window longer than its range", async () => {
  const empty = await openLake({ root: await Deno.makeTempDir() });
  await assert.rejects(
    findMaintenanceWindow(lakeSource(empty), { durationMs: 8 * D, withinMs: 7 * D }),
    RangeError,
  );
  empty.close();
});

Deno.test("blackoutIntervals() includes a recurring blackout that began before the range", () => {
  const got = blackoutIntervals([{ cron: "0 22 * * *", duration: 4 * H }], NOW, NOW + H);
  assert.deepEqual(got, [{ start: NOW - 2 * H, end: NOW + 2 * H }]);
});

Deno.test("balanceAdvice() moves work from a saturated host to the one with headroom", async () => {
  const { lake, source } = await lakeWith([
    { host: "calm", days: 15, stepMs: 900_000 },
    { host: "hot", days: 15, stepMs: 900_000, seed: 2, hot: true },
  ]);
  try {
    const advice = await balanceAdvice(source, { now: NOW });
    assert.deepEqual(advice.hosts.map((h) => h.host), ["calm", "hot"]);
    assert.ok(advice.hosts[1]!.cpuPeak! > 0.9, `${advice.hosts[1]!.cpuPeak}`);
    assert.deepEqual(advice.moves.map((m) => [m.from, m.to, m.resource]), [["hot", "calm", "cpu"]]);
    assert.match(advice.message, /^Move work from hot to calm: cpu forecast to peak at 9\d %/);
    assert.match(advice.message, / in the next 3 days$/);
    // --within 1d said "in the next 1 days", and 12h "in the next 0 days"
    const day = await balanceAdvice(source, { now: NOW, withinMs: D });
    assert.match(day.moves[0]!.reason, / in the next 1 day$/);
    const half = await balanceAdvice(source, { now: NOW, withinMs: 12 * H });
    assert.match(half.moves[0]!.reason, / in the next 12 h$/);
    const one = await balanceAdvice(source, { now: NOW, hosts: ["calm"] });
    assert.match(one.message, /Only one host with data \(calm\)/);
  } finally {
    lake.close();
  }
});
