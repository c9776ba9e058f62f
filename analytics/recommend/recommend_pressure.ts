/**
 * Recommendations from the recent window: CPU saturation (and an I/O bottleneck behind it),
 * memory pressure, saturated disks, network errors and drops, TCP retransmits.
 *
 * @module
 */
import { parseLabels } from "../../collectors/mod.ts";
import { formatPercent, formatQuantity, formatSpan } from "./recommend_format.ts";
import type { Recommendation, SeriesRef, Severity } from "./recommend_types.ts";
import { type HostWindow, stat, statsOf } from "./recommend_window.ts";

/**
 * Applies the window rules to one host. Each uses the window's median (so a sustained state,
 * not one spike, triggers it) or average for rates; thresholds follow common practice (USE
 * method, Gregg 2013: utilization, saturation, errors):
 * - `cpu-saturated`: busy ≥ 85 % or run queue ≥ 1 per core (critical: ≥ 95 % or ≥ 2 per core);
 *   iowait ≥ 20 % names the busiest disk as the bottleneck.
 * - `memory-pressure`: PSI memory some ≥ 5 %, swap traffic ≥ 100 pages/s, ≥ 100 major
 *   faults/s or < 10 % available (critical: PSI some ≥ 25 %, full ≥ 5 %, < 5 % available).
 * - `disk-saturated`: a disk ≥ 90 % busy.
 * - `network-errors`: errors + drops ≥ 0.1 % of packets and ≥ 1/s (critical ≥ 1 %).
 * - `tcp-retransmits`: retransmits ≥ 1 % of sent packets and ≥ 1/s (critical ≥ 5 %).
 *
 * @param w The host's window.
 * @returns The recommendations that apply (none for a healthy host).
 */
export function pressureRecommendations(w: HostWindow): Recommendation[] {
  return [
    ...cpuRule(w),
    ...memoryRule(w),
    ...diskRule(w),
    ...networkRule(w),
    ...tcpRule(w),
  ];
}

function ref(w: HostWindow, metric: string, labels = ""): SeriesRef {
  return { host: w.host, metric, labels, from: w.from, to: w.to };
}

function make(
  w: HostWindow,
  rule: string,
  subject: string,
  severity: Severity,
  parts: {
    title: string;
    facts: string[];
    effect: string;
    values: Record<string, number | string | null>;
    series: SeriesRef[];
  },
): Recommendation {
  return {
    id: `${rule}:${w.host}${subject ? `:${subject}` : ""}`,
    rule,
    severity,
    host: w.host,
    title: parts.title,
    detail: `${parts.facts.join("; ")} (last ${formatSpan(w.to - w.from)}).`,
    evidence: {
      values: parts.values,
      series: parts.series,
      ...(w.query !== undefined && { query: w.query }),
    },
    facts: parts.facts,
    effect: parts.effect,
  };
}

function topProcess(w: HostWindow, rank: "cpu" | "memory"): [string, number] | undefined {
  let top: [string, number] | undefined;
  for (const [l, s] of statsOf(w, rank === "cpu" ? "process_cpu_ratio" : "process_rss_bytes")) {
    const p = parseLabels(l);
    if (p.rank_by === rank && (!top || s.avg > top[1])) top = [p.name ?? "?", s.avg];
  }
  return top;
}

function busiestDisk(w: HostWindow): [string, number] | undefined {
  let top: [string, number] | undefined;
  for (const [l, s] of statsOf(w, "disk_utilization_ratio")) {
    if (!top || s.median > top[1]) top = [parseLabels(l).device ?? "?", s.median];
  }
  return top;
}

function cpuRule(w: HostWindow): Recommendation[] {
  const idle = stat(w, "cpu_ratio", "cpu=total,mode=idle");
  const load = stat(w, "load_average", "window=1m");
  const cores = statsOf(w, "cpu_ratio").filter(([l]) => !l.startsWith("cpu=total")).length;
  if (!idle || idle.n < 2) return [];
  const busy = 1 - idle.median;
  const perCore = load && cores > 0 ? load.median / cores : NaN;
  const critical = busy >= 0.95 || perCore >= 2;
  if (!critical && !(busy >= 0.85 || perCore >= 1)) return [];
  const iowait = stat(w, "cpu_ratio", "cpu=total,mode=iowait")?.avg ?? NaN;
  const psi = stat(w, "pressure_stall_ratio", "kind=some,resource=cpu")?.avg ?? NaN;
  const disk = iowait >= 0.2 ? busiestDisk(w) : undefined;
  const top = topProcess(w, "cpu");
  const facts = [`CPU ${formatPercent(busy)} busy`];
  if (Number.isFinite(perCore)) {
    facts.push(
      `load ${load!.median.toFixed(2)} on ${cores} cores (${perCore.toFixed(2)} per core)`,
    );
  }
  if (Number.isFinite(iowait)) facts.push(`iowait ${formatPercent(iowait)}`);
  if (Number.isFinite(psi)) facts.push(`CPU pressure (PSI some) ${formatPercent(psi)}`);
  if (top) facts.push(`top process ${top[0]} uses ${top[1].toFixed(2)} cores`);
  if (disk) facts.push(`disk ${disk[0]} is ${formatPercent(disk[1])} busy`);
  const need = Number.isFinite(perCore) ? Math.max(0, Math.ceil(load!.median) - cores) : 0;
  return [make(w, "cpu-saturated", "", critical ? "critical" : "warning", {
    title: `CPU saturated on ${w.host}: ${formatPercent(busy)} busy` +
      (Number.isFinite(perCore) ? `, run queue ${perCore.toFixed(2)} per core` : "") +
      ` for ${formatSpan(w.to - w.from)}` +
      (disk ? `, iowait ${formatPercent(iowait)}: disk ${disk[0]} is the bottleneck` : ""),
    facts,
    effect: disk
      ? `Reduce I/O on ${disk[0]} (faster storage, caching, spreading writes): CPUs wait on it`
      : `${top ? `Moving or throttling ${top[0]} frees ${top[1].toFixed(2)} cores; ` : ""}` +
        (need > 0
          ? `adding ${need} core${need === 1 ? "" : "s"} brings the run queue to 1 per core`
          : "adding cores or spreading load lowers utilization below 85 %"),
    values: {
      busyRatio: busy,
      load1m: load?.median ?? null,
      cores,
      loadPerCore: Number.isFinite(perCore) ? perCore : null,
      iowaitRatio: Number.isFinite(iowait) ? iowait : null,
      cpuPressure: Number.isFinite(psi) ? psi : null,
      topProcess: top?.[0] ?? null,
      bottleneckDisk: disk?.[0] ?? null,
    },
    series: [ref(w, "cpu_ratio", "cpu=total,mode=idle"), ref(w, "load_average", "window=1m")],
  })];
}

function memoryRule(w: HostWindow): Recommendation[] {
  const some = stat(w, "pressure_stall_ratio", "kind=some,resource=memory")?.avg ?? 0;
  const full = stat(w, "pressure_stall_ratio", "kind=full,resource=memory")?.avg ?? 0;
  const swap = (stat(w, "swap_pages_per_second", "direction=in")?.avg ?? 0) +
    (stat(w, "swap_pages_per_second", "direction=out")?.avg ?? 0);
  const major = stat(w, "page_faults_per_second", "type=major")?.avg ?? 0;
  const total = stat(w, "memory_bytes", "state=total")?.median;
  const avail = stat(w, "memory_bytes", "state=available")?.median;
  const availRatio = total && avail !== undefined ? avail / total : NaN;
  const critical = some >= 0.25 || full >= 0.05 || availRatio < 0.05;
  if (!critical && !(some >= 0.05 || swap >= 100 || major >= 100 || availRatio < 0.1)) return [];
  const top = topProcess(w, "memory");
  const facts = [
    `memory pressure (PSI) some ${formatPercent(some)}, full ${formatPercent(full)}`,
    `swap ${Math.round(swap)} pages/s`,
    `major faults ${Math.round(major)}/s`,
  ];
  if (Number.isFinite(availRatio)) facts.push(`${formatPercent(availRatio)} available`);
  if (top) facts.push(`top process ${top[0]} holds ${formatQuantity(top[1], "bytes")}`);
  return [make(w, "memory-pressure", "", critical ? "critical" : "warning", {
    title: `Memory pressure on ${w.host}: stalled ${formatPercent(some)} of the time, ` +
      `${Math.round(swap)} swap pages/s, ${Math.round(major)} major faults/s`,
    facts,
    effect: `${top ? `Shrinking ${top[0]} (${formatQuantity(top[1], "bytes")}) or ` : ""}` +
      "adding memory stops swapping and the stalls it causes",
    values: {
      psiSome: some,
      psiFull: full,
      swapPagesPerSecond: swap,
      majorFaultsPerSecond: major,
      availableRatio: Number.isFinite(availRatio) ? availRatio : null,
      topProcess: top?.[0] ?? null,
    },
    series: [
      ref(w, "pressure_stall_ratio", "kind=some,resource=memory"),
      ref(w, "swap_pages_per_second", "direction=out"),
      ref(w, "page_faults_per_second", "type=major"),
    ],
  })];
}

function diskRule(w: HostWindow): Recommendation[] {
  const out: Recommendation[] = [];
  for (const [labels, s] of statsOf(w, "disk_utilization_ratio")) {
    if (s.n < 2 || s.median < 0.9) continue;
    const wait = stat(w, "disk_wait_ms", labels)?.avg ?? NaN;
    const device = parseLabels(labels).device ?? "?";
    out.push(make(w, "disk-saturated", device, "warning", {
      title: `Disk ${device} on ${w.host} is ${formatPercent(s.median)} busy` +
        (Number.isFinite(wait) ? `, ${wait.toFixed(1)} ms per request` : ""),
      facts: [`${device} busy ${formatPercent(s.median)} (median)`].concat(
        Number.isFinite(wait) ? [`wait ${wait.toFixed(1)} ms`] : [],
      ),
      effect: "Spreading I/O to other disks, caching or faster storage cuts the wait",
      values: { utilization: s.median, waitMs: Number.isFinite(wait) ? wait : null },
      series: [ref(w, "disk_utilization_ratio", labels)],
    }));
  }
  return out;
}

function networkRule(w: HostWindow): Recommendation[] {
  const out: Recommendation[] = [];
  for (const [labels] of statsOf(w, "network_receive_packets_per_second")) {
    const iface = parseLabels(labels).interface ?? "?";
    if (iface === "lo") continue;
    const avg = (m: string) => stat(w, m, labels)?.avg ?? 0;
    const packets = avg("network_receive_packets_per_second") +
      avg("network_transmit_packets_per_second");
    const errors = avg("network_receive_errors_per_second") +
      avg("network_transmit_errors_per_second");
    const drops = avg("network_receive_drops_per_second") +
      avg("network_transmit_drops_per_second");
    const ratio = packets > 0 ? (errors + drops) / packets : Infinity;
    if (errors + drops < 1 || ratio < 0.001) continue;
    out.push(make(w, "network-errors", iface, ratio >= 0.01 ? "critical" : "warning", {
      title: `Network ${iface} on ${w.host}: ${formatPercent(Math.min(ratio, 1))} of packets ` +
        `lost (${errors.toFixed(1)} errors/s, ${drops.toFixed(1)} drops/s)`,
      facts: [
        `${packets.toFixed(0)} packets/s`,
        `${errors.toFixed(1)} errors/s`,
        `${drops.toFixed(1)} drops/s`,
      ],
      effect: "Errors point at cabling, duplex or driver faults; drops at full ring buffers " +
        "(raise them with ethtool -G) or a saturated link",
      values: {
        packetsPerSecond: packets,
        errorsPerSecond: errors,
        dropsPerSecond: drops,
        lossRatio: ratio,
      },
      series: [
        ref(w, "network_receive_errors_per_second", labels),
        ref(w, "network_receive_drops_per_second", labels),
      ],
    }));
  }
  return out;
}

function tcpRule(w: HostWindow): Recommendation[] {
  const retrans = stat(w, "tcp_retransmits_per_second")?.avg ?? 0;
  let sent = 0;
  for (const [labels, s] of statsOf(w, "network_transmit_packets_per_second")) {
    if (parseLabels(labels).interface !== "lo") sent += s.avg;
  }
  const ratio = sent > 0 ? retrans / sent : Infinity;
  if (retrans < 1 || ratio < 0.01) return [];
  return [make(w, "tcp-retransmits", "", ratio >= 0.05 ? "critical" : "warning", {
    title: `TCP retransmits on ${w.host}: ${formatPercent(Math.min(ratio, 1))} of sent packets ` +
      `(${retrans.toFixed(1)}/s)`,
    facts: [`${retrans.toFixed(1)} retransmits/s`, `${sent.toFixed(0)} packets sent/s`],
    effect: "Retransmits add latency; look for packet loss on the path (see network errors), " +
      "a congested link or an overloaded peer",
    values: { retransmitsPerSecond: retrans, sentPacketsPerSecond: sent, retransmitRatio: ratio },
    series: [ref(w, "tcp_retransmits_per_second")],
  })];
}
