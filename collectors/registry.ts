/**
 * The metric registry: the source of truth for every metric a collector may emit (name, unit,
 * kind, help, label names).
 *
 * @module
 */

/** What a metric's value means over time. */
export type MetricKind = "gauge" | "rate";

/** One registered metric. */
export interface MetricInfo {
  /** Metric name, Prometheus style, e.g. `cpu_ratio`. */
  readonly name: string;
  /** Unit of the value, e.g. `ratio`, `bytes`, `1/s`. */
  readonly unit: string;
  /** `gauge` for a level read as is; `rate` for a counter turned into a per-second rate. */
  readonly kind: MetricKind;
  /** One sentence saying what the value is. */
  readonly help: string;
  /** The label names every sample of this metric carries, sorted. */
  readonly labels: readonly string[];
}

function m(
  name: string,
  unit: string,
  kind: MetricKind,
  labels: readonly string[],
  help: string,
): MetricInfo {
  return Object.freeze({ name, unit, kind, help, labels: Object.freeze([...labels].sort()) });
}

const disk = ["device"];
const fs = ["device", "fstype", "mountpoint"];
const nic = ["interface"];
const proc = ["command", "name", "pid", "rank_by"];
const cg = ["cgroup"];

/** Every metric the collectors emit, in a stable order. */
export const registry: readonly MetricInfo[] = Object.freeze([
  m("cpu_ratio", "ratio", "rate", ["cpu", "mode"], "Share of CPU time spent in a mode"),
  m("load_average", "processes", "gauge", ["window"], "Kernel load average over a window"),
  m("context_switches_per_second", "1/s", "rate", [], "Context switches per second"),
  m("interrupts_per_second", "1/s", "rate", [], "Hardware interrupts serviced per second"),
  m("softirqs_per_second", "1/s", "rate", [], "Software interrupts serviced per second"),
  m("forks_per_second", "1/s", "rate", [], "Processes and threads created per second"),
  m("processes_running", "processes", "gauge", [], "Runnable tasks"),
  m("processes_blocked", "processes", "gauge", [], "Tasks blocked on I/O"),
  m("processes_total", "processes", "gauge", [], "Processes listed in /proc"),
  m(
    "pressure_stall_ratio",
    "ratio",
    "rate",
    ["kind", "resource"],
    "Seconds stalled per second on a resource (PSI)",
  ),
  m("memory_bytes", "bytes", "gauge", ["state"], "Physical memory by state"),
  m("swap_bytes", "bytes", "gauge", ["state"], "Swap space by state"),
  m("page_faults_per_second", "1/s", "rate", ["type"], "Page faults per second"),
  m("swap_pages_per_second", "pages/s", "rate", ["direction"], "Pages swapped in or out"),
  m("disk_read_bytes_per_second", "bytes/s", "rate", disk, "Bytes read from a disk"),
  m("disk_write_bytes_per_second", "bytes/s", "rate", disk, "Bytes written to a disk"),
  m("disk_reads_per_second", "1/s", "rate", disk, "Read requests completed (IOPS)"),
  m("disk_writes_per_second", "1/s", "rate", disk, "Write requests completed (IOPS)"),
  m("disk_wait_ms", "ms", "rate", disk, "Average time a request spent queued and served"),
  m("disk_queue_depth", "requests", "rate", disk, "Average number of requests in flight"),
  m("disk_utilization_ratio", "ratio", "rate", disk, "Share of time the disk was busy"),
  m("filesystem_size_bytes", "bytes", "gauge", fs, "File system size"),
  m("filesystem_used_bytes", "bytes", "gauge", fs, "Bytes in use"),
  m("filesystem_free_bytes", "bytes", "gauge", fs, "Bytes free to unprivileged users"),
  m("filesystem_inodes_used", "inodes", "gauge", fs, "Inodes in use"),
  m("filesystem_inodes_free", "inodes", "gauge", fs, "Inodes free"),
  m("network_receive_bytes_per_second", "bytes/s", "rate", nic, "Bytes received"),
  m("network_transmit_bytes_per_second", "bytes/s", "rate", nic, "Bytes sent"),
  m("network_receive_packets_per_second", "1/s", "rate", nic, "Packets received"),
  m("network_transmit_packets_per_second", "1/s", "rate", nic, "Packets sent"),
  m("network_receive_errors_per_second", "1/s", "rate", nic, "Receive errors"),
  m("network_transmit_errors_per_second", "1/s", "rate", nic, "Transmit errors"),
  m("network_receive_drops_per_second", "1/s", "rate", nic, "Received packets dropped"),
  m("network_transmit_drops_per_second", "1/s", "rate", nic, "Packets dropped on send"),
  m("tcp_connections_established", "connections", "gauge", [], "TCP connections established"),
  m("tcp_retransmits_per_second", "1/s", "rate", [], "TCP segments retransmitted"),
  m("tcp_resets_per_second", "1/s", "rate", [], "Established TCP connections reset"),
  m("tcp_out_resets_per_second", "1/s", "rate", [], "TCP segments sent with RST"),
  m("tcp_active_opens_per_second", "1/s", "rate", [], "Outgoing TCP connections opened"),
  m("tcp_passive_opens_per_second", "1/s", "rate", [], "Incoming TCP connections accepted"),
  m("udp_receive_datagrams_per_second", "1/s", "rate", [], "UDP datagrams delivered"),
  m("udp_transmit_datagrams_per_second", "1/s", "rate", [], "UDP datagrams sent"),
  m("udp_errors_per_second", "1/s", "rate", [], "UDP datagrams that could not be delivered"),
  m("process_cpu_ratio", "ratio", "rate", proc, "CPU of one core used by a top process"),
  m("process_rss_bytes", "bytes", "gauge", proc, "Resident memory of a top process"),
  m("cgroups_total", "cgroups", "gauge", [], "cgroups ranked (leaves and those with limits)"),
  m("cgroup_cpu_ratio", "cores", "rate", cg, "CPU used by a cgroup, in cores (1 = one CPU)"),
  m(
    "cgroup_cpu_throttled_ratio",
    "ratio",
    "rate",
    cg,
    "Share of a cgroup's CPU periods in which its quota throttled it",
  ),
  m(
    "cgroup_cpu_throttled_seconds_per_second",
    "s/s",
    "rate",
    cg,
    "Time a cgroup's tasks were throttled by its CPU quota, per second",
  ),
  m("cgroup_cpu_limit_cores", "cores", "gauge", cg, "A cgroup's CPU quota (cpu.max) in cores"),
  m(
    "cgroup_memory_bytes",
    "bytes",
    "gauge",
    [...cg, "state"],
    "A cgroup's memory: current use, and its high and max limits where set",
  ),
  m(
    "cgroup_memory_events_per_second",
    "1/s",
    "rate",
    [...cg, "event"],
    "Times a cgroup hit its memory limit (oom) and had a task OOM-killed (oom_kill)",
  ),
  m(
    "cgroup_io_bytes_per_second",
    "bytes/s",
    "rate",
    [...cg, "device", "direction"],
    "Bytes a cgroup read from or wrote to a block device",
  ),
  m(
    "cgroup_io_operations_per_second",
    "1/s",
    "rate",
    [...cg, "device", "direction"],
    "Read or write requests of a cgroup to a block device",
  ),
  m(
    "cgroup_pressure_stall_ratio",
    "ratio",
    "rate",
    [...cg, "kind", "resource"],
    "Seconds a cgroup's tasks stalled per second on a resource (PSI)",
  ),
  m("perfscope_heap_bytes", "bytes", "gauge", [], "Collector JavaScript heap in use"),
  m("perfscope_rss_bytes", "bytes", "gauge", [], "Collector resident memory"),
  m("perfscope_event_loop_delay_ms", "ms", "gauge", [], "Worst timer lateness since last sample"),
  m("perfscope_sample_ms", "ms", "gauge", [], "Time taken to take this snapshot"),
  m(
    "perfscope_remote_write_lag_seconds",
    "s",
    "gauge",
    ["remote"],
    "Age of the newest snapshot a remote-write receiver acknowledged",
  ),
  m("perfscope_remote_write_samples_per_second", "1/s", "rate", ["remote"], "Samples sent"),
  m("perfscope_remote_write_bytes_per_second", "bytes/s", "rate", ["remote"], "Bytes sent"),
  m(
    "perfscope_remote_write_retries_per_second",
    "1/s",
    "rate",
    ["remote"],
    "Requests retried after a 5xx, 429, time-out or network error",
  ),
  m(
    "perfscope_remote_write_dropped_samples_per_second",
    "1/s",
    "rate",
    ["remote"],
    "Samples dropped: refused for good with a 4xx",
  ),
  m(
    "perfscope_remote_write_dropped_segments_per_second",
    "1/s",
    "rate",
    ["remote"],
    "Spool segments deleted by the outbox cap before this receiver got them",
  ),
  m(
    "perfscope_remote_write_dropped_bytes_per_second",
    "bytes/s",
    "rate",
    ["remote"],
    "Spool bytes deleted by the outbox cap before this receiver got them",
  ),
]);

const byName: ReadonlyMap<string, MetricInfo> = new Map(registry.map((i) => [i.name, i]));

/**
 * Looks a metric up in the registry.
 *
 * @param name Metric name, e.g. `cpu_ratio`.
 * @returns The metric's info, or `undefined` if it is not registered.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { metricInfo } from "./registry.ts";
 * assert.deepEqual(metricInfo("cpu_ratio")?.labels, ["cpu", "mode"]);
 * assert.equal(metricInfo("no_such_metric"), undefined);
 * ```
 */
export function metricInfo(name: string): MetricInfo | undefined {
  return byName.get(name);
}
