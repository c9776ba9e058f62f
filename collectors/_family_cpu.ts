/**
 * CPU, load and pressure families. Private to the collectors.
 *
 * @module
 */

import type { Context } from "./_context.ts";
import { none } from "./_context.ts";
import { parseLoadAvg } from "./parse_load_avg.ts";
import { parsePressure } from "./parse_pressure.ts";
import {
  cpuModes,
  cpuRows,
  isCpuNumber,
  parseProcStat,
  type ProcStat,
  statCounters,
} from "./parse_proc_stat.ts";
import type { Series } from "./snapshot.ts";

/** Previous CPU times and the series of one CPU line. */
interface CpuState {
  /** `total`, or the CPU number. */
  name: string;
  /** `Number(name)`: what a row of {@linkcode cpuRows} starts with (the summary's is unused). */
  id: number;
  series: Series[];
  /** The row last read (its 8 modes at 1…8), and their sum. */
  prev: number[];
  sum: number;
  round: number;
}

/** The stat family's state in one sampler. */
interface StatState {
  byName: Map<string, CpuState>;
  /**
   * The CPU of each row in the last snapshot read by {@linkcode cpuRows}: a row that starts
   * with the same number is the same CPU without a lookup by name (CPUs come and go rarely).
   */
  atRow: (CpuState | undefined)[];
  /** The system counters' series. */
  counters: Series[];
}

/**
 * `/proc/stat`: CPU ratios per core and mode (each mode's share of the interval's ticks; `NaN`
 * on the first snapshot, after a counter decrease or a CPU unseen for 10 snapshots), system
 * counters and task states. The CPU lines are read as one block of numbers ({@linkcode cpuRows})
 * and each CPU's 8 ratios written in place: on a 64-CPU host this family runs for 65 lines
 * every second in an interpreter, where every call and every bytecode per line counts. A file
 * the block reader does not take is read by {@linkcode parseProcStat}, with the same results.
 */
export function collectStat(ctx: Context): void {
  const text = ctx.proc("stat");
  if (text === undefined) return;
  const state = ctx.memo(collectStat, (): StatState => ({
    byName: new Map(),
    atRow: [],
    counters: [
      "context_switches_per_second",
      "interrupts_per_second",
      "softirqs_per_second",
      "forks_per_second",
      "processes_running",
      "processes_blocked",
    ].map((metric) => ctx.series(metric, none)),
  }));
  let rows: number[][];
  let names: string[] | undefined; // set when the line parser read the file
  let stat: ProcStat;
  const block = cpuRows(text);
  if (block !== undefined && block.rows[0]!.length >= 5) {
    rows = block.rows;
    stat = statCounters(text, block.end);
  } else {
    stat = parseProcStat(text); // throws without a valid summary line
    rows = [];
    names = [];
    for (const t of stat.cpus) {
      rows.push([NaN, t.user, t.nice, t.system, t.idle, t.iowait, t.irq, t.softirq, t.steal]);
      names.push(t.cpu);
    }
    state.atRow.length = 0; // rows matched by name this time
  }
  const round = ctx.round;
  const atRow = state.atRow;
  const n = rows.length;
  let at = ctx.reserve(8 * n); // 8 samples per CPU written in place: no call per sample
  const snap = ctx.snap;
  const series = snap.series;
  const values = snap.values;
  let busy = 0;
  let cpus = 0;
  let summary: number[] = rows[0]!;
  for (let c = 0; c < n; c++) {
    let r = rows[c]!;
    let st = atRow[c];
    if (names !== undefined || st === undefined || (c > 0 && st.id !== r[0])) {
      st = cpuState(ctx, state, c === 0 ? "total" : names?.[c] ?? String(r[0]));
      if (names === undefined) atRow[c] = st;
      if (st === undefined) continue;
    }
    if (r.length < 9) {
      if (r.length < 5) continue; // fewer than 4 columns, as parseProcStat skips
      r = r.concat(0, 0, 0, 0).slice(0, 9); // columns of old kernels: 0
    }
    if (c === 0) summary = r;
    cpus++;
    const u = r[1]!, ni = r[2]!, sy = r[3]!, id = r[4]!;
    const io = r[5]!, irq = r[6]!, so = r[7]!, stl = r[8]!;
    const p = st.prev;
    const pu = p[1]!, pni = p[2]!, psy = p[3]!, pid = p[4]!;
    const pio = p[5]!, pirq = p[6]!, pso = p[7]!, pstl = p[8]!;
    const fresh = round - st.round > 10;
    const sum = 0 + u + ni + sy + id + io + irq + so + stl;
    const total = fresh || sum < st.sum ? NaN : sum - st.sum;
    st.round = round;
    st.prev = r; // the row is not changed after: kept as is instead of copied
    st.sum = sum;
    // a CPU that ran anything since the last snapshot (user, nice, system, irq, softirq): the
    // process scan's tolerance counts these, not every CPU (see ctx.busyCpus)
    if (c > 0 && !(u + ni + sy + irq + so <= pu + pni + psy + pirq + pso)) busy++;
    if (total > 0) {
      values[at] = (u < pu ? NaN : u - pu) / total;
      values[at + 1] = (ni < pni ? NaN : ni - pni) / total;
      values[at + 2] = (sy < psy ? NaN : sy - psy) / total;
      values[at + 3] = (id < pid ? NaN : id - pid) / total;
      values[at + 4] = (io < pio ? NaN : io - pio) / total;
      values[at + 5] = (irq < pirq ? NaN : irq - pirq) / total;
      values[at + 6] = (so < pso ? NaN : so - pso) / total;
      values[at + 7] = (stl < pstl ? NaN : stl - pstl) / total;
    } else values.fill(NaN, at, at + 8);
    // A CPU's 8 series are only ever written together, in one block: where the block's first
    // slot holds this CPU's first series, the other 7 hold its other 7.
    const ss = st.series;
    if (series[at] !== ss[0]) {
      for (let m = 0; m < 8; m++) series[at + m] = ss[m]!;
      ctx.moved = true;
    }
    at += 8;
  }
  snap.length = at; // rows skipped above leave their reserved samples unused
  ctx.cpuTicks = summary[1]! + summary[2]! + summary[3]! + summary[6]! + summary[7]!;
  ctx.cpuCount = cpus - 1;
  ctx.busyCpus = busy;
  const s = state.counters;
  ctx.putRate(s[0]!, stat.contextSwitches);
  ctx.putRate(s[1]!, stat.interrupts);
  ctx.putRate(s[2]!, stat.softirqs);
  ctx.putRate(s[3]!, stat.forks);
  ctx.put(s[4]!, stat.procsRunning);
  ctx.put(s[5]!, stat.procsBlocked);
}

/** The state of the CPU `name`, made the first time; `undefined` for a name that is no CPU. */
function cpuState(ctx: Context, state: StatState, name: string): CpuState | undefined {
  let st = state.byName.get(name);
  if (st === undefined) {
    if (name !== "total" && !isCpuNumber(name)) return undefined;
    st = {
      name,
      id: Number(name),
      series: cpuModes.map((mode) =>
        ctx.series("cpu_ratio", ctx.labels(`cpu|${name}|${mode}`, () => ({ cpu: name, mode })))
      ),
      prev: [0, 0, 0, 0, 0, 0, 0, 0, 0],
      sum: 0,
      round: -Infinity,
    };
    state.byName.set(name, st);
  }
  return st;
}

/** `/proc/loadavg`. */
export function collectLoadAvg(ctx: Context): void {
  const text = ctx.proc("loadavg");
  if (text === undefined) return;
  const l = parseLoadAvg(text);
  const [s1, s5, s15] = ctx.memo(
    collectLoadAvg,
    () =>
      ["1m", "5m", "15m"].map((window) =>
        ctx.series("load_average", ctx.labels(`load|${window}`, () => ({ window })))
      ),
  );
  ctx.put(s1!, l.load1);
  ctx.put(s5!, l.load5);
  ctx.put(s15!, l.load15);
}

const resources = ["cpu", "memory", "io"] as const;

/** `/proc/pressure/*` (kernels ≥ 4.20 with PSI on); absent files emit nothing. */
export function collectPressure(ctx: Context): void {
  const series = ctx.memo(collectPressure, () =>
    resources.map((resource) => ({
      path: `pressure/${resource}`,
      some: ctx.series(
        "pressure_stall_ratio",
        ctx.labels(`psi|${resource}|some`, () => ({ resource, kind: "some" })),
      ),
      full: ctx.series(
        "pressure_stall_ratio",
        ctx.labels(`psi|${resource}|full`, () => ({ resource, kind: "full" })),
      ),
    })));
  for (const r of series) {
    const text = ctx.proc(r.path);
    if (text === undefined) continue;
    const p = parsePressure(text);
    // totals are in microseconds: µs per s / 1e6 = stalled seconds per second.
    if (p.some !== undefined) ctx.putRate(r.some, p.some, 1e-6);
    if (p.full !== undefined) ctx.putRate(r.full, p.full, 1e-6);
  }
}
