/**
 * The collector's cost curve: the real collect path (`cli/collect.ts` with the collect task's V8
 * flags, spool and Parquet) run as a child process with `--procfs/--sysfs/--rootfs` on synthetic
 * hosts (`bench/synthetic_host.ts`) of growing size, one dimension at a time from a small base
 * (2 CPUs, 1 disk, 1 interface, 100 processes, 10 mounts, no cgroups), then the big hosts of the
 * targets. The bench's own process moves the counters every second (`tickSyntheticHost`), so the
 * child stores what it stores on a live host. CPU is the sum of the child's threads' `schedstat`
 * times (ns) after a warm-up of 15 s (start-up is over: modules compiled, the first full process
 * reads done, Deno's start-up thread pool retired, as the remote-write bench waits) and then two
 * snapshots (seen as the child's write system
 * calls in `/proc/PID/io`: the first two snapshots read every process, which on a loaded machine
 * can take longer than 5 s). The window is 120 s by default with collect's default flush (every
 * 60 s): it holds two Parquet flushes, as two minutes of steady collection do, and the V8 memory
 * reducer's collection ~30 s after start (which recurs every few minutes). A window much
 * shorter than a flush interval would show a flush only by the luck of its timing; an earlier
 * version ran `--flush 30s` in a 34-s window, which counted the flush twice as often as collect
 * does and the memory reducer's run as if it came every half minute. This VM itself is measured the same way, beside `sadc`
 * (sysstat's collector, `sadc -S XALL 1 N`) where it is installed.
 *
 * This VM, sadc and the two target hosts are run `--repeat` times (default 3; sadc alternating
 * with the VM run) and their median is printed with the range.
 *
 * Run: `deno run -A bench/collector_curve.ts [--quick] [--seconds 120] [--repeat 3]
 * [--only TEXT]`, or as part of `deno task bench` (collector).
 *
 * @module
 */

import {
  syntheticHostFlags,
  type SyntheticHostOptions,
  tickSyntheticHost,
  writeSyntheticHost,
} from "./synthetic_host.ts";
import { extent, max, median } from "d3-array";
import { ThreadCpu } from "./_thread_cpu.ts";
import { table } from "./_table.ts";
import { collectSummary } from "./_collect_summary.ts";

const root = new URL("../", import.meta.url).pathname;
const V8 = "--lite-mode,--single-threaded";

/** One measured run. */
export interface CurvePoint {
  /** What was varied, e.g. `cpus=64`. */
  label: string;
  host: SyntheticHostOptions | "this VM" | "sadc";
  /** CPU ms (user + system, all threads) per second of wall time. */
  cpuMsPerSecond: number;
  /** Peak resident memory (VmHWM), MB. */
  peakRssMb: number;
  /** Rows stored per snapshot (from collect's summary line). */
  rowsPerSnapshot: number;
  /** 1-minute load average at the end of the run. */
  load: number;
  /** Lowest and highest CPU ms/s of the repeated runs (the figure is their median). */
  spread?: [number, number];
}

/** Options of {@linkcode runCurve}. */
export interface CurveOptions {
  /** Fewer points, 60-s runs. Default false. */
  quick?: boolean;
  /** Seconds per run (the window). Default 120 (60 when quick): whole flush intervals. */
  seconds?: number;
  /** Only the points whose label contains this text (and no VM/sadc rows unless it matches "VM"). */
  only?: string;
  /**
   * Runs of this VM, sadc (alternating) and the target hosts; their median is the figure.
   * Default 3 (1 when quick).
   */
  repeat?: number;
}

/**
 * Write system calls of the collector after the warm-up time before the window opens: about
 * three per snapshot (spool and its bookkeeping), so two snapshots taken after the first ones.
 */
const WARM_WRITES = 6;

const base: SyntheticHostOptions = { cpus: 2, disks: 1, nics: 1, processes: 100, mounts: 10 };

/** The points: one dimension at a time from the base, then the target hosts. */
function points(quick: boolean): [string, SyntheticHostOptions][] {
  const at = (o: SyntheticHostOptions): SyntheticHostOptions => ({ ...base, ...o });
  const all: [string, SyntheticHostOptions][] = [
    ["base (2 CPUs, 1 disk, 1 NIC, 100 procs, 10 mounts)", at({})],
    ["cpus=16", at({ cpus: 16 })],
    ["cpus=64", at({ cpus: 64 })],
    ["cpus=192", at({ cpus: 192 })],
    ["cpus=64, /proc/stat with 7 columns (2.6.0)", at({ cpus: 64, statColumns: 7 })],
    ["disks=8", at({ disks: 8 })],
    ["disks=32", at({ disks: 32 })],
    ["disks=128", at({ disks: 128 })],
    ["disks=32, diskstats with 14 fields (< 4.18)", at({ disks: 32, diskstatsFields: 14 })],
    ["nics=8", at({ nics: 8 })],
    ["nics=32", at({ nics: 32 })],
    ["processes=1000", at({ processes: 1000 })],
    ["processes=2000", at({ processes: 2000 })],
    ["processes=10000", at({ processes: 10000 })],
    ["mounts=50", at({ mounts: 50 })],
    ["mounts=200", at({ mounts: 200 })],
    ["cgroups=20", at({ cgroups: 20 })],
    ["cgroups=200", at({ cgroups: 200 })],
    ["TARGET 64 CPUs, 32 disks, 8 NICs, 2,000 procs", {
      cpus: 64,
      disks: 32,
      nics: 8,
      processes: 2000,
      mounts: 10,
    }],
    ["TARGET same, 10,000 procs", { cpus: 64, disks: 32, nics: 8, processes: 10000, mounts: 10 }],
  ];
  if (!quick) return all;
  const keep = new Set([
    "cpus=192",
    "disks=128",
    "nics=32",
    "processes=10000",
    "mounts=200",
    "cgroups=200",
  ]);
  return all.filter(([l]) => l.startsWith("base") || l.startsWith("TARGET") || keep.has(l));
}

/** Write system calls of a process so far (`syscw` of /proc/PID/io). */
function writeCalls(pid: number): number {
  try {
    const m = Deno.readTextFileSync(`/proc/${pid}/io`).match(/^syscw: (\d+)/m);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function peakKb(pid: number): number {
  try {
    const m = Deno.readTextFileSync(`/proc/${pid}/status`).match(/^VmHWM:\s+(\d+) kB/m);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs `cmd args` for the warm-up, two snapshots and `seconds` (SIGTERM then), measuring the CPU of all its threads (ns, by
 * `schedstat`: /proc/PID/stat's 10-ms ticks would carry ±0.3 ms/s over a 34-s window) from
 * `warmup` s on and, where `warmWrites` is given, from that many write system calls later (the
 * collector's snapshots), to just before the SIGTERM.
 */
async function measure(
  cmd: string,
  args: string[],
  seconds: number,
  warmup: number,
  onSecond?: (step: number) => void,
  warmWrites = 0,
): Promise<Run | undefined> {
  const child = new Deno.Command(cmd, { args, cwd: root, stdout: "piped", stderr: "piped" })
    .spawn();
  const started = performance.now();
  let threads: ThreadCpu | undefined;
  let t0 = 0;
  let figure: number | undefined;
  let peak = 0;
  let step = 0;
  let writesAt: number | undefined;
  const poll = setInterval(() => {
    peak = Math.max(peak, peakKb(child.pid));
    if (threads || performance.now() - started < warmup * 1000) return;
    if (warmWrites > 0) {
      // after the warm-up time, `warmWrites` more write calls: snapshots are being taken
      const w = writeCalls(child.pid);
      writesAt ??= w;
      if (w < writesAt + warmWrites) return;
    }
    threads = new ThreadCpu([child.pid]);
    t0 = performance.now();
  }, 500);
  const ticker = onSecond ? setInterval(() => onSecond(++step), 1000) : undefined;
  const stop = setTimeout(() => {
    if (threads) {
      const ns = threads.stop();
      const wall = (performance.now() - t0) / 1000;
      if (wall > 1) figure = ns / 1e6 / wall;
    }
    peak = Math.max(peak, peakKb(child.pid));
    child.kill("SIGTERM");
  }, (warmup + 2 + seconds) * 1000); // the window: `seconds` after the warm-up and two snapshots
  const [status, out] = await Promise.all([
    child.status,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  clearInterval(poll);
  if (ticker !== undefined) clearInterval(ticker);
  clearTimeout(stop);
  if (figure === undefined || (!status.success && status.signal !== "SIGTERM")) return undefined;
  return { cpu: figure, rss: peak / 1024, out };
}

/** One measured run of a child. */
interface Run {
  cpu: number;
  rss: number;
  out: string;
}

/** Median of the runs' CPU and the largest peak RSS; the CPU range in `spread`. */
function summarize(runs: readonly Run[]): (Run & { spread: [number, number] }) | undefined {
  if (runs.length === 0) return undefined;
  const [lo, hi] = extent(runs, (r: Run) => r.cpu) as [number, number];
  return {
    cpu: median(runs, (r: Run) => r.cpu)!,
    rss: max(runs, (r: Run) => r.rss)!,
    out: runs[0]!.out,
    spread: [lo, hi],
  };
}

/** `run` done `repeat` times, summarized. */
async function measureRepeated(
  repeat: number,
  run: () => Promise<Run | undefined>,
): Promise<(Run & { spread: [number, number] }) | undefined> {
  const runs: Run[] = [];
  for (let i = 0; i < repeat; i++) {
    const r = await run();
    if (r) runs.push(r);
  }
  return summarize(runs);
}

function collectArgs(data: string, seconds: number, roots: string[]): string[] {
  return [
    "run",
    `--v8-flags=${V8}`,
    "-A",
    `${root}cli/collect.ts`,
    "--data",
    data,
    "--interval",
    "1s",
    "--flush",
    "60s", // collect's default, written out: the window is made of whole flush intervals
    "--duration",
    `${seconds + 30}s`, // stopped by the bench at the window's end (warm-up 15 s + window)
    "--host",
    "synthetic",
    ...roots,
  ];
}

function rowsPerSnapshot(out: string): number {
  const m = collectSummary(out);
  return m ? m.rows / m.snapshots : NaN;
}

/** sadc's path where sysstat is installed. */
function sadcPath(): string | undefined {
  for (const p of ["/usr/lib/sysstat/sadc", "/usr/lib64/sa/sadc", "/usr/libexec/sysstat/sadc"]) {
    try {
      if (Deno.statSync(p).isFile) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Measures the cost curve and prints it with the targets and the per-series and per-process
 * slopes.
 *
 * @param options See {@linkcode CurveOptions}.
 * @returns The points, in the order run.
 */
export async function runCurve(options: CurveOptions = {}): Promise<CurvePoint[]> {
  const quick = options.quick ?? false;
  const seconds = options.seconds ?? (quick ? 60 : 120);
  const repeat = options.repeat ?? (quick ? 1 : 3);
  const warmup = 15;
  const dir = Deno.makeTempDirSync({ prefix: "perfscope-curve-" });
  const out: CurvePoint[] = [];
  try {
    // This VM (the real /proc), and sadc beside it, alternating run by run.
    // One short collection first: the first run of a checkout compiles its TypeScript into
    // Deno's cache, which raised that run's peak RSS by ~7 MB (62 against 55 MB on this VM), and
    // the VM's first run would carry it.
    await new Deno.Command(Deno.execPath(), {
      args: ["run", `--v8-flags=${V8}`, "-A", `${root}cli/collect.ts`, "--data", `${dir}/prime`]
        .concat(["--no-config", "--duration", "2s"]),
      stdout: "null",
      stderr: "null",
    }).output();
    const vmToo = options.only === undefined || "this VM".includes(options.only);
    const sadc = sadcPath();
    const vmRuns: Run[] = [];
    const sadcRuns: Run[] = [];
    for (let i = 0; vmToo && i < repeat; i++) {
      const vm = await measure(
        Deno.execPath(),
        collectArgs(`${dir}/vm${i}`, seconds, []),
        seconds,
        warmup,
      );
      if (vm) vmRuns.push(vm);
      if (!sadc) continue;
      const s = await measure(
        sadc,
        ["-S", "XALL", "1", String(seconds + 30), `${dir}/sa${i}`],
        seconds,
        warmup,
      );
      if (s) sadcRuns.push(s);
    }
    const vm = summarize(vmRuns);
    if (vm) {
      out.push({
        label: "this VM (real /proc, /sys, /)",
        host: "this VM",
        cpuMsPerSecond: vm.cpu,
        peakRssMb: vm.rss,
        rowsPerSnapshot: rowsPerSnapshot(vm.out),
        load: Deno.loadavg()[0]!,
        spread: vm.spread,
      });
    }
    const sa = summarize(sadcRuns);
    if (sa) {
      out.push({
        label: "sadc -S XALL 1 (sysstat), this VM",
        host: "sadc",
        cpuMsPerSecond: sa.cpu,
        peakRssMb: sa.rss,
        rowsPerSnapshot: NaN,
        load: Deno.loadavg()[0]!,
        spread: sa.spread,
      });
    }
    let n = 0;
    for (const [label, o] of points(quick)) {
      if (options.only !== undefined && !label.includes(options.only)) continue;
      const hostDir = `${dir}/h${n++}`;
      const h = writeSyntheticHost(hostDir, o);
      const r = await measureRepeated(label.startsWith("TARGET") ? repeat : 1, () =>
        measure(
          Deno.execPath(),
          collectArgs(`${hostDir}/lake`, seconds, syntheticHostFlags(h)),
          seconds,
          warmup,
          (step) => tickSyntheticHost(h, o, step),
          WARM_WRITES,
        ));
      Deno.removeSync(hostDir, { recursive: true });
      if (!r) {
        console.log(`  ${label}: failed`);
        continue;
      }
      out.push({
        label,
        host: o,
        cpuMsPerSecond: r.cpu,
        peakRssMb: r.rss,
        rowsPerSnapshot: rowsPerSnapshot(r.out),
        load: Deno.loadavg()[0]!,
        ...(label.startsWith("TARGET") && repeat > 1 ? { spread: r.spread } : {}),
      });
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  print(out, seconds, warmup, repeat, sadcPath() !== undefined);
  return out;
}

function print(
  points: CurvePoint[],
  seconds: number,
  warmup: number,
  repeat: number,
  sadc: boolean,
): void {
  const f = (x: number, d = 2) => Number.isFinite(x) ? x.toFixed(d) : "-";
  const baseRow = points.find((p) => p.label.startsWith("base"));
  const target = (p: CurvePoint) =>
    p.label.startsWith("TARGET 64")
      ? "<= 2.5"
      : p.label.startsWith("TARGET same")
      ? "<= 4, RSS <= 64"
      : p.host === "this VM"
      ? "<= sadc"
      : "-";
  console.log(table([
    [
      "collect (real path, --procfs on a synthetic host)",
      "CPU ms/s",
      "runs' range",
      "x base",
      "peak RSS MB",
      "rows/snapshot",
      "target",
      "load 1m",
    ],
    ...points.map((p) => [
      p.label,
      f(p.cpuMsPerSecond),
      p.spread ? `${f(p.spread[0])}–${f(p.spread[1])}` : "-",
      baseRow && typeof p.host === "object"
        ? `${(p.cpuMsPerSecond / baseRow.cpuMsPerSecond).toFixed(2)}x`
        : "-",
      f(p.peakRssMb, 1),
      f(p.rowsPerSnapshot, 0),
      target(p),
      f(p.load),
    ]),
  ]));
  const vm = points.find((p) => p.host === "this VM");
  const sa = points.find((p) => p.host === "sadc");
  if (vm && sa) {
    console.log(
      `this VM: collect ${f(vm.cpuMsPerSecond)} vs sadc ${f(sa.cpuMsPerSecond)} ms/s (${
        (vm.cpuMsPerSecond / sa.cpuMsPerSecond).toFixed(2)
      }x)`,
    );
  } else if (!sadc) {
    console.log("sadc: not installed (Debian package sysstat), no comparison in this run");
  }
  // Slopes: the extra cost per stored row (series) and per process, from the curve's ends.
  const byLabel = (l: string) => points.find((p) => p.label === l);
  const slope = (
    a: CurvePoint | undefined,
    b: CurvePoint | undefined,
    per: (p: CurvePoint) => number,
  ) =>
    a && b && per(b) !== per(a)
      ? (b.cpuMsPerSecond - a.cpuMsPerSecond) * 1000 / (per(b) - per(a))
      : NaN;
  const rows = (p: CurvePoint) => p.rowsPerSnapshot;
  const procs = (p: CurvePoint) => typeof p.host === "object" ? p.host.processes ?? 0 : 0;
  // One row a slope: from the base run to the run labelled `to`.
  const slopeRow = (what: string, to: string, per: (p: CurvePoint) => number, digits: number) => [
    what,
    f(slope(baseRow, byLabel(to), per), digits),
    `base → ${to}`,
  ];
  const seriesSlopes = [
    ["CPUs: 8 each", "cpus=192"],
    ["disks: 7 each", "disks=128"],
    ["NICs: 8 each", "nics=32"],
    ["mounts: 5 each", "mounts=200"],
    ["cgroups, read every 5 s", "cgroups=200"],
  ] as const;
  console.log(table([
    ["what grows", "µs CPU per second, each", "from"],
    ...seriesSlopes.map(([what, to]) => slopeRow(`per stored series (${what})`, to, rows, 2)),
    slopeRow("per process", "processes=10000", procs, 3),
  ]));
  console.log(
    `(${seconds} s per run after a ${warmup} s warm-up, one run at a time, CPU of all threads by schedstat;` +
      ` this VM, sadc and the targets: median of ${repeat} runs; 2 shared cores: see load)`,
  );
}

const USAGE =
  `Usage: deno run -A bench/collector_curve.ts [--quick] [--seconds N] [--repeat N] [--only TEXT]

The collector's cost curve: collect run on synthetic hosts of growing size, then the big hosts
of the targets, and this VM beside sadc where it is installed.

Options:
  --quick        fewer points, 60-s runs (as deno task bench --quick)
  --seconds N    seconds per run, the window (default 120, 60 with --quick)
  --repeat N     runs of this VM, sadc and the target hosts; their median is the figure
                 (default 3, 1 with --quick)
  --only TEXT    only the points whose label contains TEXT (VM/sadc rows only if it matches "VM")
  -h, --help     show this help`;

if (import.meta.main) {
  // loaded here rather than at the top: the collector bench's --sampler-loop child imports this
  // module (through bench/collector_bench.ts), and its RSS must not include node:util's
  const { benchMain } = await import("./_flags.ts");
  const { parseFlags, parseNumber } = await import("../cli/_args.ts");
  await benchMain(USAGE, (args): CurveOptions => {
    const { values } = parseFlags(args, {
      quick: { type: "boolean", default: false },
      seconds: { type: "string" },
      repeat: { type: "string" },
      only: { type: "string" },
    });
    return {
      ...(values.repeat !== undefined && {
        repeat: parseNumber(values.repeat, "repeat", { min: 1, integer: true }),
      }),
      ...(values.only !== undefined && { only: values.only }),
      quick: values.quick,
      ...(values.seconds !== undefined && {
        seconds: parseNumber(values.seconds, "seconds", { min: 1 }),
      }),
    };
  }, runCurve);
}
