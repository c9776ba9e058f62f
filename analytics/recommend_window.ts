/**
 * The recent window the recommendation rules look at: per host, metric and labels, the
 * average, median, maximum and count of raw samples over the last minutes, in one query.
 *
 * @module
 */
import type { Lake } from "../lake/mod.ts";

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
  /** Window start and end, ms (end exclusive). */
  from: number;
  to: number;
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

/** The SQL behind {@linkcode readWindows}, reported as evidence. */
export const WINDOW_SQL = `SELECT host, metric, labels, avg(value) AS avg,
  quantile_cont(value, 0.5) AS median, max(value) AS max, count(*) AS n
FROM samples
WHERE metric IN (${METRICS.map((m) => `'${m}'`).join(", ")})
  AND isfinite(value)
  AND (metric <> 'cpu_ratio' OR labels LIKE 'cpu=total,%' OR labels LIKE '%mode=idle')
  AND ts >= epoch_ms(CAST($from AS BIGINT)) AND ts < epoch_ms(CAST($to AS BIGINT))
GROUP BY ALL`;

/**
 * Reads the window of every host (or the given ones) from the raw samples.
 *
 * @param lake An open lake.
 * @param options Window `from`/`to` (ms) and optional `hosts`.
 * @returns One entry per host with data, sorted by host.
 * @throws {LakeError} If DuckDB fails.
 */
export async function readWindows(
  lake: Lake,
  options: { from: number; to: number; hosts?: readonly string[] | undefined },
): Promise<HostWindow[]> {
  const rows = await lake.query<
    { host: string; metric: string; labels: string } & WindowStat
  >(WINDOW_SQL, { from: Math.floor(options.from), to: Math.ceil(options.to) });
  const wanted = options.hosts ? new Set(options.hosts) : undefined;
  const byHost = new Map<string, HostWindow>();
  for (const r of rows) {
    if (wanted && !wanted.has(r.host)) continue;
    let w = byHost.get(r.host);
    if (!w) {
      w = { host: r.host, from: options.from, to: options.to, stats: new Map() };
      byHost.set(r.host, w);
    }
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
