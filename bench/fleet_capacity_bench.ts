/**
 * Fleet capacity benchmark: `analyzeCapacity` over the synthetic fleet of the fleet serve tests
 * (100 hosts, 3 days at 30 min, 300 resources), held in memory so the figure is the analysis
 * alone, without the query API's reads. Prints the time with every resource's bootstrap run
 * to its 200 rounds (as before the early stop) beside the default (resources without a point
 * ETA stop once they cannot have an interval), and whether both give the same ranking, ETAs
 * and intervals. Never asserts.
 *
 * `deno run -A bench/fleet_capacity_bench.ts [--quick]` or `deno task bench --only fleet_capacity`.
 *
 * @module
 */
import { analyzeCapacity, type CapacityAnalysis } from "../analytics/mod.ts";
import { fleetMemorySource } from "../tests/sources/_fleet.ts";
import { benchMain, quickFlag } from "./_flags.ts";

const END = Date.UTC(2026, 0, 10);

/** What the benchmark measured. */
export interface FleetCapacityBenchResult {
  hosts: number;
  resources: number;
  /** Every resource bootstrapped (the old path), ms. */
  fullMs: number;
  /** The default path, ms. */
  fastMs: number;
  /** Resources bootstrapped on the default path. */
  bootstrapped: number;
  /** Whether both rank the resources in the same order with the same figures. */
  sameRanking: boolean;
}

/** The ranking and figures of an analysis, for comparing two of them. */
export function rankingOf(a: CapacityAnalysis): string[] {
  return a.resources.map((r) =>
    [r.host, r.resource, r.labels, r.status, r.eta, r.etaLow, r.etaHigh].join("|")
  );
}

/**
 * Runs the benchmark.
 *
 * @param options `quick`: 20 hosts instead of 100.
 * @returns The figures.
 */
export async function run(options: { quick?: boolean } = {}): Promise<FleetCapacityBenchResult> {
  const hosts = options.quick ? 20 : 100;
  const source = fleetMemorySource({ hosts, days: 3, stepMs: 1_800_000, end: END });
  const opts = { charts: 4, clock: () => END };
  let t = performance.now();
  const full = await analyzeCapacity(source, { ...opts, earlyStop: false });
  const fullMs = performance.now() - t;
  t = performance.now();
  const fast = await analyzeCapacity(source, opts);
  const fastMs = performance.now() - t;
  const a = rankingOf(full), b = rankingOf(fast);
  const result = {
    hosts,
    resources: fast.resources.length,
    fullMs: Math.round(fullMs),
    fastMs: Math.round(fastMs),
    bootstrapped: fast.resources.filter((r) => r.etaLow !== null || r.etaHigh !== null).length,
    sameRanking: a.length === b.length && a.every((v, i) => v === b[i]),
  };
  const row = (k: string, v: string) => console.log(`${k.padEnd(40)}${v}`);
  row("fleet", `${hosts} hosts, ${result.resources} resources, 3 days at 30 min`);
  row("analysis, every resource bootstrapped", `${(fullMs / 1000).toFixed(2)} s`);
  row("analysis, early stop (default)", `${(fastMs / 1000).toFixed(2)} s`);
  row("same ranking and intervals", String(result.sameRanking));
  return result;
}

const USAGE = `Usage: deno run -A bench/fleet_capacity_bench.ts [--quick]

analyzeCapacity over a synthetic fleet of 100 hosts (20 with --quick), with and without the
bootstrap's early stop.

Options:
  --quick      shorter runs (as deno task bench --quick)
  -h, --help   show this help`;

if (import.meta.main) await benchMain(USAGE, quickFlag, run);
