/**
 * Network interface and protocol families. Private to the collectors.
 *
 * @module
 */

import type { Context } from "./_context.ts";
import { none } from "./_context.ts";
import { parseNetDev } from "./parse_net_dev.ts";
import { parseNetSnmp } from "./parse_net_snmp.ts";
import type { Series } from "./snapshot.ts";

/** The metrics of an interface, in the order they are emitted. */
const NIC_METRICS = [
  "network_receive_bytes_per_second",
  "network_transmit_bytes_per_second",
  "network_receive_packets_per_second",
  "network_transmit_packets_per_second",
  "network_receive_errors_per_second",
  "network_transmit_errors_per_second",
  "network_receive_drops_per_second",
  "network_transmit_drops_per_second",
];

/** The series of one interface and its counters as last read. */
interface NicState {
  name: string;
  /** In {@linkcode NIC_METRICS} order. */
  series: Series[];
  /** The counters in the same order. */
  last: Float64Array;
  /** When they were read (ms epoch; 0 before the first time). */
  ts: number;
  /** In which snapshot. */
  round: number;
}

/** The net/dev family's state in one sampler. */
interface NetDevState {
  byName: Map<string, NicState>;
  /** The interface of each record in the last snapshot (they rarely change). */
  atRow: NicState[];
}

/**
 * `/proc/net/dev`: every interface, loopback included. Rates are per second of the real time
 * since the interface was last read, `NaN` the first time, after a counter decrease and for an
 * interface unseen for more than 10 snapshots (as `Context.putRate`); the 8 samples of an
 * interface are written in place, with its counters kept beside its series (one call per
 * interface instead of eight: this runs every second in an interpreter).
 */
export function collectNetDev(ctx: Context): void {
  const text = ctx.proc("net/dev");
  if (text === undefined) return;
  const state = ctx.memo(collectNetDev, (): NetDevState => ({ byName: new Map(), atRow: [] }));
  const devs = parseNetDev(text);
  const ts = ctx.ts;
  const round = ctx.round;
  let at = ctx.reserve(8 * devs.length);
  const snap = ctx.snap;
  const series = snap.series;
  const values = snap.values;
  for (let k = 0; k < devs.length; k++) {
    const d = devs[k]!;
    let nic = state.atRow[k];
    if (nic === undefined || nic.name !== d.interface) {
      nic = state.atRow[k] = nicState(ctx, state, d.interface);
    }
    const fresh = round - nic.round > 10;
    const dt = (ts - nic.ts) / 1000;
    nic.round = round;
    nic.ts = ts;
    const last = nic.last;
    const v0 = d.rxBytes, v1 = d.txBytes, v2 = d.rxPackets, v3 = d.txPackets;
    const v4 = d.rxErrors, v5 = d.txErrors, v6 = d.rxDrops, v7 = d.txDrops;
    if (fresh || !(dt > 0)) values.fill(NaN, at, at + 8);
    else {
      values[at] = v0 >= last[0]! ? (v0 - last[0]!) / dt : NaN;
      values[at + 1] = v1 >= last[1]! ? (v1 - last[1]!) / dt : NaN;
      values[at + 2] = v2 >= last[2]! ? (v2 - last[2]!) / dt : NaN;
      values[at + 3] = v3 >= last[3]! ? (v3 - last[3]!) / dt : NaN;
      values[at + 4] = v4 >= last[4]! ? (v4 - last[4]!) / dt : NaN;
      values[at + 5] = v5 >= last[5]! ? (v5 - last[5]!) / dt : NaN;
      values[at + 6] = v6 >= last[6]! ? (v6 - last[6]!) / dt : NaN;
      values[at + 7] = v7 >= last[7]! ? (v7 - last[7]!) / dt : NaN;
    }
    last[0] = v0, last[1] = v1, last[2] = v2, last[3] = v3;
    last[4] = v4, last[5] = v5, last[6] = v6, last[7] = v7;
    // An interface's 8 series are only ever written together, in one block: where the block's
    // first slot holds its first series, the other 7 hold its other 7.
    const ns = nic.series;
    if (series[at] !== ns[0]) {
      for (let m = 0; m < 8; m++) series[at + m] = ns[m]!;
      ctx.moved = true;
    }
    at += 8;
  }
}

function nicState(ctx: Context, state: NetDevState, name: string): NicState {
  let nic = state.byName.get(name);
  if (nic === undefined) {
    const labels = ctx.labels(`nic|${name}`, () => ({ interface: name }));
    nic = {
      name,
      series: NIC_METRICS.map((metric) => ctx.series(metric, labels)),
      last: new Float64Array(8),
      ts: 0,
      round: -Infinity,
    };
    state.byName.set(name, nic);
  }
  return nic;
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
  // the series looked up once (a lookup by metric name per sample otherwise)
  const series = ctx.memo(
    collectSnmp,
    () => SNMP_METRICS.map(([metric]) => ctx.series(metric, none)),
  );
  // Only the Tcp and Udp line pairs are parsed (the file has a dozen others).
  const s = parseNetSnmp(linePairs(text, "Tcp:") + linePairs(text, "Udp:"));
  for (let i = 0; i < SNMP_METRICS.length; i++) {
    const [, proto, field] = SNMP_METRICS[i]!;
    const value = s.get(proto)?.get(field);
    if (value === undefined) continue;
    if (i === 0) ctx.put(series[i]!, value); // the gauge
    else ctx.putRate(series[i]!, value);
  }
}

/** The metrics of /proc/net/snmp in the order they are emitted (the gauge first), and their
 * protocol and field. */
const SNMP_METRICS = [
  ["tcp_connections_established", "Tcp", "CurrEstab"],
  ["tcp_retransmits_per_second", "Tcp", "RetransSegs"],
  ["tcp_resets_per_second", "Tcp", "EstabResets"],
  ["tcp_out_resets_per_second", "Tcp", "OutRsts"],
  ["tcp_active_opens_per_second", "Tcp", "ActiveOpens"],
  ["tcp_passive_opens_per_second", "Tcp", "PassiveOpens"],
  ["udp_receive_datagrams_per_second", "Udp", "InDatagrams"],
  ["udp_transmit_datagrams_per_second", "Udp", "OutDatagrams"],
  ["udp_errors_per_second", "Udp", "InErrors"],
] as const;

/** The first line that starts with `head` and the line after it, or "". */
function linePairs(text: string, head: string): string {
  const from = text.startsWith(head) ? 0 : text.indexOf("\n" + head) + 1;
  if (from === 0 && !text.startsWith(head)) return "";
  const second = text.indexOf("\n", from);
  const end = second < 0 ? -1 : text.indexOf("\n", second + 1);
  return text.slice(from, end < 0 ? text.length : end + 1) + (end < 0 ? "\n" : "");
}
