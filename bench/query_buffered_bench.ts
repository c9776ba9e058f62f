/**
 * What the rows waiting for Parquet cost a `POST /api/query` statement (`SqlSandboxOptions.buffered`):
 * the same statements over a simulated lake (one host, a day, one file an hour) through the SQL
 * sandbox without a buffered source and with an ingest buffer of 1,000, 54,000 (a 900-series
 * collector's spooled minute) and 200,000 rows, each size twice: only the rows the statement can
 * need copied to the query process (`prune`, now) and every row (before), both as bytes; with
 * `--json` a third time, every row as JSON (before `web/_sql_wire.ts`). Rounds alternate the
 * forms; medians side by side, with the first row of each answer (the forms must agree).
 *
 * `deno run -A bench/query_buffered_bench.ts [--rounds 11] [--quick] [--sizes 1000,54000,200000]
 * [--json]` (also in `deno task bench`; `--quick` 5 rounds; `--sizes 500000,1000000` measures a
 * full default ingest buffer and twice that)
 *
 * @module
 */
import { IngestWriter, simulateHost } from "../lake/mod.ts";
import { openSqlSandbox } from "../web/mod.ts";
import { parseNumber, UsageError } from "../cli/_args.ts";
import { benchMain, roundsFlags } from "./_flags.ts";

/** Options of {@linkcode run}. */
export interface QueryBufferedOptions {
  /** Rounds (each runs every statement in every form once); default 11, 5 with `quick`. */
  rounds?: number;
  /** Fewer rounds (5), as `deno task bench --quick`; default false. */
  quick?: boolean;
  /** Buffered rows of each buffered form; default 1,000, 54,000 and 200,000. */
  sizes?: number[];
  /** Also every row as JSON (the form before bytes); default false. */
  json?: boolean;
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
  const sizes = options.sizes ?? [1_000, 54_000, 200_000];
  const writers = new Map<number, IngestWriter>();
  const writerDirs: string[] = [];
  for (const rows of sizes) {
    const dir = await Deno.makeTempDir({ prefix: "perfscope-query-bench-writer-" });
    writerDirs.push(dir);
    const w = new IngestWriter({
      root: dir,
      sync: false,
      now: () => end,
      maxBufferedRows: Math.max(400_000, rows),
      flushRows: Math.max(1_000_000, rows + 1),
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
  // each size two or three ways in the same run: the rows a statement can need as bytes (now),
  // every row as bytes (before), every row as JSON (before `web/_sql_wire.ts`, with --json)
  const ways: { way: string; wire: "bytes" | "json"; prune: boolean }[] = [
    { way: "pruned", wire: "bytes", prune: true },
    { way: "every row", wire: "bytes", prune: false },
    ...(options.json ? [{ way: "every row json", wire: "json" as const, prune: false }] : []),
  ];
  const sized = sizes.flatMap((n) =>
    ways.map((w) => ({ n, ...w, form: `${label(n)} rows, ${w.way}` }))
  );
  const forms = ["no buffer", ...sized.map((s) => s.form)];
  const sandboxes = await Promise.all(
    forms.map((_, i) => {
      const s = sized[i - 1];
      return openSqlSandbox({
        root,
        maxConcurrent: 1,
        ...(s && { buffered: writers.get(s.n)!, wire: s.wire, prune: s.prune }),
      });
    }),
  );
  // the buffered rows are 900 series of other_metric over the lake's last seconds (54,000 rows:
  // its last minute); the lake's files hold the simulated host's metrics
  const statements = {
    "count(*) of samples": "SELECT count(*) FROM samples",
    "last hour by metric": "SELECT metric, avg(value) FROM samples " +
      `WHERE ts >= epoch_ms(${end - HOUR}) GROUP BY 1 ORDER BY 1`,
    "one stored metric": "SELECT count(*), avg(value) FROM samples WHERE metric = 'cpu_ratio'",
    "one buffered series": "SELECT count(*), avg(value) FROM samples " +
      "WHERE metric = 'other_metric' AND labels = 'i=7'",
    "last minute": `SELECT count(*) FROM samples WHERE ts >= epoch_ms(${end - 60_000})`,
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
        const key = `${name}, ${form}`;
        // over the 10 s limit is a figure too (the time it was killed at), not the bench's end
        const got = await sandboxes[i]!.query(sql).catch((e: Error) => ({ rows: [e.message] }));
        times.set(key, [...(times.get(key) ?? []), performance.now() - t0]);
        answers.set(key, JSON.stringify(got.rows[0]));
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    `/api/query's sandbox, ${rounds} rounds (median ms, ratio to no buffer, ` +
      "pruned / every row, first row)",
  );
  for (const name of Object.keys(statements)) {
    const base = median(times.get(`${name}, no buffer`)!);
    for (const form of forms) {
      const key = `${name}, ${form}`;
      const m = median(times.get(key)!);
      const every = form.endsWith(", pruned")
        ? median(times.get(key.replace(/, pruned$/, ", every row"))!)
        : undefined;
      const vs = every === undefined ? "" : `${(m / every).toFixed(2)}×`;
      console.log(
        `${key.padEnd(52)} ${m.toFixed(1).padStart(8)} ms  ${(m / base).toFixed(2).padStart(6)}×  ${
          vs.padStart(6)
        }  ${answers.get(key)}`,
      );
    }
  }
  await Promise.all(sandboxes.map((s) => s.close()));
  for (const w of writers.values()) w.close();
  // the writers' folders too (each run used to leave them behind)
  for (const dir of [root, ...writerDirs]) await Deno.remove(dir, { recursive: true });
  return Object.fromEntries([...times].map(([key, xs]) => [key, median(xs)]));
}

const USAGE =
  `Usage: deno run -A bench/query_buffered_bench.ts [--rounds N] [--quick] [--sizes N,N] [--json]

The same POST /api/query statements over a simulated lake (one host x a day) through the SQL
sandbox without a buffered source and with 1,000, 54,000 and 200,000 buffered rows (--sizes),
each size with only the rows a statement can need copied (pruned) and with every row copied;
medians side by side.

Options:
  --rounds N   rounds, each running every statement in every form once (default 11)
  --quick      5 rounds (as deno task bench --quick; --rounds overrides it)
  --sizes N,N  buffered rows of each buffered form (default 1000,54000,200000)
  --json       also every row sent as JSON (the form before bytes)
  -h, --help   show this help`;

function label(n: number): string {
  return n.toLocaleString("en");
}

/** `--rounds`, `--quick` and `--sizes` (a comma-separated list of integers ≥ 1). */
function flags(all: string[]): QueryBufferedOptions {
  const json = all.includes("--json");
  const args = all.filter((a) => a !== "--json");
  const at = args.findIndex((a) => a === "--sizes" || a.startsWith("--sizes="));
  if (at < 0) return { ...roundsFlags(args), ...(json && { json }) };
  const inline = args[at]!.startsWith("--sizes=");
  const text = inline ? args[at]!.slice(8) : args[at + 1];
  if (text === undefined) throw new UsageError("Missing value of --sizes");
  const rest = args.filter((_, i) => i !== at && (inline || i !== at + 1));
  const sizes = text.split(",").map((t) => parseNumber(t, "sizes", { min: 1, integer: true }));
  return { ...roundsFlags(rest), sizes, ...(json && { json }) };
}

if (import.meta.main) await benchMain(USAGE, flags, run);
