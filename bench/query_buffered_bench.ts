/**
 * What the rows waiting for Parquet cost a `POST /api/query` statement (`SqlSandboxOptions.buffered`):
 * the same statements over a simulated lake (one host, a day, one file an hour) through the SQL
 * sandbox without a buffered source and with an ingest buffer of 1,000, 54,000 (a 900-series
 * collector's spooled minute) and 200,000 rows, copied to the query process with each statement
 * that names `samples`. Rounds alternate the forms; medians side by side.
 *
 * `deno run -A bench/query_buffered_bench.ts [--rounds 11] [--quick]` (also in `deno task bench`;
 * `--quick` 5 rounds)
 *
 * @module
 */
import { IngestWriter, simulateHost } from "../lake/mod.ts";
import { openSqlSandbox } from "../web/mod.ts";
import { benchMain, roundsFlags } from "./_flags.ts";

/** Options of {@linkcode run}. */
export interface QueryBufferedOptions {
  /** Rounds (each runs every statement in every form once); default 11, 5 with `quick`. */
  rounds?: number;
  /** Fewer rounds (5), as `deno task bench --quick`; default false. */
  quick?: boolean;
}

/**
 * Builds the lake and the buffers, runs the statements `rounds` times in each form and prints the
 * medians side by side.
 *
 * @param options See {@linkcode QueryBufferedOptions}.
 * @returns Median ms per statement and form.
 */
export async function run(options: QueryBufferedOptions = {}): Promise<Record<string, number>> {
  const rounds = options.rounds ?? (options.quick ? 5 : 11);
  const HOUR = 3_600_000;
  const start = Date.UTC(2024, 0, 1);
  const end = start + 24 * HOUR;
  const root = await Deno.makeTempDir({ prefix: "perfscope-query-bench-" });
  simulateHost({ root, host: "sim", start, durationMs: 24 * HOUR, stepMs: 10_000, cpus: 4 });
  const sizes = [1_000, 54_000, 200_000];
  const writers = new Map<number, IngestWriter>();
  const writerDirs: string[] = [];
  for (const rows of sizes) {
    const dir = await Deno.makeTempDir({ prefix: "perfscope-query-bench-writer-" });
    writerDirs.push(dir);
    const w = new IngestWriter({
      root: dir,
      sync: false,
      now: () => end,
      maxBufferedRows: 400_000,
      flushRows: 1_000_000,
      flushEveryMs: 3_600_000,
    });
    // 900 series, a row a second each, back from the lake's end
    for (let at = 0; at < rows; at += 9_000) {
      const n = Math.min(9_000, rows - at);
      const idx = Array.from({ length: n }, (_, i) => at + i);
      w.writeBatch({
        ts: idx.map((i) => end - 1 - Math.floor(i / 900) * 1000),
        host: idx.map(() => "sim"),
        metric: idx.map(() => "other_metric"),
        labels: idx.map((i) => `i=${i % 900}`),
        value: idx.map((i) => (i % 100) / 100),
      });
    }
    writers.set(rows, w);
  }
  const forms = ["no buffer", ...sizes.map((n) => `${n.toLocaleString("en")} rows`)];
  const sandboxes = await Promise.all(
    forms.map((_, i) =>
      openSqlSandbox({
        root,
        maxConcurrent: 1,
        ...(i > 0 && { buffered: writers.get(sizes[i - 1]!)! }),
      })
    ),
  );
  const statements = {
    "count(*) of samples": "SELECT count(*) FROM samples",
    "last hour by metric": "SELECT metric, avg(value) FROM samples " +
      `WHERE ts >= epoch_ms(${end - HOUR}) GROUP BY 1 ORDER BY 1`,
    "rollup_1h only": "SELECT count(*) FROM rollup_1h",
  };
  const times = new Map<string, number[]>();
  const answers = new Map<string, string>();
  // one warm-up statement each: the query process starts on the first
  for (const s of sandboxes) await s.query("SELECT 1");
  for (let r = 0; r < rounds; r++) {
    for (const [name, sql] of Object.entries(statements)) {
      for (const [i, form] of forms.entries()) {
        const t0 = performance.now();
        const got = await sandboxes[i]!.query(sql);
        const key = `${name}, ${form}`;
        times.set(key, [...(times.get(key) ?? []), performance.now() - t0]);
        answers.set(key, JSON.stringify(got.rows[0]));
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`/api/query's sandbox, ${rounds} rounds (median ms, ratio to no buffer, first row)`);
  for (const name of Object.keys(statements)) {
    const base = median(times.get(`${name}, no buffer`)!);
    for (const form of forms) {
      const key = `${name}, ${form}`;
      const m = median(times.get(key)!);
      console.log(
        `${key.padEnd(36)} ${m.toFixed(1).padStart(7)} ms  ${(m / base).toFixed(2)}×  ${
          answers.get(key)
        }`,
      );
    }
  }
  await Promise.all(sandboxes.map((s) => s.close()));
  for (const w of writers.values()) w.close();
  // the writers' folders too (each run used to leave them behind)
  for (const dir of [root, ...writerDirs]) await Deno.remove(dir, { recursive: true });
  return Object.fromEntries([...times].map(([key, xs]) => [key, median(xs)]));
}

const USAGE = `Usage: deno run -A bench/query_buffered_bench.ts [--rounds N] [--quick]

The same POST /api/query statements over a simulated lake (one host x a day) through the SQL
sandbox without a buffered source and with 1,000, 54,000 and 200,000 buffered rows; medians
side by side.

Options:
  --rounds N   rounds, each running every statement in every form once (default 11)
  --quick      5 rounds (as deno task bench --quick; --rounds overrides it)
  -h, --help   show this help`;

if (import.meta.main) await benchMain(USAGE, roundsFlags, run);
