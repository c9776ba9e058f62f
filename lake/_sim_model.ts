/**
 * Private: the host model behind `simulateHost`: one state update per step and one value
 * function per series, using the registry's metric names and realistic resolutions (jiffies of
 * 1/100 s, kB of memory, 4 KiB blocks, 512-byte sectors, whole counts per second).
 *
 * @module
 */

import { gaussian, mulberry32 } from "./_prng.ts";

/** What the model needs to know. */
export interface ModelOptions {
  seed: number;
  stepMs: number;
  cpus: number;
  topN: number;
  start: number;
  durationMs: number;
  diskFill: { mountpoint: string; from: number; to: number } | undefined;
  cpuSaturation: { from: number; to: number; level: number } | undefined;
}

/** One simulated series. */
export interface SimSeries {
  metric: string;
  labels: string;
  value: () => number;
}

const GiB = 2 ** 30;
const modes = ["user", "nice", "system", "iowait", "irq", "softirq", "steal", "idle"] as const;
const disks = ["nvme0n1", "nvme1n1", "sda", "sdb"];
const mounts = [
  ["/", "nvme0n1p2", "ext4", 200],
  ["/boot", "nvme0n1p1", "vfat", 1],
  ["/var", "nvme1n1p1", "xfs", 500],
  ["/home", "nvme1n1p2", "ext4", 800],
  ["/srv", "sda1", "xfs", 2000],
  ["/backup", "sdb1", "ext4", 4000],
] as const;
const interfaces = ["eth0", "eth1", "lo", "docker0"];
const processNames = [
  "postgres",
  "java",
  "node",
  "nginx",
  "redis-server",
  "python3",
  "dockerd",
  "systemd",
];

/** Builds the series and a `step(t)` that advances the shared state to instant `t`. */
export function buildModel(o: ModelOptions): { series: SimSeries[]; step: (t: number) => void } {
  const uniform = mulberry32(o.seed);
  const normal = gaussian(uniform);
  const dt = o.stepMs / 1000;
  const jiffies = Math.max(1, Math.round(100 * dt));
  const q = (x: number, unit: number) => Math.round(x / unit) * unit;
  const pos = (x: number) => (x > 0 ? x : 0);
  const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);
  const s = {
    act: 0,
    drift: 0,
    busy: new Float64Array(o.cpus),
    mode: Array.from({ length: o.cpus + 1 }, () => new Float64Array(8)),
    load: [0.5, 0.5, 0.5],
    memUsed: 0,
    fill: 0,
    elapsed: 0,
  };
  const series: SimSeries[] = [];
  const add = (metric: string, labels: string, value: () => number) =>
    series.push({ metric, labels, value });

  for (let c = 0; c <= o.cpus; c++) {
    const cpu = c === o.cpus ? "total" : String(c);
    modes.forEach((m, k) => add("cpu_ratio", `cpu=${cpu},mode=${m}`, () => s.mode[c]![k]!));
  }
  const windows = [["1m", 60], ["5m", 300], ["15m", 900]] as const;
  windows.forEach(([w], k) => add("load_average", `window=${w}`, () => q(s.load[k]!, 0.01)));
  add(
    "context_switches_per_second",
    "",
    () => Math.round(pos(3000 + 40000 * s.act * (1 + 0.1 * normal()))),
  );
  add(
    "interrupts_per_second",
    "",
    () => Math.round(pos(2000 + 25000 * s.act * (1 + 0.1 * normal()))),
  );
  add("softirqs_per_second", "", () => Math.round(pos(800 + 9000 * s.act * (1 + 0.15 * normal()))));
  add("processes_running", "", () => Math.max(1, Math.round(sum(s.busy) + 0.7 * normal())));
  add("processes_blocked", "", () => (uniform() < 0.03 ? 1 : 0));
  add("processes_total", "", () => Math.round(420 + 60 * s.act + 2 * normal()));
  add("forks_per_second", "", () => Math.round(pos(2 + 25 * s.act * (1 + 0.3 * normal()))));
  for (const r of ["cpu", "memory", "io"]) {
    for (const k of ["some", "full"]) {
      add("pressure_stall_ratio", `kind=${k},resource=${r}`, () => {
        if (r === "cpu") {
          return q(
            pos(mean(s.busy) - 0.55) * (k === "some" ? 0.6 : 0.2) * (1 + 0.2 * normal()),
            1e-6,
          );
        }
        if (r === "io") {
          return uniform() < 0.05 * s.act
            ? q(0.02 * uniform() * (k === "some" ? 1 : 0.4), 1e-6)
            : 0;
        }
        return 0;
      });
    }
  }
  const total = 64 * GiB;
  const memory: Record<string, () => number> = {
    total: () => total,
    used: () => s.memUsed,
    free: () => q(total - s.memUsed - 0.3 * total, 1024),
    cached: () => q(0.25 * total + 0.02 * total * Math.sin(s.elapsed / 7200e3), 1024),
    buffers: () => q(0.03 * total, 4096),
    available: () => q(total - s.memUsed, 1024),
  };
  for (const [state, f] of Object.entries(memory)) add("memory_bytes", `state=${state}`, f);
  add("swap_bytes", "state=total", () => 8 * GiB);
  add("swap_bytes", "state=used", () => 256 * 2 ** 20);
  add("swap_bytes", "state=free", () => 8 * GiB - 256 * 2 ** 20);
  add(
    "page_faults_per_second",
    "type=minor",
    () => Math.round(pos(4000 + 30000 * s.act * (1 + 0.2 * normal()))),
  );
  add(
    "page_faults_per_second",
    "type=major",
    () => (uniform() < 0.02 ? Math.ceil(3 * uniform()) : 0),
  );
  add("swap_pages_per_second", "direction=in", () => 0);
  add("swap_pages_per_second", "direction=out", () => 0);
  disks.forEach((device, d) => {
    const weight = [1, 0.6, 0.15, 0.01][d]!;
    const l = `device=${device}`;
    const io = () => weight * s.act * pos(1 + 0.5 * normal());
    add("disk_read_bytes_per_second", l, () => q(2e7 * io(), 512));
    add("disk_write_bytes_per_second", l, () => q(3e7 * io(), 512));
    add("disk_reads_per_second", l, () => Math.round(300 * io()));
    add("disk_writes_per_second", l, () => Math.round(500 * io()));
    add(
      "disk_wait_ms",
      l,
      () => (weight * s.act > 0.02 ? q(0.2 + 0.8 * pos(1 + 0.5 * normal()), 0.001) : 0),
    );
    add("disk_queue_depth", l, () => q(0.5 * io(), 0.001));
    add("disk_utilization_ratio", l, () => clamp01(q(0.4 * io(), 0.001)));
  });
  mounts.forEach(([mountpoint, device, fstype, gib]) => {
    const l = `device=${device},fstype=${fstype},mountpoint=${mountpoint}`;
    const size = gib * GiB;
    const filling = o.diskFill?.mountpoint === mountpoint;
    const base = 0.2 + (gib % 7) / 20;
    const used = () => q(size * (filling ? s.fill : base + 0.01 * s.elapsed / 86_400_000), 4096);
    const inodes = Math.round(size / 16384);
    add("filesystem_size_bytes", l, () => size);
    add("filesystem_used_bytes", l, used);
    add("filesystem_free_bytes", l, () => size - used());
    add("filesystem_inodes_used", l, () => Math.round((inodes * used()) / size / 8));
    add("filesystem_inodes_free", l, () => inodes - Math.round((inodes * used()) / size / 8));
  });
  interfaces.forEach((iface, i) => {
    const l = `interface=${iface}`;
    const weight = [1, 0.3, 0.2, 0.05][i]!;
    const traffic = () => weight * (0.05 + s.act) * pos(1 + 0.3 * normal());
    add("network_receive_bytes_per_second", l, () => Math.round(5e6 * traffic()));
    add("network_transmit_bytes_per_second", l, () => Math.round(3e6 * traffic()));
    add("network_receive_packets_per_second", l, () => Math.round(4000 * traffic()));
    add("network_transmit_packets_per_second", l, () => Math.round(3000 * traffic()));
    for (const m of ["receive_errors", "transmit_errors", "receive_drops", "transmit_drops"]) {
      add(`network_${m}_per_second`, l, () => (uniform() < 0.0005 ? 1 : 0));
    }
  });
  add("tcp_connections_established", "", () => Math.round(pos(40 + 300 * s.act + 5 * normal())));
  add(
    "tcp_retransmits_per_second",
    "",
    () => (uniform() < 0.1 * s.act ? Math.ceil(4 * uniform()) : 0),
  );
  add("tcp_resets_per_second", "", () => (uniform() < 0.05 ? 1 : 0));
  add(
    "tcp_out_resets_per_second",
    "",
    () => (uniform() < 0.2 * s.act ? Math.ceil(3 * uniform()) : 0),
  );
  add(
    "tcp_active_opens_per_second",
    "",
    () => Math.round(pos(2 + 30 * s.act * (1 + 0.3 * normal()))),
  );
  add(
    "tcp_passive_opens_per_second",
    "",
    () => Math.round(pos(5 + 80 * s.act * (1 + 0.3 * normal()))),
  );
  add(
    "udp_receive_datagrams_per_second",
    "",
    () => Math.round(pos(20 + 200 * s.act * (1 + 0.2 * normal()))),
  );
  add(
    "udp_transmit_datagrams_per_second",
    "",
    () => Math.round(pos(20 + 180 * s.act * (1 + 0.2 * normal()))),
  );
  add("udp_errors_per_second", "", () => (uniform() < 0.001 ? 1 : 0));
  for (const rank of ["cpu", "memory"]) {
    for (let k = 0; k < o.topN; k++) {
      const name = processNames[k % processNames.length]!;
      const l = `command=/usr/bin/${name},name=${name},pid=${1000 + 37 * k},rank_by=${rank}`;
      const share = 1 / (k + 1.5);
      add(
        "process_cpu_ratio",
        l,
        () => q(pos(share * mean(s.busy) * o.cpus * 0.5 * (1 + 0.2 * normal())), 1 / jiffies),
      );
      add("process_rss_bytes", l, () => q(share * 4 * GiB * (1 + 0.1 * s.act), 4096));
    }
  }
  add("perfscope_heap_bytes", "", () => q(9e6 + 2e6 * uniform(), 8));
  add("perfscope_rss_bytes", "", () => q(4.2e7 + 1e6 * uniform(), 4096));
  add("perfscope_event_loop_delay_ms", "", () => q(0.2 + 0.3 * uniform(), 0.001));
  add("perfscope_sample_ms", "", () => q(0.9 + 0.4 * uniform(), 0.001));

  function step(t: number): void {
    s.elapsed = t - o.start;
    const hour = ((t / 3_600_000) % 24 + 24) % 24;
    const weekday = new Date(t).getUTCDay();
    s.drift = 0.999 * s.drift + 0.01 * normal();
    s.act = clamp01(
      (0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 3)) / 24)) * (weekday % 6 === 0 ? 0.6 : 1) +
        0.1 * s.drift,
    );
    const sat = o.cpuSaturation && t >= o.cpuSaturation.from && t < o.cpuSaturation.to
      ? o.cpuSaturation.level
      : undefined;
    const totals = s.mode[o.cpus]!;
    totals.fill(0);
    for (let c = 0; c < o.cpus; c++) {
      const busy = sat ?? clamp01(0.04 + 0.55 * s.act * (1 - c / (2 * o.cpus)) + 0.05 * normal());
      s.busy[c] = busy;
      const m = s.mode[c]!;
      const bj = Math.round(busy * jiffies);
      const user = Math.round(bj * 0.72),
        system = Math.round(bj * 0.22),
        softirq = Math.round(bj * 0.03);
      const irq = Math.max(0, bj - user - system - softirq);
      const iowait = Math.min(jiffies - bj, Math.round(pos(0.01 + 0.01 * normal()) * jiffies));
      const idle = jiffies - bj - iowait;
      const all = jiffies;
      m.set([user / all, 0, system / all, iowait / all, irq / all, softirq / all, 0, idle / all]);
      for (let k = 0; k < 8; k++) totals[k]! += m[k]! / o.cpus;
    }
    const running = sum(s.busy);
    windows.forEach((
      [, w],
      k,
    ) => (s.load[k] = s.load[k]! + (running - s.load[k]!) * (1 - Math.exp(-dt / w))));
    s.memUsed = q(total * (0.3 + 0.15 * s.act + 0.02 * s.drift), 1024);
    if (o.diskFill) {
      s.fill = o.diskFill.from + (o.diskFill.to - o.diskFill.from) * (s.elapsed / o.durationMs);
    }
  }
  return { series, step };
}

function sum(a: Float64Array): number {
  let t = 0;
  for (let i = 0; i < a.length; i++) t += a[i]!;
  return t;
}

function mean(a: Float64Array): number {
  return a.length ? sum(a) / a.length : 0;
}
