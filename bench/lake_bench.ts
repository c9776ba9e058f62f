/**
 * Lake benchmark: rows/s through the collector's Parquet writer, bytes per stored sample before
 * and after compaction for one simulated host-day at 1 s, the time of a 24 h query over one
 * series on the raw and rollup tiers, and the CPU and memory of the lake's share of a collector
 * (spool and Parquet of 300+ fixed series at 1 Hz). The collector itself (`deno task collect`,
 * sampler and lake) is measured by the collector bench's cost curve (`bench/collector_curve.ts`),
 * through the real collect path. `deno run -A bench/lake_bench.ts [--quick]`. Prints figures;
 * never asserts.
 *
 * @module
 */

import process from "node:process";
import { parseFlags, UsageError } from "../cli/_args.ts";
import { benchMain } from "./_flags.ts";
import type { Sample } from "../collectors/mod.ts";
import { parquetWriteBuffer } from "hyparquet-writer";
import { buildModel } from "../lake/_sim_model.ts";
import {
  compactLake,
  openLake,
  parquetEncodeRows,
  simulateHost,
  startCollection,
  writePartition,
} from "../lake/mod.ts";

/** Options for {@linkcode run}. */
export interface LakeBenchOptions {
  /** Shorter runs: 2 simulated hours instead of a day, a 10 s collector. Default `false`. */
  quick?: boolean;
}

/** The figures {@linkcode run} measured. */
export interface LakeBenchResult {
  writerRowsPerSecond: number;
  encodeRowsPerSecond: number;
  encodeBytes: number;
  libraryEncodeRowsPerSecond: number;
  libraryEncodeBytes: number;
  simulatedSeries: number;
  simulatedRows: number;
  bytesPerSampleBefore: number;
  bytesPerSampleAfter: number;
  compactSeconds: number;
  queryRawMs: number;
  queryRollup1mMs: number;
  queryRollup1hMs: number;
  lakeOnlySeries: number;
  lakeOnlyCpuMsPerSecond: number;
  lakeOnlyPeakRssMb: number;
}

const DAY = 86_400_000;

/**
 * Runs the benchmark and prints an aligned table.
 *
 * @param options See {@linkcode LakeBenchOptions}.
 * @returns The figures.
 */
/** The simulated 308-series host-day both the writer figure and the collector probe replay. */
function hostDayModel(): ReturnType<typeof buildModel> {
  return buildModel({
    seed: 1,
    stepMs: 1000,
    cpus: 16,
    topN: 10,
    start: 0,
    durationMs: DAY,
    diskFill: undefined,
    cpuSaturation: undefined,
  });
}

export async function run(options: LakeBenchOptions = {}): Promise<LakeBenchResult> {
  const quick = options.quick ?? false;
  const root = Deno.makeTempDirSync({ prefix: "lake_bench_" });
  try {
    // 1. writer throughput on collector-sized files (one minute of 308 series)
    const { series, step } = hostDayModel();
    const n = series.length * 60;
    const cols = {
      ts: new Float64Array(n),
      metric: new Array<string>(n),
      labels: new Array<string>(n),
      value: new Float64Array(n),
    };
    for (let i = 0, t = Date.UTC(2024, 0, 1); i < n; t += 1000) {
      step(t);
      for (const s of series) {
        cols.ts[i] = t;
        cols.metric[i] = s.metric;
        cols.labels[i] = s.labels;
        cols.value[i++] = s.value();
      }
    }
    const reps = quick ? 10 : 40;
    writePartition(cols, { root: `${root}/w`, host: "w", date: "2024-01-01", id: 0 });
    let t0 = performance.now();
    for (let k = 1; k <= reps; k++) {
      writePartition(cols, { root: `${root}/w`, host: "w", date: "2024-01-01", id: k });
    }
    const writerRowsPerSecond = (reps * n) / ((performance.now() - t0) / 1000);

    // 1b. the hand-written encoder beside the library it replaces, encoding only (no file I/O),
    // the same minute of rows in alternating rounds so drift in machine load hits both alike
    const encoders = {
      ours: () => parquetEncodeRows(cols),
      library: () =>
        parquetWriteBuffer({
          columnData: [
            { name: "ts", data: Array.from(cols.ts), type: "TIMESTAMP", nullable: false },
            { name: "metric", data: cols.metric, type: "STRING", nullable: false },
            { name: "labels", data: cols.labels, type: "STRING", nullable: false },
            { name: "value", data: Array.from(cols.value), type: "DOUBLE", nullable: false },
          ],
        }),
    };
    const spent = { ours: 0, library: 0 };
    const bytes = { ours: encoders.ours().byteLength, library: encoders.library().byteLength };
    for (let k = 0; k < reps; k++) {
      for (const name of ["ours", "library"] as const) {
        const t = performance.now();
        encoders[name]();
        spent[name] += performance.now() - t;
      }
    }

    // 2. one simulated host-day at 1 s, in per-minute files like the collector's
    const start = Date.UTC(2024, 0, 2);
    const durationMs = quick ? 2 * 3_600_000 : DAY;
    const lake = `${root}/lake`;
    const sim = simulateHost({ root: lake, host: "sim", start, durationMs, chunkMs: 60_000 });
    t0 = performance.now();
    const compacted = await compactLake({ root: lake, now: () => start });
    const compactSeconds = (performance.now() - t0) / 1000;

    // 3. a 24 h query over one series on each tier (second run of each, metadata cached)
    const db = await openLake({ root: lake });
    const q = {
      metric: "cpu_ratio",
      labels: "cpu=total,mode=user",
      host: "sim",
      from: start,
      to: start + DAY,
    };
    const timed = async (tier: "raw" | "1m" | "1h") => {
      await db.series({ ...q, tier });
      const t = performance.now();
      await db.series({ ...q, tier });
      return performance.now() - t;
    };
    const queryRawMs = await timed("raw");
    const queryRollup1mMs = await timed("1m");
    const queryRollup1hMs = await timed("1h");
    db.close();

    // 4. the lake's share of a collector in its own process (the whole collector: the collector
    // bench's cost curve, which runs cli/collect.ts as `deno task collect` does)
    const lakeOnly = await collectorProbe(`${root}/collector-lake`, quick ? 10 : 65, "lake");

    const result: LakeBenchResult = {
      writerRowsPerSecond,
      encodeRowsPerSecond: (reps * n) / (spent.ours / 1000),
      encodeBytes: bytes.ours,
      libraryEncodeRowsPerSecond: (reps * n) / (spent.library / 1000),
      libraryEncodeBytes: bytes.library,
      simulatedSeries: sim.series,
      simulatedRows: sim.rows,
      bytesPerSampleBefore: compacted.bytesBefore / compacted.rows,
      bytesPerSampleAfter: compacted.bytesAfter / compacted.rows,
      compactSeconds,
      queryRawMs,
      queryRollup1mMs,
      queryRollup1hMs,
      lakeOnlySeries: lakeOnly.collectorSeries,
      lakeOnlyCpuMsPerSecond: lakeOnly.collectorCpuMsPerSecond,
      lakeOnlyPeakRssMb: lakeOnly.collectorPeakRssMb,
    };
    const rows: [string, string][] = [
      [
        "Parquet writer (collector's fixed-schema encoder, 1-min files)",
        `${Math.round(writerRowsPerSecond).toLocaleString("en")} rows/s`,
      ],
      [
        `Encode only, ours vs hyparquet-writer (${n.toLocaleString("en")} rows)`,
        `${Math.round(result.encodeRowsPerSecond).toLocaleString("en")} vs ${
          Math.round(result.libraryEncodeRowsPerSecond).toLocaleString("en")
        } rows/s (${
          (result.encodeRowsPerSecond / result.libraryEncodeRowsPerSecond).toFixed(1)
        }×), ${(bytes.ours / 1024).toFixed(0)} vs ${(bytes.library / 1024).toFixed(0)} KiB`,
      ],
      [
        `Simulated ${quick ? "2 h" : "host-day"} at 1 s`,
        `${sim.series} series, ${sim.rows.toLocaleString("en")} samples`,
      ],
      ["Bytes/sample before compaction (1-min files)", result.bytesPerSampleBefore.toFixed(3)],
      ["Bytes/sample after compaction", result.bytesPerSampleAfter.toFixed(3)],
      ["Compaction time (DuckDB, 2 threads)", `${compactSeconds.toFixed(1)} s`],
      ["24 h of one series, raw tier", `${queryRawMs.toFixed(1)} ms`],
      ["24 h of one series, 1m rollup", `${queryRollup1mMs.toFixed(1)} ms`],
      ["24 h of one series, 1h rollup", `${queryRollup1hMs.toFixed(1)} ms`],
      [
        "Collector at 1 Hz (sampler + lake)",
        "see the collector bench: cost curve of cli/collect.ts (deno task bench --only collector)",
      ],
      [
        `Lake share only (spool + Parquet), ${lakeOnly.collectorSeries} series`,
        `${lakeOnly.collectorCpuMsPerSecond.toFixed(2)} ms CPU per s, ${
          lakeOnly.collectorPeakRssMb.toFixed(1)
        } MB peak RSS`,
      ],
    ];
    const width = Math.max(...rows.map((r) => r[0].length));
    for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
    return result;
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
}

/** Runs the lake's share of a collector (this file with `--probe`): its CPU time and peak RSS. */
async function collectorProbe(root: string, seconds: number, kind: "lake") {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, "--probe", root, String(seconds), kind],
    stdout: "piped",
  }).spawn();
  const out = new TextDecoder().decode((await child.output()).stdout);
  const line = out.trim().split("\n").at(-1) ?? "{}";
  return JSON.parse(line) as {
    collectorSeries: number;
    collectorCpuMsPerSecond: number;
    collectorPeakRssMb: number;
  };
}

/**
 * The probe: collect 308 simulated series with fixed values for `seconds` (kind `lake`: the
 * spool and Parquet cost alone), then print CPU per wall second after the first 3 s, and the
 * peak RSS (VmHWM).
 */
async function probe(root: string, seconds: number, _kind: string): Promise<void> {
  const real = { sample: (): Sample[] => [], close() {} };
  const { series, step } = hostDayModel();
  let count = 0;
  // the simulated series are computed once: the probe measures the lake's share, not the model's
  step(Date.now());
  const padding = series.map((s) => ({
    metric: s.metric,
    labels: { sim: s.labels },
    value: s.value(),
  }));
  const sampler = {
    sample(): Sample[] {
      const out = real.sample();
      const t = Date.now();
      for (const p of padding) {
        out.push({ ts: t, host: "padding", metric: p.metric, labels: p.labels, value: p.value });
      }
      count = out.length;
      return out;
    },
  };
  const controller = new AbortController();
  const collection = await startCollection({
    root,
    sampler,
    signal: controller.signal,
    flushEveryMs: 10_000,
  });
  await new Promise((r) => setTimeout(r, 3000));
  const u0 = process.cpuUsage();
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, (seconds - 3) * 1000));
  const u = process.cpuUsage(u0);
  const wall = (performance.now() - w0) / 1000;
  controller.abort();
  await collection.done;
  real.close();
  const hwm = Deno.readTextFileSync("/proc/self/status").match(/VmHWM:\s+(\d+) kB/);
  console.log(JSON.stringify({
    collectorSeries: count,
    collectorCpuMsPerSecond: (u.user + u.system) / 1000 / wall,
    collectorPeakRssMb: hwm ? Number(hwm[1]) / 1024 : NaN,
  }));
}

const USAGE = `Usage: deno run -A bench/lake_bench.ts [--quick]

Measures the lake: rows/s through the Parquet writer, bytes per sample before and after
compaction, a 24 h query on the raw and rollup tiers, and the lake's share of a collector.

Options:
  --quick      shorter runs (as deno task bench --quick)
  -h, --help   show this help`;

/** The bench's flags; `--probe ROOT SECONDS KIND` is the bench's own child (see `collectorProbe`). */
function lakeFlags(args: string[]) {
  const { values, positionals } = parseFlags(args, {
    quick: { type: "boolean", default: false },
    probe: { type: "boolean", default: false },
  }, true);
  if (!values.probe && positionals.length > 0) {
    throw new UsageError(`Unexpected argument: ${positionals[0]}`);
  }
  return { quick: values.quick, probe: values.probe ? positionals : undefined };
}

if (import.meta.main) {
  await benchMain(USAGE, lakeFlags, async ({ quick, probe: args }) => {
    if (args) await probe(args[0]!, Number(args[1]), args[2]!);
    else await run({ quick });
  });
}
