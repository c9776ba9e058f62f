/**
 * A small generated lake for the report tests: one host, two days at a 10-minute step, a disk
 * filling up and a CPU saturation, fixed seed and clock. Built once per process.
 *
 * @module
 */
import { simulateHost } from "../../lake/mod.ts";

/** Start of the simulated period (fixed clock). */
export const START = Date.UTC(2025, 0, 6);
/** End of the period: the report's "now". */
export const NOW = START + 2 * 86_400_000;

let built: Promise<string> | undefined;

/**
 * Returns the root of the test lake, generating it on first use.
 *
 * @returns The lake root (a temporary directory).
 */
export function testLake(): Promise<string> {
  built ??= (async () => {
    const root = await Deno.makeTempDir({ prefix: "perfscope-report-test-" });
    simulateHost({
      root,
      host: "sim-1",
      start: START,
      durationMs: NOW - START,
      stepMs: 10 * 60_000,
      seed: 42,
      cpus: 2,
      topN: 2,
      diskFill: { mountpoint: "/var", from: 0.6, to: 0.88 },
      cpuSaturation: { from: NOW - 10 * 3_600_000, durationMs: 10 * 3_600_000 },
    });
    return root;
  })();
  return built;
}
