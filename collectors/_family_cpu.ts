/**
 * CPU, load and pressure families. Private to the collectors.
 *
 * @module
 */

import type { Context } from "./_context.ts";
import { none } from "./_context.ts";
import { parseLoadAvg } from "./parse_load_avg.ts";
import { parsePressure } from "./parse_pressure.ts";
import { cpuModes, parseProcStat } from "./parse_proc_stat.ts";
import type { Labels } from "./sample.ts";

/** Previous CPU times and the labels of one CPU line. */
interface CpuState {
  labels: Labels[];
  /** The 8 modes, then their sum. */
  prev: Float64Array;
  round: number;
}

const cpuStates = new WeakMap<Context, Map<string, CpuState>>();

/**
 * `/proc/stat`: CPU ratios per core and mode (each mode's share of the interval's ticks; `NaN`
 * on the first snapshot, after a counter decrease or a CPU unseen for 10 snapshots), system
 * counters and task states.
 */
export function collectStat(ctx: Context): void {
  const text = ctx.proc("stat");
  if (text === undefined) return;
  const stat = parseProcStat(text);
  let states = cpuStates.get(ctx);
  if (!states) cpuStates.set(ctx, states = new Map());
  const round = ctx.round;
  for (const t of stat.cpus) {
    let st = states.get(t.cpu);
    const fresh = !st || round - st.round > 10;
    if (!st) {
      const cpu = t.cpu;
      st = {
        labels: cpuModes.map((mode) => ctx.labels(`cpu|${cpu}|${mode}`, () => ({ cpu, mode }))),
        prev: new Float64Array(9),
        round,
      };
      states.set(cpu, st);
    }
    const prev = st.prev;
    let sum = 0;
    for (let m = 0; m < 8; m++) sum += t[cpuModes[m]!];
    const total = fresh || sum < prev[8]! ? NaN : sum - prev[8]!;
    prev[8] = sum;
    for (let m = 0; m < 8; m++) {
      const v = t[cpuModes[m]!];
      const d = v < prev[m]! ? NaN : v - prev[m]!;
      prev[m] = v;
      ctx.gauge("cpu_ratio", st.labels[m]!, total > 0 ? d / total : NaN);
    }
    st.round = round;
  }
  ctx.rate("context_switches_per_second", none, "", stat.contextSwitches);
  ctx.rate("interrupts_per_second", none, "", stat.interrupts);
  ctx.rate("softirqs_per_second", none, "", stat.softirqs);
  ctx.rate("forks_per_second", none, "", stat.forks);
  ctx.gauge("processes_running", none, stat.procsRunning);
  ctx.gauge("processes_blocked", none, stat.procsBlocked);
}

const windows = ["1m", "5m", "15m"] as const;

/** `/proc/loadavg`. */
export function collectLoadAvg(ctx: Context): void {
  const text = ctx.proc("loadavg");
  if (text === undefined) return;
  const l = parseLoadAvg(text);
  const values = [l.load1, l.load5, l.load15];
  for (let i = 0; i < 3; i++) {
    const window = windows[i]!;
    ctx.gauge("load_average", ctx.labels(`load|${window}`, () => ({ window })), values[i]!);
  }
}

const resources = ["cpu", "memory", "io"] as const;

/** `/proc/pressure/*` (kernels ≥ 4.20 with PSI on); absent files emit nothing. */
export function collectPressure(ctx: Context): void {
  for (const resource of resources) {
    const text = ctx.proc(`pressure/${resource}`);
    if (text === undefined) continue;
    const p = parsePressure(text);
    for (const kind of ["some", "full"] as const) {
      const total = p[kind];
      if (total === undefined) continue;
      const labels = ctx.labels(`psi|${resource}|${kind}`, () => ({ resource, kind }));
      // total is in microseconds: µs per s / 1e6 = stalled seconds per second.
      ctx.rate("pressure_stall_ratio", labels, `${resource}|${kind}`, total, 1e-6);
    }
  }
}
