/**
 * Synthetic hosts for the collector's cost curve: a `/proc`, `/sys` and root file system tree in
 * the kernel's real formats, scaled to any number of CPUs, disks, interfaces, processes, mounts
 * and cgroups, so the collector does the work of a real host of that size (every file read,
 * parsed and turned into series). {@linkcode tickSyntheticHost} moves the counters of
 * `/proc/stat`, diskstats, net/dev and of the few busy processes that use the CPU time
 * `/proc/stat` gains; every other value is frozen.
 * Where formats differ between kernels the tree follows one of them: `/proc/stat` CPU lines with
 * 10 columns (≥ 2.6.33, guest and guest_nice), 8 (2.6.11–2.6.23, steal) or 7 (2.6.0);
 * `/proc/diskstats` with 14 fields (< 4.18), 18 (discards, ≥ 4.18) or 20 (flushes, ≥ 5.5).
 *
 * Run: `deno run -A bench/synthetic_host.ts DIR [--cpus 64] [--disks 32] [--nics 8]
 * [--processes 2000] [--mounts 10] [--cgroups 0]` writes DIR/proc, DIR/sys and DIR/rootfs.
 *
 * @module
 */

/** The size and formats of a synthetic host. */
export interface SyntheticHostOptions {
  /** CPUs (`cpuN` lines in /proc/stat). Default 2. */
  cpus?: number;
  /** Whole disks (`sdX`, each with one partition that the collector must drop). Default 1. */
  disks?: number;
  /** Network interfaces besides `lo`. Default 1. */
  nics?: number;
  /** Processes (`/proc/PID/stat` and `cmdline`). Default 100. */
  processes?: number;
  /** Mounts of real file systems (`ext4` on `/mnt/vN`, plus a few virtual ones). Default 10. */
  mounts?: number;
  /** cgroup v2 groups (systemd services under `system.slice`) in `sys/fs/cgroup`. Default 0. */
  cgroups?: number;
  /** CPU columns of /proc/stat: 10, 8 or 7. Default 10. */
  statColumns?: 10 | 8 | 7;
  /** Fields per /proc/diskstats line: 20, 18 or 14. Default 20. */
  diskstatsFields?: 20 | 18 | 14;
  /** Write /proc/pressure (kernels ≥ 4.20). Default true. */
  pressure?: boolean;
}

/** Where the tree was written. */
export interface SyntheticHost {
  procfs: string;
  sysfs: string;
  rootfs: string;
}

function write(path: string, text: string): void {
  Deno.writeTextFileSync(path, text);
}

/** Disk names: sda…sdz, sdaa… as the kernel names them. */
function diskName(i: number): string {
  let s = "";
  let n = i;
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return `sd${s}`;
}

/**
 * The collect flags that point it at a synthetic host.
 *
 * @param host From {@linkcode writeSyntheticHost}.
 * @returns `--procfs`, `--sysfs` and `--rootfs` with the host's roots.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { syntheticHostFlags } from "./synthetic_host.ts";
 * const flags = syntheticHostFlags({ procfs: "/h/proc", sysfs: "/h/sys", rootfs: "/h/rootfs" });
 * assert.deepEqual(flags.slice(0, 2), ["--procfs", "/h/proc"]);
 * ```
 */
export function syntheticHostFlags(host: SyntheticHost): string[] {
  return ["--procfs", host.procfs, "--sysfs", host.sysfs, "--rootfs", host.rootfs];
}

/**
 * Writes a synthetic host under `dir` (created if absent): `dir/proc`, `dir/sys`, `dir/rootfs`.
 *
 * @param dir Directory to fill.
 * @param options See {@linkcode SyntheticHostOptions}.
 * @returns The three roots, for `--procfs`, `--sysfs` and `--rootfs`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeSyntheticHost } from "./synthetic_host.ts";
 * const dir = Deno.makeTempDirSync();
 * const host = writeSyntheticHost(dir, { cpus: 4, processes: 3 });
 * assert.match(Deno.readTextFileSync(`${host.procfs}/stat`), /^cpu3 /m);
 * ```
 */
export function writeSyntheticHost(dir: string, options: SyntheticHostOptions = {}): SyntheticHost {
  const disks = options.disks ?? 1;
  const processes = options.processes ?? 100;
  const mounts = options.mounts ?? 10;
  const cgroups = options.cgroups ?? 0;
  const proc = `${dir}/proc`;
  const sys = `${dir}/sys`;
  const rootfs = `${dir}/rootfs`;
  for (const d of [proc, `${proc}/net`, `${sys}/block`, rootfs]) {
    Deno.mkdirSync(d, { recursive: true });
  }

  tickSyntheticHost({ procfs: proc, sysfs: sys, rootfs }, options, 0);
  write(`${proc}/loadavg`, `0.52 0.61 0.70 1/${processes + 50} ${30000 + processes}\n`);
  if (options.pressure ?? true) {
    Deno.mkdirSync(`${proc}/pressure`, { recursive: true });
    for (const r of ["cpu", "io", "memory"]) {
      write(
        `${proc}/pressure/${r}`,
        "some avg10=0.00 avg60=0.12 avg300=0.30 total=123456789\n" +
          "full avg10=0.00 avg60=0.05 avg300=0.10 total=23456789\n",
      );
    }
  }
  write(`${proc}/meminfo`, meminfo);
  write(`${proc}/vmstat`, vmstat);

  // /sys/block: each disk (its partition is in diskstats only), plus loop devices (skipped)
  for (let i = 0; i < 4; i++) Deno.mkdirSync(`${sys}/block/loop${i}`, { recursive: true });
  for (let i = 0; i < disks; i++) {
    Deno.mkdirSync(`${sys}/block/${diskName(i)}`, { recursive: true });
  }
  write(`${proc}/net/snmp`, snmp);

  // /proc/mounts: virtual file systems (skipped), then real ones whose mount points exist under
  // rootfs (statfs answers for the file system holding them, the bench's own).
  const m = [
    "proc /proc proc rw,relatime 0 0",
    "sysfs /sys sysfs rw,relatime 0 0",
    "tmpfs /run tmpfs rw,nosuid,nodev 0 0",
    "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime 0 0",
  ];
  for (let i = 0; i < mounts; i++) {
    const point = i === 0 ? "/" : `/mnt/v${i}`;
    Deno.mkdirSync(`${rootfs}${point}`, { recursive: true });
    m.push(`/dev/vg/v${i} ${point} ext4 rw,relatime 0 0`);
  }
  write(`${proc}/mounts`, m.join("\n") + "\n");
  Deno.mkdirSync(`${proc}/1`, { recursive: true });
  write(`${proc}/1/mounts`, m.join("\n") + "\n"); // init's table, which the collector prefers

  // processes: a few busy (their CPU time moves with /proc/stat's, see tickSyntheticHost), the
  // rest sleeping; each with a stat and a cmdline
  for (let i = 0; i < processes; i++) {
    const pid = pidOf(i);
    if (i === 0) Deno.mkdirSync(`${proc}/1`, { recursive: true });
    const path = `${proc}/${pid}`;
    if (i > 0) Deno.mkdirSync(path);
    const name = nameOf(i);
    write(`${path}/stat`, processStat(i, 0, 0));
    write(`${path}/cmdline`, `/usr/bin/${name}\0--config\0/etc/${name}.conf\0`);
  }

  // cgroup v2: system.slice/NAME.service with the files the cgroup family reads
  if (cgroups > 0) {
    const cg = `${sys}/fs/cgroup`;
    Deno.mkdirSync(`${cg}/system.slice`, { recursive: true });
    write(`${cg}/cgroup.controllers`, "cpuset cpu io memory pids\n");
    for (let i = 0; i < cgroups; i++) {
      const d = `${cg}/system.slice/app${i}.service`;
      Deno.mkdirSync(d);
      write(`${d}/cpu.stat`, cgroupCpuStat(i));
      write(`${d}/cpu.max`, i % 3 === 0 ? "200000 100000\n" : "max 100000\n");
      write(`${d}/memory.current`, `${(i + 1) * 1048576}\n`);
      write(`${d}/memory.high`, "max\n");
      write(`${d}/memory.max`, i % 2 === 0 ? `${(i + 2) * 1048576}\n` : "max\n");
      write(`${d}/memory.events`, "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
      write(
        `${d}/io.stat`,
        `8:0 rbytes=${i * 4096} wbytes=${i * 8192} rios=${i} wios=${i * 2} dbytes=0 dios=0\n`,
      );
      for (const r of ["cpu", "io", "memory"]) {
        write(
          `${d}/${r}.pressure`,
          "some avg10=0.00 avg60=0.00 avg300=0.00 total=1234\n" +
            "full avg10=0.00 avg60=0.00 avg300=0.00 total=234\n",
        );
      }
    }
  }
  return { procfs: proc, sysfs: sys, rootfs };
}

/**
 * Rewrites the counters of a synthetic host's `/proc/stat`, `/proc/diskstats` and
 * `/proc/net/dev` as they would read `step` seconds later (every counter grows), so that a
 * collector reading it stores what it stores on a live host (a frozen counter gives no CPU
 * share: `NaN`, not stored). The bench calls it once a second from its own process.
 *
 * @param host The host's roots.
 * @param options The options it was written with.
 * @param step Seconds since it was written.
 */
export function tickSyntheticHost(
  host: SyntheticHost,
  options: SyntheticHostOptions,
  step: number,
): void {
  const cpus = options.cpus ?? 2;
  const disks = options.disks ?? 1;
  const nics = options.nics ?? 1;
  const processes = options.processes ?? 100;
  const columns = options.statColumns ?? 10;
  const fields = options.diskstatsFields ?? 20;
  const t = step;
  const cpuLine = (name: string, k: number) =>
    [
      name,
      92653 * k + 30 * t * k,
      143 * k,
      41157 * k + 10 * t * k,
      378577 * k + 60 * t * k,
      266 * k,
      0,
      317 * k,
      0,
      0,
      0,
    ].slice(0, columns + 1).join(" ");
  const stat = [cpuLine("cpu ", cpus)];
  for (let c = 0; c < cpus; c++) stat.push(cpuLine(`cpu${c}`, 1));
  stat.push(
    `intr ${6842140 + 1000 * t}${" 0".repeat(200)}`,
    `ctxt ${15095920 + 2000 * t}`,
    "btime 1796488081",
    `processes ${178160 + processes + t}`,
    "procs_running 1",
    "procs_blocked 0",
    "softirq 4152204 0 657684 13 101729 793998 0 509 685119 3659 1909493",
  );
  // The CPU time /proc/stat gains (user 30 and system 10 ticks per CPU and second) is used by
  // a few busy processes, as on a live host, where every tick is some process's: their stat
  // files move first, so a reader never sees the total ahead of the processes' sum.
  const busy = Math.min(BUSY_PROCESSES, processes);
  for (let b = 0; b < busy && t > 0; b++) { // (step 0: the tree's writer makes them)
    const i = busyIndex(b, processes);
    const share = Math.floor(cpus / busy) + (b < cpus % busy ? 1 : 0);
    write(
      `${host.procfs}/${pidOf(i)}/stat`,
      processStat(i, 30 * t * share, 10 * t * share),
    );
  }
  write(`${host.procfs}/stat`, stat.join("\n") + "\n");
  const ds: string[] = [];
  for (let i = 0; i < 4; i++) ds.push(diskLine(7, i, `loop${i}`, fields, 0, t));
  for (let i = 0; i < disks; i++) {
    const name = diskName(i);
    ds.push(diskLine(8, i * 16, name, fields, i + 1, t));
    ds.push(diskLine(8, i * 16 + 1, `${name}1`, fields, i + 1, t));
  }
  write(`${host.procfs}/diskstats`, ds.join("\n") + "\n");
  const dev = [
    "Inter-|   Receive                                                |  Transmit",
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed",
    `    lo: ${
      709258126 + t * 100
    } 94909    0    0    0     0          0         0 709258126   94909    0    0    0     0       0          0`,
  ];
  for (let i = 0; i < nics; i++) {
    dev.push(
      `  eth${i}: ${732153820 + i + t * 1500} ${44546 + t} 0 0 0 0 0 0 ${2408637 + t * 900} ${
        29380 + t
      } 0 0 0 0 0 0`,
    );
  }
  write(`${host.procfs}/net/dev`, dev.join("\n") + "\n");
}

function diskLine(
  major: number,
  minor: number,
  name: string,
  fields: number,
  k: number,
  t: number,
): string {
  const j = k === 0 ? 0 : t;
  const counters = [
    6815 * k + j,
    3333,
    423378 * k + 8 * j,
    4688 * k + j,
    1648 * k + 2 * j,
    29256,
    1852840 * k + 16 * j,
    3525 * k + 2 * j,
    0,
    1712 * k + 3 * j,
    8692 * k + 3 * j,
    0,
    0,
    0,
    0,
    0,
    0,
  ];
  return [`${major}`.padStart(4), `${minor}`.padStart(7), name, ...counters].slice(0, fields)
    .join(" ");
}

/** Processes that use the host's CPU time (the rest sleep). */
const BUSY_PROCESSES = 8;

const pidOf = (i: number) => 1 + i * 3;
const nameOf = (i: number) => i % 7 === 0 ? "postgres" : i % 5 === 0 ? "nginx" : `worker-${i % 13}`;

/** The i-th busy process's index, spread over the list. */
const busyIndex = (b: number, processes: number) => Math.floor((b * processes) / BUSY_PROCESSES);

/** Process `i`'s stat line with `user`/`system` ticks added to its starting counts. */
function processStat(i: number, user: number, system: number): string {
  const utime = (i * 7919) % 100000;
  const rss = 100 + ((i * 104729) % 200000);
  return pidStat(pidOf(i), nameOf(i), utime + user, Math.floor(utime / 3) + system, 1000 + i, rss);
}

function pidStat(
  pid: number,
  name: string,
  utime: number,
  stime: number,
  start: number,
  rss: number,
) {
  return `${pid} (${name}) S 1 ${pid} ${pid} 0 -1 4194560 1035 0 0 0 ${utime} ${stime} 0 0 20 0 1 0 ` +
    `${start} 3133440 ${rss} 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n`;
}

function cgroupCpuStat(i: number): string {
  return `usage_usec ${i * 1000003}\nuser_usec ${i * 700001}\nsystem_usec ${i * 300002}\n` +
    `nr_periods ${i * 10}\nnr_throttled ${i}\nthrottled_usec ${i * 5000}\n` +
    "nr_bursts 0\nburst_usec 0\n";
}

const meminfo = `MemTotal:       49367496 kB
MemFree:        30123456 kB
MemAvailable:   45123456 kB
Buffers:          123456 kB
Cached:         12345678 kB
SwapCached:            0 kB
Active:          8123456 kB
Inactive:        6123456 kB
Dirty:               123 kB
Writeback:             0 kB
AnonPages:       3123456 kB
Mapped:           523456 kB
Shmem:             23456 kB
Slab:             823456 kB
SReclaimable:     623456 kB
SUnreclaim:       200000 kB
PageTables:        23456 kB
SwapTotal:       8388604 kB
SwapFree:        8388604 kB
CommitLimit:    33072352 kB
Committed_AS:    9123456 kB
HugePages_Total:       0
Hugepagesize:       2048 kB
`;

const vmstat = `nr_free_pages 7530864
nr_dirty 30
pgpgin 4233780
pgpgout 18528400
pswpin 0
pswpout 0
pgfault 912345678
pgmajfault 12345
pgsteal_kswapd 0
pgsteal_direct 0
pgscan_kswapd 0
pgscan_direct 0
oom_kill 0
`;

const snmp =
  `Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates OutTransmits
Ip: 1 64 1234567 0 0 0 0 0 1234567 1134567 0 0 0 0 0 0 0 0 0 1134567
Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors
Tcp: 1 200 120000 -1 12345 2345 12 34 56 1234567 1134567 123 0 456 0
Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
Udp: 12345 12 0 12345 0 0 0 0 0
`;

/** The sizes the command line sets, in the order of the usage. */
const SIZES = ["cpus", "disks", "nics", "processes", "mounts", "cgroups"] as const;

const USAGE = `Usage: deno run -A bench/synthetic_host.ts DIR [--cpus N] [--disks N] [--nics N]
       [--processes N] [--mounts N] [--cgroups N]

Writes a synthetic host (DIR/proc, DIR/sys and DIR/rootfs in the kernel's formats) and prints
the three roots as JSON.

Options:
  --cpus N        CPUs (default 2)
  --disks N       whole disks, each with one partition (default 1)
  --nics N        network interfaces besides lo (default 1)
  --processes N   processes (default 100)
  --mounts N      mounts of real file systems (default 10)
  --cgroups N     cgroup v2 groups under system.slice (default 0)
  -h, --help      show this help`;

/** The directory and the sizes given. */
function hostFlags(
  args: string[],
  { parseFlags, parseNumber, UsageError }: typeof import("../cli/_args.ts"),
): { dir: string; sizes: SyntheticHostOptions } {
  const { values, positionals } = parseFlags(
    args,
    Object.fromEntries(SIZES.map((k) => [k, { type: "string" as const }])),
    true,
  );
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0 ? "DIR is required" : `Unexpected argument: ${positionals[1]}`,
    );
  }
  const sizes: SyntheticHostOptions = {};
  for (const k of SIZES) {
    const v = values[k];
    if (typeof v === "string") sizes[k] = parseNumber(v, k, { min: 0, integer: true });
  }
  return { dir: positionals[0]!, sizes };
}

if (import.meta.main) {
  // loaded here rather than at the top: the collector bench's --sampler-loop child imports this
  // module (through bench/collector_curve.ts), and its RSS must not include node:util's
  const { benchMain } = await import("./_flags.ts");
  const cliArgs = await import("../cli/_args.ts");
  await benchMain(USAGE, (args) => hostFlags(args, cliArgs), ({ dir, sizes }) => {
    console.log(JSON.stringify(writeSyntheticHost(dir, sizes)));
  });
}
