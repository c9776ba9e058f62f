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

/** `/proc/stat`: CPU ratios per core and mode, system counters and task states. */
export function collectStat(ctx: Context): void {
  const text = ctx.proc("stat");
  if (text === undefined) return;
  const stat = parseProcStat(text);
  const c = ctx.counters;
  for (const t of stat.cpus) {
    let sum = 0;
    for (const mode of cpuModes) sum += t[mode];
    const total = c.delta(`cpu|${t.cpu}|sum`, sum);
    for (const mode of cpuModes) {
      const d = c.delta(`cpu|${t.cpu}|${mode}`, t[mode]);
      const labels = ctx.labels(`cpu|${t.cpu}|${mode}`, () => ({ cpu: t.cpu, mode }));
      ctx.gauge("cpu_ratio", labels, total > 0 ? d / total : NaN);
    }
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
