/**
 * Report benchmark: build time and file size of a capacity report over 7 days of 4 simulated
 * hosts at a 5-minute step (60 resources), compacted first so series are read from the
 * rollups as on a real lake. Prints a table and returns the figures; never asserts.
 *
 * `deno run -A bench/report_bench.ts` or `deno task bench --only report`.
 *
 * @module
 */
import { openLake } from "../lake/mod.ts";
import { buildReport, renderReport } from "../reports/mod.ts";
import { writeReportLake } from "../tests/_report_lake.ts";
import { benchMain, quickFlag } from "./_flags.ts";

const DAY = 86_400_000;

/** What the benchmark measured. */
export interface ReportBenchResult {
  /** Hosts simulated. */
  hosts: number;
  /** Resources (series with a forecast) in the report. */
  series: number;
  /** Days of history. */
  days: number;
  /** `buildReport` time for every resource, ms. */
  buildMs: number;
  /** `renderReport` time, ms. */
  renderMs: number;
  /** HTML size in bytes, every resource. */
  bytes: number;
  /** HTML size in bytes of a report of the 50 tightest resources. */
  bytes50: number;
}

/**
 * Runs the benchmark.
 *
 * @param options `quick`: 2 days instead of 7.
 * @returns The figures.
 */
export async function run(options: { quick?: boolean } = {}): Promise<ReportBenchResult> {
  const days = options.quick ? 2 : 7;
  const hosts = 4;
  const start = Date.UTC(2025, 0, 1);
  const root = await Deno.makeTempDir({ prefix: "perfscope-report-bench-" });
  const now = await writeReportLake({
    root,
    start,
    days,
    stepMs: 5 * 60_000,
    hostName: (h) => `host-${String(h).padStart(2, "0")}`,
  });
  const lake = await openLake({ root });
  const opts = { now, sinceMs: days * DAY, horizonMs: 7 * DAY };
  let t = performance.now();
  const data = await buildReport(lake, opts);
  const buildMs = performance.now() - t;
  t = performance.now();
  const html = await renderReport(data);
  const renderMs = performance.now() - t;
  const top50 = await renderReport({
    ...data,
    resources: data.resources.slice(0, 50),
  });
  lake.close();
  await Deno.remove(root, { recursive: true });
  const size = (text: string) => new TextEncoder().encode(text).length;
  const result = {
    hosts,
    series: data.resources.length,
    days,
    buildMs: Math.round(buildMs),
    renderMs: Math.round(renderMs),
    bytes: size(html),
    bytes50: size(top50),
  };
  const row = (k: string, v: string) => console.log(`${k.padEnd(28)}${v}`);
  row("history", `${days} days, ${hosts} hosts, ${result.series} series (compacted lake)`);
  row("buildReport", `${(buildMs / 1000).toFixed(2)} s`);
  row("renderReport", `${renderMs.toFixed(0)} ms`);
  row(`file size, ${result.series} series`, `${(result.bytes / 1e6).toFixed(2)} MB (limit 3 MB)`);
  row("file size, 50 series", `${(result.bytes50 / 1e6).toFixed(2)} MB (limit 3 MB)`);
  return result;
}

const USAGE = `Usage: deno run -A bench/report_bench.ts [--quick]

Build time and size of a capacity report over 7 days of 4 simulated hosts (2 days with --quick).

Options:
  --quick      shorter runs (as deno task bench --quick)
  -h, --help   show this help`;

if (import.meta.main) await benchMain(USAGE, quickFlag, run);
