/**
 * Disk and file system families. Private to the collectors.
 *
 * @module
 */

import type { Context } from "./_context.ts";
import { numberRows } from "./_fields.ts";
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
  #generation = 0;

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

  /**
   * Counts the listings of `sysRoot/block`: {@linkcode keep}'s answer for a device changes only
   * when this does, so a caller may keep the answers until then.
   */
  get generation(): number {
    return this.#generation;
  }

  #list(): void {
    this.#listed = true;
    this.#generation++;
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
 * utilization is `Δbusy ms / Δt`, capped at 1. Rates are per second of the real time since the
 * disk was last read, `NaN` the first time, after a counter decrease and for a disk unseen for
 * more than 10 snapshots (as `Context.putRate`).
 *
 * This runs every second for every line (two per disk with its partition) in an interpreter,
 * so the usual case costs few calls: each line is known by its start (major, minor, name) from
 * the last snapshot, which says whether it is kept without asking the filter again (until the
 * filter lists `/sys/block` again); the kept lines' counters are read as one block
 * ({@linkcode numberRows}); each disk's 7 samples are written in place, with its counters kept
 * beside its series. A file the block reader does not take is read by
 * {@linkcode parseDiskstats}, with the same results.
 */
export function collectDiskstats(ctx: Context, filter: DiskFilter): void {
  const text = ctx.proc("diskstats");
  if (text === undefined) return;
  const state = ctx.memo(collectDiskstats, (): DiskstatsState => ({
    byName: new Map(),
    start: [],
    disk: [],
    generation: -1,
  }));
  const picked = pickDisks(ctx, state, filter, text);
  let disks = picked?.disks ?? [];
  let rows = picked === undefined ? undefined : disks.length ? numberRows(picked.counters) : [];
  if (rows === undefined) {
    disks = [];
    rows = [];
    for (const d of parseDiskstats(text, (device) => filter.keep(device))) {
      disks.push(diskState(ctx, state, d.device));
      // the counters at their places after the name (those not used: 0)
      rows.push([
        d.reads,
        0,
        d.sectorsRead,
        d.readMs,
        d.writes,
        0,
        d.sectorsWritten,
        d.writeMs,
        d.inFlight,
        d.ioMs,
        d.weightedIoMs,
        d.discards,
        0,
        0,
        d.discardMs,
      ]);
    }
  }
  const ts = ctx.ts;
  const round = ctx.round;
  const n = rows.length;
  let at = ctx.reserve(7 * n);
  const snap = ctx.snap;
  const series = snap.series;
  const values = snap.values;
  for (let k = 0; k < n; k++) {
    // the counters after major, minor and name, as in the file
    const r = rows[k]!;
    if (r.length < 11) continue; // fewer than 14 fields, as parseDiskstats skips
    const d = disks[k]!;
    const fresh = round - d.round > 10;
    const dt = (ts - d.ts) / 1000;
    d.round = round;
    d.ts = ts;
    const p = d.prev;
    const reads = r[0]!, sectorsRead = r[2]!, writes = r[4]!, sectorsWritten = r[6]!;
    const busyMs = r[9]!, weightedMs = r[10]!;
    const ms = r[3]! + r[7]! + (r[14] ?? 0);
    const ios = reads + writes + (r[11] ?? 0);
    const dReadSectors = sectorsRead - p[2]!;
    const dWriteSectors = sectorsWritten - p[6]!;
    const dReads = reads - p[0]!;
    const dWrites = writes - p[4]!;
    const dMs = ms - d.ms;
    const dIos = ios - d.ios;
    const dWeighted = weightedMs - p[10]!;
    const dBusy = busyMs - p[9]!;
    d.prev = r; // the row is not changed after: kept as is instead of copied
    d.ms = ms;
    d.ios = ios;
    if (fresh) values.fill(NaN, at, at + 7);
    else {
      const timed = dt > 0;
      values[at] = timed && dReadSectors >= 0 ? (dReadSectors / dt) * 512 : NaN;
      values[at + 1] = timed && dWriteSectors >= 0 ? (dWriteSectors / dt) * 512 : NaN;
      values[at + 2] = timed && dReads >= 0 ? dReads / dt : NaN;
      values[at + 3] = timed && dWrites >= 0 ? dWrites / dt : NaN;
      values[at + 4] = dIos > 0 ? (dMs >= 0 ? dMs / dIos : NaN) : dIos === 0 && dMs >= 0 ? 0 : NaN;
      values[at + 5] = timed && dWeighted >= 0 ? (dWeighted / dt) * 1e-3 : NaN;
      const util = timed && dBusy >= 0 ? dBusy / dt / 1000 : NaN;
      values[at + 6] = util > 1 ? 1 : util;
    }
    // A disk's 7 series are only ever written together, in one block: where the block's first
    // slot holds this disk's first series, the other 6 hold its other 6.
    const ds = d.series;
    if (series[at] !== ds[0]) {
      for (let m = 0; m < 7; m++) series[at + m] = ds[m]!;
      ctx.moved = true;
    }
    at += 7;
  }
  snap.length = at; // rows skipped above leave their reserved samples unused
}

/** The disk family's state in one sampler. */
interface DiskstatsState {
  byName: Map<string, DiskState>;
  /**
   * Per line of the file as last read: its start up to the space after the device name (the
   * kernel pads major and minor to fixed widths, so a line that starts the same is the same
   * device), and the device's state if it is kept.
   */
  start: string[];
  disk: (DiskState | undefined)[];
  /** The filter's {@linkcode DiskFilter.generation} that `start` and `disk` were made under. */
  generation: number;
}

/** The series of one disk and its counters as last read. */
interface DiskState {
  /** Read bytes, write bytes, reads, writes, wait, queue depth, utilization (as emitted). */
  series: Series[];
  /** The row last read (the counters after the name, as in the file). */
  prev: number[];
  /** Read + write + discard ms then. */
  ms: number;
  /** Reads + writes + discards then. */
  ios: number;
  /** When they were read (ms epoch; 0 before the first time). */
  ts: number;
  /** In which snapshot. */
  round: number;
}

const DISK_METRICS = [
  "disk_read_bytes_per_second",
  "disk_write_bytes_per_second",
  "disk_reads_per_second",
  "disk_writes_per_second",
  "disk_wait_ms",
  "disk_queue_depth",
  "disk_utilization_ratio",
];

function diskState(ctx: Context, state: DiskstatsState, device: string): DiskState {
  let d = state.byName.get(device);
  if (d === undefined) {
    const labels = ctx.labels(`disk|${device}`, () => ({ device }));
    d = {
      series: DISK_METRICS.map((metric) => ctx.series(metric, labels)),
      prev: new Array(11).fill(0),
      ms: 0,
      ios: 0,
      ts: 0,
      round: -Infinity,
    };
    state.byName.set(device, d);
  }
  return d;
}

/** Major, minor, then the device name. */
const deviceOf = /^ *(\d+) +(\d+) +(\S+)/;

/**
 * The kept disks of `/proc/diskstats` in file order, and their lines' counters (joined by
 * `\n`); `undefined` when a line is not the kernel's (no major, minor and name followed by a
 * space): {@linkcode parseDiskstats} reads those.
 */
function pickDisks(
  ctx: Context,
  state: DiskstatsState,
  filter: DiskFilter,
  text: string,
): { disks: DiskState[]; counters: string } | undefined {
  const start = state.start;
  const disk = state.disk;
  if (state.generation !== filter.generation) {
    start.length = disk.length = 0; // the filter's answers may have changed: ask again
    state.generation = filter.generation;
  }
  const lines = text.split("\n");
  const disks: DiskState[] = [];
  const counters: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let head = start[i];
    if (head === undefined || !line.startsWith(head)) {
      if (line === "") continue;
      const m = deviceOf.exec(line);
      if (m === null || line.charCodeAt(m[0].length) !== 32) return undefined;
      head = start[i] = m[0] + " ";
      const generation = filter.generation;
      disk[i] = filter.keep(m[3]!) ? diskState(ctx, state, m[3]!) : undefined;
      if (filter.generation !== generation) {
        // the filter listed /sys/block again: the later lines are asked again
        start.length = disk.length = i + 1;
      }
    }
    const d = disk[i];
    if (d !== undefined) {
      disks.push(d);
      counters.push(line.slice(head.length));
    }
  }
  return { disks, counters: counters.join("\n") };
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
