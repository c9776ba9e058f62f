/**
 * The ingest writer's CPU on serve's event loop for scrape-shaped batches (one host, runs of one
 * metric, 500 distinct series, as serve's node_exporter scrape sends every second), in serve's
 * mode (Parquet written on the flush thread) with a flush every 10 batches:
 * - per batch: `checkIngestBatch` (the validation), `IngestSpoolEncoder.encode` (the spool
 *   record; a segment's first batch defines its 500 series, the later ones only number them), and
 *   the whole `IngestWriter.writeBatch`;
 * - per flush of 10 batches: the event loop's time in the writer's flush callbacks (its timer,
 *   which chooses ids and hands the file to the thread, and the thread's answer, which retires
 *   the segment and the plan), timed by wrapping `setTimeout` and `Worker`'s `onmessage` while
 *   the bench runs; and the event loop's whole share of a generation, its ten `writeBatch`
 *   calls included. The partition starts with 180 files, as half an hour after a compaction.
 *
 * Times are the thread's CPU time (`clock_gettime(CLOCK_THREAD_CPUTIME_ID)` through FFI), not
 * the wall clock: on a shared machine a `postMessage` that wakes the flush thread measured 2–20
 * ms of wall time now and then, the main thread waiting for a core, not working. Without FFI
 * (not Linux/glibc) the wall clock is used and the table says so.
 *
 * The same code at a baseline revision (`--rev`, default {@linkcode BASELINE_REV}, the commit
 * before the spool and flush work) is measured in the same run, old and new interleaved, and the
 * ratios printed. It is extracted with `git archive` into a temporary directory and imported from
 * there, so the bench keeps no copy of the old code; without git (or with `--rev ""`) only the
 * current code is measured.
 *
 * Run: `deno run -A bench/ingest_write_bench.ts [--quick] [--rev REV]`, or in
 * `deno task bench --only ingest_write`. Prints figures; never asserts.
 *
 * @module
 */

import { benchFlags } from "./_flags.ts";
import { parseFlags } from "../cli/_args.ts";
import * as current from "../lake/mod.ts";
import { checkIngestBatch as currentCheck } from "../lake/ingest_lines.ts";
import { IngestSpoolEncoder as CurrentEncoder } from "../lake/ingest_spool_format.ts";
import type { IngestBatch, IngestWriterOptions } from "../lake/mod.ts";

/** The commit before the spool encoding and flush bookkeeping work (session 23). */
export const BASELINE_REV = "6f2c309";

/** Options of {@linkcode run}. */
export interface IngestWriteBenchOptions {
  /** Fewer repetitions. Default false. */
  quick?: boolean;
  /** Baseline revision measured beside the current code; default {@linkcode BASELINE_REV};
   * `""` for none. */
  rev?: string;
}

/** One figure for the current code and, when measured, the baseline. */
export interface AB {
  now: number;
  old?: number;
}

/** The figures (ms, medians). */
export interface IngestWriteFigures {
  rev?: string;
  checkMs: AB;
  encodeFirstMs: AB;
  encodeLaterMs: AB;
  writeBatchMs: AB;
  /** The event loop's time in the flush callbacks of a 10-batch generation. */
  flushMs: AB;
  /** The same with the generation's ten writeBatch calls. */
  generationMs: AB;
}

/** What the bench uses of a lake module (the current one or the baseline's). */
interface Code {
  check: typeof currentCheck;
  Encoder: typeof CurrentEncoder;
  Writer: typeof current.IngestWriter;
}

const BATCH = 500;
const PER_GENERATION = 10;

/** A node_exporter-like batch: `samples` series over a few metrics, one host; fresh strings
 * every call, as a scrape's are. */
function scrapeBatch(ts: number, samples = BATCH): IngestBatch {
  const batch: IngestBatch = { ts: [], host: [], metric: [], labels: [], value: [] };
  for (let i = 0; i < samples; i++) {
    batch.ts.push(ts);
    batch.host.push("bench-host");
    batch.metric.push(`node_metric_${Math.floor(i / 25)}`);
    batch.labels.push(`cpu=${i % 25},mode=idle,target=node`);
    batch.value.push(i % 3 === 0 ? i : i * 1.37);
  }
  return batch;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
}

/** This thread's CPU time in ms, or the wall clock where FFI cannot reach libc. */
const clock: { now: () => number; cpu: boolean } = (() => {
  try {
    const lib = Deno.dlopen("libc.so.6", {
      clock_gettime: { parameters: ["i32", "buffer"], result: "i32" },
    });
    const ts = new BigInt64Array(2);
    const CLOCK_THREAD_CPUTIME_ID = 3;
    const now = () => {
      lib.symbols.clock_gettime(CLOCK_THREAD_CPUTIME_ID, ts);
      return Number(ts[0]) * 1e3 + Number(ts[1]) / 1e6;
    };
    now();
    return { now, cpu: true };
  } catch {
    return { now: () => performance.now(), cpu: false };
  }
})();

const realSetTimeout = globalThis.setTimeout;
const RealWorker = globalThis.Worker;
/** ms spent in callbacks of timers and worker messages set while {@linkcode timeCallbacks} is
 * on: the writers' flush work on the event loop (the bench's own waits use the real timer). */
let callbackMs = 0;

/** Wraps `setTimeout` and `Worker`'s `onmessage` so that their callbacks are timed. */
function timeCallbacks(): () => void {
  const timed = <A extends unknown[]>(f: (...a: A) => void) => (...a: A) => {
    const t0 = clock.now();
    try {
      f(...a);
    } finally {
      callbackMs += clock.now() - t0;
    }
  };
  globalThis.setTimeout =
    ((f: () => void, ms?: number) => realSetTimeout(timed(f), ms)) as typeof setTimeout;
  globalThis.Worker = class extends RealWorker {
    override set onmessage(h: ((e: MessageEvent) => void) | null) {
      super.onmessage = h && timed(h);
    }
    override get onmessage(): ((e: MessageEvent) => void) | null {
      return super.onmessage;
    }
  };
  return () => {
    globalThis.setTimeout = realSetTimeout;
    globalThis.Worker = RealWorker;
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => realSetTimeout(r, ms));
}

/** Median ms of one `check` call on fresh copies of the batch. */
function timeCheck(code: Code, ts: number, rounds: number): number[] {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const batch = scrapeBatch(ts);
    const t0 = clock.now();
    for (let k = 0; k < 20; k++) code.check(batch, { now: ts });
    times.push((clock.now() - t0) / 20);
  }
  return times;
}

/** ms of `encode` for a segment's first batch and for its later ones, over `segments` segments
 * of 10 batches (labels as `checkIngestBatch` returns them: the same strings every scrape). */
function timeEncode(code: Code, ts: number, segments: number): [number[], number[]] {
  const first: number[] = [], later: number[] = [];
  for (let s = 0; s < segments; s++) {
    const enc = new code.Encoder();
    for (let b = 0; b < PER_GENERATION; b++) {
      const batch = code.check(scrapeBatch(ts + b * 1000), { now: ts + b * 1000 });
      const t0 = clock.now();
      enc.encode(batch);
      enc.commit();
      (b === 0 ? first : later).push(clock.now() - t0);
    }
  }
  return [first, later];
}

/** A writer in serve's mode, and its generations timed: writeBatch per batch, main-thread CPU
 * per generation. */
class WriterRun {
  readonly root = Deno.makeTempDirSync({ prefix: "ingest-write-bench-" });
  #clock: number;
  #writer: current.IngestWriter;
  writes: number[] = [];
  flushes: number[] = [];
  generations: number[] = [];

  constructor(code: Code, start: number) {
    this.#clock = start;
    // half an hour after a compaction: 180 files in the partition (empty: only their names count)
    const dir = `${this.root}/metrics/host=bench-host/date=${
      new Date(start).toISOString().slice(0, 10)
    }`;
    Deno.mkdirSync(dir, { recursive: true });
    for (let k = 0; k < 180; k++) {
      Deno.writeFileSync(
        `${dir}/part-${String(start - 3_600_000 + k).padStart(15, "0")}.parquet`,
        new Uint8Array(),
      );
    }
    const options: IngestWriterOptions = {
      root: this.root,
      // fsync is the flush thread's, not the event loop's: left out to keep the run short
      sync: false,
      now: () => this.#clock,
      flushInWorker: true,
      flushRows: BATCH * PER_GENERATION,
      flushEveryMs: 3_600_000,
    };
    this.#writer = new code.Writer(options);
  }

  /** Writes `count` generations of 10 batches, each flushed on the thread before the next. */
  async generationsOf(count: number): Promise<void> {
    for (let g = 0; g < count; g++) {
      let inWrites = 0;
      for (let b = 0; b < PER_GENERATION; b++) {
        const batch = scrapeBatch(this.#clock);
        const t0 = clock.now();
        this.#writer.writeBatch(batch);
        const t = clock.now() - t0;
        this.writes.push(t);
        inWrites += t;
        this.#clock += 1000;
      }
      // the tenth batch reached flushRows: the flush starts on a timer and ends with the
      // thread's answer (the segment retired by then)
      const before = callbackMs;
      while (this.#writer.stats.buffered > 0) await sleep(5);
      this.flushes.push(callbackMs - before);
      this.generations.push(callbackMs - before + inWrites);
    }
  }

  close(): void {
    this.#writer.close();
    Deno.removeSync(this.root, { recursive: true });
  }
}

/** The baseline's modules, from `git archive` into a temporary directory. */
async function baselineCode(rev: string): Promise<{ code: Code; dir: string } | undefined> {
  const dir = Deno.makeTempDirSync({ prefix: "ingest-write-baseline-" });
  const repo = new URL("..", import.meta.url).pathname;
  try {
    const git = new Deno.Command("git", {
      args: ["-C", repo, "archive", "--format=tar", rev, "lake", "collectors", "config"],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const tar = new Deno.Command("tar", { args: ["-x", "-C", dir], stdin: "piped" }).spawn();
    await git.stdout.pipeTo(tar.stdin);
    const [g, t] = await Promise.all([git.output(), tar.status]);
    if (!g.success || !t.success) throw new Error(new TextDecoder().decode(g.stderr).trim());
    const lake = await import(`file://${dir}/lake/mod.ts`);
    const lines = await import(`file://${dir}/lake/ingest_lines.ts`);
    const format = await import(`file://${dir}/lake/ingest_spool_format.ts`);
    return {
      code: {
        check: lines.checkIngestBatch,
        Encoder: format.IngestSpoolEncoder,
        Writer: lake.IngestWriter,
      },
      dir,
    };
  } catch (error) {
    console.log(`(no baseline ${rev}: ${error instanceof Error ? error.message : error})`);
    Deno.removeSync(dir, { recursive: true });
    return undefined;
  }
}

/**
 * Runs the bench and prints a table, current code beside the baseline.
 *
 * @param options Quick mode and the baseline revision.
 * @returns The figures.
 */
export async function run(options: IngestWriteBenchOptions = {}): Promise<IngestWriteFigures> {
  const quick = options.quick ?? false;
  const rev = options.rev ?? BASELINE_REV;
  const now: Code = {
    check: currentCheck,
    Encoder: CurrentEncoder,
    Writer: current.IngestWriter,
  };
  const base = rev === "" ? undefined : await baselineCode(rev);
  const codes: [Code, Code | undefined] = [now, base?.code];
  const ts = Date.UTC(2026, 0, 1);
  const reps = quick ? 3 : 7;
  const sample = {
    check: [[], []] as number[][],
    first: [[], []] as number[][],
    later: [[], []] as number[][],
  };
  const untime = timeCallbacks();
  const runs = codes.map((c) => c && new WriterRun(c, ts));
  try {
    // warm both, then interleave so that both see the same machine load
    for (const [i, c] of codes.entries()) {
      if (!c) continue;
      timeCheck(c, ts, 20);
      timeEncode(c, ts, 3);
      await runs[i]!.generationsOf(2);
      runs[i]!.writes = [], runs[i]!.flushes = [], runs[i]!.generations = [];
    }
    for (let rep = 0; rep < reps; rep++) {
      for (const [i, c] of codes.entries()) {
        if (!c) continue;
        sample.check[i]!.push(...timeCheck(c, ts, quick ? 20 : 40));
        const [first, later] = timeEncode(c, ts, quick ? 4 : 8);
        sample.first[i]!.push(...first);
        sample.later[i]!.push(...later);
        await runs[i]!.generationsOf(quick ? 3 : 6);
      }
    }
  } finally {
    for (const r of runs) r?.close();
    untime();
    if (base) Deno.removeSync(base.dir, { recursive: true });
  }
  const ab = (xs: number[][]): AB => ({
    now: median(xs[0]!),
    ...(base && { old: median(xs[1]!) }),
  });
  const figures: IngestWriteFigures = {
    ...(base && { rev }),
    checkMs: ab(sample.check),
    encodeFirstMs: ab(sample.first),
    encodeLaterMs: ab(sample.later),
    writeBatchMs: ab(runs.map((r) => r?.writes ?? [])),
    flushMs: ab(runs.map((r) => r?.flushes ?? [])),
    generationMs: ab(runs.map((r) => r?.generations ?? [])),
  };
  const rows: [string, AB][] = [
    ["checkIngestBatch, 500-sample batch", figures.checkMs],
    ["spool encode, a segment's first batch (500 new series)", figures.encodeFirstMs],
    ["spool encode, later batches", figures.encodeLaterMs],
    ["IngestWriter.writeBatch, 500 samples", figures.writeBatchMs],
    ["event loop per flush of 10 batches: flush callbacks", figures.flushMs],
    ["  the same with the 10 writeBatch calls", figures.generationMs],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(
    `${(clock.cpu ? "thread CPU ms (median)" : "wall ms (median)").padEnd(width)}  ${
      "now".padStart(8)
    }` +
      (base ? `  ${rev.padStart(8)}  ${"now/old".padStart(7)}` : ""),
  );
  for (const [k, v] of rows) {
    console.log(
      `${k.padEnd(width)}  ${v.now.toFixed(4).padStart(8)}` +
        (v.old === undefined
          ? ""
          : `  ${v.old.toFixed(4).padStart(8)}  ${(v.now / v.old).toFixed(2).padStart(7)}`),
    );
  }
  return figures;
}

const USAGE = `Usage: deno run -A bench/ingest_write_bench.ts [--quick] [--rev REV]

The ingest writer's spool encoding and flush bookkeeping, now and at a baseline revision.

Options:
  --quick      shorter runs
  --rev REV    the baseline revision (default ${BASELINE_REV}; "" for none)
  -h, --help   show this help`;

if (import.meta.main) {
  const values = benchFlags(
    USAGE,
    (args) =>
      parseFlags(args, { quick: { type: "boolean", default: false }, rev: { type: "string" } })
        .values,
  );
  await run({ quick: values.quick, ...(values.rev !== undefined && { rev: values.rev }) });
}
