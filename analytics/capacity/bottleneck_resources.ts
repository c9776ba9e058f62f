/**
 * Which resources of which hosts have a limit, read from the lake's metric names: file systems
 * (bytes and inodes), memory, CPU run queue and TCP connections, each with its current limit.
 *
 * @module
 */
import { parseLabels } from "../../collectors/mod.ts";
import { canonicalHost, type Lake } from "../../lake/mod.ts";
import { type SeriesSource, toSource } from "../series/series_source.ts";

const HOUR = 3_600_000;

/** Kinds of resource that can run out (`cgroup_*`: a systemd unit's or container's limits;
 * `service`: a service's request rate against its USL peak throughput, see analytics/services). */
export type ResourceKind =
  | "filesystem"
  | "inodes"
  | "memory"
  | "cpu"
  | "connections"
  | "service"
  | "cgroup_memory"
  | "cgroup_cpu";

/** Fraction of the limit treated as exhaustion, per kind (cpu: run queue per core). */
export const DEFAULT_THRESHOLDS: Readonly<Record<ResourceKind, number>> = {
  filesystem: 0.95,
  inodes: 0.95,
  memory: 0.95,
  cpu: 1,
  connections: 0.9,
  service: 0.8,
  // memory.max is where the kernel reclaims hard and then OOM-kills: reaching it is the event.
  cgroup_memory: 1,
  // usage cannot pass the quota: 90 % of it is where throttling starts to bite
  cgroup_cpu: 0.9,
};

/** One resource with a limit. */
export interface Resource {
  host: string;
  kind: ResourceKind;
  /** Metric whose growth is forecast, e.g. `filesystem_used_bytes`. */
  metric: string;
  /** Its canonical label string. */
  labels: string;
  /** The limit, in the metric's unit (bytes, inodes, processes, connections). */
  limit: number;
  /** Where the limit comes from, e.g. `filesystem_size_bytes` or `option connectionLimit`. */
  limitSource: string;
}

/** Options of {@linkcode findResources}. */
export interface FindResourcesOptions {
  /** Time the limits are read at (their last value before it), ms. */
  now: number;
  /** Only these hosts; default all. */
  hosts?: readonly string[];
  /** Limit for `tcp_connections_established`; default 28 232 (Linux's default ephemeral
   * port range 32768–60999, the cap on outbound connections to one destination). */
  connectionLimit?: number;
  /** A file system's limit: `df` (default) is what `df` shows a user, used + available, so
   * the blocks reserved for root do not count as room; `size` is the whole device. */
  filesystemLimit?: FilesystemLimit;
}

/** How a file system's limit is read (see {@linkcode FindResourcesOptions.filesystemLimit}). */
export type FilesystemLimit = "df" | "size";

/**
 * Lists the resources that have a limit, with the limit's latest value: file system
 * bytes (`filesystem_used_bytes` vs used + `filesystem_free_bytes`, which is what `df` shows a
 * user, or vs `filesystem_size_bytes` with `filesystemLimit: "size"`) and inodes (used vs used + free)
 * per mountpoint, `memory_bytes{state=used}` vs `{state=total}`, the CPU run queue
 * (`load_average{window=1m}`, else `processes_running`) vs the number of CPUs seen in
 * `cpu_ratio`, `tcp_connections_established` vs `connectionLimit`, and per cgroup (systemd unit
 * or container) `cgroup_memory_bytes{state=current}` vs its `{state=max}` (memory.max) and
 * `cgroup_cpu_ratio` vs `cgroup_cpu_limit_cores` (the CPU quota); cgroups without a limit are
 * left out.
 *
 * @param input A series source or an open lake.
 * @param options Time, hosts and the connection limit.
 * @returns Resources sorted by host, kind, labels (those with no known limit are left out).
 * @throws {LakeError} If DuckDB fails.
 */
export async function findResources(
  input: SeriesSource | Lake,
  options: FindResourcesOptions,
): Promise<Resource[]> {
  const source = toSource(input);
  const { now } = options;
  // host names are case-insensitive (lake canonicalHost): hosts ["Web1"] takes web1 and Web1
  const hosts = options.hosts ? new Set(options.hosts.map(canonicalHost)) : undefined;
  const entries = (await source.metrics()).filter((e) =>
    !hosts || hosts.has(canonicalHost(e.host))
  );
  const key = (host: string, metric: string, labels: string) =>
    `${host}\u0000${metric}\u0000${labels}`;
  const has = new Set(entries.map((e) => key(e.host, e.metric, e.labels)));
  const recent = await recentValues(source, now);
  const last = (host: string, metric: string, labels: string) => {
    const k = key(host, metric, labels);
    if (recent.has(k)) return Promise.resolve(recent.get(k)!);
    return has.has(k) ? latestValue(source, { host, metric, labels, now }) : Promise.resolve(NaN);
  };
  const out: Resource[] = [];
  const add = (r: Resource) => Number.isFinite(r.limit) && r.limit > 0 && out.push(r);
  const cores = new Map<string, Set<string>>();
  for (const e of entries) {
    if (e.metric !== "cpu_ratio") continue;
    const cpu = parseLabels(e.labels).cpu;
    if (cpu !== undefined && cpu !== "total") {
      cores.set(e.host, (cores.get(e.host) ?? new Set()).add(cpu));
    }
  }
  for (const { host, metric, labels } of entries) {
    const base = { host, metric, labels };
    if (metric === "filesystem_used_bytes") {
      if (options.filesystemLimit === "size") {
        const limit = await last(host, "filesystem_size_bytes", labels);
        add({ ...base, kind: "filesystem", limit, limitSource: "filesystem_size_bytes" });
      } else {
        const limit = await last(host, metric, labels) +
          await last(host, "filesystem_free_bytes", labels);
        add({
          ...base,
          kind: "filesystem",
          limit,
          limitSource: "filesystem_used_bytes + filesystem_free_bytes (as df shows)",
        });
      }
    } else if (metric === "filesystem_inodes_used") {
      const used = await last(host, metric, labels);
      const free = await last(host, "filesystem_inodes_free", labels);
      add({
        ...base,
        kind: "inodes",
        limit: used + free,
        limitSource: "filesystem_inodes_used + free",
      });
    } else if (metric === "memory_bytes" && labels === "state=used") {
      const limit = await last(host, "memory_bytes", "state=total");
      add({ ...base, kind: "memory", limit, limitSource: "memory_bytes{state=total}" });
    } else if (metric === "load_average" && labels === "window=1m" && cores.has(host)) {
      add({ ...base, kind: "cpu", limit: cores.get(host)!.size, limitSource: "cpu_ratio cpus" });
    } else if (
      metric === "processes_running" && cores.has(host) &&
      !has.has(key(host, "load_average", "window=1m"))
    ) {
      // Without load averages the run queue itself is the CPU saturation signal.
      add({ ...base, kind: "cpu", limit: cores.get(host)!.size, limitSource: "cpu_ratio cpus" });
    } else if (metric === "cgroup_memory_bytes" && parseLabels(labels).state === "current") {
      const limit = await last(host, metric, labels.replace("state=current", "state=max"));
      add({
        ...base,
        kind: "cgroup_memory",
        limit,
        limitSource: "cgroup_memory_bytes{state=max} (memory.max)",
      });
    } else if (metric === "cgroup_cpu_ratio") {
      const limit = await last(host, "cgroup_cpu_limit_cores", labels);
      add({
        ...base,
        kind: "cgroup_cpu",
        limit,
        limitSource: "cgroup_cpu_limit_cores (cpu.max quota)",
      });
    } else if (metric === "tcp_connections_established") {
      const limit = options.connectionLimit ?? 28_232;
      add({ ...base, kind: "connections", limit, limitSource: "option connectionLimit" });
    }
  }
  return out;
}

/** Latest raw values of the limit metrics over the hour before `now`, in one read. */
async function recentValues(source: SeriesSource, now: number): Promise<Map<string, number>> {
  const { rows } = await source.windowStats(
    [
      "filesystem_size_bytes",
      "filesystem_used_bytes",
      "filesystem_free_bytes",
      "filesystem_inodes_used",
      "filesystem_inodes_free",
      "memory_bytes",
      "cgroup_memory_bytes",
      "cgroup_cpu_limit_cores",
    ],
    now - HOUR,
    now + 1,
  );
  return new Map(rows.map((r) => [`${r.host}\u0000${r.metric}\u0000${r.labels}`, r.lastValue]));
}

/**
 * The last finite value of a series before `now`, searching the last hour, then day, then week.
 *
 * @param input A series source or an open lake.
 * @param options Host, metric, labels and the time.
 * @returns The value, or NaN when there is none.
 */
export async function latestValue(
  input: SeriesSource | Lake,
  options: { host: string; metric: string; labels: string; now: number },
): Promise<number> {
  const source = toSource(input);
  const { now, ...key } = options;
  for (const span of [HOUR, 24 * HOUR, 7 * 24 * HOUR]) {
    const s = await source.series({ ...key, from: now - span, to: now + 1, agg: "last" });
    for (let i = s.values.length - 1; i >= 0; i--) {
      if (Number.isFinite(s.values[i]!)) return s.values[i]!;
    }
  }
  return NaN;
}

/**
 * The latest sample time of a source: the default "now" of analyses of recorded data.
 *
 * @param input A series source or an open lake.
 * @returns Milliseconds since the epoch, or NaN when there is no data.
 */
export async function latestTime(input: SeriesSource | Lake): Promise<number> {
  const extent = await toSource(input).extent();
  return extent.length ? Math.max(...extent.map((e) => e.last)) : NaN;
}
