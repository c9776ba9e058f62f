/**
 * Disk and file system families. Private to the collectors.
 *
 * @module
 */

import type { Context, CounterSlot } from "./_context.ts";
import type { Labels } from "./sample.ts";
import type { Series } from "./snapshot.ts";
import { parseDiskstats } from "./parse_diskstats.ts";
import { parseMounts } from "./parse_mounts.ts";
import { type FsStats, statfs as libcStatfs } from "./_statfs.ts";

export type { FsStats };

const virtualDisk = /^(loop|z?ram|fd)\d+$/;
const partition = /^((h|s|v|xv)d[a-z]+\d+|(nvme|mmcblk)\d+(n\d+)?p\d+)$/;

/**
 * Chooses which `/proc/diskstats` devices are reported. A device is kept if it is a whole
 * block device (a directory in `sysRoot/block`; partitions are not) and is not a loop, RAM,
 * zram or floppy device. Where `sysRoot/block` cannot be listed, partitions are told by name
 * (`sda1`, `nvme0n1p1`, `mmcblk0p1`). Device-mapper and md devices are kept.
 */
export class DiskFilter {
  #whole: Set<string> | undefined;
  #rejected = new Set<string>();
  #kept = new Set<string>();
  #listed = false;

  /** @param sysRoot Root of the sys file system. */
  constructor(readonly sysRoot: string) {}

  /** Whether a device is reported; re-lists `sysRoot/block` when an unknown name shows up. */
  keep(device: string): boolean {
    // Known answers first: a set lookup per line instead of two regular expressions.
    if (this.#kept.has(device)) return true;
    if (this.#rejected.has(device)) return false;
    if (virtualDisk.test(device)) {
      this.#rejected.add(device);
      return false;
    }
    if (this.#rejected.has(device)) return false;
    if (!this.#listed || (this.#whole && !this.#whole.has(device) && !partition.test(device))) {
      this.#list();
    }
    const keep = this.#whole ? this.#whole.has(device) : !partition.test(device);
    if (!keep) this.#rejected.add(device);
    else this.#kept.add(device);
    return keep;
  }

  #list(): void {
    this.#listed = true;
    try {
      const names = new Set<string>();
      for (const e of Deno.readDirSync(`${this.sysRoot}/block`)) names.add(e.name);
      this.#whole = names;
      this.#rejected.clear();
    } catch {
      this.#whole = undefined;
    }
  }
}

/**
 * `/proc/diskstats`. Wait is `Δ(read+write+discard ms) / Δ(requests)` (iostat's `await`; 0
 * when the interval had no request); queue depth is `Δweighted ms / Δt` (`aqu-sz`);
 * utilization is `Δbusy ms / Δt`, capped at 1.
 */
export function collectDiskstats(ctx: Context, filter: DiskFilter): void {
  const text = ctx.proc("diskstats");
  if (text === undefined) return;
  const disks = ctx.memo(collectDiskstats, () => new Map<string, DiskSeries>());
  for (const d of parseDiskstats(text, (device) => filter.keep(device))) {
    const device = d.device;
    let s = disks.get(device);
    if (!s) disks.set(device, s = diskSeries(ctx, device));
    ctx.putRate(s.readBytes, d.sectorsRead, 512);
    ctx.putRate(s.writeBytes, d.sectorsWritten, 512);
    ctx.putRate(s.reads, d.reads);
    ctx.putRate(s.writes, d.writes);
    const dMs = ctx.deltaOf(s.ms, d.readMs + d.writeMs + d.discardMs);
    const dIos = ctx.deltaOf(s.ios, d.reads + d.writes + d.discards);
    ctx.put(s.wait, dIos > 0 ? dMs / dIos : dIos === 0 && dMs >= 0 ? 0 : NaN);
    ctx.putRate(s.queue, d.weightedIoMs, 1e-3);
    const util = ctx.rateOf(s.utilization, d.ioMs) / 1000;
    ctx.put(s.utilization, util > 1 ? 1 : util);
  }
}

/** The series of one disk, and its counters that are not series. */
interface DiskSeries {
  readBytes: Series;
  writeBytes: Series;
  reads: Series;
  writes: Series;
  wait: Series;
  queue: Series;
  utilization: Series;
  ms: CounterSlot;
  ios: CounterSlot;
}

function diskSeries(ctx: Context, device: string): DiskSeries {
  const labels = ctx.labels(`disk|${device}`, () => ({ device }));
  const series = (metric: string) => ctx.series(metric, labels);
  return {
    readBytes: series("disk_read_bytes_per_second"),
    writeBytes: series("disk_write_bytes_per_second"),
    reads: series("disk_reads_per_second"),
    writes: series("disk_writes_per_second"),
    wait: series("disk_wait_ms"),
    queue: series("disk_queue_depth"),
    utilization: series("disk_utilization_ratio"),
    ms: ctx.counterSlot(),
    ios: ctx.counterSlot(),
  };
}

/** File system types never reported: virtual, in-memory, read-only images, or remote ones
 * whose `statfs` can hang the synchronous sampler. */
const skippedTypes = new Set([
  "autofs",
  "binfmt_misc",
  "bpf",
  "cgroup",
  "cgroup2",
  "configfs",
  "debugfs",
  "devpts",
  "devtmpfs",
  "efivarfs",
  "fusectl",
  "hugetlbfs",
  "iso9660",
  "mqueue",
  "nsfs",
  "overlay",
  "proc",
  "pstore",
  "ramfs",
  "rpc_pipefs",
  "securityfs",
  "selinuxfs",
  "squashfs",
  "erofs",
  "sysfs",
  "tmpfs",
  "tracefs",
  "nfs",
  "nfs4",
  "cifs",
  "smb3",
  "smbfs",
  "ceph",
  "glusterfs",
  "9p",
  "fuse.sshfs",
  "afs",
]);

/**
 * The host's mount table + `statfs`. The table is `procRoot/1/mounts` (init's mount namespace:
 * the host's, also when the collector runs in a container with `--pid=host`, or in a systemd
 * unit with a private namespace), else `procRoot/mounts` (as node_exporter). Each mount point
 * is stat'ed under `rootfs` (`/rootfs/var` for the host's `/var`) and labelled with the host's
 * path. Real file systems only (see `skippedTypes`), one per device
 * (the first mount listed wins; bind mounts and later mounts of the same device are dropped).
 * Used is `(blocks − bfree) × frsize`; free is `bavail × frsize` (free to non-root, as `df`),
 * so used + free can be less than size by the root reserve. A mount whose statfs fails is
 * skipped. The mount table is read every {@linkcode MOUNTS_EVERY_MS}; statfs every snapshot.
 */
export function collectFilesystems(
  ctx: Context,
  statfs: (path: string) => FsStats = libcStatfs,
  rootfs = "/",
): void {
  let cached = mountCache.get(ctx);
  // The mount table rarely changes: it is read again only every MOUNTS_EVERY_MS.
  if (!cached || !(ctx.ts - cached.readTs < MOUNTS_EVERY_MS)) {
    const text = mountTable(ctx);
    if (text === undefined) return;
    if (cached?.text !== text) {
      cached = { text, mounts: realMounts(ctx, text, rootfs), readTs: ctx.ts };
    }
    cached.readTs = ctx.ts;
    mountCache.set(ctx, cached);
  }
  for (const m of cached.mounts) {
    let s: FsStats;
    try {
      s = statfs(m.path);
    } catch {
      continue;
    }
    const unit = s.frsize || s.bsize;
    // the mount's series, looked up once (five lookups per mount and snapshot otherwise)
    const series = m.series ??= FS_METRICS.map((metric) => ctx.series(metric, m.labels));
    ctx.put(series[0]!, s.blocks * unit);
    ctx.put(series[1]!, (s.blocks - s.bfree) * unit);
    ctx.put(series[2]!, s.bavail * unit);
    ctx.put(series[3]!, s.files - s.ffree);
    ctx.put(series[4]!, s.ffree);
  }
}

/** The metrics of a file system, in the order they are emitted. */
const FS_METRICS = [
  "filesystem_size_bytes",
  "filesystem_used_bytes",
  "filesystem_free_bytes",
  "filesystem_inodes_used",
  "filesystem_inodes_free",
];

interface RealMount {
  /** Where it is stat'ed: the mount point under the rootfs. */
  path: string;
  labels: Labels;
  /** Its series in {@linkcode FS_METRICS} order, made at its first statfs. */
  series?: Series[];
}

/** `1/mounts`, else `mounts` (also when `1/mounts` may not be read). */
function mountTable(ctx: Context): string | undefined {
  try {
    const text = ctx.proc("1/mounts");
    if (text !== undefined && text !== "") return text;
  } catch {
    // not ours to read (hidepid): the collector's own table
  }
  return ctx.proc("mounts");
}

/** How often (ms of snapshot time) /proc/mounts is read again: a new mount shows this late. */
export const MOUNTS_EVERY_MS = 10_000;

/** The mount table parsed and filtered, kept while /proc/mounts reads the same. */
const mountCache = new WeakMap<Context, { text: string; mounts: RealMount[]; readTs: number }>();

function realMounts(ctx: Context, text: string, rootfs: string): RealMount[] {
  const prefix = rootfs === "/" ? "" : rootfs.replace(/\/+$/, "");
  const seen = new Set<string>();
  const out: RealMount[] = [];
  for (const m of parseMounts(text)) {
    if (skippedTypes.has(m.fstype) || seen.has(m.device)) continue;
    seen.add(m.device);
    const { mountpoint, device, fstype } = m;
    const labels = ctx.labels(
      `fs|${mountpoint}|${device}|${fstype}`,
      () => ({ mountpoint, device, fstype }),
    );
    out.push({ path: prefix + mountpoint, labels });
  }
  return out;
}
