import assert from "node:assert/strict";
import { MOUNTS_EVERY_MS } from "../../collectors/_family_disk.ts";
import { createSampler, type Sampler } from "../../collectors/create_sampler.ts";
import { parseProcStat } from "../../collectors/parse_proc_stat.ts";
import type { Sample } from "../../collectors/sample.ts";
import { copyTree, find, fixture, readFixture, registryProblems } from "./_util.ts";

const t0 = "proc/linux-6.18/t0";
const t1 = "proc/linux-6.18/t1";

/** Samples the t0 capture at 1000 ms, then the t1 capture at 3000 ms (2 s apart). */
function twoSnapshots(first = t0, second = t1): [Sample[], Sample[]] {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-proc-" });
  let clock = 1000;
  const errors: string[] = [];
  const sampler = createSampler({
    procRoot: root,
    sysRoot: fixture("sys/linux-6.18"),
    host: "fixture",
    now: () => clock,
    onError: (family, error) => errors.push(`${family}: ${error}`),
  });
  try {
    copyTree(fixture(first), root);
    const a = sampler.sample();
    copyTree(fixture(second), root);
    clock = 3000;
    const b = sampler.sample();
    assert.deepEqual(errors, []);
    return [a, b];
  } finally {
    sampler.close();
    Deno.removeSync(root, { recursive: true });
  }
}

function counter(rel: string, re: RegExp): number {
  return Number(readFixture(rel).match(re)![1]);
}

Deno.test("createSampler() emits only registered metrics with their label names", () => {
  const [a, b] = twoSnapshots();
  assert.deepEqual(registryProblems([...a, ...b]), []);
  assert.ok(b.every((s) => s.ts === 3000 && s.host === "fixture"));
});

Deno.test("createSampler() gives NaN rates on the first snapshot", () => {
  const [a] = twoSnapshots();
  assert.ok(Number.isNaN(find(a, "context_switches_per_second")!.value));
  assert.ok(Number.isNaN(find(a, "cpu_ratio", { cpu: "total", mode: "idle" })!.value));
  assert.ok(Number.isNaN(find(a, "disk_wait_ms", { device: "vda" })!.value));
  assert.equal(a.filter((s) => s.labels.rank_by === "cpu").length, 0);
  assert.ok(find(a, "memory_bytes", { state: "total" })!.value > 0);
});

Deno.test("createSampler() turns counter deltas into per-second rates over the elapsed time", () => {
  const [, b] = twoSnapshots();
  const ctxt = (t: string) => counter(`${t}/stat`, /^ctxt (\d+)$/m);
  assert.equal(find(b, "context_switches_per_second")!.value, (ctxt(t1) - ctxt(t0)) / 2);
  const rx = (t: string) => counter(`${t}/net/dev`, /eth0:\s*(\d+)/);
  assert.equal(
    find(b, "network_receive_bytes_per_second", { interface: "eth0" })!.value,
    (rx(t1) - rx(t0)) / 2,
  );
  const psi = (t: string) => counter(`${t}/pressure/cpu`, /^some .*total=(\d+)/m);
  const stall = find(b, "pressure_stall_ratio", { resource: "cpu", kind: "some" })!.value;
  assert.ok(Math.abs(stall - (psi(t1) - psi(t0)) / 2e6) < 1e-12);
});

Deno.test("createSampler() computes CPU ratios that sum to one per CPU", () => {
  const [, b] = twoSnapshots();
  const cpus = parseProcStat(readFixture(`${t1}/stat`)).cpus.map((c) => c.cpu);
  for (const cpu of cpus) {
    const ratios = b.filter((s) => s.metric === "cpu_ratio" && s.labels.cpu === cpu);
    assert.equal(ratios.length, 8);
    const sum = ratios.reduce((acc, s) => acc + s.value, 0);
    assert.ok(Math.abs(sum - 1) < 1e-9, `cpu ${cpu} sums to ${sum}`);
  }
});

Deno.test("createSampler() reports whole disks only and real file systems once", () => {
  const [, b] = twoSnapshots();
  const devices = new Set(
    b.filter((s) => s.metric.startsWith("disk_")).map((s) => s.labels.device),
  );
  assert.deepEqual([...devices], ["vda"]);
  const util = find(b, "disk_utilization_ratio", { device: "vda" })!.value;
  assert.ok(util >= 0 && util <= 1);
  const mounts = b.filter((s) => s.metric === "filesystem_size_bytes").map((s) =>
    s.labels.mountpoint
  );
  assert.deepEqual(mounts, ["/"]);
  const size = find(b, "filesystem_size_bytes")!.value;
  const used = find(b, "filesystem_used_bytes")!.value;
  assert.ok(size > 0 && used > 0 && used <= size);
});

/** Runs `fn` with a sampler over a writable copy of the t0 capture and a clock it sets. */
function withCopy(fn: (root: string, sampler: Sampler, at: (ms: number) => void) => void): void {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-proc-" });
  let clock = 1000;
  using sampler = createSampler({
    procRoot: root,
    sysRoot: fixture("sys/linux-6.18"),
    now: () => clock,
  });
  try {
    copyTree(fixture(t0), root);
    fn(root, sampler, (ms) => (clock = ms));
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
}

Deno.test("createSampler() reads the mount table again only every MOUNTS_EVERY_MS", () => {
  withCopy((root, sampler, at) => {
    const mounts = () =>
      sampler.sample().filter((s) => s.metric === "filesystem_size_bytes").map((s) =>
        s.labels.mountpoint
      );
    assert.deepEqual(mounts(), ["/"]);
    // a new real file system (the temp dir's own device is what statfs will see)
    Deno.writeTextFileSync(`${root}/mounts`, `/dev/vdb ${root} ext4 rw 0 0\n`, { append: true });
    at(1000 + MOUNTS_EVERY_MS - 1);
    assert.deepEqual(mounts(), ["/"]);
    at(1000 + MOUNTS_EVERY_MS);
    assert.deepEqual(mounts(), ["/", root]);
  });
});

Deno.test("createSampler() finds the Tcp and Udp lines of net/snmp wherever they are", () => {
  withCopy((root, sampler, at) => {
    const snmp = (estab: number, datagrams: number) =>
      Deno.writeTextFileSync(
        `${root}/net/snmp`,
        `Tcp: CurrEstab RetransSegs\nTcp: ${estab} 17\nIp: Forwarding\nIp: 1\nUdp: InDatagrams\nUdp: ${datagrams}`,
      );
    snmp(3, 100);
    const a = sampler.sample();
    assert.equal(find(a, "tcp_connections_established")!.value, 3);
    snmp(4, 150);
    at(3000);
    const b = sampler.sample();
    assert.equal(find(b, "tcp_connections_established")!.value, 4);
    assert.equal(find(b, "udp_receive_datagrams_per_second")!.value, 25);
    assert.equal(find(b, "tcp_retransmits_per_second")!.value, 0);
    Deno.writeTextFileSync(`${root}/net/snmp`, "Ip: Forwarding\nIp: 1\n");
    assert.equal(find(sampler.sample(), "tcp_connections_established"), undefined);
  });
});

Deno.test("createSampler() ranks the busy process first by CPU from its tick delta", () => {
  const [, b] = twoSnapshots();
  const top = b.filter((s) => s.metric === "process_cpu_ratio" && s.labels.rank_by === "cpu");
  const busy = top[0]!;
  const stat = (t: string) =>
    readFixture(`${t}/${busy.labels.pid}/stat`).split(") ")[1]!.split(" ");
  const ticks = (t: string) => Number(stat(t)[11]) + Number(stat(t)[12]);
  assert.equal(busy.value, (ticks(t1) - ticks(t0)) / 100 / 2);
  for (let i = 1; i < top.length; i++) assert.ok(top[i - 1]!.value >= top[i]!.value);
  const mem = b.filter((s) => s.metric === "process_rss_bytes" && s.labels.rank_by === "memory");
  assert.equal(mem.length, 4);
  assert.equal(find(b, "processes_total")!.value, 4);
});

Deno.test("createSampler() turns a counter decrease into a NaN rate", () => {
  const [, b] = twoSnapshots(t1, t0);
  assert.ok(Number.isNaN(find(b, "context_switches_per_second")!.value));
  assert.ok(Number.isNaN(find(b, "cpu_ratio", { cpu: "total", mode: "user" })!.value));
  assert.ok(find(b, "load_average", { window: "1m" })!.value >= 0);
});

Deno.test("createSampler() reads an older kernel's formats", () => {
  const errors: string[] = [];
  using sampler = createSampler({
    procRoot: fixture("proc/linux-4.9"),
    sysRoot: fixture("sys/linux-4.9"),
    onError: (family) => errors.push(family),
  });
  const s = sampler.sample();
  assert.deepEqual(errors, []);
  assert.deepEqual(registryProblems(s), []);
  const devices = new Set(
    s.filter((x) => x.metric === "disk_reads_per_second").map((x) => x.labels.device),
  );
  assert.deepEqual([...devices], ["sda", "nvme0n1", "dm-0", "md0"]);
  const available = (512840 + 204812 + 3120044 + 250100) * 1024;
  assert.equal(find(s, "memory_bytes", { state: "available" })!.value, available);
  assert.equal(find(s, "swap_bytes", { state: "used" })!.value, (2097148 - 1048574) * 1024);
  assert.equal(s.filter((x) => x.metric === "pressure_stall_ratio").length, 0);
  assert.equal(find(s, "tcp_connections_established")!.value, 27);
  assert.equal(find(s, "processes_total")!.value, 3);
  const rss = s.filter((x) => x.metric === "process_rss_bytes" && x.labels.rank_by === "memory");
  assert.equal(rss[0]!.labels.name, "a) b)");
  assert.equal(rss[0]!.value, 250000 * 4096);
  assert.deepEqual(
    s.filter((x) => x.metric === "filesystem_size_bytes").map((x) => x.labels.mountpoint),
    ["/"],
  );
});

Deno.test("createSampler() skips a failing family and keeps the others", () => {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-proc-" });
  try {
    copyTree(fixture(t0), root);
    Deno.writeTextFileSync(`${root}/stat`, "garbage\n");
    Deno.writeTextFileSync(`${root}/meminfo`, "");
    Deno.writeTextFileSync(`${root}/loadavg`, "");
    const failed: string[] = [];
    using sampler = createSampler({ procRoot: root, onError: (f) => failed.push(f) });
    const s = sampler.sample();
    assert.deepEqual(failed, ["stat", "loadavg", "meminfo"]);
    assert.equal(find(s, "cpu_ratio"), undefined);
    assert.ok(find(s, "network_receive_bytes_per_second"));
    assert.ok(find(s, "perfscope_sample_ms")!.value >= 0);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("createSampler() emits only its own metrics for an empty proc root", () => {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-proc-" });
  try {
    using sampler = createSampler({ procRoot: root, sysRoot: root, topN: 0 });
    const metrics = sampler.sample().map((s) => s.metric);
    assert.deepEqual(metrics, [
      "perfscope_heap_bytes",
      "perfscope_rss_bytes",
      "perfscope_event_loop_delay_ms",
      "perfscope_sample_ms",
    ]);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("createSampler() reports its RSS every snapshot and its heap at least every 10 s", () => {
  let ts = 1_000_000;
  using sampler = createSampler({ topN: 0, now: () => ts });
  const values = (metric: string) => {
    const s = sampler.sample().find((x) => x.metric === metric)!;
    return s.value;
  };
  const heap = values("perfscope_heap_bytes");
  assert.ok(heap > 0);
  ts += 1000;
  assert.equal(values("perfscope_heap_bytes"), heap);
  ts += 10_000;
  assert.ok(values("perfscope_heap_bytes") > 0);
  const rss = values("perfscope_rss_bytes");
  assert.ok(rss > 1e6 && rss < 1e10, `rss ${rss}`);
});

Deno.test("createSampler() rejects invalid options with a RangeError", () => {
  assert.throws(() => createSampler({ topN: -1 }), /Invalid topN: -1/);
  assert.throws(() => createSampler({ topN: 1.5 }), RangeError);
  assert.throws(() => createSampler({ clockTicks: 0 }), /Invalid clockTicks/);
  assert.throws(() => createSampler({ pageSize: NaN }), /Invalid pageSize/);
  assert.throws(() => createSampler({ loopProbeMs: -5 }), /Invalid loopProbeMs/);
});

Deno.test("createSampler() takes the event-loop delay from loopDelay when given", () => {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-proc-" });
  try {
    let delay = 7;
    using sampler = createSampler({ procRoot: root, sysRoot: root, loopDelay: () => delay });
    assert.equal(find(sampler.sample(), "perfscope_event_loop_delay_ms")!.value, 7);
    delay = 0;
    assert.equal(find(sampler.sample(), "perfscope_event_loop_delay_ms")!.value, 0);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("createSampler() takes init's mount table (1/mounts) over its own and statfs-es mount points under rootfs", () => {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-proc-" });
  const rootfs = Deno.makeTempDirSync({ prefix: "perfscope-rootfs-" });
  try {
    Deno.mkdirSync(`${root}/1`);
    Deno.mkdirSync(`${rootfs}/srv/data`, { recursive: true });
    // the container's own table (mounts) and the host's (1/mounts)
    Deno.writeTextFileSync(
      `${root}/mounts`,
      "overlay / overlay rw 0 0\n/dev/vdz /etc/hosts ext4 rw 0 0\n",
    );
    Deno.writeTextFileSync(
      `${root}/1/mounts`,
      "/dev/vda1 / ext4 rw 0 0\n/dev/vdb1 /srv/data xfs rw 0 0\n/dev/vdc1 /gone ext4 rw 0 0\n",
    );
    using sampler = createSampler({ procRoot: root, sysRoot: root, rootfs, topN: 0, cgroupTop: 0 });
    const fs = sampler.sample().filter((s) => s.metric === "filesystem_size_bytes");
    // /gone does not exist under rootfs: statfs fails there, so it is left out
    assert.deepEqual(fs.map((s) => [s.labels.mountpoint, s.labels.device]), [
      ["/", "/dev/vda1"],
      ["/srv/data", "/dev/vdb1"],
    ]);
    assert.ok(fs.every((s) => s.value > 0));
  } finally {
    Deno.removeSync(root, { recursive: true });
    Deno.removeSync(rootfs, { recursive: true });
  }
});

// Regression: any user with FUSE mounts a file system where they like, named as they like, and
// /proc/mounts escapes only space, tab, newline and backslash: the mount point's escape
// sequences went into the labels, the lake and the terminal of `perfscope query`.
Deno.test("createSampler() labels a mount point or device with control characters with spaces in their place", () => {
  withCopy((root, sampler, at) => {
    const dir = `${root}/m\x1b]0;pwn\x07\u009b2J`;
    Deno.mkdirSync(`${dir}\nx`);
    const line = `fs\x1b[31m ${dir}\\012x fuse.evil rw 0 0\n`;
    Deno.writeTextFileSync(`${root}/mounts`, line, { append: true });
    sampler.sample();
    at(1000 + MOUNTS_EVERY_MS);
    const fs = sampler.sample().filter((s) =>
      s.metric === "filesystem_size_bytes" && s.labels.fstype === "fuse.evil"
    );
    assert.equal(fs.length, 1);
    assert.equal(fs[0]!.labels.device, "fs [31m");
    assert.ok(fs[0]!.labels.mountpoint!.startsWith(`${root}/m ]0;pwn  2J`));
    assert.ok(fs[0]!.labels.mountpoint!.endsWith(" x"));
  });
});
