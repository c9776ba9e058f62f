/**
 * The cgroup family: CPU, throttling, memory, OOM events, IO and pressure of the busiest
 * cgroups (systemd services, containers), from cgroup v2 or, where the controllers are on v1
 * hierarchies, from v1. It reads on a slower cadence than the rest (every 5 s by default, rates
 * over that interval): a cgroup costs about ten file reads, and fifty services at 1 Hz would
 * cost more than the whole host. Private to the collectors.
 *
 * @module
 */

import type { Context } from "./_context.ts";
import { none } from "./_context.ts";
import {
  type CgroupIo,
  cgroupName,
  parseBlkio,
  parseCpuMax,
  parseIoStat,
  parseKeyed,
  parseLimit,
} from "./parse_cgroup.ts";
import { parsePressure } from "./parse_pressure.ts";
import { isDirectory } from "./_is_directory.ts";
import { listSubdirs } from "./_list_pids.ts";
import type { Series } from "./snapshot.ts";

/** Options of {@linkcode CgroupScanner}. */
export interface CgroupScanOptions {
  /** Cgroups reported (the cardinality limit); 0 turns the family off. Default 20. */
  top?: number;
  /** Time between readings (ms of snapshot time). Default 5000. */
  everyMs?: number;
  /** Time between walks of the hierarchy and rankings of all cgroups. Default 30000. */
  discoverMs?: number;
}

/** Most cgroups looked at in one walk (a host with more has a pathological tree). */
const MAX_WALK = 5000;
/** Deepest level walked below the root. */
const MAX_DEPTH = 8;

/** Where one cgroup's files are. */
interface Dirs {
  /** v2: the cgroup's directory; v1: the memory hierarchy's. */
  memory?: string;
  cpu?: string;
  cpuacct?: string;
  blkio?: string;
  /** v2 directory for the pressure files (also on hybrid hosts). */
  unified?: string;
}

/** What is kept about one cgroup between readings. */
class Group {
  label = "";
  /** Last counters read, by name: [value, ts]. */
  prev = new Map<string, [number, number]>();
  series = new Map<string, Series>();
  /** Ranking scores at the last walk. */
  cpu = 0;
  memory = 0;
  memoryShare = 0;
  usage = NaN;
  usageTs = NaN;
  seen = 0;
  /** Files found missing (a hierarchy without this group, a controller not enabled): not
   * opened again until the next walk, or until the group fails a reading. */
  missing = new Set<string>();
  constructor(readonly path: string, readonly dirs: Dirs) {}
}

/** The hierarchy found on the host. */
interface Layout {
  version: 1 | 2;
  /** v2 root, or the v1 hierarchy that is walked (memory, else cpuacct). */
  root: string;
  v1?: { memory?: string; cpu?: string; cpuacct?: string; blkio?: string };
  /** The unified hierarchy beside v1 (hybrid hosts), for pressure. */
  unified?: string;
}

function readText(path: string): string | undefined {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return undefined;
  }
}

/** Reads a file once through the collector's file cache (no handle kept); `undefined` if gone. */
function readOnce(ctx: Context, path: string): string | undefined {
  try {
    return ctx.files.read(path, false, false);
  } catch {
    return undefined;
  }
}

/**
 * Finds the cgroup layout under `sysRoot/fs/cgroup`: v2 where the unified hierarchy has the
 * cpu or memory controller, else v1 hierarchies (`memory`, `cpu`, `cpuacct`, `cpu,cpuacct`,
 * `blkio`); `undefined` where there is none.
 */
export function findLayout(sysRoot: string): Layout | undefined {
  const base = `${sysRoot}/fs/cgroup`;
  for (const root of [base, `${base}/unified`]) {
    const controllers = readText(`${root}/cgroup.controllers`);
    if (controllers !== undefined && /\b(cpu|memory)\b/.test(controllers)) {
      return { version: 2, root };
    }
  }
  const pick = (...names: string[]) => names.map((n) => `${base}/${n}`).find(isDirectory);
  const v1 = {
    memory: pick("memory"),
    cpu: pick("cpu", "cpu,cpuacct"),
    cpuacct: pick("cpuacct", "cpu,cpuacct", "cpuacct,cpu"),
    blkio: pick("blkio"),
  };
  const root = v1.memory ?? v1.cpuacct;
  if (root === undefined) return undefined;
  const unified = readText(`${base}/unified/cgroup.controllers`) !== undefined
    ? `${base}/unified`
    : undefined;
  return {
    version: 1,
    root,
    v1: Object.fromEntries(Object.entries(v1).filter(([, v]) => v !== undefined)),
    ...(unified ? { unified } : {}),
  };
}

/**
 * Reads the busiest cgroups every `everyMs` and emits the `cgroup_*` metrics for them. Every
 * `discoverMs` it walks the hierarchy and ranks every candidate (a leaf cgroup, or one with a
 * memory or CPU limit) by CPU used since the last walk, by memory, and by memory as a share of
 * its limit, and keeps the top N taking from the three rankings in turn. A cgroup that vanishes
 * (its files gone or unreadable mid-read) is dropped with the samples it had emitted in that
 * snapshot; the others are read on. A file a group lacks (a v1 hierarchy without the group, a
 * controller not enabled for it) is tried again only after the next walk, not at every reading.
 */
export class CgroupScanner {
  readonly top: number;
  readonly everyMs: number;
  readonly discoverMs: number;
  #layout: Layout | undefined | null = null;
  #groups = new Map<string, Group>();
  #selected: Group[] = [];
  #candidates = 0;
  #readTs = -Infinity;
  #walkTs = -Infinity;
  #walks = 0;
  #devices = new Map<string, string>();

  /** @param options See {@linkcode CgroupScanOptions}. */
  constructor(options: CgroupScanOptions = {}) {
    this.top = options.top ?? 20;
    this.everyMs = options.everyMs ?? 5000;
    this.discoverMs = options.discoverMs ?? 30_000;
  }

  /** The cgroups read at the last reading (their paths). */
  get selected(): string[] {
    return this.#selected.map((g) => g.path);
  }

  /** Emits the family's samples when a reading is due; nothing in between. */
  collect(ctx: Context): void {
    if (this.top <= 0) return;
    if (ctx.ts - this.#readTs < this.everyMs) return;
    this.#readTs = ctx.ts;
    if (this.#layout === null) this.#layout = findLayout(ctx.sysRoot);
    const layout = this.#layout;
    if (!layout) return;
    // The second walk comes at the second reading, so CPU ranks from then on.
    if (this.#walks < 2 || !(ctx.ts - this.#walkTs < this.discoverMs)) this.#walk(ctx, layout);
    ctx.gauge("cgroups_total", none, this.#candidates);
    const kept: Group[] = [];
    for (const g of this.#selected) {
      const mark = ctx.snap.length;
      let ok: boolean;
      try {
        ok = this.#read(ctx, layout, g);
      } catch {
        ok = false;
      }
      if (ok) kept.push(g);
      else {
        ctx.snap.length = mark;
        this.#forget(ctx, g);
        g.missing.clear();
        // A restarted service gets a new cgroup at the same path: read it again next time.
        if (isDirectory(g.dirs.memory ?? g.dirs.cpuacct ?? "")) kept.push(g);
      }
    }
    this.#selected = kept;
  }

  /** Walks the hierarchy, scores every candidate, selects the top N. */
  #walk(ctx: Context, layout: Layout): void {
    this.#walkTs = ctx.ts;
    const walk = ++this.#walks;
    this.#devices = deviceNames(ctx);
    const found: Group[] = [];
    const stack: [string, number][] = [["", 0]];
    let visited = 0;
    while (stack.length > 0 && visited < MAX_WALK) {
      const [rel, depth] = stack.pop()!;
      visited++;
      let children = 0;
      if (depth < MAX_DEPTH) {
        try {
          for (const name of listSubdirs(rel ? `${layout.root}/${rel}` : layout.root)) {
            children++;
            stack.push([rel ? `${rel}/${name}` : name, depth + 1]);
          }
        } catch {
          continue; // it vanished while walking
        }
      }
      if (rel === "") continue;
      let g = this.#groups.get(rel);
      if (!g) g = new Group(rel, dirsOf(layout, rel));
      if (children > 0 && !limited(ctx, g, layout.version)) continue;
      if (!score(ctx, g, layout.version)) continue;
      g.seen = walk;
      g.missing.clear(); // files may have come since (a controller enabled): try them again
      this.#groups.set(rel, g);
      found.push(g);
    }
    for (const [path, g] of this.#groups) {
      if (g.seen !== walk) {
        this.#forget(ctx, g);
        this.#groups.delete(path);
      }
    }
    this.#candidates = found.length;
    // Labels: the unit or container name, the path where two would be the same.
    const count = new Map<string, number>();
    for (const g of found) {
      const name = cgroupName(g.path);
      count.set(name, (count.get(name) ?? 0) + 1);
    }
    for (const g of found) {
      const name = cgroupName(g.path);
      const label = count.get(name)! > 1 ? g.path : name;
      if (label !== g.label) {
        g.label = label;
        g.series.clear();
      }
    }
    const rankings = [
      found.toSorted((a, b) => b.cpu - a.cpu),
      found.toSorted((a, b) => b.memory - a.memory),
      found.toSorted((a, b) => b.memoryShare - a.memoryShare),
    ];
    const chosen = new Set<Group>();
    for (let i = 0; chosen.size < this.top && i < found.length; i++) {
      for (const r of rankings) if (chosen.size < this.top) chosen.add(r[i]!);
    }
    for (const g of this.#selected) if (!chosen.has(g)) this.#forget(ctx, g);
    this.#selected = [...chosen];
  }

  /** Closes a cgroup's kept handles. */
  #forget(ctx: Context, g: Group): void {
    for (const dir of Object.values(g.dirs)) {
      for (const f of FILES) ctx.files.evict(`${dir}/${f}`);
    }
  }

  /** Reads one cgroup and emits its samples; false if it is gone. */
  #read(ctx: Context, layout: Layout, g: Group): boolean {
    const d = g.dirs;
    const read = (dir: string | undefined, file: string) => {
      if (dir === undefined) return undefined;
      const path = `${dir}/${file}`;
      if (g.missing.has(path)) return undefined;
      const text = ctx.files.read(path);
      if (text === undefined) g.missing.add(path);
      return text;
    };
    const ts = ctx.ts;
    let cpuUsage: number | undefined;
    let periods: number | undefined;
    let throttled: number | undefined;
    let throttledSeconds: number | undefined;
    let quota: number | undefined;
    let current: number | undefined;
    let high: number | undefined;
    let max: number | undefined;
    let oom: number | undefined;
    let oomKill: number | undefined;
    let io: CgroupIo[] = [];
    if (layout.version === 2) {
      const stat = read(d.memory, "cpu.stat");
      const mem = read(d.memory, "memory.current");
      if (stat === undefined && mem === undefined) return false;
      if (stat !== undefined) {
        const s = parseKeyed(stat);
        cpuUsage = s.get("usage_usec");
        periods = s.get("nr_periods");
        throttled = s.get("nr_throttled");
        const t = s.get("throttled_usec");
        throttledSeconds = t === undefined ? undefined : t / 1e6;
        if (cpuUsage !== undefined) cpuUsage /= 1e6;
      }
      const cpuMax = read(d.memory, "cpu.max");
      const cm = cpuMax === undefined ? undefined : parseCpuMax(cpuMax);
      if (cm) quota = cm.quota / cm.period;
      if (mem !== undefined) current = parseLimit(mem);
      const h = read(d.memory, "memory.high");
      if (h !== undefined) high = parseLimit(h);
      const m = read(d.memory, "memory.max");
      if (m !== undefined) max = parseLimit(m);
      const ev = read(d.memory, "memory.events");
      if (ev !== undefined) {
        const e = parseKeyed(ev);
        oom = e.get("oom");
        oomKill = e.get("oom_kill");
      }
      const ios = read(d.memory, "io.stat");
      if (ios !== undefined) io = parseIoStat(ios);
    } else {
      const usage = read(d.cpuacct, "cpuacct.usage");
      const mem = read(d.memory, "memory.usage_in_bytes");
      if (usage === undefined && mem === undefined) return false;
      if (usage !== undefined) cpuUsage = parseLimit(usage) / 1e9;
      if (mem !== undefined) current = parseLimit(mem);
      const stat = read(d.cpu, "cpu.stat");
      if (stat !== undefined) {
        const s = parseKeyed(stat);
        periods = s.get("nr_periods");
        throttled = s.get("nr_throttled");
        const t = s.get("throttled_time");
        throttledSeconds = t === undefined ? undefined : t / 1e9;
      }
      const q = read(d.cpu, "cpu.cfs_quota_us");
      const p = read(d.cpu, "cpu.cfs_period_us");
      if (q !== undefined && p !== undefined) {
        const qv = Number(q.trim());
        const pv = Number(p.trim());
        if (qv > 0 && pv > 0) quota = qv / pv;
      }
      const m = read(d.memory, "memory.limit_in_bytes");
      if (m !== undefined) max = parseLimit(m);
      const oc = read(d.memory, "memory.oom_control");
      if (oc !== undefined) oomKill = parseKeyed(oc).get("oom_kill");
      const bytes = read(d.blkio, "blkio.throttle.io_service_bytes");
      const ops = read(d.blkio, "blkio.throttle.io_serviced");
      if (bytes !== undefined || ops !== undefined) io = parseBlkio(bytes, ops);
    }
    const rate = (key: string, value: number | undefined) => {
      if (value === undefined || value !== value) return NaN;
      const prev = g.prev.get(key);
      g.prev.set(key, [value, ts]);
      if (!prev || value < prev[0] || ts <= prev[1]) return NaN;
      return (value - prev[0]) / ((ts - prev[1]) / 1000);
    };
    const put = (metric: string, extra: string, make: () => Record<string, string>, v: number) => {
      const key = `${metric}|${extra}`;
      let s = g.series.get(key);
      if (!s) {
        const label = g.label;
        const labels = ctx.labels(`cg|${label}|${extra}`, () => ({ cgroup: label, ...make() }));
        g.series.set(key, s = ctx.series(metric, labels));
      }
      ctx.put(s, v);
    };
    const noExtra = () => ({});
    if (cpuUsage !== undefined) put("cgroup_cpu_ratio", "", noExtra, rate("cpu", cpuUsage));
    if (periods !== undefined && throttled !== undefined) {
      const dp = rate("periods", periods);
      const dt = rate("throttled", throttled);
      put(
        "cgroup_cpu_throttled_ratio",
        "",
        noExtra,
        dp > 0 ? Math.min(1, dt / dp) : dp === 0 && dt === 0 ? 0 : NaN,
      );
    }
    if (throttledSeconds !== undefined) {
      put("cgroup_cpu_throttled_seconds_per_second", "", noExtra, rate("tsec", throttledSeconds));
    }
    if (quota !== undefined && Number.isFinite(quota)) {
      put("cgroup_cpu_limit_cores", "", noExtra, quota);
    }
    const memory = (state: string, v: number | undefined) => {
      if (v !== undefined && Number.isFinite(v)) {
        put("cgroup_memory_bytes", state, () => ({ state }), v);
      }
    };
    memory("current", current);
    memory("high", high);
    memory("max", max);
    if (oom !== undefined) {
      put("cgroup_memory_events_per_second", "oom", () => ({ event: "oom" }), rate("oom", oom));
    }
    if (oomKill !== undefined) {
      put(
        "cgroup_memory_events_per_second",
        "oom_kill",
        () => ({ event: "oom_kill" }),
        rate("oom_kill", oomKill),
      );
    }
    for (const x of io) {
      const device = this.#devices.get(x.device) ?? x.device;
      for (
        const [direction, bytes, ops] of [["read", x.readBytes, x.reads], [
          "write",
          x.writeBytes,
          x.writes,
        ]] as const
      ) {
        const extra = `${device}|${direction}`;
        const make = () => ({ device, direction });
        put("cgroup_io_bytes_per_second", extra, make, rate(`b|${extra}`, bytes));
        put("cgroup_io_operations_per_second", extra, make, rate(`o|${extra}`, ops));
      }
    }
    const psiDir = layout.version === 2 ? d.memory : d.unified;
    if (psiDir !== undefined) {
      for (const resource of ["cpu", "memory", "io"]) {
        const text = read(psiDir, `${resource}.pressure`);
        if (text === undefined) continue;
        const p = parsePressure(text);
        for (const kind of ["some", "full"] as const) {
          const v = p[kind];
          if (v === undefined) continue;
          put(
            "cgroup_pressure_stall_ratio",
            `${resource}|${kind}`,
            () => ({ resource, kind }),
            rate(`psi|${resource}|${kind}`, v / 1e6),
          );
        }
      }
    }
    return true;
  }
}

/** The files a reading keeps open (closed when the cgroup leaves the top N or vanishes). */
const FILES = [
  "cpu.stat",
  "cpu.max",
  "memory.current",
  "memory.high",
  "memory.max",
  "memory.events",
  "io.stat",
  "cpu.pressure",
  "memory.pressure",
  "io.pressure",
  "cpuacct.usage",
  "memory.usage_in_bytes",
  "cpu.cfs_quota_us",
  "cpu.cfs_period_us",
  "memory.limit_in_bytes",
  "memory.oom_control",
  "blkio.throttle.io_service_bytes",
  "blkio.throttle.io_serviced",
];

function dirsOf(layout: Layout, rel: string): Dirs {
  if (layout.version === 2) return { memory: `${layout.root}/${rel}` };
  const v1 = layout.v1!;
  const at = (root: string | undefined) => root === undefined ? undefined : `${root}/${rel}`;
  const dirs: Dirs = {};
  for (const k of ["memory", "cpu", "cpuacct", "blkio"] as const) {
    const dir = at(v1[k]);
    if (dir !== undefined) dirs[k] = dir;
  }
  if (layout.unified) dirs.unified = `${layout.unified}/${rel}`;
  return dirs;
}

/** Whether a cgroup has a memory or CPU limit (read once per walk, for non-leaf cgroups). */
function limited(ctx: Context, g: Group, version: 1 | 2): boolean {
  const d = g.dirs;
  if (version === 2) {
    const max = readOnce(ctx, `${d.memory}/memory.max`);
    const cpu = readOnce(ctx, `${d.memory}/cpu.max`);
    return (max !== undefined && Number.isFinite(parseLimit(max))) ||
      (cpu !== undefined && Number.isFinite(parseCpuMax(cpu)?.quota ?? Infinity));
  }
  const max = d.memory === undefined
    ? undefined
    : readOnce(ctx, `${d.memory}/memory.limit_in_bytes`);
  const quota = d.cpu === undefined ? undefined : readOnce(ctx, `${d.cpu}/cpu.cfs_quota_us`);
  return (max !== undefined && Number.isFinite(parseLimit(max))) ||
    (quota !== undefined && Number(quota.trim()) > 0);
}

/** Reads a candidate's CPU use and memory for the ranking; false if it vanished. */
function score(ctx: Context, g: Group, version: 1 | 2): boolean {
  const d = g.dirs;
  let usage = NaN;
  let memory = NaN;
  let max = Infinity;
  if (version === 2) {
    const stat = readOnce(ctx, `${d.memory}/cpu.stat`);
    if (stat !== undefined) usage = (parseKeyed(stat).get("usage_usec") ?? NaN) / 1e6;
    const mem = readOnce(ctx, `${d.memory}/memory.current`);
    if (mem !== undefined) memory = parseLimit(mem);
    const m = readOnce(ctx, `${d.memory}/memory.max`);
    if (m !== undefined) max = parseLimit(m);
  } else {
    const u = d.cpuacct === undefined ? undefined : readOnce(ctx, `${d.cpuacct}/cpuacct.usage`);
    if (u !== undefined) usage = parseLimit(u) / 1e9;
    const mem = d.memory === undefined
      ? undefined
      : readOnce(ctx, `${d.memory}/memory.usage_in_bytes`);
    if (mem !== undefined) memory = parseLimit(mem);
    const m = d.memory === undefined
      ? undefined
      : readOnce(ctx, `${d.memory}/memory.limit_in_bytes`);
    if (m !== undefined) max = parseLimit(m);
  }
  if (usage !== usage && memory !== memory) return false;
  const dt = (ctx.ts - g.usageTs) / 1000;
  g.cpu = dt > 0 && usage >= g.usage ? (usage - g.usage) / dt : 0;
  g.usage = usage;
  g.usageTs = ctx.ts;
  g.memory = memory === memory ? memory : 0;
  g.memoryShare = Number.isFinite(max) && max > 0 ? g.memory / max : 0;
  return true;
}

/** `major:minor` → device name, from /proc/diskstats. */
function deviceNames(ctx: Context): Map<string, string> {
  const out = new Map<string, string>();
  const text = ctx.proc("diskstats");
  if (text === undefined) return out;
  for (const line of text.split("\n")) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 3) out.set(`${f[0]}:${f[1]}`, f[2]!);
  }
  return out;
}
