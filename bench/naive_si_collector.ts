/**
 * A naive collector for comparison: calls `systeminformation` once per interval for the same
 * metric families as the Linux sampler (CPU, load, memory, swap, file systems, network, disks
 * I/O, top processes) and keeps the samples in memory. It writes nothing, which flatters it.
 *
 * Run: `deno run -A bench/naive_si_collector.ts [--interval 1s] [--duration 60s]`.
 *
 * @module
 */

// deno-lint-ignore no-import-prefix -- kept out of deno.json so serve and collect never fetch it
import si from "npm:systeminformation@5.33.26";
import { createFallbackSampler } from "../collectors/mod.ts";

/** Options of {@linkcode runNaiveCollector}. */
export interface NaiveCollectorOptions {
  /** Time between snapshots in ms. Default 1000. */
  intervalMs?: number;
  /** How long to run in ms. Default 60 000. */
  durationMs?: number;
}

/**
 * Samples with `systeminformation` every interval until the duration ends.
 *
 * @param options See {@linkcode NaiveCollectorOptions}.
 * @returns Snapshots taken and the samples of the last one.
 */
export async function runNaiveCollector(
  options: NaiveCollectorOptions = {},
): Promise<{ snapshots: number; series: number }> {
  const intervalMs = options.intervalMs ?? 1000;
  const end = performance.now() + (options.durationMs ?? 60_000);
  const sampler = createFallbackSampler();
  let snapshots = 0;
  let series = 0;
  while (performance.now() < end) {
    const started = performance.now();
    const [samples] = await Promise.all([sampler.sample(), si.disksIO()]);
    series = samples.length;
    snapshots++;
    const wait = intervalMs - (performance.now() - started);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return { snapshots, series };
}

function ms(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const m = text.match(/^(\d+(?:\.\d+)?)(ms|s)?$/);
  if (!m) throw new RangeError(`Invalid duration: ${text}`);
  return Number(m[1]) * (m[2] === "ms" ? 1 : 1000);
}

if (import.meta.main) {
  const arg = (name: string) => {
    const i = Deno.args.indexOf(`--${name}`);
    return i >= 0 ? Deno.args[i + 1] : undefined;
  };
  const result = await runNaiveCollector({
    intervalMs: ms(arg("interval"), 1000),
    durationMs: ms(arg("duration"), 60_000),
  });
  console.log(`naive collector: ${result.snapshots} snapshots, ${result.series} series`);
}
