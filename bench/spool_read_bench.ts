/**
 * What reading the collector's spool with the files costs a series read (`SpoolBuffer` through
 * `Lake.includeBuffered`): a simulated lake (one host, a day, one file an hour) and a spool
 * segment holding a minute of a 900-series collector at 1 Hz (54,000 rows), read over the last
 * hour as one series and as one metric's 16 series (series Parquet holds too), without the
 * spool, with a source over an empty spool (the statement bound to one listing, no rows to load),
 * with a spool source that follows the segment (the serve case: each read decodes only what was appended since), and
 * with a new source each read (the whole segment decoded), the spooled rows handed to DuckDB
 * either by tables a second connection fills (`handover: "tables"`) or by table functions that
 * read them from memory (`"scan"`). Rounds alternate the forms; medians side by side.
 *
 * `deno run -A bench/spool_read_bench.ts [--rounds 15] [--quick]` (also in `deno task bench`;
 * `--quick` 5 rounds)
 *
 * @module
 */
import { type LakeRow, openLake, simulateHost, SpoolBuffer, SpoolWriter } from "../lake/mod.ts";
import { benchMain, roundsFlags } from "./_flags.ts";

/** Options of {@linkcode run}. */
export interface SpoolReadOptions {
  /** Rounds (each reads every form once); default 15, 5 with `quick`. */
  rounds?: number;
  /** Fewer rounds (5), as `deno task bench --quick`; default false. */
  quick?: boolean;
}

/**
 * Builds the lake, reads it `rounds` times in each form and prints the medians side by side.
 *
 * @param options See {@linkcode SpoolReadOptions}.
 * @returns Median ms per form.
 */
export async function run(options: SpoolReadOptions = {}): Promise<Record<string, number>> {
  const rounds = options.rounds ?? (options.quick ? 5 : 15);
  const HOUR = 3_600_000;
  const start = Date.UTC(2024, 0, 1);
  const end = start + 24 * HOUR;
  const root = await Deno.makeTempDir({ prefix: "perfscope-spool-bench-" });
  simulateHost({ root, host: "sim", start, durationMs: 24 * HOUR, stepMs: 10_000, cpus: 16 });
  // the spooled minute: 16 cpu_ratio series (in Parquet too) and 884 others, a snapshot a second
  const series = [
    ...Array.from(
      { length: 16 },
      (_, c) => ({ metric: "cpu_ratio", labels: `cpu=${c},mode=user` }),
    ),
    ...Array.from({ length: 884 }, (_, i) => ({ metric: "other_metric", labels: `i=${i}` })),
  ];
  const writer = new SpoolWriter(root, end);
  for (let s = 0; s < 60; s++) {
    const ts = end + s * 1000;
    writer.append(
      series.map((x, i): LakeRow => ({ ts, host: "sim", ...x, value: (i + s) / 1000 })),
    );
  }
  writer.close();
  // one lake per way of handing the spooled rows to DuckDB (`OpenLakeOptions.handover`)
  const lakes = {
    tables: await openLake({ root, handover: "tables" }),
    scan: await openLake({ root, handover: "scan" }),
  };
  type Lake = typeof lakes.scan;
  const range = { from: end + 60_000 - HOUR, to: end + 60_000 };
  const reads = {
    "one series": async (lake: Lake) =>
      (await lake.series({ metric: "cpu_ratio", labels: "cpu=3,mode=user", ...range })).ts.length,
    "16 series": async (lake: Lake) =>
      (await lake.seriesMany({ metric: "cpu_ratio", labelsLike: "%mode=user", ...range })).series
        .reduce((n, s) => n + s.ts.length, 0),
  };
  const followed = new SpoolBuffer(root);
  const empty = await Deno.makeTempDir({ prefix: "perfscope-spool-bench-empty-" });
  const forms = [
    "no spool",
    "empty source",
    "followed, tables",
    "followed, scan",
    "new each read, tables",
    "new each read, scan",
  ] as const;
  const times = new Map<string, number[]>();
  const points = new Map<string, number>();
  for (let r = 0; r < rounds; r++) {
    for (const [name, read] of Object.entries(reads)) {
      for (const form of forms) {
        const lake = form.endsWith("tables") ? lakes.tables : lakes.scan;
        lake.includeBuffered(
          form === "no spool"
            ? undefined
            : form === "empty source"
            ? new SpoolBuffer(empty)
            : form.startsWith("followed")
            ? followed
            : new SpoolBuffer(root),
        );
        const t0 = performance.now();
        const n = await read(lake);
        const key = `${name}, ${form}`;
        times.set(key, [...(times.get(key) ?? []), performance.now() - t0]);
        points.set(key, n);
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    `last hour + a spooled minute, ${rounds} rounds (median ms, ratio to no spool, points)`,
  );
  for (const name of Object.keys(reads)) {
    const base = median(times.get(`${name}, no spool`)!);
    for (const form of forms) {
      const key = `${name}, ${form}`;
      const m = median(times.get(key)!);
      console.log(
        `${key.padEnd(34)} ${m.toFixed(1).padStart(7)} ms  ${(m / base).toFixed(2)}×  ${
          points.get(key)
        }`,
      );
    }
    for (const how of ["followed", "new each read"]) {
      const scan = median(times.get(`${name}, ${how}, scan`)!);
      const tables = median(times.get(`${name}, ${how}, tables`)!);
      console.log(
        `${`${name}, ${how}: scan / tables`.padEnd(34)} ${(scan / tables).toFixed(2)}×`,
      );
    }
  }
  lakes.tables.close();
  lakes.scan.close();
  await Deno.remove(root, { recursive: true });
  await Deno.remove(empty, { recursive: true });
  return Object.fromEntries([...times].map(([form, xs]) => [form, median(xs)]));
}

const USAGE = `Usage: deno run -A bench/spool_read_bench.ts [--rounds N] [--quick]

A series read over a simulated lake and a spooled minute of a 900-series collector: without
the spool, over an empty spool, following the segment, and a new spool source each read, the
rows handed to DuckDB by tables or by table functions; medians side by side.

Options:
  --rounds N   rounds, each reading every form once (default 15)
  --quick      5 rounds (as deno task bench --quick; --rounds overrides it)
  -h, --help   show this help`;

if (import.meta.main) await benchMain(USAGE, roundsFlags, run);
