/**
 * Load-balancing advice for a lake with several hosts: each host's forecast CPU and memory
 * utilization over the next days (peak of the upper 80 % band), its headroom, and which work to
 * move from the most loaded host to the least loaded one.
 *
 * @module
 */
import type { SeriesSource } from "../analytics/mod.ts";
import { formatDuration } from "../config/mod.ts";
import { sameHost } from "../lake/mod.ts";
import { forecastLoad, historySpan, readLoad } from "./load_profile.ts";

const HOUR = 3_600_000, DAY = 24 * HOUR;

/** Options of {@linkcode balanceAdvice}. */
export interface BalanceOptions {
  /** Look this far ahead, ms. Default 3 days. */
  withinMs?: number;
  /** Now, ms epoch. Default `Date.now()`. */
  now?: number;
  /** History read, ms. Default 28 days. */
  historyMs?: number;
  /** Only these hosts. Default every host. */
  hosts?: readonly string[];
  /** Utilization gap (0–1) between two hosts worth a move. Default 0.2. */
  minGap?: number;
}

/** One host's forecast. */
export interface HostLoad {
  host: string;
  /** Peak forecast CPU busy fraction (upper 80 %), `null` without data. */
  cpuPeak: number | null;
  /** Peak forecast memory used fraction (upper 80 %), `null` without data. */
  memoryPeak: number | null;
  /** 1 − the larger peak: what is left on the tighter resource. */
  headroom: number | null;
  /** `forecast`, `profile` (short history) or `none` (less than a day of data). */
  method: "forecast" | "profile" | "none";
}

/** The advice. */
export interface BalanceAdvice {
  /** Hosts, most headroom first (hosts without data last). */
  hosts: HostLoad[];
  /** Suggested moves, most loaded host first. */
  moves: { from: string; to: string; resource: "cpu" | "memory"; reason: string }[];
  /** One line for people. */
  message: string;
}

async function peak(
  source: SeriesSource,
  host: string,
  metric: string,
  now: number,
  o: Required<Pick<BalanceOptions, "withinMs" | "historyMs">>,
) {
  const stepMs = HOUR;
  const end = Math.ceil(now / stepMs) * stepMs;
  const points = Math.round(o.historyMs / stepMs);
  const from = end - points * stepMs;
  const history = await readLoad(source, { host, metric, from, stepMs, points });
  if (historySpan(history, stepMs) < DAY) return { value: null, method: "none" as const };
  const f = forecastLoad(history, {
    from,
    stepMs,
    horizon: Math.ceil(o.withinMs / stepMs),
    metric,
  });
  let max = -Infinity;
  for (const v of f.hi80) if (Number.isFinite(v)) max = Math.max(max, v);
  return { value: Number.isFinite(max) ? Math.min(1, Math.max(0, max)) : null, method: f.method };
}

function pct(x: number): string {
  return `${Math.round(x * 100)} %`;
}

/**
 * Advises where work should go.
 *
 * @param source Where series come from (`lakeSource(lake)`).
 * @param options Range, clock, hosts, gap.
 * @returns Per-host forecasts and suggested moves.
 */
export async function balanceAdvice(
  source: SeriesSource,
  options: BalanceOptions = {},
): Promise<BalanceAdvice> {
  const now = options.now ?? Date.now();
  const o = { withinMs: options.withinMs ?? 3 * DAY, historyMs: options.historyMs ?? 28 * DAY };
  const names = (await source.extent()).map((e) => e.host).filter((h) =>
    !options.hosts || options.hosts.some((wanted) => sameHost(wanted, h))
  ).sort();
  const hosts: HostLoad[] = [];
  for (const host of names) {
    const cpu = await peak(source, host, "cpu_busy", now, o);
    const mem = await peak(source, host, "memory_used_ratio", now, o);
    const worst = Math.max(cpu.value ?? -Infinity, mem.value ?? -Infinity);
    const method = cpu.method === "none" ? mem.method : cpu.method;
    hosts.push({
      host,
      cpuPeak: cpu.value,
      memoryPeak: mem.value,
      headroom: Number.isFinite(worst) ? 1 - worst : null,
      method,
    });
  }
  hosts.sort((a, b) =>
    (b.headroom ?? -Infinity) - (a.headroom ?? -Infinity) || a.host.localeCompare(b.host)
  );
  const known = hosts.filter((h) => h.headroom !== null);
  if (known.length < 2) {
    return {
      hosts,
      moves: [],
      message: known.length === 0
        ? "Not enough data yet: no host has a day of CPU or memory history"
        : `Only one host with data (${known[0]!.host}): nothing to balance`,
    };
  }
  const gap = options.minGap ?? 0.2;
  const moves: BalanceAdvice["moves"] = [];
  for (const resource of ["cpu", "memory"] as const) {
    const key = resource === "cpu" ? "cpuPeak" : "memoryPeak";
    const ranked = known.filter((h) => h[key] !== null).sort((a, b) => b[key]! - a[key]!);
    const busy = ranked[0], idle = ranked.at(-1);
    if (busy && idle && busy !== idle && busy[key]! - idle[key]! >= gap) {
      moves.push({
        from: busy.host,
        to: idle.host,
        resource,
        reason: `${resource} forecast to peak at ${pct(busy[key]!)} on ${busy.host} vs ${
          pct(idle[key]!)
        } on ${idle.host} in the next ${formatDuration(o.withinMs)}`,
      });
    }
  }
  const top = known[0]!;
  return {
    hosts,
    moves,
    message: moves.length
      ? `Move work from ${moves[0]!.from} to ${moves[0]!.to}: ${moves[0]!.reason}`
      : `Hosts are within ${pct(gap)} of each other; most headroom on ${top.host} (${
        pct(top.headroom!)
      })`,
  };
}
