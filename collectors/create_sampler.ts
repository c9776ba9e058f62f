/**
 * The Linux fast path: a synchronous sampler reading /proc and /sys directly.
 *
 * @module
 */

import { Context, none } from "./_context.ts";
import { Counters } from "./_counters.ts";
import { collectLoadAvg, collectPressure, collectStat } from "./_family_cpu.ts";
import { collectDiskstats, collectFilesystems, DiskFilter } from "./_family_disk.ts";
import { collectMeminfo, collectVmstat } from "./_family_memory.ts";
import { collectNetDev, collectSnmp } from "./_family_net.ts";
import { ProcessScanner } from "./_family_processes.ts";
import { FileCache } from "./_file_cache.ts";
import { LoopProbe } from "./_loop_probe.ts";
import type { Sample } from "./sample.ts";

/** Options of {@linkcode createSampler}. */
export interface SamplerOptions {
  /** Root of the proc file system. Default `"/proc"`. */
  procRoot?: string;
  /** Root of the sys file system (only `block/` is listed). Default `"/sys"`. */
  sysRoot?: string;
  /** Host name stamped on every sample. Default `Deno.hostname()`. */
  host?: string;
  /** Processes reported per ranking (by CPU, by memory); 0 turns the scan off. Default 5. */
  topN?: number;
  /** Clock for sample timestamps and rate intervals, ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /** Kernel clock ticks per second for process CPU (`USER_HZ`). Default 100. */
  clockTicks?: number;
  /**
   * How often, in ms of sampling time, the process scan is full: it lists `/proc` and reads
   * every process's stat to rank them. In between, only the processes ranked at the last full
   * scan are read (their values stay per snapshot; their order is updated). A process can thus
   * enter or leave the rankings, and `processes_total` change, up to this late. 0 scans fully
   * at every snapshot. Default 5000.
   */
  processListMs?: number;
  /** Page size in bytes for process RSS. Default 4096. */
  pageSize?: number;
  /** Event-loop probe interval in ms (each tick costs CPU: 100 ms ticks cost ~3 ms/s). Default 1000. */
  /**
   * Where `perfscope_event_loop_delay_ms` comes from: called once per snapshot, returns the
   * event-loop delay in ms (e.g. how late the caller's own timer fired), and no probe timer
   * runs (one process wake-up less per interval). Default: an unreferenced probe timer every
   * `loopProbeMs`.
   */
  loopDelay?: () => number;
  loopProbeMs?: number;
  /**
   * Told when a metric family fails (its samples are left out of that snapshot; the others
   * still come). Default: ignore.
   */
  onError?: (family: string, error: unknown) => void;
}

/** A running sampler. Close it (or `using` it) to stop its timer and close its files. */
export interface Sampler extends Disposable {
  /**
   * Takes one snapshot of every metric family. Rates cover the real time since the previous
   * snapshot; on the first snapshot they are `NaN`.
   *
   * @returns The samples, all with the same `ts`.
   */
  sample(): Sample[];
  /** Stops the event-loop probe and closes cached file handles. */
  close(): void;
}

/**
 * Creates the Linux sampler. Families: CPU (`/proc/stat`), load, pressure, memory, paging,
 * disks, file systems, network interfaces, TCP/UDP, top processes, and the collector itself.
 * A family whose file is absent emits nothing; one that fails is reported to `onError` and
 * skipped for that snapshot. Counter decreases (resets, wraps) give `NaN` for that interval.
 *
 * @param options See {@linkcode SamplerOptions}.
 * @returns The sampler.
 * @throws {RangeError} If `topN`, `clockTicks`, `pageSize`, `loopProbeMs` or `processListMs` is
 *   invalid.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createSampler } from "./create_sampler.ts";
 * using sampler = createSampler({ host: "example" });
 * sampler.sample();
 * const samples = sampler.sample();
 * const idle = samples.find((s) => s.metric === "cpu_ratio" && s.labels.cpu === "total" &&
 *   s.labels.mode === "idle");
 * assert.ok(idle && idle.value >= 0 && idle.value <= 1 || Number.isNaN(idle?.value));
 * assert.ok(samples.every((s) => s.host === "example"));
 * ```
 */
export function createSampler(options: SamplerOptions = {}): Sampler {
  const topN = options.topN ?? 5;
  const clockTicks = options.clockTicks ?? 100;
  const pageSize = options.pageSize ?? 4096;
  const loopProbeMs = options.loopProbeMs ?? 1000;
  const processListMs = options.processListMs ?? 5000;
  if (!Number.isInteger(topN) || topN < 0) throw new RangeError(`Invalid topN: ${topN}`);
  if (!(clockTicks > 0)) throw new RangeError(`Invalid clockTicks: ${clockTicks}`);
  if (!(pageSize > 0)) throw new RangeError(`Invalid pageSize: ${pageSize}`);
  if (!(loopProbeMs > 0)) throw new RangeError(`Invalid loopProbeMs: ${loopProbeMs}`);
  if (!(processListMs >= 0)) throw new RangeError(`Invalid processListMs: ${processListMs}`);
  const now = options.now ?? Date.now;
  const onError = options.onError;
  const files = new FileCache();
  const ctx = new Context(
    options.host ?? Deno.hostname(),
    options.procRoot ?? "/proc",
    options.sysRoot ?? "/sys",
    files,
    new Counters(),
  );
  const disks = new DiskFilter(ctx.sysRoot);
  const processes = new ProcessScanner(topN, clockTicks, pageSize, processListMs);
  const probe = options.loopDelay ? undefined : new LoopProbe(loopProbeMs);
  const loopDelay = options.loopDelay ?? (() => probe!.take());
  const families: [string, (c: Context) => void][] = [
    ["stat", collectStat],
    ["loadavg", collectLoadAvg],
    ["pressure", collectPressure],
    ["meminfo", collectMeminfo],
    ["vmstat", collectVmstat],
    ["diskstats", (c) => collectDiskstats(c, disks)],
    ["filesystems", (c) => collectFilesystems(c)],
    ["netdev", collectNetDev],
    ["snmp", collectSnmp],
  ];
  if (topN > 0) families.push(["processes", (c) => processes.collect(c)]);

  function sample(): Sample[] {
    const started = performance.now();
    ctx.ts = now();
    ctx.round++;
    ctx.out = [];
    ctx.counters.begin(ctx.ts);
    for (const [name, collect] of families) {
      const mark = ctx.out.length;
      try {
        collect(ctx);
      } catch (error) {
        ctx.out.length = mark;
        onError?.(name, error);
      }
    }
    ctx.counters.prune();
    const mem = Deno.memoryUsage();
    ctx.gauge("perfscope_heap_bytes", none, mem.heapUsed);
    ctx.gauge("perfscope_rss_bytes", none, mem.rss);
    ctx.gauge("perfscope_event_loop_delay_ms", none, loopDelay());
    ctx.gauge("perfscope_sample_ms", none, performance.now() - started);
    return ctx.out;
  }

  function close(): void {
    probe?.stop();
    files.close();
  }

  return { sample, close, [Symbol.dispose]: close };
}
