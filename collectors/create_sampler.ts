/**
 * The Linux fast path: a synchronous sampler reading /proc and /sys directly.
 *
 * @module
 */

import { Context, none } from "./_context.ts";
import { collectLoadAvg, collectPressure, collectStat } from "./_family_cpu.ts";
import { collectDiskstats, collectFilesystems, DiskFilter } from "./_family_disk.ts";
import { collectMeminfo, collectVmstat } from "./_family_memory.ts";
import { collectNetDev, collectSnmp } from "./_family_net.ts";
import { ProcessScanner } from "./_family_processes.ts";
import { CgroupScanner } from "./_family_cgroups.ts";
import { FileCache } from "./_file_cache.ts";
import { statfs } from "./_statfs.ts";
import { LoopProbe } from "./_loop_probe.ts";
import type { Labels, Sample } from "./sample.ts";
import { type Snapshot, snapshotSamples } from "./snapshot.ts";

/** How often (ms of snapshot time) `perfscope_heap_bytes` is refreshed. */
const HEAP_EVERY_MS = 10_000;

/**
 * This process's resident memory from `/proc/self/statm` (second field, in pages), read
 * through the file cache; `NaN` where the file is absent or malformed.
 */
function selfRss(files: FileCache, pageSize: number): number {
  const len = files.readBytes("/proc/self/statm", true);
  if (len === undefined) return NaN;
  const b = files.bytes;
  let i = 0;
  while (i < len && b[i] !== 32) i++;
  let pages = 0;
  let digits = 0;
  for (i++; i < len; i++) {
    const c = b[i]!;
    if (c < 48 || c > 57) break;
    pages = pages * 10 + (c - 48);
    digits++;
  }
  return digits ? pages * pageSize : NaN;
}

/** Options of {@linkcode createSampler}. */
export interface SamplerOptions {
  /** Root of the proc file system. Default `"/proc"`. */
  procRoot?: string;
  /** Root of the sys file system (`block/` and `fs/cgroup/`). Default `"/sys"`. */
  sysRoot?: string;
  /**
   * Where the host's root file system is seen: the mount points of the host's mount table
   * (`procRoot/1/mounts`, else `procRoot/mounts`) are `statfs`'ed under it, and labelled as the
   * host names them. For a collector in a container with the host's `/` mounted at `/rootfs`.
   * Default `"/"`.
   */
  rootfs?: string;
  /** Host name stamped on every sample. Default `Deno.hostname()`. */
  host?: string;
  /** Processes reported per ranking (by CPU, by memory); 0 turns the scan off. Default 5. */
  topN?: number;
  /** Clock for sample timestamps and rate intervals, ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /** Kernel clock ticks per second for process CPU (`USER_HZ`). Default 100. */
  clockTicks?: number;
  /**
   * Least time, in ms of sampling time, between listings of `/proc` (on hosts with many
   * processes the listing waits 1.5 ms per process: 15 s at 10,000). A new process is read
   * within a snapshot or two of the listing that finds it, and `processes_total` changes at
   * listings. 0 lists at every snapshot. Default 5000.
   */
  processListMs?: number;
  /**
   * Process stat files read per snapshot besides the ranking candidates (the top 2N by CPU and
   * by memory that used CPU at their last read): new processes first, then a rotation over all,
   * so the cost stays flat as the process count grows; an idle process that wakes up is ranked
   * within one rotation (processes ÷ this, in snapshots) while `/proc/stat` shows CPU time that the
   * processes read do not explain. When it shows none (beyond 3 ticks per CPU, or below the
   * ranking's N-th CPU) no unread process can rank by CPU: 2 reads, and the listing waits 4× as
   * long. `Infinity` reads every process at each listing. Default 16.
   */
  processReadsPerSnapshot?: number;
  /** Page size in bytes for process RSS. Default 4096. */
  pageSize?: number;
  /**
   * cgroups reported (the busiest by CPU, by memory and by memory as a share of its limit,
   * taken in turn): the cardinality limit of the `cgroup_*` metrics. 0 turns them off.
   * Default 20.
   */
  cgroupTop?: number;
  /** Time between cgroup readings in ms (their rates cover this interval). Default 5000. */
  cgroupIntervalMs?: number;
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
   * Metrics of the collector's own parts sampled with each snapshot (e.g. the remote-write
   * sender's), as `[metric, labels, kind, value]`: a `gauge` is stored as is, a `counter` as its
   * per-second rate. Labels objects must be frozen and reused (series are interned by them).
   * Default: none.
   */
  selfMetrics?: () => Iterable<readonly [string, Labels, "gauge" | "counter", number]>;
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
  /**
   * Takes one snapshot in columns, allocating nothing per sample: the second-by-second path.
   * The object is reused: it is valid until the next call of `snapshot` or `sample`.
   *
   * @returns The snapshot.
   */
  snapshot(): Snapshot;
  /** Stops the event-loop probe and closes cached file handles. */
  close(): void;
}

/**
 * Creates the Linux sampler. Families: CPU (`/proc/stat`), load, pressure, memory, paging,
 * disks, file systems, network interfaces, TCP/UDP, top processes, the busiest cgroups (every
 * `cgroupIntervalMs`), and the collector itself.
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
  );
  const disks = new DiskFilter(ctx.sysRoot);
  const rootfs = options.rootfs ?? "/";
  const processReads = options.processReadsPerSnapshot ?? 16;
  if (!(processReads >= 0)) {
    throw new RangeError(`Invalid processReadsPerSnapshot: ${processReads}`);
  }
  const cgroupTop = options.cgroupTop ?? 20;
  const cgroupIntervalMs = options.cgroupIntervalMs ?? 5000;
  if (!Number.isInteger(cgroupTop) || cgroupTop < 0) {
    throw new RangeError(`Invalid cgroupTop: ${cgroupTop}`);
  }
  if (!(cgroupIntervalMs > 0)) {
    throw new RangeError(`Invalid cgroupIntervalMs: ${cgroupIntervalMs}`);
  }
  const cgroups = new CgroupScanner({ top: cgroupTop, everyMs: cgroupIntervalMs });
  const processes = new ProcessScanner({
    topN,
    clockTicks,
    pageSize,
    listMs: processListMs,
    readsPerSnapshot: processReads,
  });
  const probe = options.loopDelay ? undefined : new LoopProbe(loopProbeMs);
  const loopDelay = options.loopDelay ?? (() => probe!.take());
  const families: [string, (c: Context) => void][] = [
    ["stat", collectStat],
    ["loadavg", collectLoadAvg],
    ["pressure", collectPressure],
    ["meminfo", collectMeminfo],
    ["vmstat", collectVmstat],
    ["diskstats", (c) => collectDiskstats(c, disks)],
    ["filesystems", (c) => collectFilesystems(c, statfs, rootfs)],
    ["netdev", collectNetDev],
    ["snmp", collectSnmp],
  ];
  if (topN > 0) families.push(["processes", (c) => processes.collect(c)]);
  if (cgroupTop > 0) families.push(["cgroups", (c) => cgroups.collect(c)]);
  // Deno.memoryUsage() costs ~0.2 ms (several system calls and heap statistics): the heap is
  // read every HEAP_EVERY_MS, the RSS from /proc/self/statm (one cached read) every snapshot.
  let heapUsed = NaN;
  let heapTs = -Infinity;

  function snapshot(): Snapshot {
    const started = performance.now();
    const snap = ctx.snap;
    ctx.ts = snap.ts = now();
    ctx.round++;
    ctx.cpuTicks = NaN; // set by the stat family, if it succeeds
    const before = snap.length;
    snap.length = 0;
    ctx.moved = false;
    for (const [name, collect] of families) {
      const mark = snap.length;
      try {
        collect(ctx);
      } catch (error) {
        snap.length = mark;
        onError?.(name, error);
      }
    }
    let rss = selfRss(files, pageSize);
    if (!(ctx.ts - heapTs < HEAP_EVERY_MS) || rss !== rss) {
      const mem = Deno.memoryUsage();
      heapUsed = mem.heapUsed;
      heapTs = ctx.ts;
      if (rss !== rss) rss = mem.rss;
    }
    ctx.gauge("perfscope_heap_bytes", none, heapUsed);
    ctx.gauge("perfscope_rss_bytes", none, rss);
    ctx.gauge("perfscope_event_loop_delay_ms", none, loopDelay());
    if (options.selfMetrics) {
      for (const [metric, labels, kind, value] of options.selfMetrics()) {
        if (kind === "gauge") ctx.gauge(metric, labels, value);
        else ctx.rate(metric, labels, value);
      }
    }
    ctx.gauge("perfscope_sample_ms", none, performance.now() - started);
    if (ctx.moved || snap.length !== before) snap.layout = (snap.layout ?? 0) + 1;
    return snap;
  }

  function sample(): Sample[] {
    return snapshotSamples(snapshot());
  }

  function close(): void {
    probe?.stop();
    files.close();
  }

  return { sample, snapshot, close, [Symbol.dispose]: close };
}
