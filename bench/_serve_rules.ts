/**
 * The rule set the alert benches give `serve` (private to bench/): rules on 8 of the collector's
 * metrics whose conditions every sample meets, held for longer than any run, so every matching
 * series is a pending instance and nothing fires or notifies. `bench/alerts_e2e_bench.ts` writes
 * it into serve's config; `bench/alerts_bench.ts` and `bench/alerts_heap.ts` hand it to an
 * engine directly, with real snapshots of this machine.
 *
 * @module
 */
import { createSampler, type Sample } from "../collectors/mod.ts";
import type { RuleConfig } from "../config/mod.ts";

/** The collector's metrics the rules watch, one after the other. */
export const SERVE_METRICS = [
  "cpu_ratio",
  "load_average",
  "memory_bytes",
  "disk_utilization_ratio",
  "disk_read_bytes_per_second",
  "disk_write_bytes_per_second",
  "disk_wait_ms",
  "disk_queue_depth",
] as const;

/** The reducers rules cycle through (windows in ms): last, avg 10 s, max 1 m, p95 30 s. */
export const REDUCERS = [
  { reduce: "last" },
  { reduce: "avg", window: 10_000 },
  { reduce: "max", window: 60_000 },
  { reduce: "p95", window: 30_000 },
] as const;

/** How long a condition must hold: an hour, longer than any run. */
const FOR_MS = 3_600_000;

/**
 * The rules as the engine takes them (durations in ms).
 *
 * @param count How many rules.
 * @returns Rule `R<j>` on metric `j mod 8` with reducer `j mod 4`.
 */
export function serveRules(count: number): RuleConfig[] {
  return Array.from({ length: count }, (_, j) => ({
    alert: `R${j}`,
    metric: SERVE_METRICS[j % SERVE_METRICS.length]!,
    ...REDUCERS[j % REDUCERS.length]!,
    below: 1e18 + j,
    for: FOR_MS,
  }));
}

/** A duration in ms as the config writes it: `1h`, `1m`, `10s`. */
function durationText(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`;
}

/**
 * The same rules as serve's config writes them (durations as text: `10s`, `1m`, `1h`).
 *
 * @param count How many rules.
 * @returns Entries for the config's `rules:`.
 */
export function serveRulesConfig(count: number): Record<string, unknown>[] {
  return serveRules(count).map((r) => ({
    ...r,
    ...("window" in r && r.window !== undefined ? { window: durationText(r.window) } : {}),
    for: durationText(FOR_MS),
  }));
}

/**
 * A few real snapshots of this machine (the collector's samples, labels as objects).
 *
 * @returns Six snapshots, 200 ms apart.
 */
export async function realSnapshots(): Promise<Sample[][]> {
  using sampler = createSampler({ host: "bench" });
  const out: Sample[][] = [];
  for (let i = 0; i < 6; i++) {
    out.push(sampler.sample());
    await new Promise((r) => setTimeout(r, 200));
  }
  return out;
}
