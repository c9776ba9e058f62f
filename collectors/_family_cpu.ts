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
import type { Series } from "./snapshot.ts";

/** Previous CPU times and the series of one CPU line. */
interface CpuState {
  series: Series[];
  /** The 8 modes, then their sum. */
  prev: Float64Array;
  round: number;
}

const cpuStates = new WeakMap<Context, Map<string, CpuState>>();
/** One CPU line's times in `cpuModes` order (scratch). */
const times = new Float64Array(8);

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
  const all = stat.cpus[0];
  if (all?.cpu === "total") {
    ctx.cpuTicks = all.user + all.nice + all.system + all.irq + all.softirq;
    ctx.cpuCount = stat.cpus.length - 1;
  }
  let busy = 0;
  for (const t of stat.cpus) {
    let st = states.get(t.cpu);
    const fresh = !st || round - st.round > 10;
    if (!st) {
      const cpu = t.cpu;
      st = {
        series: cpuModes.map((mode) =>
          ctx.series("cpu_ratio", ctx.labels(`cpu|${cpu}|${mode}`, () => ({ cpu, mode })))
        ),
        prev: new Float64Array(9),
        round,
      };
      states.set(cpu, st);
    }
    const prev = st.prev;
    let sum = 0;
    const v = times;
    v[0] = t.user;
    v[1] = t.nice;
    v[2] = t.system;
    v[3] = t.idle;
    v[4] = t.iowait;
    v[5] = t.irq;
    v[6] = t.softirq;
    v[7] = t.steal;
    for (let m = 0; m < 8; m++) sum += v[m]!;
    const total = fresh || sum < prev[8]! ? NaN : sum - prev[8]!;
    prev[8] = sum;
    const at = ctx.reserve(8); // the 8 samples written in place: no call per sample
    const snap = ctx.snap;
    const series = st.series;
    // a CPU that ran anything since the last snapshot (user, nice, system, irq, softirq): the
    // process scan's tolerance counts these, not every CPU (see ctx.busyCpus)
    if (
      t.cpu !== "total" &&
      !(v[0]! + v[1]! + v[2]! + v[5]! + v[6]! <=
        prev[0]! + prev[1]! + prev[2]! + prev[5]! + prev[6]!)
    ) busy++;
    for (let m = 0; m < 8; m++) {
      const d = v[m]! < prev[m]! ? NaN : v[m]! - prev[m]!;
      prev[m] = v[m]!;
      if (snap.series[at + m] !== series[m]) {
        snap.series[at + m] = series[m]!;
        ctx.moved = true;
      }
      snap.values[at + m] = total > 0 ? d / total : NaN;
    }
    st.round = round;
  }
  ctx.busyCpus = busy;
  const s = ctx.memo(collectStat, () =>
    [
      "context_switches_per_second",
      "interrupts_per_second",
      "softirqs_per_second",
      "forks_per_second",
      "processes_running",
      "processes_blocked",
    ].map((metric) => ctx.series(metric, none)));
  ctx.putRate(s[0]!, stat.contextSwitches);
  ctx.putRate(s[1]!, stat.interrupts);
  ctx.putRate(s[2]!, stat.softirqs);
  ctx.putRate(s[3]!, stat.forks);
  ctx.put(s[4]!, stat.procsRunning);
  ctx.put(s[5]!, stat.procsBlocked);
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
