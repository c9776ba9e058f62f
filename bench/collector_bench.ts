/**
 * Collector benchmark: (1) latency of one full snapshot of the Linux sampler and its series
 * count; (2) CPU milliseconds per second and peak RSS of the real collect CLI at 1 Hz, side by
 * side with a naive `systeminformation` collector. Prints figures, never asserts.
 *
 * Run: `deno run -A bench/collector_bench.ts [--seconds 60] [--samples 1000]`.
 *
 * @module
 */

import { createSampler } from "../collectors/mod.ts";

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
  /** CPU ms (user + system, children included) per second of wall time, after warm-up. */
  cpuMsPerSecond: number;
  /** Peak resident memory (VmHWM) in MB. */
  peakRssMb: number;
}

/** What {@linkcode run} measures. */
export interface CollectorBenchFigures {
  snapshotP50Ms: number;
  snapshotP99Ms: number;
  series: number;
  /** The collect CLI; `undefined` where cli/collect.ts is absent or failed. */
  cli?: ProcessFigures;
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
  let first: [number, number] | undefined;
  let last: [number, number] | undefined;
  let peak = 0;
  const poll = setInterval(() => {
    const ticks = cpuTicks(child.pid);
    const kb = peakKb(child.pid);
    if (kb !== undefined) peak = Math.max(peak, kb);
    if (ticks === undefined) return;
    const now = performance.now();
    if (!first) first = [now, ticks];
    last = [now, ticks];
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
  const cpuMs = (last[1] - first[1]) * (1000 / clockTicks);
  return { cpuMsPerSecond: cpuMs / ((last[0] - first[0]) / 1000), peakRssMb: peak / 1024 };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) =>
    r.map((c, i) => i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)).join("  ")
  )
    .join("\n");
}

/**
 * Runs the collector benchmark and prints an aligned table.
 *
 * @param options See {@linkcode CollectorBenchOptions}.
 * @returns The figures.
 */
export async function run(options: CollectorBenchOptions = {}): Promise<CollectorBenchFigures> {
  const seconds = options.seconds ?? (options.quick ? 15 : 60);
  const samples = options.samples ?? (options.quick ? 300 : 1000);
  const lat = latency(samples);
  const figures: CollectorBenchFigures = {
    snapshotP50Ms: lat.p50,
    snapshotP99Ms: lat.p99,
    series: lat.series,
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
    const [cli, naive, samplerOnly] = await Promise.all([
      cliPresent
        ? measure(
          ["run", "-A", cliPath, "--interval", "1s", "--duration", duration, "--data", dir],
          seconds,
        )
        : Promise.resolve(undefined),
      measure([
        "run",
        "-A",
        `${root}bench/naive_si_collector.ts`,
        "--interval",
        "1s",
        "--duration",
        duration,
      ], seconds),
      measure(["run", "-A", self, "--sampler-loop", String(seconds)], seconds),
    ]);
    if (samplerOnly) figures.samplerOnly = samplerOnly;
    if (cli) figures.cli = cli;
    if (naive) figures.naive = naive;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  const f = (x: number | undefined, d = 2) => x === undefined ? "-" : x.toFixed(d);
  const c = figures.cli;
  const n = figures.naive;
  const cliLabel = cliPresent ? "collect CLI" : "collect CLI not present";
  console.log(table([
    ["figure", "perfscope", "naive si", "ratio", "target"],
    ["snapshot p50 (ms)", f(lat.p50, 3), "-", "-", "<= 2"],
    ["snapshot p99 (ms)", f(lat.p99, 3), "-", "-", "-"],
    ["series per snapshot", String(lat.series), "-", "-", ">= 300 (typical host)"],
    [
      `${cliLabel}: CPU ms/s`,
      f(c?.cpuMsPerSecond),
      f(n?.cpuMsPerSecond),
      ratio(n?.cpuMsPerSecond, c?.cpuMsPerSecond),
      "<= 2.5",
    ],
    [
      `${cliLabel}: peak RSS MB`,
      f(c?.peakRssMb, 1),
      f(n?.peakRssMb, 1),
      ratio(n?.peakRssMb, c?.peakRssMb),
      "<= 64",
    ],
  ]));
  const o = figures.samplerOnly;
  console.log(table([
    ["process at 1 Hz", "CPU ms/s", "peak RSS MB"],
    [cliLabel, f(c?.cpuMsPerSecond), f(c?.peakRssMb, 1)],
    ["sampler only (no storage)", f(o?.cpuMsPerSecond), f(o?.peakRssMb, 1)],
    ["naive systeminformation", f(n?.cpuMsPerSecond), f(n?.peakRssMb, 1)],
  ]));
  console.log(`(${samples} snapshots timed; processes ran ${seconds} s at 1 Hz, side by side)`);
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
