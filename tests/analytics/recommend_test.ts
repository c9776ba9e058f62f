import assert from "node:assert/strict";
import { openLake, writeSamples } from "../../lake/mod.ts";
import type { Sample } from "../../collectors/sample.ts";
import { recommend } from "../../analytics/recommend/recommend.ts";
import { capacityRecommendations } from "../../analytics/recommend/recommend_capacity.ts";
import type { CapacityRow } from "../../analytics/mod.ts";
import { DAY, END, healthyLake, sickLake, STEP } from "./_capacity_lakes.ts";
import { capacityRow } from "./_capacity_fixtures.ts";

const GiB = 2 ** 30;

Deno.test("recommend() flags the filling /var as critical with its numbers", async () => {
  const lake = await openLake({ root: sickLake() });
  try {
    const recs = await recommend(lake, { bootstrap: 50 });
    const fs = recs.find((r) => r.id === "filesystem-full:db1:/var");
    assert.ok(fs, recs.map((r) => r.id).join(", "));
    assert.equal(fs.severity, "critical");
    assert.equal(fs.rule, "filesystem-full");
    const v = fs.evidence.values;
    assert.ok(Math.abs((v.etaDays as number) - 2) < 0.1, `etaDays ${v.etaDays}`);
    assert.ok(Math.abs((v.growthPerDay as number) / GiB - 25) < 0.5);
    assert.ok(Math.abs((v.utilization as number) - 0.85) < 0.01);
    assert.equal(v.disk, "nvme1n1");
    assert.match(
      fs.title,
      /^File system \/var on db1 reaches 95 % in (4\d h|2\.0 days) .*at \+25\.0 GiB\/day$/,
    );
    assert.match(fs.effect, /175 GiB/);
    assert.equal(fs.evidence.series[0]?.metric, "filesystem_used_bytes");
    assert.ok(fs.facts.length >= 3);
    // Critical first.
    const ranks = recs.map((r) => ["critical", "warning", "info"].indexOf(r.severity));
    assert.deepEqual(ranks, ranks.slice().sort((a, b) => a - b));
  } finally {
    lake.close();
  }
});

Deno.test("recommend() reports the saturated CPU of the last hour", async () => {
  const lake = await openLake({ root: sickLake() });
  try {
    const recs = await recommend(lake, { capacity: [] });
    const cpu = recs.find((r) => r.id === "cpu-saturated:db1");
    assert.ok(cpu, recs.map((r) => r.id).join(", "));
    const v = cpu.evidence.values;
    assert.ok((v.busyRatio as number) >= 0.85, `busy ${v.busyRatio}`);
    assert.equal(v.cores, 4);
    assert.ok(Math.abs((v.loadPerCore as number) - 0.97) < 0.05);
    assert.match(
      cpu.title,
      /^CPU saturated on db1: 9\d % busy, run queue 0\.9\d per core for 15 min$/,
    );
    assert.ok(cpu.evidence.query?.includes("FROM samples"));
    assert.ok(!recs.some((r) => r.host === "web1"), "the healthy host has nothing");
  } finally {
    lake.close();
  }
});

Deno.test("recommend() gives a healthy lake no critical item", async () => {
  const lake = await openLake({ root: healthyLake() });
  try {
    const recs = await recommend(lake, { bootstrap: 50 });
    assert.deepEqual(recs.filter((r) => r.severity === "critical"), []);
    assert.deepEqual(await recommend(lake, { now: END + 30 * DAY, capacity: [] }), []);
  } finally {
    lake.close();
  }
});

Deno.test("recommend() returns nothing for an empty lake and rejects a bad window", async () => {
  const lake = await openLake({ root: Deno.makeTempDirSync() });
  try {
    assert.deepEqual(await recommend(lake), []);
    await assert.rejects(recommend(lake, { windowMs: 0 }), /Invalid windowMs: 0/);
  } finally {
    lake.close();
  }
});

/** 15 minutes of a host under I/O, memory and network stress, at one sample a minute. */
function stressedSamples(now: number): Sample[] {
  const out: Sample[] = [];
  const add = (metric: string, labels: Record<string, string>, value: number) => {
    for (let t = now - 14 * 60_000; t <= now; t += 60_000) {
      out.push({ ts: t, host: "io1", metric, labels, value });
    }
  };
  add("cpu_ratio", { cpu: "total", mode: "idle" }, 0.02);
  add("cpu_ratio", { cpu: "total", mode: "iowait" }, 0.45);
  for (const cpu of ["0", "1"]) add("cpu_ratio", { cpu, mode: "idle" }, 0.02);
  add("load_average", { window: "1m" }, 5);
  add("pressure_stall_ratio", { resource: "cpu", kind: "some" }, 0.3);
  add("disk_utilization_ratio", { device: "sda" }, 0.99);
  add("disk_utilization_ratio", { device: "sdb" }, 0.1);
  add("disk_wait_ms", { device: "sda" }, 80);
  add("process_cpu_ratio", { pid: "7", name: "postgres", rank_by: "cpu" }, 1.5);
  add("process_rss_bytes", { pid: "8", name: "java", rank_by: "memory" }, 30 * GiB);
  add("pressure_stall_ratio", { resource: "memory", kind: "some" }, 0.3);
  add("pressure_stall_ratio", { resource: "memory", kind: "full" }, 0.1);
  add("swap_pages_per_second", { direction: "in" }, 300);
  add("swap_pages_per_second", { direction: "out" }, 500);
  add("page_faults_per_second", { type: "major" }, 250);
  add("memory_bytes", { state: "total" }, 32 * GiB);
  add("memory_bytes", { state: "available" }, 1 * GiB);
  add("network_receive_packets_per_second", { interface: "eth0" }, 1000);
  add("network_transmit_packets_per_second", { interface: "eth0" }, 1000);
  add("network_receive_errors_per_second", { interface: "eth0" }, 30);
  add("network_receive_drops_per_second", { interface: "eth0" }, 10);
  add("network_receive_packets_per_second", { interface: "lo" }, 10);
  add("network_receive_errors_per_second", { interface: "lo" }, 10);
  add("tcp_retransmits_per_second", {}, 80);
  return out;
}

Deno.test("recommend() names the I/O bottleneck, memory pressure, network loss and retransmits", async () => {
  const root = Deno.makeTempDirSync();
  const now = Date.UTC(2024, 5, 1, 12);
  writeSamples(stressedSamples(now), { root, id: now });
  const lake = await openLake({ root });
  try {
    const recs = await recommend(lake, { capacity: [] });
    const byRule = new Map(recs.map((r) => [r.rule, r]));
    const cpu = byRule.get("cpu-saturated")!;
    assert.equal(cpu.severity, "critical");
    assert.match(cpu.title, /iowait 45 %: disk sda is the bottleneck$/);
    assert.equal(cpu.evidence.values.bottleneckDisk, "sda");
    assert.equal(cpu.evidence.values.loadPerCore, 2.5);
    assert.match(cpu.effect, /Reduce I\/O on sda/);
    const mem = byRule.get("memory-pressure")!;
    assert.equal(mem.severity, "critical");
    assert.equal(mem.evidence.values.swapPagesPerSecond, 800);
    assert.equal(mem.evidence.values.topProcess, "java");
    assert.match(mem.title, /800 swap pages\/s, 250 major faults\/s/);
    const disk = recs.find((r) => r.id === "disk-saturated:io1:sda")!;
    assert.match(disk.title, /Disk sda on io1 is 99 % busy, 80\.0 ms per request/);
    assert.ok(!recs.some((r) => r.id === "disk-saturated:io1:sdb"));
    const net = byRule.get("network-errors")!;
    assert.equal(net.id, "network-errors:io1:eth0");
    assert.equal(net.severity, "critical");
    assert.equal(net.evidence.values.lossRatio, 0.02);
    assert.ok(!recs.some((r) => r.id === "network-errors:io1:lo"));
    const tcp = byRule.get("tcp-retransmits")!;
    assert.equal(tcp.severity, "critical");
    assert.equal(tcp.evidence.values.retransmitRatio, 0.08);
    assert.deepEqual(await recommend(lake, { capacity: [], hosts: ["other"] }), []);
  } finally {
    lake.close();
  }
});

Deno.test("capacityRecommendations() grades severity by ETA and words each resource", () => {
  const now = END - STEP;
  const base = {
    host: "h",
    metric: "m",
    labels: "",
    current: 50,
    limit: 100,
    threshold: 95,
    utilization: 0.5,
    growthPerDay: 2,
    etaLow: null,
    etaHigh: null,
    model: "linear",
    status: "crossing" as const,
    points: 10,
    tier: "1h",
  };
  const row = (over: Partial<CapacityRow>) => capacityRow({ ...base, ...over });
  const recs = capacityRecommendations([
    row({
      resource: "memory",
      metric: "memory_bytes",
      labels: "state=used",
      eta: now + 10 * DAY,
    }),
    row({ resource: "inodes", labels: "mountpoint=/srv", eta: now + 20 * DAY }),
    row({ resource: "cpu", threshold: 4, limit: 4, eta: now + 5 * DAY, growthPerDay: -0.1 }),
    row({ resource: "connections", eta: now + 1 * DAY }),
    row({
      resource: "filesystem",
      labels: "mountpoint=/x",
      status: "over",
      eta: now,
      utilization: 0.97,
    }),
    row({ resource: "memory", eta: null }),
  ], { now, sinceMs: 7 * DAY, criticalMs: 2 * DAY, warningMs: 12 * DAY });
  assert.deepEqual(recs.map((r) => [r.rule, r.severity]), [
    ["memory-full", "warning"],
    ["inodes-full", "info"],
    ["cpu-full", "warning"],
    ["connections-full", "critical"],
    ["filesystem-full", "critical"],
  ]);
  assert.match(recs[0]!.title, /^Memory on h reaches 95 % in 10\.0 days at \+2 B\/day$/);
  assert.match(
    recs[1]!.title,
    /^Inodes of \/srv on h reaches 95 % in 20\.0 days at \+2 inodes\/day$/,
  );
  assert.match(
    recs[2]!.title,
    /^CPU run queue on h reaches 4 processes \(100 % of 4 cores\) in 5\.0 days at -0\.1 processes\/day$/,
  );
  assert.match(recs[4]!.title, /^File system \/x on h is at 97 %, past its 95 % mark$/);
  for (const r of recs) assert.ok(r.effect.length > 20 && r.detail.endsWith("."));
});

Deno.test("capacityRecommendations() prints one ETA when both ends of its 80 % interval read the same", () => {
  const now = END - STEP;
  const row = {
    host: "db1",
    resource: "filesystem" as const,
    metric: "filesystem_used_bytes",
    labels: "mountpoint=/var",
    current: 85,
    limit: 100,
    threshold: 95,
    utilization: 0.85,
    growthPerDay: 2,
    model: "linear",
    status: "crossing" as const,
    points: 336,
    tier: "30m",
  };
  const eta = now + 5.2 * DAY;
  const [narrow, wide, open] = capacityRecommendations([
    capacityRow({ ...row, eta, etaLow: eta - 20 * 60_000, etaHigh: eta + 20 * 60_000 }),
    capacityRow({ ...row, eta, etaLow: eta - 0.5 * DAY, etaHigh: eta + DAY }),
    capacityRow({ ...row, eta, etaLow: eta - 20 * 60_000, etaHigh: null }),
  ], { now, sinceMs: 7 * DAY });
  assert.match(narrow!.title, /^File system \/var on db1 reaches 95 % in 5\.2 days at \+2 B\/day$/);
  assert.match(wide!.title, / in 5\.2 days \(80 %: 4\.7 days–6\.2 days\) at /);
  assert.match(open!.title, / in 5\.2 days \(80 %: 5\.2 days–beyond the horizon\) at /);
  // The evidence keeps the interval the title rounds away.
  assert.ok(Math.abs((narrow!.evidence.values.etaLowDays as number) - (5.2 - 20 / 1440)) < 1e-9);
});

/** 15 minutes of a 2-core host busy at 98 % with a run queue of `load`, a sample a minute. */
function busySamples(now: number, load: number): Sample[] {
  const out: Sample[] = [];
  for (let t = now - 14 * 60_000; t <= now; t += 60_000) {
    const at = (metric: string, labels: Record<string, string>, value: number) =>
      out.push({ ts: t, host: "cpu1", metric, labels, value });
    at("cpu_ratio", { cpu: "total", mode: "idle" }, 0.02);
    for (const cpu of ["0", "1"]) at("cpu_ratio", { cpu, mode: "idle" }, 0.02);
    at("load_average", { window: "1m" }, load);
  }
  return out;
}

Deno.test("recommend() counts the cores to add in the singular for one", async () => {
  for (
    const [load, effect] of [[3, "adding 1 core brings"], [7.3, "adding 6 cores brings"]] as const
  ) {
    const root = Deno.makeTempDirSync();
    const now = Date.UTC(2024, 5, 1, 12);
    writeSamples(busySamples(now, load), { root, id: now });
    const lake = await openLake({ root });
    try {
      const recs = await recommend(lake, { capacity: [] });
      const cpu = recs.find((r) => r.rule === "cpu-saturated");
      assert.ok(cpu, recs.map((r) => r.id).join(", "));
      // "adding 1 core(s) brings the run queue to 1 per core"
      assert.ok(cpu.effect.includes(effect), cpu.effect);
    } finally {
      lake.close();
    }
  }
});
