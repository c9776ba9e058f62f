/**
 * Simulated lakes shared by the capacity, recommendation and CLI tests: one host with a
 * filling /var and a saturated CPU in its last hour, and one healthy host. Built once per
 * process in a temporary directory.
 *
 * @module
 */
import { simulateHost } from "../../lake/mod.ts";

export const DAY = 86_400_000;
export const START = Date.UTC(2024, 0, 1);
export const END = START + 7 * DAY;
/** Simulator step: 5 minutes. */
export const STEP = 300_000;

let sick: string | undefined;
let healthy: string | undefined;

/**
 * A lake with host `db1` (/var filling from 50 % to 85 % of 500 GiB over 7 days, CPUs pinned
 * at 97 % in the last hour) and host `web1` (healthy).
 *
 * @returns The lake root.
 */
export function sickLake(): string {
  if (sick) return sick;
  const root = Deno.makeTempDirSync({ prefix: "perfscope-cap-" });
  simulateHost({
    root,
    host: "db1",
    start: START,
    durationMs: END - START,
    stepMs: STEP,
    cpus: 4,
    topN: 2,
    diskFill: { mountpoint: "/var", from: 0.5, to: 0.85 },
    cpuSaturation: { from: END - 3_600_000, durationMs: 3_600_000 },
  });
  simulateHost({
    root,
    host: "web1",
    start: START,
    durationMs: END - START,
    stepMs: STEP,
    cpus: 4,
    topN: 2,
    seed: 2,
  });
  return sick = root;
}

/**
 * A lake with one healthy host `app1` over 7 days.
 *
 * @returns The lake root.
 */
export function healthyLake(): string {
  if (healthy) return healthy;
  const root = Deno.makeTempDirSync({ prefix: "perfscope-ok-" });
  simulateHost({
    root,
    host: "app1",
    start: START,
    durationMs: END - START,
    stepMs: STEP,
    cpus: 4,
    topN: 2,
    seed: 3,
  });
  return healthy = root;
}
