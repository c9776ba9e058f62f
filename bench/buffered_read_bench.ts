/**
 * What reading the ingest buffer with the files costs a series read (`Lake.includeBuffered`):
 * the same `seriesMany` over a simulated lake (2 hosts × 3 days, one file an hour) through the
 * shared views, pinned to one listing with an empty buffer, and with 1,000 and 100,000 buffered
 * rows of the metric read, handed to DuckDB by tables a second connection fills
 * (`handover: "tables"`) or by table functions reading them from memory (`"scan"`). Rounds
 * alternate the forms; medians side by side.
 *
 * `deno run -A bench/buffered_read_bench.ts [--rounds 15] [--quick]` (also in `deno task bench`;
 * `--quick` 5 rounds)
 *
 * @module
 */
import { IngestWriter, openLake, simulateHost } from "../lake/mod.ts";
import { benchMain, roundsFlags } from "./_flags.ts";

/** Options of {@linkcode run}. */
export interface BufferedReadOptions {
  /** Rounds (each reads every form once); default 15, 5 with `quick`. */
  rounds?: number;
  /** Fewer rounds (5), as `deno task bench --quick`; default false. */
  quick?: boolean;
}

/**
 * Builds the lake, reads it `rounds` times in each form and prints the medians side by side.
 *
 * @param options See {@linkcode BufferedReadOptions}.
 * @returns Median ms per form.
 */
export async function run(options: BufferedReadOptions = {}): Promise<Record<string, number>> {
  const rounds = options.rounds ?? (options.quick ? 5 : 15);
  const DAY = 86_400_000;
  const start = Date.UTC(2024, 0, 1);
  const end = start + 3 * DAY;
  const root = await Deno.makeTempDir({ prefix: "perfscope-buffered-bench-" });
  for (const host of ["sim-a", "sim-b"]) {
    simulateHost({ root, host, start, durationMs: 3 * DAY, stepMs: 10_000, cpus: 4 });
  }
  // one lake per way of handing buffered rows to DuckDB (`OpenLakeOptions.handover`)
  const lakes = {
    tables: await openLake({ root, handover: "tables" }),
    scan: await openLake({ root, handover: "scan" }),
  };
  const writers: Record<string, IngestWriter> = {};
  const writerDirs: string[] = [];
  const forms = [
    "views",
    "pinned, empty",
    "1,000 rows, tables",
    "1,000 rows, scan",
    "100,000 rows, tables",
    "100,000 rows, scan",
  ] as const;
  for (const [form, rows] of [["1,000 rows", 1_000], ["100,000 rows", 100_000]] as const) {
    const dir = await Deno.makeTempDir({ prefix: "perfscope-buffered-bench-writer-" });
    writerDirs.push(dir);
    const w = new IngestWriter({
      root: dir,
      sync: false,
      now: () => end,
      maxBufferedRows: 200_000,
      flushRows: 1_000_000,
      flushEveryMs: 3_600_000,
    });
    // one cpu_ratio series per host, a row every 10 ms up to the end of the lake's last hour
    for (let at = 0; at < rows; at += 10_000) {
      const n = Math.min(10_000, rows - at);
      const ts = Array.from({ length: n }, (_, i) => end - 1 - (at + i) * 10);
      w.writeBatch({
        ts,
        host: ts.map((_, i) => (i % 2 ? "sim-a" : "sim-b")),
        metric: ts.map(() => "cpu_ratio"),
        labels: ts.map(() => "cpu=total,mode=user"),
        value: ts.map((_, i) => (i % 100) / 100),
      });
    }
    writers[form] = w;
  }
  const read = (lake: typeof lakes.scan) =>
    lake.seriesMany({
      metric: "cpu_ratio",
      labelsLike: "cpu=total,%",
      from: end - 3_600_000,
      to: end,
    });
  const times = new Map<string, number[]>(forms.map((f) => [f, []]));
  const points = new Map<string, number>();
  for (let r = 0; r < rounds; r++) {
    for (const form of forms) {
      const lake = form.endsWith("tables") ? lakes.tables : lakes.scan;
      lake.includeBuffered(
        form === "views"
          ? undefined
          : form === "pinned, empty"
          ? emptySource()
          : writers[form.split(", ")[0]!],
      );
      const t0 = performance.now();
      const got = await read(lake);
      times.get(form)!.push(performance.now() - t0);
      points.set(form, got.series.reduce((n, s) => n + s.ts.length, 0));
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const base = median(times.get("views")!);
  console.log(
    `seriesMany over the last hour, ${rounds} rounds (median ms, ratio to views, points)`,
  );
  for (const form of forms) {
    const m = median(times.get(form)!);
    console.log(
      `${form.padEnd(22)} ${m.toFixed(1).padStart(7)} ms  ${(m / base).toFixed(2)}×  ${
        points.get(form)
      }`,
    );
  }
  for (const rows of ["1,000 rows", "100,000 rows"]) {
    const scan = median(times.get(`${rows}, scan`)!);
    const tables = median(times.get(`${rows}, tables`)!);
    console.log(`${rows}: scan / tables ${(scan / tables).toFixed(2)}×`);
  }
  lakes.tables.close();
  lakes.scan.close();
  for (const w of Object.values(writers)) w.close();
  for (const dir of [root, ...writerDirs]) await Deno.remove(dir, { recursive: true });
  return Object.fromEntries([...times].map(([form, xs]) => [form, median(xs)]));
}

const USAGE = `Usage: deno run -A bench/buffered_read_bench.ts [--rounds N] [--quick]

The same seriesMany over a simulated lake (2 hosts x 3 days) through the shared views, pinned
to an empty buffer, and with 1,000 and 100,000 buffered rows handed over by tables or by table
functions; medians side by side.

Options:
  --rounds N   rounds, each reading every form once (default 15)
  --quick      5 rounds (as deno task bench --quick; --rounds overrides it)
  -h, --help   show this help`;

if (import.meta.main) await benchMain(USAGE, roundsFlags, run);

function emptySource() {
  return {
    bufferedRows: () => ({
      ts: [],
      value: [],
      series: [],
      host: [],
      metric: [],
      labels: [],
      date: [],
    }),
    bufferedSeries: () => [],
    bufferedExtent: () => new Map(),
  };
}
