/**
 * Collector benchmark: (1) latency of one full snapshot of the Linux sampler and its series
 * count; (2) the cost of one Parquet flush (a minute of snapshots); (3) CPU milliseconds per
 * second and peak RSS of the real collect CLI at 1 Hz (the V8 flags `deno task collect` uses,
 * no flags, and `--top 50` for >= 300 series), side by side with a naive `systeminformation`
 * collector. The headline run lasts two minutes and a bit, so its window holds two of the
 * minute's Parquet flushes. CPU comes from `/proc/PID/stat` (all threads, 10 ms ticks) and the
 * sum of `/proc/PID/task/TID/schedstat` over the threads (ns). The processes run one at a time
 * (two at once on 2 cores disturb each other's caches by several tenths of a ms/s), and the
 * 1-minute load average is printed beside each figure. (4) An idle `serve` with its collector
 * in process (`bench/serve_in_process.ts`, as before issue 14) and as a child process (now): CPU
 * of both processes added up, and each. Prints figures, never asserts.
 *
 * (5) `statfs(2)` by FFI through libc (collectors/_statfs.ts) beside `node:fs` `statfsSync`, which
 * it replaces: µs per call on the same mount points in alternating rounds, and the RSS of a child
 * that made one call each way.
 *
 * (6) The cost curve (`bench/collector_curve.ts`): the collect CLI with `--procfs/--sysfs/--rootfs`
 * on synthetic hosts from 2 to 192 CPUs, 1 to 128 disks, 1 to 32 interfaces, 100 to 10,000
 * processes, 10 to 200 mounts and 0 to 200 cgroups, with the targets of the big hosts, and this
 * VM beside `sadc` where sysstat is installed.
 *
 * Run: `deno run -A bench/collector_bench.ts [--quick] [--seconds 125] [--samples 1000]
 * [--serve-only] [--statfs-only] [--curve-only]`.
 *
 * @module
 */

import { createSampler, formatLabels, parseMounts } from "../collectors/mod.ts";
import { type FsStats, statfs } from "../collectors/_statfs.ts";
import { parquetEncodeRows, writeSamples } from "../lake/mod.ts";
import { type CurvePoint, runCurve } from "./collector_curve.ts";
import { table } from "./_table.ts";
import { collectSummary } from "./_collect_summary.ts";

/** V8 flags recommended for the collect task (see the second table). */
export const COLLECT_V8_FLAGS = "--lite-mode,--single-threaded";

/** Options of {@linkcode run}. */
export interface CollectorBenchOptions {
  /** Shorter run: 15 s per process and 300 snapshots. Default false. */
  quick?: boolean;
  /** Seconds the headline collect process runs at 1 Hz (the others run half as long, at
   * least 15 s). Default 125: two minute flushes fall inside the measured window. */
  seconds?: number;
  /** Snapshots timed for latency. Default 1000. */
  samples?: number;
  /** Measure only `serve` with its collector in process and as a child. Default false. */
  serveOnly?: boolean;
  /** Measure only `statfs` by FFI beside `node:fs` `statfsSync`. Default false. */
  statfsOnly?: boolean;
  /** Measure only the cost curve on synthetic hosts. Default false. */
  curveOnly?: boolean;
}

/** `statfs(2)` through libc by FFI (collectors/_statfs.ts) beside `node:fs` `statfsSync`. */
export interface StatfsFigures {
  /** Mount points called in turn: one per device, with blocks (what `df` lists). */
  mounts: number;
  /** Median over the rounds of µs per call. */
  ffiUsPerCall: number;
  nodeUsPerCall: number;
  /** Median RSS (VmRSS, MB) of a child that made one call each way, and of one that made none,
   * run with the collect task's V8 flags; `undefined` where the children failed. */
  rss?: { none: number; ffi: number; node: number };
}

/** Resource use of one collector process. */
export interface ProcessFigures {
  /** CPU ms (user + system, all threads, 10 ms ticks) per second of wall time, after warm-up. */
  cpuMsPerSecond: number;
  /** CPU ms of all threads per second (schedstat, ns), after warm-up. */
  schedCpuMsPerSecond: number;
  /** Peak resident memory (VmHWM) in MB. */
  peakRssMb: number;
  /** 1-minute load average when the run ended. */
  load: number;
  /** Samples stored per snapshot (the collect CLI only; `NaN` values are not stored). */
  rowsPerSnapshot?: number;
}

/** What {@linkcode run} measures. */
export interface CollectorBenchFigures {
  snapshotP50Ms: number;
  snapshotP99Ms: number;
  series: number;
  /** Encoding a minute of snapshots as Parquet: first call and warm (ms). */
  flushEncodeColdMs: number;
  flushEncodeWarmMs: number;
  /** `writeSamples` of that minute (quantize, encode, write, fsync, rename), warm (ms). */
  flushWriteMs: number;
  /** Rows in that minute. */
  flushRows: number;
  /** The collect CLI as `deno task collect` runs it ({@linkcode COLLECT_V8_FLAGS}), for
   * `seconds`; `undefined` where cli/collect.ts is absent or failed. */
  cli?: ProcessFigures;
  /** The collect CLI without V8 flags. */
  cliPlain?: ProcessFigures;
  /** The collect CLI with the flags and `--top 50` (>= 300 series on a small host). */
  cliWide?: ProcessFigures;
  /** The naive systeminformation collector; `undefined` if it failed. */
  naive?: ProcessFigures;
  /** A process running only the sampler at 1 Hz (no storage), to tell its cost from the lake's. */
  samplerOnly?: ProcessFigures;
  /** An idle `serve` with the collector on its own thread (before issue 14). */
  serveInProcess?: ProcessFigures;
  /** An idle `serve` with the collector as a child process: both processes added up, and each
   * (`members`). */
  serveChild?: { total: ProcessFigures; members: TreeMember[] };
  /** An idle `serve --no-collect` on an empty lake (web app and spool tail only). */
  serveAlone?: ProcessFigures;
  /** `statfs` by FFI beside `node:fs`. */
  statfs?: StatfsFigures;
  /** The cost curve on synthetic hosts (`bench/collector_curve.ts`). */
  curve?: CurvePoint[];
}

/** Child mode: sample at 1 Hz for `seconds`, keeping nothing. */
async function samplerLoop(seconds: number): Promise<void> {
  using sampler = createSampler();
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    sampler.snapshot();
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

const root = new URL("../", import.meta.url).pathname;
const clockTicks = 100;

/**
 * d3's `quantileSorted`, loaded when the bench runs rather than at the top: the `--sampler-loop`
 * child imports this module, and its RSS must not include d3's.
 */
async function d3QuantileSorted(): Promise<(sorted: number[], p: number) => number> {
  const { quantileSorted } = await import("d3");
  return (sorted, p) => quantileSorted(sorted, p) ?? NaN;
}

/** Times `count` snapshots after a warm-up. */
async function latency(count: number): Promise<{ p50: number; p99: number; series: number }> {
  const quantile = await d3QuantileSorted();
  using sampler = createSampler();
  let series = 0;
  for (let i = 0; i < 50; i++) series = sampler.snapshot().length;
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    series = sampler.snapshot().length;
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), series };
}

function cpuTicks(pid: number): number | undefined {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  } catch {
    return undefined;
  }
}

/** Run time of all the process's threads in ns (threads that ended are not counted). */
function threadsNs(pid: number): number | undefined {
  try {
    let ns = 0;
    for (const t of Deno.readDirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/schedstat`).split(" ")[0]);
      } catch {
        // the thread ended between the listing and the read
      }
    }
    return ns;
  } catch {
    return undefined;
  }
}

function peakKb(pid: number): number | undefined {
  try {
    const m = Deno.readTextFileSync(`/proc/${pid}/status`).match(/^VmHWM:\s+(\d+) kB/m);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Deno running `args` in the repository's root, its output piped. */
function spawnDeno(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Runs a command for about `seconds` (then SIGTERM where `terminate`) and measures it from
 * /proc, skipping a 3 s warm-up. */
async function measure(
  args: string[],
  seconds: number,
  terminate = false,
  warmupSeconds?: number,
): Promise<ProcessFigures | undefined> {
  const child = spawnDeno(args);
  const warmup = warmupSeconds ?? Math.min(3, Math.max(1, Math.floor(seconds / 4)));
  let first: [number, number, number] | undefined;
  let last: [number, number, number] | undefined;
  let peak = 0;
  const poll = setInterval(() => {
    const ticks = cpuTicks(child.pid);
    const ns = threadsNs(child.pid);
    const kb = peakKb(child.pid);
    if (kb !== undefined) peak = Math.max(peak, kb);
    if (ticks === undefined || ns === undefined) return;
    const now = performance.now();
    if (!first) first = [now, ticks, ns];
    last = [now, ticks, ns];
  }, 500);
  const startTimer = setTimeout(() => (first = undefined), warmup * 1000);
  const stopTimer = terminate ? setTimeout(() => child.kill("SIGTERM"), seconds * 1000) : 0;
  const status = await child.status;
  clearInterval(poll);
  clearTimeout(startTimer);
  clearTimeout(stopTimer);
  const [out, stderr] = await Promise.all(
    [child.stdout, child.stderr].map(async (s) =>
      new TextDecoder().decode(await new Response(s).arrayBuffer())
    ),
  ) as [string, string];
  // The collect CLI ends with "Collected N snapshots, wrote R rows…": stored samples per second.
  const done = collectSummary(out);
  if (!status.success || !first || !last || last[0] <= first[0]) {
    console.log(`  ${args.join(" ")} failed: ${stderr.trim().split("\n").at(-1) ?? status.code}`);
    return undefined;
  }
  const wall = (last[0] - first[0]) / 1000;
  return {
    cpuMsPerSecond: (last[1] - first[1]) * (1000 / clockTicks) / wall,
    schedCpuMsPerSecond: (last[2] - first[2]) / 1e6 / wall,
    peakRssMb: peak / 1024,
    load: Deno.loadavg()[0]!,
    ...(done ? { rowsPerSnapshot: done.rows / done.snapshots } : {}),
  };
}

/** The direct children of a process (from `/proc/PID/task/TID/children`). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const t of Deno.readDirSync(`/proc/${pid}/task`)) {
      try {
        const text = Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/children`).trim();
        if (text) out.push(...text.split(/\s+/).map(Number));
      } catch {
        // the thread ended between the listing and the read
      }
    }
  } catch {
    // the process ended
  }
  return out;
}

/** One process of a measured tree. */
export interface TreeMember {
  /** `parent` (the command run) or `child` (a process it started). */
  role: "parent" | "child";
  pid: number;
  cpuMsPerSecond: number;
  schedCpuMsPerSecond: number;
  peakRssMb: number;
}

/**
 * Runs a command that starts children of its own (serve and its collector) for `seconds`, then
 * sends it SIGTERM, and measures every process of the tree from /proc after the warm-up.
 */
async function measureTree(
  args: string[],
  seconds: number,
  warmupSeconds: number,
): Promise<{ total: ProcessFigures; members: TreeMember[] } | undefined> {
  const child = spawnDeno(args);
  const warmup = warmupSeconds;
  type Track = { first?: [number, number, number]; last?: [number, number, number]; kb: number };
  const tracks = new Map<number, Track>();
  const poll = setInterval(() => {
    const now = performance.now();
    for (const pid of [child.pid, ...childrenOf(child.pid)]) {
      const ticks = cpuTicks(pid);
      const ns = threadsNs(pid);
      const kb = peakKb(pid);
      if (ticks === undefined || ns === undefined) continue;
      const t = tracks.get(pid) ?? { kb: 0 };
      tracks.set(pid, t);
      if (kb !== undefined) t.kb = Math.max(t.kb, kb);
      t.first ??= [now, ticks, ns];
      t.last = [now, ticks, ns];
    }
  }, 500);
  const startTimer = setTimeout(() => {
    for (const t of tracks.values()) delete t.first;
  }, warmup * 1000);
  const stopTimer = setTimeout(() => child.kill("SIGTERM"), seconds * 1000);
  const [status, , stderr] = await Promise.all([
    child.status,
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  clearInterval(poll);
  clearTimeout(startTimer);
  clearTimeout(stopTimer);
  const members: TreeMember[] = [];
  for (const [pid, t] of tracks) {
    if (!t.first || !t.last || t.last[0] <= t.first[0]) continue;
    const wall = (t.last[0] - t.first[0]) / 1000;
    members.push({
      role: pid === child.pid ? "parent" : "child",
      pid,
      cpuMsPerSecond: (t.last[1] - t.first[1]) * (1000 / clockTicks) / wall,
      schedCpuMsPerSecond: (t.last[2] - t.first[2]) / 1e6 / wall,
      peakRssMb: t.kb / 1024,
    });
  }
  if (!status.success || !members.some((m) => m.role === "parent")) {
    console.log(`  ${args.join(" ")} failed: ${stderr.trim().split("\n").at(-1) ?? status.code}`);
    return undefined;
  }
  const sum = (f: (m: TreeMember) => number) => members.reduce((a, m) => a + f(m), 0);
  return {
    total: {
      cpuMsPerSecond: sum((m) => m.cpuMsPerSecond),
      schedCpuMsPerSecond: sum((m) => m.schedCpuMsPerSecond),
      peakRssMb: sum((m) => m.peakRssMb),
      load: Deno.loadavg()[0]!,
    },
    members,
  };
}

/** Times the Parquet flush of a minute of real snapshots (60 × series rows). */
function flushCost(): { cold: number; warm: number; write: number; rows: number } {
  using sampler = createSampler();
  const rows = [];
  for (let i = 0; i < 60; i++) {
    for (const s of sampler.sample()) {
      rows.push({ ...s, ts: s.ts + i * 1000, labels: formatLabels(s.labels) });
    }
  }
  const kept = rows.filter((r) => Number.isFinite(r.value));
  const columns = {
    ts: kept.map((r) => r.ts),
    metric: kept.map((r) => r.metric),
    labels: kept.map((r) => r.labels),
    value: kept.map((r) => r.value),
  };
  let t = performance.now();
  parquetEncodeRows(columns);
  const cold = performance.now() - t;
  for (let i = 0; i < 20; i++) parquetEncodeRows(columns);
  t = performance.now();
  for (let i = 0; i < 20; i++) parquetEncodeRows(columns);
  const warm = (performance.now() - t) / 20;
  const dir = Deno.makeTempDirSync({ prefix: "perfscope-bench-" });
  try {
    writeSamples(rows, { root: dir, id: 1 });
    t = performance.now();
    for (let i = 2; i < 12; i++) writeSamples(rows, { root: dir, id: i });
    return { cold, warm, write: (performance.now() - t) / 10, rows: kept.length };
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** A figure to `d` decimals, or "-" where it was not measured. */
function f(x: number | undefined, d = 2): string {
  return x === undefined ? "-" : x.toFixed(d);
}

/**
 * Runs the collector benchmark and prints aligned tables.
 *
 * @param options See {@linkcode CollectorBenchOptions}.
 * @returns The figures.
 */
export async function run(options: CollectorBenchOptions = {}): Promise<CollectorBenchFigures> {
  const seconds = options.seconds ?? (options.quick ? 15 : 125);
  const others = Math.max(15, Math.round(seconds / 2));
  const samples = options.samples ?? (options.quick ? 300 : 1000);
  if (options.statfsOnly) {
    return { statfs: await statfsCost(options.quick ?? false) } as CollectorBenchFigures;
  }
  if (options.curveOnly) {
    return { curve: await runCurve({ quick: options.quick ?? false }) } as CollectorBenchFigures;
  }
  if (options.serveOnly) {
    const figures = {} as CollectorBenchFigures;
    await measureServe(figures, others);
    return figures;
  }
  const loadBefore = Deno.loadavg()[0]!;
  const lat = await latency(samples);
  const flush = flushCost();
  const figures: CollectorBenchFigures = {
    snapshotP50Ms: lat.p50,
    snapshotP99Ms: lat.p99,
    series: lat.series,
    flushEncodeColdMs: flush.cold,
    flushEncodeWarmMs: flush.warm,
    flushWriteMs: flush.write,
    flushRows: flush.rows,
  };
  const cliPath = `${root}cli/collect.ts`;
  let cliPresent = true;
  try {
    Deno.statSync(cliPath);
  } catch {
    cliPresent = false;
  }
  const dir = Deno.makeTempDirSync({ prefix: "perfscope-bench-" });
  try {
    const self = new URL(import.meta.url).pathname;
    const cli = (flags: string[], extra: string[], sub: string, secs: number) =>
      cliPresent
        ? measure([
          "run",
          ...flags,
          "-A",
          cliPath,
          "--interval",
          "1s",
          "--duration",
          `${secs}s`,
          "--data",
          `${dir}/${sub}`,
          ...extra,
        ], secs)
        : Promise.resolve(undefined);
    const v8 = [`--v8-flags=${COLLECT_V8_FLAGS}`];
    // One process at a time: see the module doc.
    const flagged = await cli(v8, [], "b", seconds);
    const plain = await cli([], [], "a", others);
    const wide = await cli(v8, ["--top", "50"], "c", others);
    const samplerOnly = await measure(
      ["run", ...v8, "-A", self, "--sampler-loop", String(others)],
      others,
    );
    const naive = await measure([
      "run",
      "-A",
      `${root}bench/naive_si_collector.ts`,
      "--interval",
      "1s",
      "--duration",
      `${others}s`,
    ], others);
    if (flagged) figures.cli = flagged;
    if (plain) figures.cliPlain = plain;
    if (wide) figures.cliWide = wide;
    if (samplerOnly) figures.samplerOnly = samplerOnly;
    if (naive) figures.naive = naive;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  const c = figures.cli;
  const n = figures.naive;
  const cliLabel = cliPresent ? "collect CLI" : "collect CLI not present";
  const lb = loadBefore.toFixed(2);
  console.log(table([
    ["figure", "perfscope", "naive si", "ratio", "target", "load 1m"],
    ["snapshot p50 (ms)", f(lat.p50, 3), "-", "-", "<= 2", lb],
    ["snapshot p99 (ms)", f(lat.p99, 3), "-", "-", "-", lb],
    ["series per snapshot", String(lat.series), "-", "-", ">= 300 (typical host)", "-"],
    [
      `flush encode, ${flush.rows} rows (ms)`,
      `${f(flush.cold, 1)} cold, ${f(flush.warm, 1)} warm`,
      "-",
      "-",
      "-",
      lb,
    ],
    ["flush writeSamples + fsync (ms)", f(flush.write, 1), "-", "-", "-", lb],
    [
      `${cliLabel}: CPU ms/s (stat, ${seconds} s)`,
      f(c?.cpuMsPerSecond),
      f(n?.cpuMsPerSecond),
      ratio(n?.cpuMsPerSecond, c?.cpuMsPerSecond),
      "<= 2.5",
      f(c?.load),
    ],
    [
      `${cliLabel}: peak RSS MB`,
      f(c?.peakRssMb, 1),
      f(n?.peakRssMb, 1),
      ratio(n?.peakRssMb, c?.peakRssMb),
      "<= 64",
      f(c?.load),
    ],
  ]));
  const row = (label: string, secs: number, p: ProcessFigures | undefined) => [
    label,
    String(secs),
    f(p?.cpuMsPerSecond),
    f(p?.schedCpuMsPerSecond),
    f(p?.rowsPerSnapshot, 0),
    f(p?.peakRssMb, 1),
    f(p?.load),
  ];
  console.log(table([
    [
      "process at 1 Hz",
      "seconds",
      "CPU ms/s (stat)",
      "CPU ms/s (schedstat)",
      "stored samples/s",
      "peak RSS MB",
      "load 1m",
    ],
    row(`${cliLabel}, --v8-flags=${COLLECT_V8_FLAGS} (deno task collect)`, seconds, c),
    row(`${cliLabel}, no V8 flags`, others, figures.cliPlain),
    row(`${cliLabel}, task flags, --top 50`, others, figures.cliWide),
    row("sampler only (no storage), task flags", others, figures.samplerOnly),
    row("naive systeminformation", others, n),
  ]));
  console.log(`(${samples} snapshots timed; the processes ran one after another)`);
  figures.statfs = await statfsCost(options.quick ?? false);
  await measureServe(figures, others);
  figures.curve = await runCurve({ quick: options.quick ?? false });
  return figures;
}

/**
 * Idle `serve` (no requests) with its collector in process and as a child, one after another.
 * The warm-up is 12 s here: serve starts ~30 runtime threads that exit after 10 s idle, and a
 * thread that exits inside the window takes its time out of the schedstat sum.
 */
async function measureServe(figures: CollectorBenchFigures, seconds: number): Promise<void> {
  const dir = Deno.makeTempDirSync({ prefix: "perfscope-bench-" });
  const warmup = 12;
  const secs = seconds + warmup;
  try {
    const inProcess = await measure(
      ["run", "-A", `${root}bench/serve_in_process.ts`, `${dir}/in`, String(secs)],
      secs,
      false,
      warmup,
    );
    const asChild = await measureTree(
      ["run", "-A", `${root}cli/serve.ts`, "--port", "0", "--data", `${dir}/child`],
      secs,
      warmup,
    );
    const alone = await measure(
      ["run", "-A", `${root}cli/serve.ts`, "--port", "0", "--data", `${dir}/none`, "--no-collect"],
      secs,
      true,
      warmup,
    );
    if (inProcess) figures.serveInProcess = inProcess;
    if (asChild) figures.serveChild = asChild;
    if (alone) figures.serveAlone = alone;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  const t = figures.serveChild?.total;
  const parent = figures.serveChild?.members.find((m) => m.role === "parent");
  const child = figures.serveChild?.members.find((m) => m.role === "child");
  const i = figures.serveInProcess;
  // One row a measured process (or pair): its CPU by stat and by schedstat, and its peak RSS.
  const row = (
    what: string,
    m: { cpuMsPerSecond: number; schedCpuMsPerSecond: number; peakRssMb: number } | undefined,
    rssNote = "",
  ) => [
    what,
    String(seconds),
    f(m?.cpuMsPerSecond),
    f(m?.schedCpuMsPerSecond),
    f(m?.peakRssMb, 1) + rssNote,
  ];
  console.log(table([
    ["idle serve at 1 Hz", "seconds", "CPU ms/s (stat)", "CPU ms/s (schedstat)", "peak RSS MB"],
    row("collector in process (before)", i),
    row("collector as child: both processes", t, " (sum)"),
    row("  serve (web + spool tail)", parent),
    row(`  collect child (--v8-flags=${COLLECT_V8_FLAGS})`, child),
    row("serve --no-collect (web + spool tail only)", figures.serveAlone),
  ]));
}

/** The mount points whose file system has blocks, one per device, as the disk family keeps. */
function blockMounts(): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const m of parseMounts(Deno.readTextFileSync("/proc/mounts"))) {
    if (seen.has(m.device)) continue;
    seen.add(m.device);
    try {
      if (statfs(m.mountpoint).blocks > 0) out.push(m.mountpoint);
    } catch {
      // not stat-able here (permissions, a stale mount): the collector skips it too
    }
  }
  return out;
}

/**
 * The code of a child process that makes one `statfs` of `/` by `mode` (or none) and prints its
 * VmRSS in kB. It imports nothing else, so that the difference is the cost of the way itself.
 */
function statfsChildCode(mode: string): string {
  const statfsUrl = new URL("../collectors/_statfs.ts", import.meta.url).href;
  const call = mode === "ffi"
    ? `(await import(${JSON.stringify(statfsUrl)})).statfs("/");`
    : mode === "node"
    ? `(await import("node:fs")).statfsSync("/");`
    : "";
  return `${call}
await new Promise((resolve) => setTimeout(resolve, 200));
console.log(Deno.readTextFileSync("/proc/self/status").match(/^VmRSS:\\s+(\\d+) kB/m)?.[1] ?? "");`;
}

/**
 * Times `statfs` by FFI and by `node:fs` `statfsSync` on the same mount points, in alternating
 * rounds (the order flips every round, so neither always runs on a warmer cache), and the RSS
 * of a child process that made one call each way beside one that made none.
 */
async function statfsCost(quick: boolean): Promise<StatfsFigures> {
  const { statfsSync } = await import("node:fs");
  const viaNode = (path: string): FsStats => statfsSync(path);
  const mounts = blockMounts();
  if (mounts.length === 0) mounts.push("/");
  const calls = quick ? 2_000 : 20_000;
  const rounds = quick ? 6 : 20;
  const time = (f: (path: string) => FsStats) => {
    let sink = 0;
    const t = performance.now();
    for (let i = 0; i < calls; i++) sink += f(mounts[i % mounts.length]!).bfree;
    const us = (performance.now() - t) * 1000 / calls;
    return sink < 0 ? NaN : us;
  };
  time(statfs); // warm-up: JIT and the libc handle
  time(viaNode);
  const ffi: number[] = [];
  const node: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      ffi.push(time(statfs));
      node.push(time(viaNode));
    } else {
      node.push(time(viaNode));
      ffi.push(time(statfs));
    }
  }
  const quantile = await d3QuantileSorted();
  const median = (xs: number[]) => quantile(xs.sort((a, b) => a - b), 0.5);
  const figures: StatfsFigures = {
    mounts: mounts.length,
    ffiUsPerCall: median(ffi),
    nodeUsPerCall: median(node),
  };
  const rss: Record<string, number[]> = { none: [], ffi: [], node: [] };
  const modes = ["none", "ffi", "node"];
  for (let r = 0; r < (quick ? 3 : 7); r++) {
    for (const mode of r % 2 === 0 ? modes : modes.toReversed()) {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["eval", `--v8-flags=${COLLECT_V8_FLAGS}`, "-A", statfsChildCode(mode)],
        stdout: "piped",
        stderr: "null",
      }).output();
      const kb = Number(new TextDecoder().decode(out.stdout).trim());
      if (out.success && kb > 0) rss[mode]!.push(kb / 1024);
    }
  }
  if (modes.every((m) => rss[m]!.length > 0)) {
    figures.rss = { none: median(rss.none!), ffi: median(rss.ffi!), node: median(rss.node!) };
  }
  const base = figures.rss?.none;
  const delta = (x: number | undefined) =>
    x === undefined || base === undefined
      ? "-"
      : `${x >= base ? "+" : "-"}${Math.abs(x - base).toFixed(1)}`;
  console.log(table([
    [`statfs, ${figures.mounts} mount points`, "FFI (libc)", "node:fs statfsSync", "ratio"],
    [
      `µs per call (median of ${rounds} rounds of ${calls})`,
      f(figures.ffiUsPerCall),
      f(figures.nodeUsPerCall),
      ratio(figures.nodeUsPerCall, figures.ffiUsPerCall),
    ],
    [
      `child RSS MB after one call (none: ${f(base, 1)})`,
      `${f(figures.rss?.ffi, 1)} (${delta(figures.rss?.ffi)})`,
      `${f(figures.rss?.node, 1)} (${delta(figures.rss?.node)})`,
      "-",
    ],
  ]));
  return figures;
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined || b === 0 ? "-" : `${(a / b).toFixed(1)}x`;
}

const USAGE = `Usage: deno run -A bench/collector_bench.ts [--quick] [--seconds N] [--samples N]
       [--serve-only] [--statfs-only] [--curve-only]

Measures the collector: snapshot latency, a Parquet flush, CPU and RSS of the collect CLI at 1 Hz
beside a naive systeminformation collector, an idle serve, statfs by FFI, and the cost curve on
synthetic hosts. Several minutes.

Options:
  --quick          15 s per process and 300 snapshots (as deno task bench --quick)
  --seconds N      seconds the headline collect process runs at 1 Hz (default 125)
  --samples N      snapshots timed for latency (default 1000)
  --serve-only     measure only serve with its collector in process and as a child
  --statfs-only    measure only statfs by FFI beside node:fs statfsSync
  --curve-only     measure only the cost curve on synthetic hosts
  -h, --help       show this help`;

/** The flags of the bench run alone (`--sampler-loop`, its own child, is handled before). */
function collectorFlags(
  args: string[],
  { parseFlags, parseNumber }: typeof import("../cli/_args.ts"),
): CollectorBenchOptions {
  const { values } = parseFlags(args, {
    quick: { type: "boolean", default: false },
    seconds: { type: "string" },
    samples: { type: "string" },
    "serve-only": { type: "boolean", default: false },
    "statfs-only": { type: "boolean", default: false },
    "curve-only": { type: "boolean", default: false },
  });
  const opts: CollectorBenchOptions = {};
  if (values["serve-only"]) opts.serveOnly = true;
  if (values["statfs-only"]) opts.statfsOnly = true;
  if (values["curve-only"]) opts.curveOnly = true;
  if (values.quick) opts.quick = true;
  if (values.seconds !== undefined) {
    opts.seconds = parseNumber(values.seconds, "seconds", { min: 1 });
  }
  if (values.samples !== undefined) {
    opts.samples = parseNumber(values.samples, "samples", { min: 1, integer: true });
  }
  return opts;
}

if (import.meta.main && Deno.args[0] === "--sampler-loop") {
  await samplerLoop(Number(Deno.args[1]));
} else if (import.meta.main) {
  // loaded here rather than at the top, as d3: the --sampler-loop child imports this module, and
  // its RSS must not include node:util's
  const { benchMain } = await import("./_flags.ts");
  const cliArgs = await import("../cli/_args.ts");
  await benchMain(USAGE, (args) => collectorFlags(args, cliArgs), run);
}
