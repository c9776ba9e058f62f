/**
 * Report benchmark: build time and file size of a capacity report over 7 days × about 50
 * series (simulated hosts at a 5-minute step, added until the capacity ranking holds ≥ 50
 * resources). Prints a table and returns the figures; never asserts.
 *
 * `deno run -A bench/report_bench.ts` or `deno task bench --only report`.
 *
 * @module
 */
import { openLake, simulateHost } from "../lake/mod.ts";
import { capacityReport } from "../analytics/mod.ts";
import { buildReport, renderReport } from "../reports/mod.ts";

const DAY = 86_400_000;

/** What the benchmark measured. */
export interface ReportBenchResult {
  /** Hosts simulated. */
  hosts: number;
  /** Resources (series with a forecast) in the report. */
  series: number;
  /** Days of history. */
  days: number;
  /** `buildReport` time, ms. */
  buildMs: number;
  /** `renderReport` time, ms. */
  renderMs: number;
  /** HTML size in bytes. */
  bytes: number;
}

/**
 * Runs the benchmark.
 *
 * @param options `quick`: 2 days instead of 7.
 * @returns The figures.
 */
export async function run(options: { quick?: boolean } = {}): Promise<ReportBenchResult> {
  const days = options.quick ? 2 : 7;
  const start = Date.UTC(2025, 0, 1);
  const now = start + days * DAY;
  const root = await Deno.makeTempDir({ prefix: "perfscope-report-bench-" });
  let hosts = 0;
  let rows = 0;
  while (rows < 50 && hosts < 20) {
    hosts++;
    simulateHost({
      root,
      host: `host-${String(hosts).padStart(2, "0")}`,
      start,
      durationMs: days * DAY,
      stepMs: 5 * 60_000,
      seed: hosts,
      cpus: 2,
      topN: 2,
      diskFill: { mountpoint: "/var", from: 0.4 + 0.03 * hosts, to: 0.7 + 0.02 * hosts },
      ...(hosts % 2 ? { cpuSaturation: { from: now - DAY / 2, durationMs: DAY / 2 } } : {}),
    });
    const probe = await openLake({ root });
    rows = (await capacityReport(probe, { now, horizonMs: 7 * DAY })).length;
    probe.close();
  }
  const lake = await openLake({ root });
  let t = performance.now();
  const data = await buildReport(lake, { now, sinceMs: days * DAY, horizonMs: 7 * DAY });
  const buildMs = performance.now() - t;
  t = performance.now();
  const html = await renderReport(data);
  const renderMs = performance.now() - t;
  lake.close();
  await Deno.remove(root, { recursive: true });
  const result = {
    hosts,
    series: data.resources.length,
    days,
    buildMs: Math.round(buildMs),
    renderMs: Math.round(renderMs),
    bytes: new TextEncoder().encode(html).length,
  };
  const row = (k: string, v: string) => console.log(`${k.padEnd(28)}${v}`);
  row("history", `${days} days, ${hosts} hosts, ${result.series} series`);
  row("buildReport", `${(buildMs / 1000).toFixed(2)} s`);
  row("renderReport", `${renderMs.toFixed(0)} ms`);
  row("file size", `${(result.bytes / 2 ** 20).toFixed(2)} MiB (limit 3 MB)`);
  return result;
}

if (import.meta.main) await run({ quick: Deno.args.includes("--quick") });
