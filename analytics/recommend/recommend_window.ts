/**
 * The recent window the recommendation rules look at: per host, metric and labels, the
 * average, median, maximum and count of raw samples over the last minutes, in one query.
 *
 * @module
 */
import { canonicalHost, type Lake } from "../../lake/mod.ts";
import { type SeriesSource, toSource } from "../series/series_source.ts";

/** Summary of one series over the window. */
export interface WindowStat {
  avg: number;
  median: number;
  max: number;
  /** Finite samples in the window. */
  n: number;
}

/** What one host did over the window. */
export interface HostWindow {
  host: string;
  /** The data's extent inside the window asked for, ms: its first sample and its last (a
   * claim "for N min" says `to − from`, never the window asked for). */
  from: number;
  to: number;
  /** The query the stats come from, when the source ran one (shown as evidence). */
  query?: string;
  /** Stats keyed `metric{labels}`. */
  stats: Map<string, WindowStat>;
}

/** Metrics the rules read (cpu_ratio only for `cpu=total` and the per-CPU idle, to count cores). */
const METRICS = [
  "cpu_ratio",
  "load_average",
  "processes_running",
  "processes_blocked",
  "pressure_stall_ratio",
  "memory_bytes",
  "swap_pages_per_second",
  "page_faults_per_second",
  "disk_utilization_ratio",
  "disk_write_bytes_per_second",
  "disk_wait_ms",
  "network_receive_packets_per_second",
  "network_transmit_packets_per_second",
  "network_receive_errors_per_second",
  "network_transmit_errors_per_second",
  "network_receive_drops_per_second",
  "network_transmit_drops_per_second",
  "tcp_retransmits_per_second",
  "process_cpu_ratio",
  "process_rss_bytes",
];

/**
 * Reads the window of every host (or the given ones). Each host's window is cut to the data
 * inside it, so a rule never claims a longer stretch than the samples cover.
 *
 * @param input A series source or an open lake.
 * @param options Window `from`/`to` (ms) and optional `hosts`.
 * @returns One entry per host with data, sorted by host.
 * @throws {LakeError} If DuckDB fails.
 */
export async function readWindows(
  input: SeriesSource | Lake,
  options: { from: number; to: number; hosts?: readonly string[] | undefined },
): Promise<HostWindow[]> {
  const { rows, query } = await toSource(input).windowStats(METRICS, options.from, options.to);
  // host names are case-insensitive (lake canonicalHost): hosts ["Web1"] takes web1 and Web1
  const wanted = options.hosts ? new Set(options.hosts.map(canonicalHost)) : undefined;
  const byHost = new Map<string, HostWindow>();
  for (const r of rows) {
    if (wanted && !wanted.has(canonicalHost(r.host))) continue;
    let w = byHost.get(r.host);
    if (!w) {
      w = { host: r.host, from: r.first, to: r.last, stats: new Map() };
      if (query !== undefined) w.query = query;
      byHost.set(r.host, w);
    }
    w.from = Math.min(w.from, r.first);
    w.to = Math.max(w.to, r.last);
    w.stats.set(`${r.metric}{${r.labels}}`, {
      avg: r.avg,
      median: r.median,
      max: r.max,
      n: Number(r.n),
    });
  }
  return [...byHost.values()].sort((a, b) => (a.host < b.host ? -1 : 1));
}

/**
 * One series' stat from a window.
 *
 * @param w The host's window.
 * @param metric Metric name.
 * @param labels Canonical labels.
 * @returns The stat, or undefined.
 */
export function stat(w: HostWindow, metric: string, labels = ""): WindowStat | undefined {
  return w.stats.get(`${metric}{${labels}}`);
}

/**
 * Every series of a metric in a window, with its labels.
 *
 * @param w The host's window.
 * @param metric Metric name.
 * @returns Pairs of labels and stat.
 */
export function statsOf(w: HostWindow, metric: string): [string, WindowStat][] {
  const prefix = `${metric}{`;
  const out: [string, WindowStat][] = [];
  for (const [k, v] of w.stats) if (k.startsWith(prefix)) out.push([k.slice(prefix.length, -1), v]);
  return out;
}
