/**
 * Network interface and protocol families. Private to the collectors.
 *
 * @module
 */

import type { Context } from "./_context.ts";
import { none } from "./_context.ts";
import { numberRows } from "./_fields.ts";
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
  /** In {@linkcode NIC_METRICS} order. */
  series: Series[];
  /** The row last read (the counters after the name, as in the file). */
  prev: number[];
  /** When they were read (ms epoch; 0 before the first time). */
  ts: number;
  /** In which snapshot. */
  round: number;
}

/** The net/dev family's state in one sampler. */
interface NetDevState {
  byName: Map<string, NicState>;
  /**
   * Per line of the file as last read: its start up to the colon after the name, and the
   * interface (undefined: a line skipped, its name empty).
   */
  start: (string | undefined)[];
  nic: (NicState | undefined)[];
}

/**
 * `/proc/net/dev`: every interface, loopback included. Rates are per second of the real time
 * since the interface was last read, `NaN` the first time, after a counter decrease and for an
 * interface unseen for more than 10 snapshots (as `Context.putRate`).
 *
 * This runs every second for every interface (dozens on a host with containers) in an
 * interpreter, so the usual case costs few calls per line: each line is known by its start from
 * the last snapshot; the counters of all lines are read as one block (the kernel pads its
 * columns: one regular expression pass makes single spaces of them, then
 * {@linkcode numberRows}); the 8 samples of an interface are written in place, with its
 * counters kept beside its series. A file the block reader does not take is read by
 * {@linkcode parseNetDev}, with the same results.
 */
export function collectNetDev(ctx: Context): void {
  const text = ctx.proc("net/dev");
  if (text === undefined) return;
  const state = ctx.memo(
    collectNetDev,
    (): NetDevState => ({ byName: new Map(), start: [], nic: [] }),
  );
  const picked = pickNics(ctx, state, text);
  let nics = picked.nics;
  let rows = nics.length ? numberRows(picked.counters) : [];
  if (rows === undefined) {
    nics = [];
    rows = [];
    for (const d of parseNetDev(text)) {
      nics.push(nicState(ctx, state, d.interface));
      // the counters at their places in the line (those not used: 0)
      rows.push([
        d.rxBytes,
        d.rxPackets,
        d.rxErrors,
        d.rxDrops,
        0,
        0,
        0,
        0,
        d.txBytes,
        d.txPackets,
        d.txErrors,
        d.txDrops,
        0,
        0,
        0,
        0,
      ]);
    }
  }
  const ts = ctx.ts;
  const round = ctx.round;
  let at = ctx.reserve(8 * rows.length);
  const snap = ctx.snap;
  const series = snap.series;
  const values = snap.values;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    if (r.length < 16) continue; // fewer than 16 counters, as parseNetDev skips
    const nic = nics[k]!;
    const fresh = round - nic.round > 10;
    const dt = (ts - nic.ts) / 1000;
    nic.round = round;
    nic.ts = ts;
    const p = nic.prev;
    const v0 = r[0]!, v1 = r[8]!, v2 = r[1]!, v3 = r[9]!;
    const v4 = r[2]!, v5 = r[10]!, v6 = r[3]!, v7 = r[11]!;
    nic.prev = r; // the row is not changed after: kept as is instead of copied
    if (fresh || !(dt > 0)) values.fill(NaN, at, at + 8);
    else {
      values[at] = v0 >= p[0]! ? (v0 - p[0]!) / dt : NaN;
      values[at + 1] = v1 >= p[8]! ? (v1 - p[8]!) / dt : NaN;
      values[at + 2] = v2 >= p[1]! ? (v2 - p[1]!) / dt : NaN;
      values[at + 3] = v3 >= p[9]! ? (v3 - p[9]!) / dt : NaN;
      values[at + 4] = v4 >= p[2]! ? (v4 - p[2]!) / dt : NaN;
      values[at + 5] = v5 >= p[10]! ? (v5 - p[10]!) / dt : NaN;
      values[at + 6] = v6 >= p[3]! ? (v6 - p[3]!) / dt : NaN;
      values[at + 7] = v7 >= p[11]! ? (v7 - p[11]!) / dt : NaN;
    }
    // An interface's 8 series are only ever written together, in one block: where the block's
    // first slot holds its first series, the other 7 hold its other 7.
    const ns = nic.series;
    if (series[at] !== ns[0]) {
      for (let m = 0; m < 8; m++) series[at + m] = ns[m]!;
      ctx.moved = true;
    }
    at += 8;
  }
  snap.length = at; // rows skipped above leave their reserved samples unused
}

/** Runs of spaces (the kernel's column padding). */
const padding = / +/g;
/** A space at the start of a line (after the padding is one space). */
const lineStartSpace = /\n /g;

/**
 * The interfaces of `/proc/net/dev` in file order, and their lines' counters with single
 * spaces (joined by `\n`) for {@linkcode numberRows}.
 */
function pickNics(
  ctx: Context,
  state: NetDevState,
  text: string,
): { nics: NicState[]; counters: string } {
  const start = state.start;
  const nic = state.nic;
  const lines = text.split("\n");
  const nics: NicState[] = [];
  const counters: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let head = start[i];
    if (head === undefined || !line.startsWith(head)) {
      // as parseNetDev: the name is what comes before the last colon, trimmed
      const colon = line.lastIndexOf(":");
      if (colon < 0) { // the headers: looked at again each time (a start would match others)
        start[i] = undefined;
        continue;
      }
      const name = line.slice(0, colon).trim();
      head = start[i] = line.slice(0, colon + 1);
      nic[i] = name === "" ? undefined : nicState(ctx, state, name);
    }
    const d = nic[i];
    if (d !== undefined) {
      nics.push(d);
      counters.push(line.slice(head.length));
    }
  }
  // (a colon further on, where parseNetDev would have split the line, is no number: refused)
  const block = counters.join("\n").replace(padding, " ").replace(lineStartSpace, "\n");
  return { nics, counters: block.charCodeAt(0) === 32 ? block.slice(1) : block };
}

function nicState(ctx: Context, state: NetDevState, name: string): NicState {
  let nic = state.byName.get(name);
  if (nic === undefined) {
    const labels = ctx.labels(`nic|${name}`, () => ({ interface: name }));
    nic = {
      series: NIC_METRICS.map((metric) => ctx.series(metric, labels)),
      prev: new Array(16).fill(0),
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
