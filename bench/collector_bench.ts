/**
 * Collector benchmark: (1) latency of one full snapshot of the Linux sampler and its series
 * count; (2) the cost of one Parquet flush (a minute of snapshots); (3) CPU milliseconds per
 * second and peak RSS of the real collect CLI at 1 Hz (default flags, the recommended V8 flags,
 * and `--top 50` for >= 300 series), side by side with a naive `systeminformation` collector.
 * CPU comes from `/proc/PID/stat` (all threads, 10 ms ticks) and `/proc/PID/schedstat` (main
 * thread, ns). The machine may be shared: the 1-minute load average is printed beside each
 * figure. Prints figures, never asserts.
 *
 * Run: `deno run -A bench/collector_bench.ts [--seconds 60] [--samples 1000]`.
 *
 * @module
 */

import { createSampler, formatLabels } from "../collectors/mod.ts";
import { parquetEncodeRows, writeSamples } from "../lake/mod.ts";

/** V8 flags recommended for the collect task (see the second table). */
export const COLLECT_V8_FLAGS = "--lite-mode";

/** Options of {@linkcode run}. */
export interface CollectorBenchOptions {
  /** Shorter run: 15 s and 300 snapshots. Default false. */
  quick?: boolean;
  /** Seconds each collector process runs at 1 Hz. Default 60. */
  seconds?: number;
  /** Snapshots timed for latency. Default 1000. */
  samples?: number;
}

/** Resource use of one collector process. */
export interface ProcessFigures {
  /** CPU ms (user + system, all threads, 10 ms ticks) per second of wall time, after warm-up. */
  cpuMsPerSecond: number;
  /** CPU ms of the main thread per second (schedstat, ns), after warm-up. */
  mainCpuMsPerSecond: number;
  /** Peak resident memory (VmHWM) in MB. */
  peakRssMb: number;
  /** 1-minute load average when the run ended. */
  load: number;
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
  /** The collect CLI; `undefined` where cli/collect.ts is absent or failed. */
  cli?: ProcessFigures;
  /** The collect CLI with {@linkcode COLLECT_V8_FLAGS}. */
  cliFlags?: ProcessFigures;
  /** The collect CLI with the flags and `--top 50` (>= 300 series on a small host). */
  cliWide?: ProcessFigures;
  /** The naive systeminformation collector; `undefined` if it failed. */
  naive?: ProcessFigures;
  /** A process running only the sampler at 1 Hz (no storage), to tell its cost from the lake's. */
  samplerOnly?: ProcessFigures;
}

/** Child mode: sample at 1 Hz for `seconds`, keeping nothing. */
async function samplerLoop(seconds: number): Promise<void> {
  using sampler = createSampler();
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    sampler.sample();
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

const root = new URL("../", import.meta.url).pathname;
const clockTicks = 100;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Times `count` snapshots after a warm-up. */
function latency(count: number): { p50: number; p99: number; series: number } {
  using sampler = createSampler();
  let series = 0;
  for (let i = 0; i < 50; i++) series = sampler.sample().length;
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    series = sampler.sample().length;
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

function mainNs(pid: number): number | undefined {
  try {
    return Number(Deno.readTextFileSync(`/proc/${pid}/schedstat`).split(" ")[0]);
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

/** Runs a command for about `seconds` and measures it from /proc, skipping a 3 s warm-up. */
async function measure(args: string[], seconds: number): Promise<ProcessFigures | undefined> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const warmup = Math.min(3, Math.max(1, Math.floor(seconds / 4)));
  let first: [number, number, number] | undefined;
  let last: [number, number, number] | undefined;
  let peak = 0;
  const poll = setInterval(() => {
    const ticks = cpuTicks(child.pid);
    const ns = mainNs(child.pid);
    const kb = peakKb(child.pid);
    if (kb !== undefined) peak = Math.max(peak, kb);
    if (ticks === undefined || ns === undefined) return;
    const now = performance.now();
    if (!first) first = [now, ticks, ns];
    last = [now, ticks, ns];
  }, 500);
  const startTimer = setTimeout(() => (first = undefined), warmup * 1000);
  const status = await child.status;
  clearInterval(poll);
  clearTimeout(startTimer);
  const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
  if (!status.success || !first || !last || last[0] <= first[0]) {
    console.log(`  ${args.join(" ")} failed: ${stderr.trim().split("\n").at(-1) ?? status.code}`);
    return undefined;
  }
  const wall = (last[0] - first[0]) / 1000;
  return {
    cpuMsPerSecond: (last[1] - first[1]) * (1000 / clockTicks) / wall,
    mainCpuMsPerSecond: (last[2] - first[2]) / 1e6 / wall,
    peakRssMb: peak / 1024,
    load: Deno.loadavg()[0]!,
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

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r.map((c, i) => i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)).join("  ")
  )
    .join("\n");
}

/**
 * Runs the collector benchmark and prints aligned tables.
 *
 * @param options See {@linkcode CollectorBenchOptions}.
 * @returns The figures.
 */
export async function run(options: CollectorBenchOptions = {}): Promise<CollectorBenchFigures> {
  const seconds = options.seconds ?? (options.quick ? 15 : 60);
  const samples = options.samples ?? (options.quick ? 300 : 1000);
  const loadBefore = Deno.loadavg()[0]!;
  const lat = latency(samples);
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
    const duration = `${seconds}s`;
    const self = new URL(import.meta.url).pathname;
    const cli = (flags: string[], extra: string[], sub: string) =>
      cliPresent
        ? measure([
          "run",
          ...flags,
          "-A",
          cliPath,
          "--interval",
          "1s",
          "--duration",
          duration,
          "--data",
          `${dir}/${sub}`,
          ...extra,
        ], seconds)
        : Promise.resolve(undefined);
    const v8 = [`--v8-flags=${COLLECT_V8_FLAGS}`];
    // Two rounds of at most three processes, so a small machine is not oversubscribed.
    const [plain, flagged, samplerOnly] = await Promise.all([
      cli([], [], "a"),
      cli(v8, [], "b"),
      measure(["run", "-A", self, "--sampler-loop", String(seconds)], seconds),
    ]);
    const [naive, wide] = await Promise.all([
      measure([
        "run",
        "-A",
        `${root}bench/naive_si_collector.ts`,
        "--interval",
        "1s",
        "--duration",
        duration,
      ], seconds),
      cli(v8, ["--top", "50"], "c"),
    ]);
    if (plain) figures.cli = plain;
    if (flagged) figures.cliFlags = flagged;
    if (wide) figures.cliWide = wide;
    if (samplerOnly) figures.samplerOnly = samplerOnly;
    if (naive) figures.naive = naive;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  const f = (x: number | undefined, d = 2) => x === undefined ? "-" : x.toFixed(d);
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
      `${cliLabel}: CPU ms/s`,
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
  const row = (label: string, p: ProcessFigures | undefined) => [
    label,
    f(p?.cpuMsPerSecond),
    f(p?.mainCpuMsPerSecond),
    f(p?.peakRssMb, 1),
    f(p?.load),
  ];
  console.log(table([
    [
      "process at 1 Hz",
      "CPU ms/s (stat)",
      "main thread ms/s (schedstat)",
      "peak RSS MB",
      "load 1m",
    ],
    row(cliLabel, c),
    row(`${cliLabel}, --v8-flags=${COLLECT_V8_FLAGS}`, figures.cliFlags),
    row(`${cliLabel}, same flags, --top 50 (>= 300 series)`, figures.cliWide),
    row("sampler only (no storage)", figures.samplerOnly),
    row("naive systeminformation", n),
  ]));
  console.log(
    `(${samples} snapshots timed; processes ran ${seconds} s at 1 Hz, three then two at once)`,
  );
  return figures;
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined || b === 0 ? "-" : `${(a / b).toFixed(1)}x`;
}

if (import.meta.main && Deno.args[0] === "--sampler-loop") {
  await samplerLoop(Number(Deno.args[1]));
} else if (import.meta.main) {
  const arg = (name: string) => {
    const i = Deno.args.indexOf(`--${name}`);
    return i >= 0 ? Number(Deno.args[i + 1]) : undefined;
  };
  const opts: CollectorBenchOptions = {};
  const seconds = arg("seconds");
  const samples = arg("samples");
  if (seconds !== undefined) opts.seconds = seconds;
  if (samples !== undefined) opts.samples = samples;
  await run(opts);
}
