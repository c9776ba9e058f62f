/**
 * A portable, slow sampler built on `systeminformation`, for hosts without /proc.
 *
 * @module
 */

import { loadSi } from "./_si.ts";
import { Counters } from "./_counters.ts";
import { commandText } from "./_family_processes.ts";
import type { Labels, Sample } from "./sample.ts";

/** Options of {@linkcode createFallbackSampler}. */
export interface FallbackSamplerOptions {
  /** Host name stamped on every sample. Default `Deno.hostname()`. */
  host?: string;
  /** Processes reported per ranking; 0 skips the (slow) process listing. Default 5. */
  topN?: number;
  /** Clock for timestamps and rate intervals, ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

/** A sampler whose snapshot is asynchronous. */
export interface FallbackSampler {
  /** Takes one snapshot; families `systeminformation` cannot give on this platform are left out. */
  sample(): Promise<Sample[]>;
}

const modes = [
  ["user", "loadUser"],
  ["nice", "loadNice"],
  ["system", "loadSystem"],
  ["idle", "loadIdle"],
  ["irq", "loadIrq"],
  ["steal", "loadSteal"],
] as const;

/**
 * Creates the fallback sampler. It emits the registry's names where `systeminformation` has
 * the figure: `cpu_ratio` (modes user, nice, system, idle, irq, steal), `load_average`,
 * `memory_bytes`, `swap_bytes`, `filesystem_*_bytes`, network bytes/errors/drops per second,
 * top processes and `perfscope_*`. About 30 ms or more and several child processes per
 * snapshot: never use it on the Linux 1 Hz path.
 *
 * @param options See {@linkcode FallbackSamplerOptions}.
 * @returns The sampler.
 * @throws {RangeError} If `topN` is not a non-negative integer.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createFallbackSampler } from "./create_fallback_sampler.ts";
 * const samples = await createFallbackSampler({ topN: 0 }).sample();
 * assert.ok(samples.some((s) => s.metric === "memory_bytes" && s.labels.state === "total"));
 * ```
 */
export function createFallbackSampler(options: FallbackSamplerOptions = {}): FallbackSampler {
  const topN = options.topN ?? 5;
  if (!Number.isInteger(topN) || topN < 0) throw new RangeError(`Invalid topN: ${topN}`);
  const host = options.host ?? Deno.hostname();
  const now = options.now ?? Date.now;
  const counters = new Counters();

  async function sample(): Promise<Sample[]> {
    const started = performance.now();
    const ts = now();
    counters.begin(ts);
    const out: Sample[] = [];
    const put = (metric: string, labels: Labels, value: number) =>
      out.push({ ts, host, metric, labels, value });
    const si = await loadSi();
    const [load, mem, fs, nets, procs] = await Promise.all([
      si.currentLoad(),
      si.mem(),
      si.fsSize(),
      si.networkStats("*"),
      topN > 0 ? si.processes() : undefined,
    ]);
    const total = {
      loadUser: load.currentLoadUser,
      loadNice: load.currentLoadNice,
      loadSystem: load.currentLoadSystem,
      loadIdle: load.currentLoadIdle,
      loadIrq: load.currentLoadIrq,
      loadSteal: load.currentLoadSteal,
    };
    const cpus = [["total", total] as const, ...load.cpus.map((c, i) => [String(i), c] as const)];
    for (const [cpu, c] of cpus) {
      for (const [mode, key] of modes) put("cpu_ratio", { cpu, mode }, c[key] / 100);
    }
    const [l1, l5, l15] = Deno.loadavg();
    put("load_average", { window: "1m" }, l1 ?? NaN);
    put("load_average", { window: "5m" }, l5 ?? NaN);
    put("load_average", { window: "15m" }, l15 ?? NaN);
    const memStates = {
      total: mem.total,
      available: mem.available,
      used: mem.total - mem.available,
      free: mem.free,
      cached: mem.cached,
      buffers: mem.buffers,
    };
    for (const [state, v] of Object.entries(memStates)) put("memory_bytes", { state }, v);
    put("swap_bytes", { state: "total" }, mem.swaptotal);
    put("swap_bytes", { state: "used" }, mem.swapused);
    put("swap_bytes", { state: "free" }, mem.swapfree);
    for (const f of fs) {
      const labels = { mountpoint: f.mount, device: f.fs, fstype: f.type };
      put("filesystem_size_bytes", labels, f.size);
      put("filesystem_used_bytes", labels, f.used);
      put("filesystem_free_bytes", labels, f.available);
    }
    for (const n of nets) {
      const labels = { interface: n.iface };
      const rate = (metric: string, value: number) =>
        put(metric, labels, counters.rate(`${metric}|${n.iface}`, value));
      rate("network_receive_bytes_per_second", n.rx_bytes);
      rate("network_transmit_bytes_per_second", n.tx_bytes);
      rate("network_receive_errors_per_second", n.rx_errors);
      rate("network_transmit_errors_per_second", n.tx_errors);
      rate("network_receive_drops_per_second", n.rx_dropped);
      rate("network_transmit_drops_per_second", n.tx_dropped);
    }
    if (procs) {
      const list = procs.list;
      const ranked = [
        ["cpu", [...list].sort((a, b) => b.cpu - a.cpu)],
        ["memory", [...list].sort((a, b) => b.memRss - a.memRss)],
      ] as const;
      for (const [rank_by, rows] of ranked) {
        for (const p of rows.slice(0, topN)) {
          const argv = [p.command, ...(p.params ? p.params.split(" ") : [])];
          const command = commandText(argv, p.name);
          const labels = { pid: String(p.pid), name: p.name, command, rank_by };
          put("process_cpu_ratio", labels, p.cpu / 100);
          put("process_rss_bytes", labels, p.memRss * 1024);
        }
      }
    }
    counters.prune();
    const self = Deno.memoryUsage();
    put("perfscope_heap_bytes", {}, self.heapUsed);
    put("perfscope_rss_bytes", {}, self.rss);
    put("perfscope_sample_ms", {}, performance.now() - started);
    return out;
  }

  return { sample };
}
