import assert from "node:assert/strict";
import { openLake, writeSamples } from "../../lake/mod.ts";
import { capacityReport } from "../../analytics/capacity/capacity_report.ts";
import {
  findResources,
  latestTime,
  latestValue,
} from "../../analytics/capacity/bottleneck_resources.ts";
import { DAY, END, sickLake, START, STEP } from "./_capacity_lakes.ts";

const GiB = 2 ** 30;

Deno.test("capacityReport() ranks the filling /var first with its growth and ETA", async () => {
  const lake = await openLake({ root: sickLake() });
  try {
    const rows = await capacityReport(lake, { bootstrap: 50 });
    const [first] = rows;
    assert.ok(first);
    assert.equal(first.host, "db1");
    assert.equal(first.resource, "filesystem");
    assert.match(first.labels, /mountpoint=\/var/);
    assert.equal(first.limit, 500 * GiB);
    assert.equal(first.threshold, 0.95 * 500 * GiB);
    // 50 % → 85 % over 7 days: 5 % of 500 GiB = 25 GiB per day; 95 % two days after the end.
    assert.ok(Math.abs(first.growthPerDay / GiB - 25) < 0.5, `${first.growthPerDay / GiB}`);
    assert.ok(Math.abs(first.utilization - 0.85) < 0.01);
    const etaDays = (first.eta! - (END - STEP)) / DAY;
    assert.ok(Math.abs(etaDays - 2) < 0.1, `eta in ${etaDays} days`);
    assert.ok(first.etaLow! <= first.eta! && first.eta! <= first.etaHigh!);
    assert.equal(first.status, "crossing");
    // 7 days of data in a 14-day look-back: the tier is picked from the data (≤ 8 days: 1m).
    assert.equal(first.tier, "1m");
    assert.equal(first.reason, null);
    assert.equal(first.last - first.first, END - STEP - START);
    // Sorted by ETA, nulls last.
    const etas = rows.map((r) => r.eta ?? Infinity);
    assert.deepEqual(etas, etas.slice().sort((a, b) => a - b));
    const kinds = new Set(rows.map((r) => r.resource));
    for (const k of ["filesystem", "inodes", "memory", "cpu", "connections"]) {
      assert.ok(kinds.has(k as never), k);
    }
    assert.deepEqual(new Set(rows.map((r) => r.host)), new Set(["db1", "web1"]));
  } finally {
    lake.close();
  }
});

Deno.test("capacityReport() filters hosts and applies threshold overrides", async () => {
  const lake = await openLake({ root: sickLake() });
  try {
    const rows = await capacityReport(lake, {
      hosts: ["web1"],
      thresholds: { filesystem: 0.5 },
      connectionLimit: 100,
      bootstrap: 20,
      horizonMs: 365 * DAY,
    });
    assert.ok(rows.every((r) => r.host === "web1"));
    const conn = rows.find((r) => r.resource === "connections")!;
    assert.equal(conn.limit, 100);
    const fs = rows.filter((r) => r.resource === "filesystem");
    assert.ok(fs.every((r) => r.threshold === r.limit * 0.5));
    // Already at or past half: ETA is now.
    assert.ok(fs.some((r) => r.status === "over" || r.eta !== null));
  } finally {
    lake.close();
  }
});

Deno.test("capacityReport() returns nothing for an empty lake and rejects bad options", async () => {
  const lake = await openLake({ root: Deno.makeTempDirSync() });
  try {
    assert.deepEqual(await capacityReport(lake), []);
    assert.ok(Number.isNaN(await latestTime(lake)));
    await assert.rejects(capacityReport(lake, { horizonMs: 0 }), /Invalid horizonMs: 0/);
    await assert.rejects(capacityReport(lake, { sinceMs: -1 }), /Invalid sinceMs: -1/);
    await assert.rejects(
      capacityReport(lake, { thresholds: { memory: Infinity } }),
      /Invalid threshold for memory: Infinity/,
    );
  } finally {
    lake.close();
  }
});

Deno.test("findResources() reads each limit, and latestValue() looks further back", async () => {
  const lake = await openLake({ root: sickLake() });
  try {
    const now = await latestTime(lake);
    assert.equal(now, END - STEP);
    const rs = await findResources(lake, { now, hosts: ["db1"] });
    const cpu = rs.find((r) => r.kind === "cpu")!;
    assert.equal(cpu.limit, 4);
    const mem = rs.find((r) => r.kind === "memory")!;
    assert.equal(mem.limit, 64 * GiB);
    const inodes = rs.find((r) => r.kind === "inodes" && r.labels.includes("/var"))!;
    assert.equal(inodes.limit, Math.round((500 * GiB) / 16384));
    // Three days after the data ends the last hour is empty; the week-long look finds it.
    const later = await latestValue(lake, {
      host: "db1",
      metric: "memory_bytes",
      labels: "state=total",
      now: now + 3 * DAY,
    });
    assert.equal(later, 64 * GiB);
    const never = await latestValue(lake, {
      host: "db1",
      metric: "memory_bytes",
      labels: "state=x",
      now,
    });
    assert.ok(Number.isNaN(never));
    const past = await findResources(lake, { now: now + 2 * DAY, hosts: ["db1"] });
    assert.equal(past.find((r) => r.kind === "memory")?.limit, 64 * GiB);
  } finally {
    lake.close();
  }
});

Deno.test("findResources() falls back to processes_running when load averages are absent", async () => {
  const root = Deno.makeTempDirSync();
  const t0 = Date.UTC(2024, 0, 1);
  const samples = [];
  for (let i = 0; i < 48; i++) {
    const ts = t0 + i * 3_600_000;
    samples.push({ ts, host: "h", metric: "processes_running", labels: {}, value: 1 + i / 24 });
    for (const cpu of ["0", "1", "total"]) {
      samples.push({
        ts,
        host: "h",
        metric: "cpu_ratio",
        labels: { cpu, mode: "idle" },
        value: 0.5,
      });
    }
  }
  writeSamples(samples, { root, id: t0 });
  const lake = await openLake({ root });
  try {
    const rs = await findResources(lake, { now: t0 + 47 * 3_600_000 });
    assert.deepEqual(rs.map((r) => [r.kind, r.metric, r.limit]), [["cpu", "processes_running", 2]]);
    const [row] = await capacityReport(lake, { bootstrap: 10 });
    assert.equal(row?.resource, "cpu");
    assert.equal(row?.status, "over");
  } finally {
    lake.close();
  }
});
