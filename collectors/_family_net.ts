/**
 * Network interface and protocol families. Private to the collectors.
 *
 * @module
 */

import type { Context } from "./_context.ts";
import { none } from "./_context.ts";
import { type NetDev, parseNetDev } from "./parse_net_dev.ts";
import { parseNetSnmp } from "./parse_net_snmp.ts";
import type { Series } from "./snapshot.ts";

const nicMetrics: [string, keyof NetDev][] = [
  ["network_receive_bytes_per_second", "rxBytes"],
  ["network_transmit_bytes_per_second", "txBytes"],
  ["network_receive_packets_per_second", "rxPackets"],
  ["network_transmit_packets_per_second", "txPackets"],
  ["network_receive_errors_per_second", "rxErrors"],
  ["network_transmit_errors_per_second", "txErrors"],
  ["network_receive_drops_per_second", "rxDrops"],
  ["network_transmit_drops_per_second", "txDrops"],
];

/** `/proc/net/dev`: every interface, loopback included. */
export function collectNetDev(ctx: Context): void {
  const text = ctx.proc("net/dev");
  if (text === undefined) return;
  const nics = ctx.memo(collectNetDev, () => new Map<string, Series[]>());
  for (const d of parseNetDev(text)) {
    const name = d.interface;
    let series = nics.get(name);
    if (!series) {
      const labels = ctx.labels(`nic|${name}`, () => ({ interface: name }));
      nics.set(name, series = nicMetrics.map(([metric]) => ctx.series(metric, labels)));
    }
    for (let i = 0; i < nicMetrics.length; i++) {
      ctx.putRate(series[i]!, d[nicMetrics[i]![1]] as number);
    }
  }
}

/**
 * `/proc/net/snmp`. `tcp_resets_per_second` counts `EstabResets` (established connections
 * that were reset, by either side): it tracks broken application connections, whereas
 * `OutRsts` (all RST segments sent, reported as `tcp_out_resets_per_second`) also counts
 * replies to closed ports and port scans.
 */
export function collectSnmp(ctx: Context): void {
  const text = ctx.proc("net/snmp");
  if (text === undefined) return;
  // Only the Tcp and Udp line pairs are parsed (the file has a dozen others).
  const s = parseNetSnmp(linePairs(text, "Tcp:") + linePairs(text, "Udp:"));
  const tcp = s.get("Tcp");
  if (tcp) {
    const estab = tcp.get("CurrEstab");
    if (estab !== undefined) ctx.gauge("tcp_connections_established", none, estab);
    counter(ctx, "tcp_retransmits_per_second", tcp.get("RetransSegs"));
    counter(ctx, "tcp_resets_per_second", tcp.get("EstabResets"));
    counter(ctx, "tcp_out_resets_per_second", tcp.get("OutRsts"));
    counter(ctx, "tcp_active_opens_per_second", tcp.get("ActiveOpens"));
    counter(ctx, "tcp_passive_opens_per_second", tcp.get("PassiveOpens"));
  }
  const udp = s.get("Udp");
  if (udp) {
    counter(ctx, "udp_receive_datagrams_per_second", udp.get("InDatagrams"));
    counter(ctx, "udp_transmit_datagrams_per_second", udp.get("OutDatagrams"));
    counter(ctx, "udp_errors_per_second", udp.get("InErrors"));
  }
}

/** The first line that starts with `head` and the line after it, or "". */
function linePairs(text: string, head: string): string {
  const from = text.startsWith(head) ? 0 : text.indexOf("\n" + head) + 1;
  if (from === 0 && !text.startsWith(head)) return "";
  const second = text.indexOf("\n", from);
  const end = second < 0 ? -1 : text.indexOf("\n", second + 1);
  return text.slice(from, end < 0 ? text.length : end + 1) + (end < 0 ? "\n" : "");
}

function counter(ctx: Context, metric: string, value: number | undefined): void {
  if (value !== undefined) ctx.rate(metric, none, value);
}
